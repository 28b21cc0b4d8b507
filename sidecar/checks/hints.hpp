#pragma once
// Turns what a failed stage saw into the likely cause and the next thing to check. Pure
// functions, table-tested: this is where the incident's five suspects (SCRAM, TLS, MTU,
// NAT/routing, the proxy) are told apart.
#include <optional>
#include <string>
#include <string_view>

#include "checks/report.hpp"

namespace wgs::checks {

enum class Failure {
  no_tunnel,          // no WireGuard interface to ask: the tunnel is not up
  no_handshake,       // the peer never completed a handshake
  stale_handshake,    // the last handshake is older than the threshold
  ping_lost,          // handshake fine, echo requests unanswered
  ping_error,         // the echo could not be sent (no route, socket refused)
  tcp_refused,        // RST: nothing listens (Postgres down) or DNAT missing
  tcp_timeout,        // SYN unanswered: security group, DNAT to a dead address
  tcp_unreachable,    // ICMP unreachable / no route
  ssl_not_offered,    // SSLRequest answered 'N' while sslmode needs TLS
  tls_stall,          // TCP worked, the TLS handshake never finished: MTU black hole
  tls_reset,          // the peer closed the connection during the TLS handshake
  tls_certificate,    // the server's certificate does not chain to sslrootcert
  tls_hostname,       // verify-full: the certificate names another host
  not_postgres,       // something else answers on the port
  bad_password,       // SCRAM/md5 failed (28P01)
  missing_database,   // 3D000
  no_hba_entry,       // pg_hba.conf has no line for this client/user/TLS combination
  no_password,        // the server asks for a password and none is configured
  wrong_server_kind,  // target_session_attrs asks for a primary and this is a standby, or the reverse
  server_closed,      // the server hung up after TLS, before authentication finished
  server_starting,    // 57P03: starting up / shutting down / recovery
  auth_timeout,       // the server stopped answering during startup or SELECT 1
  mtu_black_hole,     // packets at the interface MTU do not cross, smaller ones do
  mtu_nothing_crossed,
  other,
};

std::string_view failure_name(Failure failure);

// How far a libpq connection got before it failed (from its status transitions).
enum class PgPhase { connecting, tls, startup, query };

struct PgFailureFacts {
  PgPhase phase = PgPhase::connecting;
  bool timed_out = false;
  std::string message;                 // PQerrorMessage / PQresultErrorMessage, scrubbed
  std::optional<std::string> sqlstate;  // PQresultErrorField(PG_DIAG_SQLSTATE) when a result had one
};

struct Classified {
  Stage stage;      // the stage that failed
  Failure failure;
};

Classified classify_pg(PgFailureFacts const& facts);

// What the hints may mention: never a secret.
struct HintContext {
  std::string host;
  unsigned port = 5432;
  std::string sslmode;
  std::string ping_host;
  std::optional<unsigned> interface_mtu;
  std::optional<unsigned> path_mtu;
  std::string source = "DB_*";              // "DB_*", "PG*" or the URL's variable: names what to change
  std::optional<std::string> hostaddr = std::nullopt;          // libpq's hostaddr, when it is what is dialled
  std::optional<std::string> certificate_name = std::nullopt;  // the name the server's certificate carries
  std::string session_kind = "any";         // target_session_attrs
};

std::string hint(Failure failure, HintContext const& context);

// The name in libpq's "server certificate for \"NAME\" does not match host name" message, when
// it is a plausible DNS name (the server chose it: nothing else is passed on).
std::optional<std::string> certificate_name(std::string_view message);

}  // namespace wgs::checks
