#pragma once
// What the health endpoints report, as plain data the supervisor fills in. The supervisor
// and the HTTP server share one io_context thread, so the server reads a Snapshot by
// calling the source on that thread; nothing here is shared across threads.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/report.hpp"

namespace wgs::health {

// One step the monitor took to heal the tunnel, for /status.
struct Recovery {
  std::chrono::system_clock::time_point at;
  std::string step;    // "links" (routes/addresses), "peer" (re-resolve + re-apply), "interface" (re-create)
  std::string reason;  // why, e.g. "route 10.50.0.0/24 was deleted", "no reply for 30s"
  bool succeeded = false;
};

// One restart of the app (SIDECAR_APP_RESTART=on-failure), for /status.
struct AppRestart {
  std::chrono::system_clock::time_point at;
  int exit_code = 0;  // the status the previous run ended with
};

struct TunnelState {
  std::string interface;                         // WG_INTERFACE
  std::string backend;                           // "kernel" or "userspace"; empty before it is up
  std::string state = "starting";                // starting | fresh | stale | recovering | failed
  std::optional<double> handshake_age_seconds;   // nullopt: no handshake yet
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_bytes = 0;
  std::optional<double> last_probe_ms;           // round trip of the latest answered monitor ping
};

struct Snapshot {
  bool ready = false;               // /readyz: tunnel fresh and the gating checks passing
  std::string not_ready_reason;     // why not (shown in the 503 body); empty when ready
  nlohmann::json config;            // config::to_json: secrets already shown as (hidden)
  TunnelState tunnel;
  std::optional<checks::Report> last_check;                  // latest gating check, if any
  std::optional<double> last_check_age_seconds;              // how old last_check is (/readyz answers from it)
  std::map<std::string, std::uint64_t> database_logins;      // target -> logins the checks made
  std::map<std::string, std::uint64_t> recoveries_by_step;   // step -> count (successful or not)
  std::vector<Recovery> recent_recoveries;                   // newest last, bounded
  std::vector<AppRestart> app_restarts;                      // newest last, bounded
  std::uint64_t app_restart_count = 0;
  std::optional<int> app_pid;
  double uptime_seconds = 0;
};

// What an answer needs: /readyz the verdict alone; /status and /metrics everything, the
// tunnel's handshake and counters as they are now included (the monitor reads them for it).
enum class Detail { verdict, full };

using SnapshotSource = std::function<Snapshot(Detail)>;

}  // namespace wgs::health
