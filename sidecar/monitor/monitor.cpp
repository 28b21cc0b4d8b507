#include "monitor/monitor.hpp"

#include <net/if.h>

#include <algorithm>
#include <future>

#include <boost/asio/post.hpp>

#include "dns/resolve.hpp"
#include "log/log.hpp"
#include "memory/release.hpp"
#include "monitor/loop_thread.hpp"

namespace wgs::monitor {
namespace {

constexpr std::size_t kept_recoveries = 20;
constexpr Duration look_delay{100};  // events come in bursts: one look after the burst
constexpr Duration lookup_timeout{2000};
// /status and /metrics read the peer for themselves, at most once a second (a client
// polling them cannot make wireguard-go busier than that), and wait for the monitor's
// thread no longer than this before they answer with the latest reading.
constexpr Duration view_reading_kept{1000};
constexpr Duration view_read_wait{100};

// SIDECAR_PING_HOST, else the address the primary database is dialled at (resolved once: an
// RDS name behind the hub is as good a target as the hub's own tunnel address).
std::optional<net::IpAddress> ping_target_of(config::Config const& config) {
  auto const& host = !config.checks.ping_host.empty() ? config.checks.ping_host : config::dialled_address(config);
  if (host.empty()) return std::nullopt;
  if (auto ip = net::IpAddress::parse(host)) return ip;
  auto answers = dns::resolve(host, Duration(2000));
  if (!answers || answers->empty()) return std::nullopt;
  return answers->front();
}

bool has_named_endpoint(config::WireGuard const& wireguard) {
  return std::any_of(wireguard.peers.begin(), wireguard.peers.end(),
                     [](auto const& peer) { return peer.endpoint && !peer.endpoint->numeric(); });
}

// Half the probe interval, so a reply read at the next probe has had its whole timeout, and
// at most 3 s: a hub across a continent answers in a fraction of that, and one handshake
// (a round trip) fits in it.
Duration ping_timeout(config::Monitor const& settings) { return std::min(settings.probe_interval / 2, Duration(3000)); }

// After a probe went unanswered: look again soon rather than a whole interval later.
Duration confirm_delay(config::Monitor const& settings) { return std::min(settings.probe_interval, Duration(2000)); }

// Whether a probe's ping may be answered by the time the next probe starts, rather than wake
// the monitor when its reply comes: a reply read a probe late, dated when its ping went out,
// must still be recent enough to keep the tunnel fresh.
bool timers_let_replies_wait(config::Monitor const& settings) { return settings.stale_after >= 2 * settings.probe_interval; }

// Any route event counts, whatever its link: `ip route replace` moves a route to another
// link with one RTM_NEWROUTE for the new link and nothing for ours.
bool concerns_link(netlink::Event const& event, int ifindex) {
  using Kind = netlink::Event::Kind;
  switch (event.kind) {
    case Kind::events_lost:
    case Kind::route_added:
    case Kind::route_removed: return true;
    case Kind::link_removed:
    case Kind::address_removed: return event.ifindex == ifindex;
    case Kind::link_changed: return event.ifindex == ifindex && (event.flags & IFF_UP) == 0;
    case Kind::address_added: return false;
  }
  return true;
}

bool answers_include(std::vector<net::IpAddress> const& answers, net::IpAddress const& ip) {
  return std::find(answers.begin(), answers.end(), ip) != answers.end();
}

std::optional<Duration> smaller(std::optional<Duration> a, std::optional<Duration> b) {
  if (!a || !b) return a ? a : b;
  return std::min(*a, *b);
}

}  // namespace

struct Monitor::Probe {
  Clock::time_point started = Clock::now();
  int outstanding = 1;  // the probe's own part, and a ping waited for
  checks::PingOutcome ping;  // the ping judged here: this probe's, or the previous probe's when it was not waited for
  Clock::time_point pinged_at = started;  // when that ping went out
  bool pinged = false;  // it went out through the tunnel (none went out: a send failed, or nothing was waiting to be read)
  std::optional<Inspection> link;  // the link's look, when one was due
  std::function<Inspection()> peer;  // asked as the probe starts, answered as it ends; or none
  Inspection seen;
};

Monitor::Monitor(boost::asio::io_context& supervisor, config::Config const& config, Handover handover, GiveUp give_up)
    : supervisor_(supervisor),
      config_(config),
      give_up_(std::move(give_up)),
      wireguard_(std::move(handover.wireguard)),
      enrollment_(std::move(handover.enrollment)),
      tunnel_(std::move(handover.tunnel)),
      ping_target_(ping_target_of(config)),
      has_names_(has_named_endpoint(wireguard_)),
      freshness_(config.monitor.stale_after, Clock::now()),
      ladder_(ladder_settings(config.monitor.probe_interval, config.monitor.give_up_after, enrollment_ != nullptr)),
      ifindex_(tunnel_.ifindex),
      readiness_(config, [this](checks::Report const& report) { checked(report); }) {
  view_.backend = tunnel_.backend ? std::string(tunnel_.backend->name()) : std::string();
  view_.last_check = std::move(handover.last_check);
  view_.last_check_at = Clock::now();
  for (auto const& db : config.databases) view_.logins[db.target] = 0;
  for (auto const& [target, count] : handover.logins) view_.logins[target] += count;
}

Monitor::~Monitor() { stop(); }

void Monitor::start() {
  boost::asio::post(loop_, [this] { begin(); });
  thread_ = loop_thread(loop_, "wgs-monitor");
}

void Monitor::begin() {
  if (ping_target_) pinger_.emplace(loop_, *ping_target_, checks::IcmpSocketKind::automatic);
  else log::warn("the monitor has no IP address to ping (set SIDECAR_PING_HOST): it judges the tunnel by received bytes");
  watch_links();
  log::info("watching the tunnel: a probe every {}, stale after {}, giving up after {}; gating checks every {}",
            format_duration(config_.monitor.probe_interval), format_duration(config_.monitor.stale_after),
            format_duration(config_.monitor.give_up_after), format_duration(config_.monitor.check_interval));
  schedule_probe(config_.monitor.probe_interval);
  bool const passing = !view_.last_check || view_.last_check->ok_for(config_.supervision.require);
  readiness_.start(passing);
  if (has_names_) {
    watch_resolver_files();
    look_up_names();  // the bring-up's lookup said nothing of the name's TTL
  }
  memory::release_after_burst();  // setting up touched code the probes never run again
}

void Monitor::stop() {
  if (stopped_.exchange(true)) return;
  boost::asio::post(loop_, [this] {
    probe_timer_.cancel();
    look_timer_.cancel();
    names_timer_.cancel();
    files_timer_.cancel();
  });
  work_.reset();
  loop_.stop();
  if (thread_.joinable()) thread_.join();
  readiness_.stop();
  if (events_stream_) events_stream_->release();  // the subscription owns the descriptor
  if (files_stream_) files_stream_->release();    // and the watch its own
}

void Monitor::recheck(std::string reason) { readiness_.check_soon(std::move(reason)); }

void Monitor::schedule_probe(Duration after) {
  if (stopped_ || given_up_) return;
  probe_timer_.expires_after(after);
  probe_timer_.async_wait([this](boost::system::error_code error) {
    if (!error) probe();
  });
}

// The ping goes out first; the link's look (when due) and the question to the peer (over UAPI
// or generic netlink, when wanted) run while it travels, and its answer is usually waiting when
// they are done. The link's look leaves the peer alone: an answered ping says more than its counters.
void Monitor::probe() {
  if (stopped_ || given_up_) return;
  probing_ = true;
  auto probe = std::make_shared<Probe>();
  if (pinger_ && answer_can_wait()) {
    take_last_answer(*probe);
  } else if (pinger_) {
    ++probe->outstanding;
    pinger_->ping(ping_timeout(config_.monitor), [this, probe](checks::PingOutcome outcome) {
      probe->pinged = !outcome.send_failed;
      probe->ping = std::move(outcome);
      probe_part_done(probe);
    });
  }
  if (links_look_due(probe->started)) {
    probe->link = inspect_link(wireguard_, tunnel_);
    next_links_look_ = probe->started + config_.monitor.check_interval;
  }
  if (peer_read_due()) {
    // The peer's counters are asked for now and read once the ping is answered: a userspace
    // implementation's answer then waits in its socket, and the probe wakes once, not twice.
    probe->peer = ask_peer(tunnel_);
  }
  probe_part_done(probe);
}

// While the hub answers, the probe judges the previous probe's ping, whose reply has been
// waiting in the socket, and sends the next without waiting for it: the monitor wakes once a
// probe, not twice. After an unanswered one nothing is sent: the confirming probe, at once,
// waits for its reply.
void Monitor::take_last_answer(Probe& probe) {
  if (auto answer = pinger_->answer(ping_timeout(config_.monitor))) {
    probe.ping = std::move(*answer);
    probe.pinged = !probe.ping.send_failed;
    probe.pinged_at = unread_ping_sent_;
    if (probe.pinged && !probe.ping.replied) return;
  }
  pinger_->send();
  unread_ping_sent_ = probe.started;
}

// Not while anything is amiss: then each probe's reply is waited for, and judged at once.
bool Monitor::answer_can_wait() const {
  return timers_let_replies_wait(config_.monitor) && !freshness_.counters_needed() && !ladder_.in_trouble();
}

// Events say when the link changes; without them (or after a lost event, or a failed look)
// every probe looks.
bool Monitor::links_look_due(Clock::time_point now) const { return !events_ || now >= next_links_look_; }

// Whether the probe reads the peer from its start. While pings are answered it need not: a
// read is a round trip to wireguard-go or the kernel (7 of a probe's 16 system calls with
// wireguard-go), and a lost ping has the peer read at once (look_after_ping).
bool Monitor::peer_read_due() const { return !pinger_ || freshness_.counters_needed() || ladder_.in_trouble(); }

// The probe did not ask for the peer as it started: an answered ping says enough; after a
// lost one, what the device sent and received meanwhile and whether the implementation still
// runs are read now.
Inspection Monitor::look_after_ping(Probe const& probe) {
  if (probe.ping.replied || !(probe.pinged || probe.ping.send_failed)) return {};
  return ask_peer(tunnel_)();
}

void Monitor::probe_part_done(std::shared_ptr<Probe> const& probe) {
  if (--probe->outstanding > 0) return;
  probing_ = false;
  auto const peer = probe->peer ? probe->peer() : look_after_ping(*probe);
  probe->seen = probe->link ? with_peer(*probe->link, peer) : peer;
  if (!probe->seen.error.empty()) next_links_look_ = {};  // a look that failed is taken in full next time
  probe_finished(*probe);
}

// Probes start on a steady cadence: a ping that waits out its timeout on a silent tunnel
// does not stretch the gap to the next probe, nor the time to notice staleness.
Duration Monitor::until_next_probe(Probe const& probe, Clock::time_point now) const {
  auto const spent = std::chrono::duration_cast<Duration>(now - probe.started);
  return std::max(Duration(0), config_.monitor.probe_interval - spent);
}

void Monitor::probe_finished(Probe const& probe) {
  if (stopped_ || given_up_) return;
  auto const now = Clock::now();
  std::uint64_t tx_before = 0;
  {
    std::lock_guard lock(view_mutex_);
    tx_before = view_.tx_bytes;
    if (probe.ping.replied) view_.last_probe_ms = probe.ping.ms;
  }
  record_view(probe.seen);
  // The signs of life date from when the judged ping went out: a reply came a round trip
  // later, and dating it at the end would stretch it by a ping timeout, or by a whole probe
  // interval for a reply read a probe late (counters read with it are dated the same, early).
  freshness_.observe({probe.pinged_at, probe.ping.replied, probe.seen.handshake_age, probe.seen.rx_bytes,
                      probe.seen.tx_bytes, probe.pinged, probe.seen.peer_read});
  if (!enrollment_ && ping_target_) {
    if (auto sign = shared_key_signs_.observe(probe.pinged_at, probe.ping.replied, probe.seen.handshake_age)) {
      log::warn("{}", *sign);
    }
  }
  if (probe.seen.damage_step()) return handle_damage(probe.seen, now);
  auto const why = freshness_.why_stale(now);
  if (why.empty()) return judge_fresh(probe, now);
  judge_stale(probe, why, tx_before, now);
}

void Monitor::judge_fresh(Probe const& probe, Clock::time_point now) {
  if (ladder_.in_trouble()) {
    log::info("the tunnel is fresh again");
    readiness_.check_soon("the tunnel is fresh again");
  }
  ladder_.recovered();
  set_state(State::fresh);
  if (!freshness_.suspect()) return schedule_probe(until_next_probe(probe, now));
  // Nothing came back since the last probe: ask again soon, and check what a moved or
  // failing hub would change — its name and the path to the database — at once.
  log::info("the hub did not answer the probe (ping {}): looking again in {}", probe.ping.error,
            format_duration(confirm_delay(config_.monitor)));
  readiness_.check_soon("a probe went unanswered");
  if (has_names_) {
    names_.due_now(now);
    schedule_lookup();
  }
  // A ping read a probe late has had its time already.
  schedule_probe(probe.pinged_at < probe.started ? Duration(0) : confirm_delay(config_.monitor));
}

void Monitor::judge_stale(Probe const& probe, std::string const& why, std::uint64_t tx_before, Clock::time_point now) {
  if (ladder_.given_up(now)) return give_up(why, "recovered");
  if (!ladder_.in_trouble()) readiness_.check_soon("the tunnel is stale");
  set_state(State::stale);
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

void Monitor::give_up(std::string const& why, std::string const& what) {
  given_up_ = true;
  set_state(State::failed);
  log::error("the tunnel could not be {} within {}: {}", what, format_duration(config_.monitor.give_up_after), why);
  boost::asio::post(supervisor_, [this, why] { give_up_(why); });
}

// A deleted route, address or interface, or a dead implementation: mend it now, whatever
// the probes say; the give-up clock runs only while the tunnel is also stale.
void Monitor::handle_damage(Inspection const& seen, Clock::time_point now) {
  if (freshness_.stale(now)) {
    ladder_.note_trouble(now);
    if (ladder_.given_up(now)) return give_up(seen.damage(), "mended");
  }
  take(*seen.damage_step(), seen.damage());
}

void Monitor::take(Step step, std::string const& reason) {
  set_state(State::recovering);
  log::warn("tunnel recovery, step '{}': {}", step_name(step), reason);
  auto const outcome = take_step(step, wireguard_, tunnel_, enrollment_.get());
  step_finished(step, reason, outcome);
}

void Monitor::step_finished(Step step, std::string const& reason, StepOutcome const& outcome) {
  if (stopped_) return;
  ifindex_ = tunnel_.ifindex;
  next_links_look_ = {};  // the next probe sees what the step left
  if (outcome.new_device) freshness_.forget_counters();
  {
    std::lock_guard lock(view_mutex_);
    if (tunnel_.backend) view_.backend = std::string(tunnel_.backend->name());
    ++view_.recoveries_by_step[std::string(step_name(step))];
    view_.recent_recoveries.push_back({std::chrono::system_clock::now(), std::string(step_name(step)), reason,
                                       outcome.succeeded});
    if (view_.recent_recoveries.size() > kept_recoveries) view_.recent_recoveries.pop_front();
  }
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
  events_stream_.emplace(loop_, events_->fd());
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
  if (probing_ || stopped_ || given_up_) return;  // the probe under way will see it
  auto const seen = inspect_link(wireguard_, tunnel_);
  record_view(seen);
  if (seen.damage_step()) handle_damage(seen, Clock::now());
}

void Monitor::watch_resolver_files() {
  auto watch = dns::FileWatch::open();
  if (!watch) {
    log::warn("cannot watch /etc/hosts and /etc/resolv.conf ({}): names are looked up again at least every {}",
              watch.error().message, format_duration(NameScheduleSettings{}.ceiling));
    return;
  }
  files_.emplace(std::move(*watch));
  files_stream_.emplace(loop_, files_->fd());
  on_resolver_files();
}

void Monitor::on_resolver_files() {
  files_stream_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code error) {
    if (error || stopped_) return;
    if (files_->changed()) {
      // A rewrite is a burst of events (truncate, write, close): look up once it is over.
      files_timer_.expires_after(look_delay);
      files_timer_.async_wait([this](boost::system::error_code cancelled) {
        if (cancelled) return;
        names_.due_now(Clock::now());
        schedule_lookup();
      });
    }
    on_resolver_files();
  });
}

