// hub [token | status [--json]]: the hub's side of a fleet (sidecar/hub/).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "config/environment.hpp"
#include "enroll/http_client.hpp"
#include "hub/run.hpp"
#include "hub/settings.hpp"
#include "log/log.hpp"
#include "text/json.hpp"
#include "util/exit_codes.hpp"

namespace wgs::cli {
namespace {

// Every problem at once, as the edge's commands report them (cli.hpp).
bool has_problems(config::Problems const& problems) {
  if (problems.empty()) return false;
  report_problems(problems);
  return true;
}

// A token is a key pair: the edges hold the private half, the hub trusts the public half.
int token_command() {
  auto const token = keys::generate_private();
  auto const trust = keys::encode(keys::derive_public(token));
  std::printf("# The edges' secret (every machine of the app gets the same):\n"
              "#   fly secrets set SIDECAR_ENROLL_TOKEN=...\n"
              "SIDECAR_ENROLL_TOKEN=%s\n"
              "# The hub's side: add this to HUB_TRUST (comma-separated; keep the old one until every\n"
              "# machine runs with the new token, then remove it):\n"
              "HUB_TRUST=%s\n",
              keys::encode(token.bytes()).c_str(), trust.c_str());
  return exit_code::ok;
}

int status_command_of_hub(bool json) {
  config::Problems problems;
  auto listen = hub::read_health_listen(config::process_environment(), problems);
  if (has_problems(problems)) return exit_code::config;
  if (!listen) {
    std::fputs("wgsidecar hub status: HUB_HEALTH_ADDR is off; the running hub has no status to read\n", stderr);
    return exit_code::config;
  }
  auto ip = *listen->numeric();
  if (ip == *net::IpAddress::parse("0.0.0.0")) ip = *net::IpAddress::parse("127.0.0.1");
  if (ip == *net::IpAddress::parse("::")) ip = *net::IpAddress::parse("::1");
  enroll::HttpRequest request;
  request.ip = ip;
  request.port = listen->port;
  request.method = "GET";
  request.target = "/status";
  auto answer = enroll::exchange(request);
  if (!answer || answer->status != 200) {
    std::fprintf(stderr, "wgsidecar hub status: no hub answers on %s: %s\n", listen->to_string().c_str(),
                 answer ? fmt::format("HTTP {}", answer->status).c_str() : answer.error().message.c_str());
    return exit_code::unavailable;
  }
  if (json) {
    std::fputs(answer->body.c_str(), stdout);
    return exit_code::ok;
  }
  auto const status = nlohmann::json::parse(answer->body, nullptr, false);
  if (status.is_discarded()) return exit_code::unavailable;
  std::printf("hub %s on %s (key %s), pool %s (%s free), %s static peer(s)\n", status.value("interface", "").c_str(),
              status.value("enroll_addr", std::string("-")).c_str(), status.value("public_key", "").c_str(),
              status.value("pool", "").c_str(), text::json_text(status["pool_free"]).c_str(), text::json_text(status["static_peers"]).c_str());
  for (auto const& machine : status["machines"]) {
    std::printf("  %-16s %-6s %-15s silent %ss\n", machine.value("machine_id", "").c_str(),
                machine.value("region", "").c_str(), machine.value("address", "").c_str(),
                text::json_text(machine["silent_seconds"]).c_str());
  }
  std::printf("enrollments %s, leaves %s, prunes %s, shared keys suspected %s\n", text::json_text(status["enrollments"]).c_str(),
              text::json_text(status["leaves"]).c_str(), text::json_text(status["prunes"]).c_str(),
              text::json_text(status["shared_keys_suspected"]).c_str());
  return exit_code::ok;
}

int serve_hub() {
  auto loaded = hub::read_settings(config::process_environment());
  if (has_problems(loaded.problems)) return exit_code::config;
  log::configure(loaded.settings.logging);
  return hub::serve(loaded.settings);
}

}  // namespace

int hub_command(Invocation const& invocation) {
  auto const& args = invocation.args;
  if (!only_flags(invocation, {"token", "status", "--json"})) return exit_code::usage;
  if (args.empty()) return serve_hub();
  if (args.size() == 1 && args[0] == "token") return token_command();
  if (args[0] == "status" && (args.size() == 1 || (args.size() == 2 && args[1] == "--json"))) {
    return status_command_of_hub(args.size() == 2);
  }
  std::fputs("wgsidecar hub: usage: wgsidecar hub [token | status [--json]]\n", stderr);
  return exit_code::usage;
}

}  // namespace wgs::cli
