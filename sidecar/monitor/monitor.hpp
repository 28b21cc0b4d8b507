#pragma once
// Keeps the tunnel alive while the app runs, without restarting the app. Every
// SIDECAR_PROBE_INTERVAL: a ping through the tunnel, and a look at the peer (handshake age,
// rx/tx counters) when the ping goes unanswered or cannot prove anything (no ping target,
// pings never answered, trouble already). The link itself (addresses, routes, up) is watched
// through rtnetlink events, which bring a full look forward, so a deleted route or interface
// is mended at once; a probe looks at the link (not the peer) once every SIDECAR_CHECK_INTERVAL,
// and at every probe when events cannot be had. A stale tunnel climbs the ladder
// (monitor/ladder.hpp); past SIDECAR_GIVE_UP_AFTER it gives up. The hub's endpoint name is
// looked up again when its TTL runs out, when /etc/hosts or /etc/resolv.conf change, and when
// the hub stops answering; a new address is applied to the peer in place. The gating checks
// for /readyz keep a cadence of their own (monitor/readiness.hpp).
//
// Runs on a thread of its own with its own event loop, so an idle probe wakes one thread,
// once (its timer: while the hub answers, a ping's reply waits in the socket for the next
// probe), and nothing else; steps (netlink, UAPI, DNS, re-creating)
// run there in turn, and that thread alone touches the Tunnel. The supervisor's thread reads
// what /status shows through describe(), under a lock.
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "checks/icmp.hpp"
#include "checks/report.hpp"
#include "config/config.hpp"
#include "dns/watch.hpp"
#include "enroll/edge.hpp"
#include "enroll/shared_key_signs.hpp"
#include "health/snapshot.hpp"
#include "monitor/freshness.hpp"
#include "monitor/ladder.hpp"
#include "monitor/name_schedule.hpp"
#include "monitor/readiness.hpp"
#include "monitor/repair.hpp"
#include "net/address.hpp"
#include "netlink/events.hpp"
#include "tunnel/tunnel.hpp"

namespace wgs::monitor {

// What the supervisor's start left: the tunnel, its last gating check and the logins so far.
struct Handover {
  // The identity the tunnel runs on: this machine's own when `enrollment` is set (the
  // ladder's enroll step renews it), else the configuration's.
  config::WireGuard wireguard;
  std::shared_ptr<enroll::Edge> enrollment;
  tunnel::Tunnel tunnel;
  std::optional<checks::Report> last_check;
  std::map<std::string, std::uint64_t> logins;
};

class Monitor {
 public:
  using GiveUp = std::function<void(std::string const& reason)>;

  // `give_up` runs on `supervisor`'s loop.
  Monitor(boost::asio::io_context& supervisor, config::Config const& config, Handover handover, GiveUp give_up);
  ~Monitor();
  Monitor(Monitor const&) = delete;
  Monitor& operator=(Monitor const&) = delete;

  void start();
  // Stops probing and waits for a step in progress; the tunnel stays as it is.
  void stop();
  // Trouble seen elsewhere (the app exited): run the gating checks now. Any thread.
  void recheck(std::string reason);

  // /status and /metrics show the peer's handshake and counters, which probes whose ping
  // is answered leave unread: read them now, unless the latest reading or the latest such
  // request is under a second old. Any thread; waits at most 100 ms (a step in progress),
  // then the latest reading stands.
  void read_peer_for_view();
  // The monitor's part of /readyz, /status and /metrics. Any thread.
  void describe(health::Snapshot& snapshot) const;

 private:
  struct Probe;
  enum class State { fresh, stale, recovering, failed };
  static std::string_view state_name(State state);
  // What /status shows, written on the monitor's thread, read under view_mutex_.
  struct View {
    std::string backend;
    State state = State::fresh;
    std::optional<double> handshake_age_seconds;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
    Clock::time_point peer_read_at{};  // when the three above were read
    std::optional<double> last_probe_ms;
    std::optional<checks::Report> last_check;
    std::chrono::steady_clock::time_point last_check_at{};
    std::map<std::string, std::uint64_t> logins;
    std::map<std::string, std::uint64_t> recoveries_by_step;
    std::deque<health::Recovery> recent_recoveries;
  };

  void begin();
  void schedule_probe(Duration after);
  void probe();
  void probe_part_done(std::shared_ptr<Probe> const& probe);
  void probe_finished(Probe const& probe);
  void judge_fresh(Probe const& probe, Clock::time_point now);
  void judge_stale(Probe const& probe, std::string const& why, std::uint64_t tx_before, Clock::time_point now);
  Duration until_next_probe(Probe const& probe, Clock::time_point now) const;
  void handle_damage(Inspection const& seen, Clock::time_point now);
  void give_up(std::string const& why, std::string const& what);
  void take(Step step, std::string const& reason);
  void step_finished(Step step, std::string const& reason, StepOutcome const& outcome);
  void watch_links();
  void on_link_events();
  void look_now();
  void watch_resolver_files();
  void on_resolver_files();
  void schedule_lookup();
  void look_up_names();
  void set_state(State state);
  bool links_look_due(Clock::time_point now) const;
  bool peer_read_due() const;
  bool answer_can_wait() const;
  void take_last_answer(Probe& probe);
  Inspection look_after_ping(Probe const& probe);
  void record_view(Inspection const& seen);
  void checked(checks::Report const& report);

  boost::asio::io_context& supervisor_;
  config::Config const& config_;
  GiveUp give_up_;
  config::WireGuard wireguard_;               // the monitor's thread's alone once start() has run
  std::shared_ptr<enroll::Edge> enrollment_;  // likewise
  tunnel::Tunnel tunnel_;                     // likewise
  std::optional<net::IpAddress> ping_target_;
  bool has_names_ = false;  // some peer's endpoint is a name

  Freshness freshness_;
  Ladder ladder_;
  NameSchedule names_;
  enroll::SharedKeySigns shared_key_signs_;  // a tunnel on WG_PRIVATE_KEY, shared by machines?
  bool probing_ = false;  // a probe's ping is out
  std::atomic<bool> stopped_ = false;  // set by stop() on the supervisor's thread
  bool given_up_ = false;

  mutable std::mutex view_mutex_;
  View view_;
  Clock::time_point view_read_asked_at_{};  // read_peer_for_view's latest request; under view_mutex_

  boost::asio::io_context loop_;  // before everything that lives on it
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{loop_.get_executor()};
  boost::asio::steady_timer probe_timer_{loop_};
  boost::asio::steady_timer look_timer_{loop_};
  boost::asio::steady_timer names_timer_{loop_};
  boost::asio::steady_timer files_timer_{loop_};
  std::optional<netlink::EventSubscription> events_;
  std::optional<boost::asio::posix::stream_descriptor> events_stream_;
  std::optional<dns::FileWatch> files_;
  std::optional<boost::asio::posix::stream_descriptor> files_stream_;
  int ifindex_ = 0;  // for filtering events
  Clock::time_point next_links_look_{};  // a probe's look includes the link from then on
  std::optional<checks::Pinger> pinger_;  // made on the loop's thread when there is a target
  Clock::time_point unread_ping_sent_{};  // when the ping whose reply the next probe reads went out
  Readiness readiness_;
  std::thread thread_;
};

}  // namespace wgs::monitor