void Monitor::schedule_lookup() {
  if (stopped_ || given_up_) return;
  names_timer_.expires_at(names_.due());
  names_timer_.async_wait([this](boost::system::error_code error) {
    if (!error) look_up_names();
  });
}

// Each named endpoint again. The peer is only touched when the address it uses is no longer
// among the answers (a round-robin name that reorders its answers is not a move).
void Monitor::look_up_names() {
  auto const probes_pages = memory::MappedPages::now();
  auto const now = Clock::now();
  std::optional<Duration> ttl;
  std::string moved;
  auto const& peers = wireguard_.peers;
  for (std::size_t i = 0; i < peers.size(); ++i) {
    if (!peers[i].endpoint || peers[i].endpoint->numeric()) continue;
    auto const& host = peers[i].endpoint->host;
    auto answer = dns::lookup(host, lookup_timeout);
    if (!answer) {
      log::warn("looking up the hub's endpoint again: {}", answer.error().message);
      names_.failed(now);
      return schedule_lookup();
    }
    ttl = smaller(ttl, answer->ttl);
    auto const& current = i < tunnel_.endpoints.size() ? tunnel_.endpoints[i] : std::nullopt;
    if (current && !answers_include(answer->addresses, current->ip)) {
      moved = fmt::format("{} now resolves to {} (the peer was at {})", host, answer->addresses.front().to_string(),
                          current->ip.to_string());
    }
  }
  names_.looked_up(ttl, now);
  log::debug("the hub's endpoint names were looked up again; next in {}", format_duration(names_.kept_for(ttl)));
  schedule_lookup();
  if (!moved.empty() && tunnel_.backend) return take(Step::peer, moved);
  memory::release_after_burst(probes_pages);  // c-ares is not needed again until the TTL runs out
}

