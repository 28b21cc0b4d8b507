#include "checks/hints.hpp"

#include <cctype>

#include <fmt/format.h>

namespace wgs::checks {
namespace {

bool has(std::string_view text, std::string_view needle) { return text.find(needle) != std::string_view::npos; }

bool state_is(PgFailureFacts const& facts, std::string_view code) { return facts.sqlstate && *facts.sqlstate == code; }

// Answers that mean "this is not a PostgreSQL server" whatever the phase: libpq's words for
// bytes that break its protocol, and OpenSSL's for a TLS reply that is not TLS.
bool looks_foreign(std::string_view message) {
  constexpr std::string_view signs[] = {
      "received invalid response to SSL negotiation", "expected authentication request from server",
      "invalid message format", "unexpected message from server", "message type 0x",
      "lost synchronization with server", "message contents do not agree with length", "Unknown message: length",
      "mismatched message length", "unexpected response from server", "invalid authentication request from server",
      "malformed SCRAM message", "wrong version number", "packet length too long",
  };
  for (auto sign : signs) {
    if (has(message, sign)) return true;
  }
  // "authentication method 1234567 not supported": a request code PostgreSQL never sends.
  auto const method = message.find("authentication method ");
  return method != std::string_view::npos && method + 22 < message.size() &&
         std::isdigit(static_cast<unsigned char>(message[method + 22]));
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
  if (has(message, "no password supplied")) return Failure::no_password;
  if (has(message, "session is read-only") || has(message, "session is not read-only") ||
      has(message, "hot standby mode"))
    return Failure::wrong_server_kind;
  if (state_is(facts, "57P03") || has(message, "the database system is")) return Failure::server_starting;
  if (looks_foreign(message)) return Failure::not_postgres;
  if (facts.timed_out) return Failure::auth_timeout;
  if (has(message, "closed the connection unexpectedly") || has(message, "Connection reset"))
    return Failure::server_closed;
  return Failure::other;
}

// The settings a hint tells the user to change, in the form they configured the database.
struct Names {
  std::string host, hostaddr, port, user, password, dbname;
};

Names names_for(std::string_view source) {
  if (source == "PG*") return {"PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"};
  if (source.empty() || source == "DB_*") return {"DB_HOST", "DB_HOSTADDR", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_NAME"};
  return {fmt::format("the host in {}", source),     fmt::format("hostaddr= in {}", source),
          fmt::format("the port in {}", source),     fmt::format("the user in {}", source),
          fmt::format("the password in {}", source), fmt::format("the database name in {}", source)};
}

bool is_address(std::string_view host) {
  return !host.empty() && host.find_first_not_of("0123456789.:abcdefABCDEF") == std::string_view::npos &&
         (host.find('.') != std::string_view::npos || host.find(':') != std::string_view::npos);
}

// verify-full checks the name the client connects to. Dialling the hub's address and
// verifying RDS's name is libpq's host + hostaddr: the recipe the README spells out.
std::string hostname_hint(HintContext const& c) {
  auto const names = names_for(c.source);
  auto const name = c.certificate_name.value_or("the database's DNS name (RDS: its endpoint)");
  if (is_address(c.host)) {
    return fmt::format("the server's certificate names {}, not the address {}: sslmode=verify-full checks the name "
                       "you connect to. Keep dialling {} through the hub and verify the name: set {} to {} and {}={} "
                       "(libpq's hostaddr; see \"RDS verify-full through the hub\" in the README), or use "
                       "sslmode=verify-ca",
                       name, c.host, c.host, names.host, name, names.hostaddr, c.host);
  }
  auto const names_it = c.certificate_name ? fmt::format(" (it names {})", *c.certificate_name) : std::string();
  return fmt::format("the certificate does not name {}{}: with sslmode=verify-full, {} must be a name the certificate "
                     "carries (RDS: the endpoint name); {} then says which address to dial",
                     c.host, names_it, names.host, names.hostaddr);
}

}  // namespace

std::optional<std::string> certificate_name(std::string_view message) {
  constexpr std::string_view lead = "server certificate for \"";
  auto const start = message.find(lead);
  if (start == std::string_view::npos) return std::nullopt;
  auto const rest = message.substr(start + lead.size());
  auto const name = rest.substr(0, rest.find('"'));
  bool const plausible = !name.empty() && name.size() <= 253 &&
                         name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_*:") ==
                             std::string_view::npos;
  if (!plausible || name.size() == rest.size()) return std::nullopt;
  return std::string(name);
}

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
    case Failure::no_password: return "no_password";
    case Failure::wrong_server_kind: return "wrong_server_kind";
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
  auto const names = names_for(c.source);
  auto const where = c.hostaddr ? fmt::format("{}:{} ({})", *c.hostaddr, c.port, c.host) : fmt::format("{}:{}", c.host, c.port);
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
      return fmt::format("{} refused the connection: PostgreSQL is not listening there (server down, wrong {}) "
                         "or the hub's DNAT rule to the database is missing",
                         where, names.port);
    case Failure::tcp_timeout:
      return fmt::format("no answer to the TCP connect to {}: a security group or firewall drops it, or the hub's "
                         "DNAT points at an address where nothing answers — check the database's inbound rules "
                         "allow the hub, and the hub's nftables DNAT target",
                         where);
    case Failure::tcp_unreachable:
      return fmt::format("{} is unreachable (no route): check WG_ALLOWED_IPS covers the database address and the "
                         "hub routes to it",
                         c.hostaddr.value_or(c.host));
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
    case Failure::tls_hostname: return hostname_hint(c);
    case Failure::not_postgres:
      return fmt::format("something that is not PostgreSQL answers on {}: check {} and where the hub's DNAT "
                         "sends port {}",
                         where, names.port, c.port);
    case Failure::bad_password:
      return fmt::format("the server rejected the password (SCRAM/md5 authentication failed): check {} and {}; the "
                         "network path is fine",
                         names.password, names.user);
    case Failure::missing_database:
      return fmt::format("the server is reachable and the login works but the database does not exist: check {}",
                         names.dbname);
    case Failure::no_hba_entry:
      return "the server has no pg_hba.conf line for this client: allow the hub's address (the connection arrives "
             "from the hub after NAT) for this user and database, with or without TLS as sslmode sets";
    case Failure::no_password:
      return fmt::format("the server asks for a password and none is configured: set {} (or PGPASSWORD, or a line "
                         "for this host, port, database and user in PGPASSFILE)",
                         names.password);
    case Failure::wrong_server_kind:
      return fmt::format("this host is not the kind target_session_attrs={} asks for (a primary or a standby): libpq "
                         "skips it and tries the next host of the list",
                         c.session_kind);
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
