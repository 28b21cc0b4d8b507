// Runs sidecar/checks against whatever the environment names, exactly as wgsidecar reads it
// (config::load), so the same driver serves the namespace tests now and the tunnel lab
// later. The inputs wgsidecar takes from the tunnel come from flags here.
//
//   checks_driver [--json] [--stages ping,tcp,...] [--interface-mtu N]
//                 [--handshake-age SECONDS|never] [--icmp auto|datagram|raw] [--mtu-probe-timeout 400ms]
//                 [--repeat N [--gap 10s]] [--again-on-input]
// --repeat runs the checks N more times after the first and prints the CPU time each took
// (bench/idle.sh's breakdown of a gating check by stage); --gap sleeps between them, as the
// supervisor does between its checks, so caches have gone cold as they have there.
// --again-on-input runs them again, in the same process, for each line read from stdin, and
// prints each report: what one process keeps between logins (libpq's TLS context, the SCRAM
// key) is tested against what changes in between (the CA file, the role's password).
// Exit: 0 all passed, 69 a stage failed, 78 bad configuration, 64 bad flags.
#include <time.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "checks/runner.hpp"
#include "config/environment.hpp"
#include "config/load.hpp"
#include "log/log.hpp"
#include "util/exit_codes.hpp"

using namespace wgs;

namespace {

double process_cpu_ms() {
  timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// CPU milliseconds of each of `times` runs, each after `gap`, one line: "cpu_ms 1.23 1.19 ...".
void print_cpu_per_run(config::Config const& config, checks::CheckInputs const& inputs, unsigned times, Duration gap) {
  std::string line = "cpu_ms";
  for (unsigned i = 0; i < times; ++i) {
    std::this_thread::sleep_for(gap);
    auto const before = process_cpu_ms();
    checks::prove_path(config, inputs);
    line += fmt::format(" {:.3f}", process_cpu_ms() - before);
  }
  std::puts(line.c_str());
}

void print_report(checks::Report const& report, bool json) {
  auto const out = json ? checks::to_json(report).dump() + "\n" : checks::to_text(report);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
}

bool parse_stages(std::string_view list, checks::CheckInputs& inputs) {
  inputs.stages.clear();
  while (!list.empty()) {
    auto const comma = list.find(',');
    auto const stage = checks::parse_stage(list.substr(0, comma));
    if (!stage) return false;
    inputs.stages.insert(*stage);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return true;
}

bool apply_flag(std::string_view flag, std::string const& value, checks::CheckInputs& inputs) {
  if (flag == "--stages") return parse_stages(value, inputs);
  if (flag == "--interface-mtu") {
    inputs.interface_mtu = std::stoul(value);
    return true;
  }
  if (flag == "--handshake-age") {
    std::optional<std::chrono::system_clock::time_point> at;
    if (value != "never") at = std::chrono::system_clock::now() - std::chrono::seconds(std::stol(value));
    inputs.last_handshake = [at] { return at; };
    return true;
  }
  if (flag == "--icmp") {
    inputs.icmp_socket = value == "raw" ? checks::IcmpSocketKind::raw
                         : value == "datagram" ? checks::IcmpSocketKind::datagram
                                               : checks::IcmpSocketKind::automatic;
    return true;
  }
  if (flag == "--mtu-probe-timeout") {
    auto parsed = parse_duration(value);
    if (parsed) inputs.mtu_probe_timeout = *parsed;
    return parsed.ok();
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  auto loaded = config::load(config::process_environment());
  if (!loaded.problems.empty()) {
    for (auto const& problem : loaded.problems.list()) std::fprintf(stderr, "%s\n", problem.to_string().c_str());
    return exit_code::config;
  }
  log::configure(loaded.config.logging);
  auto inputs = checks::inputs_from(loaded.config);
  bool json = false;
  unsigned repeat = 0;
  bool again_on_input = false;
  Duration gap{0};
  for (int i = 1; i < argc; ++i) {
    std::string_view const flag = argv[i];
    if (flag == "--json") {
      json = true;
    } else if (flag == "--again-on-input") {
      again_on_input = true;
    } else if (flag == "--repeat" && i + 1 < argc) {
      repeat = static_cast<unsigned>(std::stoul(argv[++i]));
    } else if (flag == "--gap" && i + 1 < argc) {
      auto parsed = parse_duration(argv[++i]);
      if (!parsed) return exit_code::usage;
      gap = *parsed;
    } else if (i + 1 >= argc || !apply_flag(flag, argv[i + 1], inputs)) {
      std::fprintf(stderr, "checks_driver: bad flag %s\n", argv[i]);
      return exit_code::usage;
    } else {
      ++i;
    }
  }
  auto report = checks::prove_path(loaded.config, inputs);
  print_report(report, json);
  if (repeat > 0) print_cpu_per_run(loaded.config, inputs, repeat, gap);
  for (std::string line; again_on_input && std::getline(std::cin, line);) {
    report = checks::prove_path(loaded.config, inputs);
    print_report(report, json);
  }
  return report.exit_code();
}
