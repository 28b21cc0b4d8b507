#include "monitor/readiness.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "checks/runner.hpp"
#include "log/log.hpp"
#include "memory/release.hpp"
#include "monitor/loop_thread.hpp"
#include "tunnel/tunnel.hpp"

namespace wgs::monitor {
namespace {

// A check keeps mapped what was mapped before it: the probes' pages, but also whatever else ran
// since (the start, a repair, a scrape of /metrics). The first check and every tenth after it
// release everything, so pages the idle work no longer touches do not stay for good.
constexpr unsigned release_all_every = 10;

// The gating stages only (SIDECAR_REQUIRE). The handshake is read through a backend of its
// own, so the check never touches the Tunnel the monitor may be re-creating.
checks::Report gating_checks(config::Config const& config, boost::asio::io_context& io) {
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
  return checks::prove_path(config, inputs, io);
}

}  // namespace

Duration next_check_after(unsigned failures_in_row, Duration probe_interval, Duration check_interval) {
  if (failures_in_row == 0) return check_interval;
  auto wait = probe_interval;
  for (unsigned i = 1; i < failures_in_row && wait < check_interval; ++i) wait *= 2;
  return std::min(wait, check_interval);
}

void count_logins(checks::Report const& report, std::map<std::string, std::uint64_t>& counts) {
  for (auto const& stage : report.stages) {
    if (stage.stage == checks::Stage::auth && stage.status != checks::Status::skip) ++counts[stage.target];
  }
}

Readiness::Readiness(config::Config const& config, Done done) : config_(config), done_(std::move(done)) {}

Readiness::~Readiness() { stop(); }

void Readiness::start(bool passing) {
  if (config_.supervision.require.empty()) return;
  failures_ = passing ? 0 : 1;
  schedule(next_check_after(failures_, config_.monitor.probe_interval, config_.monitor.check_interval));
  thread_ = loop_thread(loop_, "wgs-checks");
}

void Readiness::stop() {
  if (stopped_.exchange(true)) return;
  work_.reset();
  loop_.stop();  // a check in progress finishes first
  if (thread_.joinable()) thread_.join();
}

void Readiness::check_soon(std::string why) {
  if (stopped_ || config_.supervision.require.empty()) return;
  boost::asio::post(loop_, [this, why = std::move(why)] { bring_forward(why); });
}

void Readiness::schedule(Duration after) {
  if (stopped_) return;
  timer_.expires_after(after);
  timer_.async_wait([this](boost::system::error_code error) {
    if (!error) run();
  });
}

// A hint that came while a check ran waited for it here, and brings forward the next one.
void Readiness::bring_forward(std::string const& why) {
  log::debug("gating checks brought forward: {}", why);
  auto const earliest = last_start_ ? *last_start_ + config_.monitor.probe_interval : Clock::now();
  schedule(std::max(Duration(0), std::chrono::duration_cast<Duration>(earliest - Clock::now())));
}

void Readiness::run() {
  if (stopped_) return;
  last_start_ = Clock::now();
  bool const release_all = checks_run_++ % release_all_every == 0;
  auto const kept = release_all ? memory::MappedPages() : memory::MappedPages::now();
  auto const report = gating_checks(config_, checks_io_);
  memory::release_after_burst(kept);  // libpq's and OpenSSL's code is not needed again for a while
  if (stopped_) return;
  failures_ = report.ok_for(config_.supervision.require) ? 0 : failures_ + 1;
  done_(report);
  schedule(next_check_after(failures_, config_.monitor.probe_interval, config_.monitor.check_interval));
}

}  // namespace wgs::monitor