void Monitor::set_state(State state) {
  std::lock_guard lock(view_mutex_);
  view_.state = state;
}

std::string_view Monitor::state_name(State state) {
  switch (state) {
    case State::fresh: return "fresh";
    case State::stale: return "stale";
    case State::recovering: return "recovering";
    case State::failed: return "failed";
  }
  return "unknown";
}

void Monitor::record_view(Inspection const& seen) {
  if (!seen.error.empty()) log::debug("tunnel inspection: {}", seen.error);
  if (!seen.peer_read) return;
  std::lock_guard lock(view_mutex_);
  view_.peer_read_at = Clock::now();
  view_.handshake_age_seconds.reset();
  if (seen.handshake_age) view_.handshake_age_seconds = std::chrono::duration<double>(*seen.handshake_age).count();
  view_.rx_bytes = seen.rx_bytes;
  view_.tx_bytes = seen.tx_bytes;
}

void Monitor::read_peer_for_view() {
  {
    std::lock_guard lock(view_mutex_);
    auto const now = Clock::now();
    // Asked within the second, read or not: a flood of requests while the monitor is busy
    // with a step holds the supervisor's thread for one wait a second, not one a request.
    if (now - view_.peer_read_at < view_reading_kept || now - view_read_asked_at_ < view_reading_kept) return;
    view_read_asked_at_ = now;
  }
  auto read = std::make_shared<std::promise<void>>();
  auto done = read->get_future();
  boost::asio::post(loop_, [this, read] {
    // A probe under way has asked already: a read now could show counters newer than its own.
    if (!probing_ && !stopped_ && !given_up_ && tunnel_.backend) record_view(ask_peer(tunnel_)());
    read->set_value();
  });
  done.wait_for(view_read_wait);
}

