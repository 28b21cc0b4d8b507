// Runs sidecar/checks against whatever the environment names, exactly as wgsidecar reads it
// (config::load), so the same driver serves the namespace tests now and the tunnel lab
// later. The inputs wgsidecar takes from the tunnel come from flags here.
//
//   checks_driver [--json] [--stages ping,tcp,...] [--interface-mtu N]
//                 [--handshake-age SECONDS|never] [--icmp auto|datagram|raw] [--mtu-probe-timeout 400ms]
// Exit: 0 all passed, 69 a stage failed, 78 bad configuration, 64 bad flags.
#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "checks/runner.hpp"
#include "config/environment.hpp"
#include "config/load.hpp"
#include "log/log.hpp"
#include "util/exit_codes.hpp"

using namespace wgs;

namespace {

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
  if (flag == "--interface-mtu") return (inputs.interface_mtu = std::stoul(value)), true;
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
  for (int i = 1; i < argc; ++i) {
    std::string_view const flag = argv[i];
    if (flag == "--json") {
      json = true;
    } else if (i + 1 >= argc || !apply_flag(flag, argv[i + 1], inputs)) {
      std::fprintf(stderr, "checks_driver: bad flag %s\n", argv[i]);
      return exit_code::usage;
    } else {
      ++i;
    }
  }
  auto const report = checks::prove_path(loaded.config, inputs);
  auto const out = json ? checks::to_json(report).dump() + "\n" : checks::to_text(report);
  std::fputs(out.c_str(), stdout);
  return report.exit_code();
}
