#include "monitor/monitor.hpp"

#include <net/if.h>
#include <unistd.h>

#include <algorithm>

#include <boost/asio/post.hpp>

#include "checks/icmp.hpp"
#include "checks/runner.hpp"
#include "dns/resolve.hpp"
#include "log/log.hpp"

namespace wgs::monitor {
namespace {

constexpr std::size_t kept_recoveries = 20;
constexpr Duration look_delay{100};  // events come in bursts: one look after the burst

// SIDECAR_PING_HOST, else the primary database's host (resolved once: an RDS name behind
// the hub is as good a target as the hub's own tunnel address).
std::optional<net::IpAddress> ping_target_of(config::Config const& config) {
  auto const& host = !config.checks.ping_host.empty() ? config.checks.ping_host
                     : config.databases.empty()        ? std::string()
                                                       : config.databases.front().host;
  if (host.empty()) return std::nullopt;
  if (auto ip = net::IpAddress::parse(host)) return ip;
  auto answers = dns::resolve(host, Duration(2000));
  if (!answers || answers->empty()) return std::nullopt;
  return answers->front();
}

Duration ping_timeout(config::Monitor const& settings) { return std::min(settings.probe_interval, Duration(3000)); }

bool concerns_link(netlink::Event const& event, int ifindex) {
  using Kind = netlink::Event::Kind;
  if (event.kind == Kind::events_lost) return true;
  if (event.ifindex != ifindex) return false;
  switch (event.kind) {
    case Kind::link_removed:
    case Kind::address_removed:
    case Kind::route_removed: return true;
    case Kind::link_changed: return (event.flags & IFF_UP) == 0;
    default: return false;
  }
}

}  // namespace

struct Monitor::Probe {
  Clock::time_point started = Clock::now();
  int outstanding = 2;  // the ping and the worker's look
  checks::PingOutcome ping;
  Inspection seen;
};

// The gating stages only (SIDECAR_REQUIRE), for /readyz. The handshake is read through a
// backend of its own, so the check never touches the Tunnel the worker may be re-creating.
checks::Report gating_checks(config::Config const& config) {
  auto inputs = checks::inputs_from(config);
  inputs.stages.clear();
  for (auto const& name : config.supervision.require) {
    if (auto stage = checks::parse_stage(name)) inputs.stages.insert(*stage);
  }
  inputs.last_handshake = [&config]() -> std::optional<std::chrono::system_clock::time_point> {
    auto backend = tunnel::attach(config.wireguard);
    if (!backend) return std::nullopt;
    auto state = (*backend)->read();
    if (!state || state->peers.empty()) return std::nullopt;
    return state->peers.front().last_handshake;
  };
  return checks::prove_path(config, inputs);
}

Monitor::Monitor(boost::asio::io_context& io, config::Config const& config, config::WireGuard wireguard,
                 tunnel::Tunnel tunnel, std::optional<checks::Report> startup_report,
                 std::shared_ptr<enroll::Edge> enrollment, GiveUp give_up)
    : io_(io),
      config_(config),
      give_up_(std::move(give_up)),
      wireguard_(std::move(wireguard)),
      enrollment_(std::move(enrollment)),
      tunnel_(std::move(tunnel)),
      ping_target_(ping_target_of(config)),
      freshness_(config.monitor.stale_after, Clock::now()),
      ladder_(ladder_settings(config.monitor.probe_interval, config.monitor.give_up_after, enrollment_ != nullptr)),
      probe_timer_(io),
      checks_timer_(io),
      look_timer_(io),
      ifindex_(tunnel_.ifindex),
      backend_(tunnel_.backend ? std::string(tunnel_.backend->name()) : std::string()),
      last_check_(std::move(startup_report)) {}

Monitor::~Monitor() { stop(); }

void Monitor::start() {
  if (!ping_target_) {
    log::warn("the monitor has no IP address to ping (set SIDECAR_PING_HOST): it judges the tunnel by received bytes");
  }
  watch_links();
  log::info("watching the tunnel: a probe every {}, stale after {}, giving up after {}",
            format_duration(config_.monitor.probe_interval), format_duration(config_.monitor.stale_after),
            format_duration(config_.monitor.give_up_after));
  schedule_probe(config_.monitor.probe_interval);
  if (!config_.supervision.require.empty()) schedule_checks(config_.monitor.probe_interval);
}

void Monitor::stop() {
  if (stopped_) return;
  stopped_ = true;
  probe_timer_.cancel();
  checks_timer_.cancel();
  look_timer_.cancel();
  if (events_stream_) events_stream_->release();  // the subscription owns the descriptor
  worker_.stop();  // jobs not yet started are dropped; the running one finishes
  checks_worker_.stop();
  worker_.join();
  checks_worker_.join();
}

template <typename Job>
void Monitor::on_worker(Job job) {
  boost::asio::post(worker_, std::move(job));
}

void Monitor::schedule_probe(Duration after) {
  if (stopped_ || given_up_) return;
  probe_timer_.expires_after(after);
  probe_timer_.async_wait([this](boost::system::error_code error) {
    if (!error) probe();
  });
}

void Monitor::probe() {
  if (busy_) return schedule_probe(config_.monitor.probe_interval);
  busy_ = true;
  auto probe = std::make_shared<Probe>();
  auto finish_part = [this, probe] {
    if (--probe->outstanding == 0) probe_finished(*probe);
  };
  if (ping_target_) {
    checks::async_ping(io_, *ping_target_, ping_timeout(config_.monitor), checks::IcmpSocketKind::automatic,
                       [probe, finish_part](checks::PingOutcome outcome) {
                         probe->ping = std::move(outcome);
                         finish_part();
                       });
  } else {
    --probe->outstanding;
  }
  on_worker([this, probe, finish_part] {
    probe->seen = inspect(wireguard_, tunnel_);
    boost::asio::post(io_, finish_part);
  });
}

// Probes start on a steady cadence: a ping that waits out its timeout on a silent tunnel
// does not stretch the gap to the next probe, nor the time to notice staleness.
Duration Monitor::until_next_probe(Probe const& probe, Clock::time_point now) const {
  auto const spent = std::chrono::duration_cast<Duration>(now - probe.started);
  return std::max(Duration(0), config_.monitor.probe_interval - spent);
}

void Monitor::schedule_checks(Duration after) {
  if (stopped_ || given_up_) return;
  checks_timer_.expires_after(after);
  checks_timer_.async_wait([this](boost::system::error_code error) {
    if (!error) run_checks();
  });
}

void Monitor::run_checks() {
  boost::asio::post(checks_worker_, [this] {
    auto report = gating_checks(config_);
    boost::asio::post(io_, [this, report = std::move(report)] {
      if (stopped_) return;
      if (last_check_ && last_check_->ok_for(config_.supervision.require) != report.ok_for(config_.supervision.require)) {
        if (report.ok_for(config_.supervision.require)) log::info("the gating checks pass again");
        else log::warn("the gating checks fail: {}", report.failures());
      }
      last_check_ = report;
      schedule_checks(config_.monitor.probe_interval);
    });
  });
}

void Monitor::probe_finished(Probe const& probe) {
  busy_ = false;
  if (stopped_ || given_up_) return;
  auto const now = Clock::now();
  auto const tx_before = tx_bytes_;
  record_view(probe.seen);
  if (probe.ping.replied) last_probe_ms_ = probe.ping.ms;
  // The signs of life date from the probe's start: the counters were read then, and a reply
  // came a round trip later; dating them at the end would stretch them by a ping timeout.
  freshness_.observe({probe.started, probe.ping.replied, probe.seen.handshake_age, probe.seen.rx_bytes});
  if (!enrollment_ && ping_target_) {
    if (auto sign = shared_key_signs_.observe(probe.started, probe.ping.replied, probe.seen.handshake_age)) {
      log::warn("{}", *sign);
    }
  }
  if (probe.seen.damage_step()) return handle_damage(probe.seen, now);
  auto const why = freshness_.why_stale(now);
  if (why.empty()) {
    if (ladder_.in_trouble()) log::info("the tunnel is fresh again");
    ladder_.recovered();
    state_ = "fresh";
    return schedule_probe(until_next_probe(probe, now));
  }
  if (ladder_.given_up(now)) {
    given_up_ = true;
    state_ = "failed";
    log::error("the tunnel could not be recovered within {}: {}", format_duration(config_.monitor.give_up_after), why);
    return give_up_(why);
  }
  state_ = "stale";
  auto step = ladder_.next(now);
  if (step == Step::interface && probe.seen.tx_bytes > tx_before) {
    // The device sends (data or handshake initiations) and nothing comes back: the silence
    // is on the path or at the hub. A new interface would only lose the session.
    log::info("tunnel recovery, step 'interface' held back: {} sent {} bytes since the last look; waiting for the path",
              config_.wireguard.interface.name, probe.seen.tx_bytes - tx_before);
    step.reset();
  }
  if (step) return take(*step, why);
  schedule_probe(until_next_probe(probe, now));
}

// A deleted route, address or interface, or a dead implementation: mend it now, whatever
// the probes say; the give-up clock runs only while the tunnel is also stale.
void Monitor::handle_damage(Inspection const& seen, Clock::time_point now) {
  if (freshness_.stale(now)) {
    ladder_.note_trouble(now);
    if (ladder_.given_up(now)) {
      given_up_ = true;
      state_ = "failed";
      log::error("the tunnel could not be mended within {}: {}", format_duration(config_.monitor.give_up_after),
                 seen.damage());
      return give_up_(seen.damage());
    }
  }
  take(*seen.damage_step(), seen.damage());
}

void Monitor::take(Step step, std::string reason) {
  busy_ = true;
  state_ = "recovering";
  log::warn("tunnel recovery, step '{}': {}", step_name(step), reason);
  on_worker([this, step, reason = std::move(reason)] {
    auto outcome = take_step(step, wireguard_, tunnel_, enrollment_.get());
    std::string backend = tunnel_.backend ? std::string(tunnel_.backend->name()) : std::string();
    int const ifindex = tunnel_.ifindex;
    boost::asio::post(io_, [this, step, reason, outcome = std::move(outcome), backend = std::move(backend), ifindex] {
      step_finished(step, reason, outcome, backend, ifindex);
    });
  });
}

void Monitor::step_finished(Step step, std::string const& reason, StepOutcome const& outcome, std::string backend,
                            int ifindex) {
  busy_ = false;
  if (stopped_) return;
  ifindex_ = ifindex;
  if (!backend.empty()) backend_ = std::move(backend);
  if (outcome.new_device) freshness_.forget_counters();
  ++recoveries_by_step_[std::string(step_name(step))];
  recent_recoveries_.push_back({std::chrono::system_clock::now(), std::string(step_name(step)), reason, outcome.succeeded});
  if (recent_recoveries_.size() > kept_recoveries) recent_recoveries_.pop_front();
  if (outcome.succeeded) log::info("tunnel recovery, step '{}': {}", step_name(step), outcome.detail);
  else log::warn("tunnel recovery, step '{}' failed: {}", step_name(step), outcome.detail);
  // A stale tunnel on an intact link is the next step's business: climb now, not a probe later.
  // (A links step for damage that mended itself before the step ran does not climb.)
  if (auto const now = Clock::now(); step == Step::links && outcome.changed_nothing && freshness_.stale(now)) {
    if (auto next = ladder_.next(now)) return take(*next, reason);
  }
  // Look again soon: a handshake over a mended path takes about a second.
  schedule_probe(std::min(config_.monitor.probe_interval, Duration(1000)));
}

void Monitor::watch_links() {
  auto subscription = netlink::EventSubscription::open();
  if (!subscription) {
    log::warn("cannot watch rtnetlink events ({}): damage is seen at the next probe", subscription.error().message);
    return;
  }
  events_.emplace(std::move(*subscription));
  events_stream_.emplace(io_, events_->fd());
  on_link_events();
}

void Monitor::on_link_events() {
  events_stream_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code error) {
    if (error || stopped_) return;
    auto events = events_->read_pending();
    if (!events) {
      log::warn("rtnetlink events: {}", events.error().message);
    } else if (std::any_of(events->begin(), events->end(), [this](auto const& e) { return concerns_link(e, ifindex_); })) {
      look_timer_.expires_after(look_delay);
      look_timer_.async_wait([this](boost::system::error_code cancelled) {
        if (!cancelled) look_now();
      });
    }
    on_link_events();
  });
}