void Monitor::checked(checks::Report const& report) {
  auto const& require = config_.supervision.require;
  std::lock_guard lock(view_mutex_);
  if (view_.last_check && view_.last_check->ok_for(require) != report.ok_for(require)) {
    if (report.ok_for(require)) log::info("the gating checks pass again");
    else log::warn("the gating checks fail: {}", report.failures());
  }
  view_.last_check = report;
  view_.last_check_at = Clock::now();
  count_logins(report, view_.logins);
}

void Monitor::describe(health::Snapshot& snapshot) const {
  std::lock_guard lock(view_mutex_);
  auto& tunnel = snapshot.tunnel;
  tunnel.interface = config_.wireguard.interface.name;
  tunnel.backend = view_.backend;
  tunnel.state = std::string(state_name(view_.state));
  tunnel.handshake_age_seconds = view_.handshake_age_seconds;
  tunnel.rx_bytes = view_.rx_bytes;
  tunnel.tx_bytes = view_.tx_bytes;
  tunnel.last_probe_ms = view_.last_probe_ms;
  snapshot.last_check = view_.last_check;
  if (view_.last_check) {
    snapshot.last_check_age_seconds = std::chrono::duration<double>(Clock::now() - view_.last_check_at).count();
  }
  snapshot.database_logins = view_.logins;
  snapshot.recoveries_by_step = view_.recoveries_by_step;
  snapshot.recent_recoveries.assign(view_.recent_recoveries.begin(), view_.recent_recoveries.end());
  bool const checks_pass = !view_.last_check || view_.last_check->ok_for(config_.supervision.require);
  bool const fresh = view_.state == State::fresh;
  snapshot.ready = fresh && checks_pass;
  if (!fresh) snapshot.not_ready_reason = fmt::format("the tunnel is {}", state_name(view_.state));
  else if (!checks_pass) snapshot.not_ready_reason = view_.last_check->failures();
}

}  // namespace wgs::monitor
