#pragma once
// Keeps the tunnel alive while the app runs, without restarting the app. Every
// SIDECAR_PROBE_INTERVAL: a ping through the tunnel, a look at the link and the peer
// (handshake age, received bytes) and, for /readyz, the gating checks. rtnetlink events
// bring the look forward, so a deleted route or interface is mended at once. A stale
// tunnel climbs the ladder (monitor/ladder.hpp); past SIDECAR_GIVE_UP_AFTER it gives up.
//
// Runs on the caller's io_context (one thread, shared with the supervisor and the health
// server); blocking work (netlink, UAPI, re-creating) runs on one worker thread that alone
// touches the Tunnel, and posts its results back. The gating checks run on a thread of
// their own, so a check waiting out its timeout never delays a probe or a repair.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "checks/report.hpp"
#include "config/config.hpp"
#include "enroll/edge.hpp"
#include "enroll/shared_key_signs.hpp"
#include "health/snapshot.hpp"
#include "monitor/freshness.hpp"
#include "monitor/ladder.hpp"
#include "monitor/repair.hpp"
#include "net/address.hpp"
#include "netlink/events.hpp"
#include "tunnel/tunnel.hpp"

namespace wgs::monitor {

class Monitor {
 public:
  using GiveUp = std::function<void(std::string const& reason)>;

  // `wireguard`: the identity the tunnel runs on (this machine's own when `enrollment` is
  // set, which the ladder's enroll step renews).
  Monitor(boost::asio::io_context& io, config::Config const& config, config::WireGuard wireguard,
          tunnel::Tunnel tunnel, std::optional<checks::Report> startup_report,
          std::shared_ptr<enroll::Edge> enrollment, GiveUp give_up);
  ~Monitor();
  Monitor(Monitor const&) = delete;
  Monitor& operator=(Monitor const&) = delete;

  void start();
  // Stops probing and waits for a step in progress; the tunnel stays as it is.
  void stop();

  // The monitor's part of /readyz, /status and /metrics.
  void describe(health::Snapshot& snapshot) const;

 private:
  struct Probe;
  void schedule_probe(Duration after);
  void probe();
  void probe_finished(Probe const& probe);
  Duration until_next_probe(Probe const& probe, Clock::time_point now) const;
  void handle_damage(Inspection const& seen, Clock::time_point now);
  void take(Step step, std::string reason);
  void step_finished(Step step, std::string const& reason, StepOutcome const& outcome, std::string backend, int ifindex);
  void watch_links();
  void on_link_events();
  void look_now();
  void record_view(Inspection const& seen);
  void schedule_checks(Duration after);
  void run_checks();
  template <typename Job>
  void on_worker(Job job);

  boost::asio::io_context& io_;
  config::Config const& config_;
  GiveUp give_up_;
  config::WireGuard wireguard_;                // the worker's alone once start() has run
  std::shared_ptr<enroll::Edge> enrollment_;   // the worker's alone too
  tunnel::Tunnel tunnel_;  // the worker's alone once start() has run
  std::optional<net::IpAddress> ping_target_;

  Freshness freshness_;
  Ladder ladder_;
  enroll::SharedKeySigns shared_key_signs_;  // a tunnel on WG_PRIVATE_KEY, shared by machines?
  bool busy_ = false;        // a step or a look is on the worker
  bool stopped_ = false;
  bool given_up_ = false;

  boost::asio::steady_timer probe_timer_;
  boost::asio::steady_timer checks_timer_;
  boost::asio::steady_timer look_timer_;
  std::optional<netlink::EventSubscription> events_;
  std::optional<boost::asio::posix::stream_descriptor> events_stream_;
  int ifindex_ = 0;  // the main thread's copy, for filtering events

  // What /status shows, kept on the main thread.
  std::string backend_;
  std::string state_ = "fresh";
  std::optional<double> handshake_age_seconds_;
  std::uint64_t rx_bytes_ = 0;
  std::uint64_t tx_bytes_ = 0;
  std::optional<double> last_probe_ms_;
  std::optional<checks::Report> last_check_;
  std::map<std::string, std::uint64_t> recoveries_by_step_;
  std::deque<health::Recovery> recent_recoveries_;

  boost::asio::thread_pool checks_worker_{1};
  boost::asio::thread_pool worker_{1};  // last: stopped first
};

}  // namespace wgs::monitor
