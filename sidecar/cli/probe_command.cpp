// probe [--live] [--timeout DURATION]: what the running supervisor says on its health
// endpoint, for a container engine's HEALTHCHECK. One loopback request: the tunnel, the
// TLS handshake and the SCRAM login are the supervisor's work, done at its own probes.
// Only SIDECAR_HEALTH_ADDR is read, so a HEALTHCHECK works whatever else the supervisor was
// given (a --config file on its own command line, secrets in files).
#include <cstdio>

#include "cli/cli.hpp"
#include "config/environment.hpp"
#include "health/client.hpp"
#include "util/exit_codes.hpp"

namespace wgs::cli {
namespace {

constexpr Duration default_timeout{3000};

std::optional<net::HostPort> health_address() {
  config::Problems problems;
  auto const health = config::read_health(config::process_environment(), problems);
  if (!problems.empty()) {
    report_problems(problems);
  } else if (!health.listen) {
    std::fputs("wgsidecar probe: SIDECAR_HEALTH_ADDR is not set: probe asks `wgsidecar run`'s health endpoint, "
               "which run serves only there\n",
               stderr);
  }
  return health.listen;
}

// 200 and 503 are the supervisor's own answers; anything else is worth its status code
// (a 404: another server holds that port).
void print_answer(health::Answer const& answer) {
  if (answer.status == 200 || answer.status == 503) {
    std::printf("%s\n", answer.first_line.c_str());
  } else {
    std::printf("wgsidecar probe: HTTP %d: %s\n", answer.status, answer.first_line.c_str());
  }
}

}  // namespace

int probe_command(Invocation const& invocation) {
  if (!only_flags(invocation, {"--live"}, {"--timeout"})) return exit_code::usage;
  auto const timeout = duration_option(invocation, "--timeout").value_or(default_timeout);
  if (!timeout || timeout->count() <= 0) {
    std::fprintf(stderr, "wgsidecar probe: %s\n", timeout ? "--timeout must be longer than 0" : timeout.error().message.c_str());
    return exit_code::usage;
  }
  auto const listen = health_address();
  if (!listen) return exit_code::config;
  auto const answer = health::ask(*listen, has_flag(invocation, "--live") ? "/healthz" : "/readyz", *timeout);
  if (!answer) {
    std::printf("wgsidecar probe: %s\n", answer.error().message.c_str());
    return exit_code::unavailable;
  }
  print_answer(*answer);
  return answer->status == 200 ? exit_code::ok : exit_code::unavailable;
}

}  // namespace wgs::cli
