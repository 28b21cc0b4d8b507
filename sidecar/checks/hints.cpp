#include "checks/hints.hpp"

#include <fmt/format.h>

namespace wgs::checks {
namespace {

bool has(std::string_view text, std::string_view needle) { return text.find(needle) != std::string_view::npos; }

bool state_is(PgFailureFacts const& facts, std::string_view code) { return facts.sqlstate && *facts.sqlstate == code; }

// Answers that mean "this is not a PostgreSQL server" whatever the phase.
bool looks_foreign(std::string_view message) {
  return has(message, "received invalid response to SSL negotiation") ||
         has(message, "expected authentication request from server") ||
         has(message, "invalid message format") || has(message, "unexpected message from server") ||
         has(message, "message type 0x");
}

Failure classify_connecting(PgFailureFacts const& facts) {
  if (facts.timed_out || has(facts.message, "timed out") || has(facts.message, "timeout expired"))
    return Failure::tcp_timeout;
  if (has(facts.message, "Connection refused")) return Failure::tcp_refused;
  if (has(facts.message, "No route to host") || has(facts.message, "Network is unreachable"))
    return Failure::tcp_unreachable;
  return Failure::other;
}

Failure classify_tls(PgFailureFacts const& facts) {
  auto const& message = facts.message;
  if (has(message, "does not support SSL")) return Failure::ssl_not_offered;
  if (looks_foreign(message)) return Failure::not_postgres;
  if (has(message, "does not match host name")) return Failure::tls_hostname;
  if (has(message, "certificate verify failed") || has(message, "certificate")) return Failure::tls_certificate;
  if (facts.timed_out) return Failure::tls_stall;
  if (has(message, "closed the connection unexpectedly") || has(message, "Connection reset") ||
      has(message, "SSL SYSCALL error") || has(message, "EOF detected"))
    return Failure::tls_reset;
  return Failure::other;
}

Failure classify_startup(PgFailureFacts const& facts) {
  auto const& message = facts.message;
  if (state_is(facts, "28P01") || has(message, "password authentication failed") ||
      has(message, "SCRAM authentication") || has(message, "invalid SCRAM"))
    return Failure::bad_password;
  if (state_is(facts, "3D000") || (has(message, "database \"") && has(message, "does not exist")))
    return Failure::missing_database;
  if (has(message, "no pg_hba.conf entry")) return Failure::no_hba_entry;
  if (state_is(facts, "57P03") || has(message, "the database system is")) return Failure::server_starting;
  if (looks_foreign(message)) return Failure::not_postgres;
  if (facts.timed_out) return Failure::auth_timeout;
  if (has(message, "closed the connection unexpectedly") || has(message, "Connection reset"))
    return Failure::server_closed;
  return Failure::other;
}

}  // namespace

Classified classify_pg(PgFailureFacts const& facts) {
  switch (facts.phase) {
    case PgPhase::connecting: return {Stage::tcp, classify_connecting(facts)};
    case PgPhase::tls: return {Stage::tls, classify_tls(facts)};
    case PgPhase::startup:
    case PgPhase::query: return {Stage::auth, classify_startup(facts)};
  }
  return {Stage::tcp, Failure::other};
}

std::string_view failure_name(Failure failure) {
  switch (failure) {
    case Failure::no_tunnel: return "no_tunnel";
    case Failure::no_handshake: return "no_handshake";
    case Failure::stale_handshake: return "stale_handshake";
    case Failure::ping_lost: return "ping_lost";
    case Failure::ping_error: return "ping_error";
    case Failure::tcp_refused: return "tcp_refused";
    case Failure::tcp_timeout: return "tcp_timeout";
    case Failure::tcp_unreachable: return "tcp_unreachable";
    case Failure::ssl_not_offered: return "ssl_not_offered";
    case Failure::tls_stall: return "tls_stall";
    case Failure::tls_reset: return "tls_reset";
    case Failure::tls_certificate: return "tls_certificate";
    case Failure::tls_hostname: return "tls_hostname";
    case Failure::not_postgres: return "not_postgres";
    case Failure::bad_password: return "bad_password";
    case Failure::missing_database: return "missing_database";
    case Failure::no_hba_entry: return "no_hba_entry";
    case Failure::server_closed: return "server_closed";
    case Failure::server_starting: return "server_starting";
    case Failure::auth_timeout: return "auth_timeout";
    case Failure::mtu_black_hole: return "mtu_black_hole";
    case Failure::mtu_nothing_crossed: return "mtu_nothing_crossed";
    case Failure::other: return "other";
  }
  return "other";
}

std::string hint(Failure failure, HintContext const& c) {
  auto const where = fmt::format("{}:{}", c.host, c.port);
  switch (failure) {
    case Failure::no_tunnel:
      return "the tunnel is not up: bring it up with `wgsidecar up` (or start the app under `wgsidecar run`, which "
             "does), then check again";
    case Failure::no_handshake:
      return "no WireGuard handshake with the hub: check that the hub lists this edge's public key (wgsidecar "
             "hub-peer), that WG_PEER_PUBLIC_KEY is the hub's key, that WG_PEER_ENDPOINT is right, and that UDP "
             "51820 reaches the hub (security group / firewall)";
    case Failure::stale_handshake:
      return "the last WireGuard handshake is too old: the hub stopped answering — check the hub is up, its public "
             "address has not changed (WG_PEER_ENDPOINT) and UDP 51820 is still open";
    case Failure::ping_lost:
      return fmt::format("the tunnel is up (handshake) but {} does not answer: check the hub forwards to it "
                         "(net.ipv4.ip_forward, its routes/NAT) and that WG_ALLOWED_IPS covers {} and the hub's "
                         "AllowedIPs for this peer covers this edge's WG_ADDRESS",
                         c.ping_host, c.ping_host);
    case Failure::ping_error:
      return fmt::format("could not send to {}: no route, or a local firewall refuses — check WG_ALLOWED_IPS covers "
                         "it, the interface is up, and nftables/iptables on this machine",
                         c.ping_host);
    case Failure::tcp_refused:
      return fmt::format("{} refused the connection: PostgreSQL is not listening there (server down, wrong DB_PORT) "
                         "or the hub's DNAT rule to the database is missing",
                         where);
    case Failure::tcp_timeout:
      return fmt::format("no answer to the TCP connect to {}: a security group or firewall drops it, or the hub's "
                         "DNAT points at an address where nothing answers — check the database's inbound rules "
                         "allow the hub, and the hub's nftables DNAT target",
                         where);
    case Failure::tcp_unreachable:
      return fmt::format("{} is unreachable (no route): check WG_ALLOWED_IPS covers the database address and the "
                         "hub routes to it",
                         c.host);
    case Failure::ssl_not_offered:
      return fmt::format("the server answered the SSLRequest with 'N' (no TLS) but sslmode={} needs TLS: enable "
                         "ssl on the server (RDS: it is on) or check you reach the database and not a proxy "
                         "that strips TLS; only if the path is trusted, lower sslmode",
                         c.sslmode);
    case Failure::tls_stall: {
      auto mtu = c.interface_mtu ? fmt::format(" (interface MTU {})", *c.interface_mtu) : std::string();
      return fmt::format("TCP works but the TLS handshake stalls: the likely cause is a path-MTU black hole{} — "
                         "large packets (the server's certificate) are dropped; set WG_MTU lower (e.g. 1280) or "
                         "WG_MTU=probe, and check the mtu stage",
                         mtu);
    }
    case Failure::tls_reset:
      return "the connection was closed during the TLS handshake: something on the path (a proxy, NAT or "
             "middlebox) drops it, or packets are too large for the path (try WG_MTU=1280)";
    case Failure::tls_certificate:
      return "the server's certificate does not verify against sslrootcert (PGSSLROOTCERT): use the CA bundle that "
             "signed it (RDS: the global bundle) — or you reach a different server than you think";
    case Failure::tls_hostname:
      return fmt::format("the certificate does not name {}: with sslmode=verify-full DB_HOST must be a name the "
                         "certificate carries (RDS: the endpoint name), or use sslmode=verify-ca",
                         c.host);
    case Failure::not_postgres:
      return fmt::format("something that is not PostgreSQL answers on {}: check DB_PORT and where the hub's DNAT "
                         "sends port {}",
                         where, c.port);
    case Failure::bad_password:
      return "the server rejected the password (SCRAM/md5 authentication failed): check DB_PASSWORD "
             "(or the password in DATABASE_URL) and DB_USER; the network path is fine";
    case Failure::missing_database:
      return "the server is reachable and the login works but the database does not exist: check DB_NAME (or "
             "the path of DATABASE_URL)";
    case Failure::no_hba_entry:
      return "the server has no pg_hba.conf line for this client: allow the hub's address (the connection arrives "
             "from the hub after NAT) for this user and database, with or without TLS as sslmode sets";
    case Failure::server_closed:
      return "the server closed the connection during startup: check the server log (max_connections, a proxy "
             "rejecting the client, or a crash)";
    case Failure::server_starting:
      return "the database is starting up, shutting down or in recovery: wait and retry";
    case Failure::auth_timeout:
      return "the server stopped answering during authentication or SELECT 1: check the server is not overloaded "
             "or blocked, and the mtu stage for dropped large packets";
    case Failure::mtu_black_hole:
      return fmt::format("packets of the interface MTU{} do not cross but {} bytes do: a path-MTU black hole — set "
                         "WG_MTU={} (or WG_MTU=probe)",
                         c.interface_mtu ? fmt::format(" ({})", *c.interface_mtu) : std::string(),
                         c.path_mtu.value_or(0), c.path_mtu.value_or(1280));
    case Failure::mtu_nothing_crossed:
      return fmt::format("no probe size reached {}, not even the smallest: echo requests with DF set are dropped "
                         "on the way (or replies are filtered)",
                         c.ping_host);
    case Failure::other: break;
  }
  return "unexpected failure: run with SIDECAR_LOG_LEVEL=debug and check the server's log";
}

}  // namespace wgs::checks
