#pragma once
// The whole configuration of wgsidecar as plain data, parsed once (config::load) and then
// passed down as `Config const&`. Every environment variable is described once here and
// once in the README's table.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keys/keys.hpp"
#include "keys/secret.hpp"
#include "net/address.hpp"
#include "process/capabilities.hpp"
#include "process/identity.hpp"
#include "util/duration.hpp"

namespace wgs::config {

enum class Backend { automatic, kernel, userspace };  // WG_BACKEND=auto|kernel|userspace
enum class MtuMode { automatic, fixed, probe };       // WG_MTU unset | N | probe
enum class LogFormat { text, json };                  // SIDECAR_LOG_FORMAT
enum class RouteTable { automatic, off };              // wg-quick's Table=auto|off

struct Peer {
  keys::PublicKey public_key{};                 // WG_PEER_PUBLIC_KEY / [Peer] PublicKey
  std::optional<Secret> preshared_key;          // WG_PRESHARED_KEY / PresharedKey
  std::optional<net::HostPort> endpoint;        // WG_PEER_ENDPOINT / Endpoint
  std::vector<net::Prefix> allowed_ips;         // WG_ALLOWED_IPS (default 10.50.0.0/24)
  std::uint16_t persistent_keepalive = 25;      // WG_PERSISTENT_KEEPALIVE; 0 = off
};

struct Interface {
  std::string name = "wg0";                     // WG_INTERFACE
  Secret private_key;                           // WG_PRIVATE_KEY / PrivateKey
  std::vector<net::Prefix> addresses;           // WG_ADDRESS (default 10.50.3.10/32)
  std::optional<std::uint16_t> listen_port;     // WG_LISTEN_PORT; unset = random
  std::optional<std::uint32_t> fwmark;          // FwMark (wg-quick files only)
  MtuMode mtu_mode = MtuMode::automatic;        // WG_MTU
  std::uint32_t mtu = 0;                        // when mtu_mode == fixed
  RouteTable table = RouteTable::automatic;     // Table (wg-quick files only)
};

struct WireGuard {
  Interface interface;
  std::vector<Peer> peers;                      // one from WG_*, any number from a wg-quick file
  Backend backend = Backend::automatic;         // WG_BACKEND
  std::string userspace_implementation = "wireguard-go";  // WG_USERSPACE_IMPLEMENTATION
  std::string source = "environment";           // "environment", "WG_CONFIG" or the --config path
};

// One entry of libpq's host list: the name the certificate is checked against, and the
// address actually dialled when they differ (libpq's hostaddr: RDS's name, the hub's DNAT).
struct DatabaseHost {
  std::string host;                             // a DNS name or an IP
  std::optional<std::string> hostaddr;          // numeric; dialled instead of resolving host
  std::uint16_t port = 5432;
  std::string const& dialled() const { return hostaddr ? *hostaddr : host; }
};

struct Database {
  std::string target;                           // "primary" or "replica"
  std::string source;                           // "DB_*", "PG*", "DATABASE_URL", "DATABASE_READ_REPLICA_URL"
  std::vector<DatabaseHost> hosts;              // libpq's list, tried in order; one in the usual case
  std::string user = "postgres";
  Secret password;                              // empty: libpq looks in passfile
  std::optional<std::string> passfile;          // PGPASSFILE or passfile= in the URL
  std::string dbname = "contacts";
  std::string sslmode = "require";              // PGSSLMODE or sslmode= in the URL
  std::optional<std::string> sslrootcert;       // PGSSLROOTCERT or sslrootcert= in the URL
  std::string target_session_attrs = "any";     // which of several hosts libpq settles on
  Secret sslpassword;                           // sslpassword= (the client key's passphrase)
  // Other libpq settings from the URL, passed to the checks' connection as written
  // (sslcert, options, channel_binding, ...). None of them is a secret.
  std::vector<std::pair<std::string, std::string>> libpq_settings;
  // Settings of the app's driver or ORM ("schema (Prisma)"): accepted, named once in a log line.
  std::vector<std::string> ignored;
};

struct Logging {
  LogFormat format = LogFormat::text;           // SIDECAR_LOG_FORMAT=text|json
  bool debug = false;                           // SIDECAR_LOG_LEVEL=debug|info
  std::string region;                           // FLY_REGION, carried on every line
  std::string machine_id;                       // FLY_MACHINE_ID, carried on every line
};

enum class AppRestart { never, on_failure };     // SIDECAR_APP_RESTART

struct Checks {
  std::string ping_host;                        // SIDECAR_PING_HOST; empty = each database's host
  Duration stage_timeout{5000};                 // SIDECAR_CHECK_TIMEOUT, per stage
};

struct Supervision {
  Duration startup_timeout{60'000};             // SIDECAR_STARTUP_TIMEOUT: checks must pass within it
  std::vector<std::string> require{"ping", "tcp", "tls", "auth"};  // SIDECAR_REQUIRE; empty = none
  std::vector<std::string> keep_env;            // SIDECAR_KEEP_ENV: secrets the app may still see
  Duration shutdown_timeout{4000};              // SIDECAR_SHUTDOWN_TIMEOUT, then SIGKILL
  bool keep_tunnel = false;                     // SIDECAR_KEEP_TUNNEL=1: leave it up on exit
  bool signal_group = false;                    // SIDECAR_SIGNAL_GROUP=1: forward to the app's group
  AppRestart app_restart = AppRestart::never;   // SIDECAR_APP_RESTART=never|on-failure
  std::optional<process::Identity> app_user;    // SIDECAR_APP_USER: uid[:gid] or names; unset = root
  // A root app's capabilities: Docker's default set, plus SIDECAR_APP_KEEP_CAPS.
  process::Capabilities app_capabilities = process::docker_default_capabilities();
  int app_parent_death_signal = 0;              // SIDECAR_APP_PARENT_DEATH_SIGNAL; 0 = none
};

struct Monitor {
  Duration probe_interval{10'000};              // SIDECAR_PROBE_INTERVAL: ping + handshake read
  // SIDECAR_CHECK_INTERVAL: the gating checks again. Each is a TLS handshake and a SCRAM login,
  // a backend forked on RDS and most of an idle machine's CPU; an unanswered probe runs them at
  // once anyway, so the cadence only bounds how late a fault on the database's side shows.
  Duration check_interval{120'000};
  Duration stale_after{30'000};                 // SIDECAR_STALE_AFTER: no reply nor rx this long
  Duration give_up_after{600'000};              // SIDECAR_GIVE_UP_AFTER: then stop the app, exit 69
};

enum class EnrollMode { automatic, off, required };  // SIDECAR_ENROLL=auto|off|required

// A fleet: each machine enrolls with the hub (`wgsidecar hub`) for a key and an address of
// its own, using a credential every machine shares (the token, else WG_PRIVATE_KEY).
struct Enrollment {
  EnrollMode mode = EnrollMode::automatic;      // SIDECAR_ENROLL; a token makes it required
  std::optional<Secret> token;                  // SIDECAR_ENROLL_TOKEN (from `wgsidecar hub token`)
  std::optional<std::uint16_t> port;            // SIDECAR_ENROLL_PORT; unset = the hub endpoint's port
};

struct Health {
  // SIDECAR_HEALTH_ADDR as given: an IP (0.0.0.0 every IPv4 address, [::] every IPv4 and IPv6
  // address) or a name /etc/hosts resolves (fly-local-6pn), and a port; unset = no server.
  // health::bind_address turns it into what is bound, health::local_address into where a
  // client on this machine connects.
  std::optional<net::HostPort> listen;
};

struct Config {
  WireGuard wireguard;
  std::vector<Database> databases;              // primary first, then the replica
  Logging logging;
  Checks checks;
  Supervision supervision;
  Monitor monitor;
  Health health;
  Enrollment enrollment;
};

// Where the primary database is dialled (its first host's hostaddr, else its host): the
// default target of the tunnel's own probes. Empty when no database is configured.
inline std::string dialled_address(Config const& config) {
  if (config.databases.empty() || config.databases.front().hosts.empty()) return {};
  return config.databases.front().hosts.front().dialled();
}

}  // namespace wgs::config