// An event said something changed: inspect without waiting for the next probe.
void Monitor::look_now() {
  if (busy_ || stopped_ || given_up_) return;  // a step in progress made the change, or will see it
  busy_ = true;
  on_worker([this] {
    auto seen = inspect(wireguard_, tunnel_);
    boost::asio::post(io_, [this, seen = std::move(seen)] {
      busy_ = false;
      if (stopped_ || given_up_) return;
      record_view(seen);
      if (seen.damage_step()) handle_damage(seen, Clock::now());
    });
  });
}

void Monitor::record_view(Inspection const& seen) {
  if (!seen.error.empty()) log::debug("tunnel inspection: {}", seen.error);
  handshake_age_seconds_.reset();
  if (seen.handshake_age) handshake_age_seconds_ = std::chrono::duration<double>(*seen.handshake_age).count();
  rx_bytes_ = seen.rx_bytes;
  tx_bytes_ = seen.tx_bytes;
}

void Monitor::describe(health::Snapshot& snapshot) const {
  auto& tunnel = snapshot.tunnel;
  tunnel.interface = config_.wireguard.interface.name;
  tunnel.backend = backend_;
  tunnel.state = state_;
  tunnel.handshake_age_seconds = handshake_age_seconds_;
  tunnel.rx_bytes = rx_bytes_;
  tunnel.tx_bytes = tx_bytes_;
  tunnel.last_probe_ms = last_probe_ms_;
  snapshot.last_check = last_check_;
  snapshot.recoveries_by_step = recoveries_by_step_;
  snapshot.recent_recoveries.assign(recent_recoveries_.begin(), recent_recoveries_.end());
  bool const checks_pass = !last_check_ || last_check_->ok_for(config_.supervision.require);
  snapshot.ready = state_ == "fresh" && checks_pass;
  if (state_ != "fresh") snapshot.not_ready_reason = "the tunnel is " + state_;
  else if (!checks_pass) snapshot.not_ready_reason = last_check_->failures();
}

}  // namespace wgs::monitor
