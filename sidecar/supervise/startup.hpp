#pragma once
// The start policy: bring the tunnel up and run the gating checks, retrying with backoff
// until they pass or SIDECAR_STARTUP_TIMEOUT ends. Runs on a thread of its own while the
// event loop answers signals and /healthz; a stop request ends the wait early.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "checks/report.hpp"
#include "config/config.hpp"
#include "enroll/edge.hpp"
#include "tunnel/tunnel.hpp"

namespace wgs::supervise {

struct Startup {
  // The identity the tunnel runs on: this machine's own from the hub, or WG_PRIVATE_KEY's.
  std::optional<config::WireGuard> wireguard;
  std::shared_ptr<enroll::Edge> enrollment;  // this machine's enrollment, when it enrolled
  std::optional<std::string> credential_refused;  // why the hub refused this machine's credential: exit 78
  std::optional<tunnel::Tunnel> tunnel;  // up, even when the checks did not pass in time
  std::optional<checks::Report> last_report;
  bool ready = false;
  bool stopped = false;  // a stop request ended the wait
  bool refused = false;  // the system refused the tunnel for good (tunnel::is_refused_for_good): exit 71
};

// What the start has found so far, for /readyz and /status while it runs.
class StartupProgress {
 public:
  void update(std::string problem, std::optional<checks::Report> const& report);
  // Every check the start ran, for the database logins it made.
  void checked(checks::Report const& report);
  std::string problem() const;
  std::optional<checks::Report> report() const;
  std::map<std::string, std::uint64_t> logins() const;

 private:
  mutable std::mutex mutex_;
  std::string problem_ = "starting";
  std::optional<checks::Report> report_;
  std::map<std::string, std::uint64_t> logins_;
};

struct StartupOptions {
  // --exec: the userspace implementation must outlive our process image (own session, no
  // output pipe to a reader that exec ends).
  bool detach_userspace = false;
};

Startup start_tunnel_and_wait(config::Config const& config, StartupOptions const& options, std::stop_token stop,
                              StartupProgress& progress);

}  // namespace wgs::supervise
