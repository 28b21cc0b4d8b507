// The health server over loopback with a made-up snapshot, for health_test.sh:
//
//   health_driver [--listen-host HOST] [--head-timeout-ms N] [--max-connections N]
//                 [--max-per-source N] [--max-head-bytes N]
//
// Listens on HOST (as SIDECAR_HEALTH_ADDR takes it: an IP, :: or a name from /etc/hosts;
// default 127.0.0.1) on a free port and prints "port N" once it accepts. Starts not
// ready; each SIGUSR1 flips readiness (and the tunnel between starting and fresh).
// SIGTERM or SIGINT destroys the server and exits 0. Exit 64 on bad flags, 71 when it
// cannot listen.
#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include "health/server.hpp"
#include "util/exit_codes.hpp"

using namespace wgs;

namespace {

health::Snapshot sample(bool ready, std::chrono::steady_clock::time_point started) {
  health::Snapshot s;
  s.ready = ready;
  s.not_ready_reason = ready ? "" : "the tunnel is starting";
  s.config = {{"wireguard", {{"interface", "wg0"}, {"private_key", "(hidden)"}}}};
  s.tunnel.interface = "wg0";
  s.tunnel.backend = "userspace";
  s.tunnel.state = ready ? "fresh" : "starting";
  if (ready) s.tunnel.handshake_age_seconds = 4.2;
  s.tunnel.rx_bytes = 1234;
  s.tunnel.tx_bytes = 5678;
  checks::Report report;
  report.targets.push_back({"primary", "postgresql://app:(hidden)@10.50.0.1:5432/db", "10.50.0.1", {}, {}});
  report.stages = {{checks::Stage::ping, "primary", checks::Status::ok, 1.25, "", "", ""},
                   {checks::Stage::tcp, "primary", checks::Status::fail, 3000, "timed out", "", ""},
                   {checks::Stage::auth, "primary", checks::Status::skip, 0, "", "", "tcp failed"}};
  s.last_check = report;
  s.recoveries_by_step = {{"links", 1}};
  s.recent_recoveries = {{std::chrono::system_clock::now(), "links", "route \"10.50.0.0/24\" was deleted", true}};
  s.app_pid = 4242;
  s.uptime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return s;
}

bool parse_flags(int argc, char** argv, health::Limits& limits, std::string& host) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view const flag = argv[i];
    if (flag == "--listen-host") {
      host = argv[i + 1];
      continue;
    }
    auto const value = std::stoul(argv[i + 1]);
    if (flag == "--head-timeout-ms") limits.head_timeout = std::chrono::milliseconds(value);
    else if (flag == "--max-connections") limits.max_connections = value;
    else if (flag == "--max-per-source") limits.max_per_source = value;
    else if (flag == "--max-head-bytes") limits.max_head_bytes = value;
    else return false;
  }
  return argc % 2 == 1;
}

}  // namespace

int main(int argc, char** argv) {
  health::Limits limits;
  std::string host = "127.0.0.1";
  if (!parse_flags(argc, argv, limits, host)) {
    std::fputs("usage: health_driver [--listen-host HOST] [--head-timeout-ms N] [--max-connections N] "
               "[--max-per-source N] [--max-head-bytes N]\n",
               stderr);
    return exit_code::usage;
  }
  boost::asio::io_context io;
  bool ready = false;
  auto const started = std::chrono::steady_clock::now();
  auto server = health::Server::start(io, net::HostPort{host, 0}, [&](health::Detail) { return sample(ready, started); }, limits);
  if (!server) {
    fmt::print(stderr, "health_driver: {}\n", server.error().message);
    return exit_code::os_error;
  }
  fmt::print("port {}\n", (*server)->port());
  fmt::print(stderr, "health_driver: serving on {}\n", (*server)->address());
  std::fflush(stdout);

  boost::asio::signal_set flip(io, SIGUSR1);
  std::function<void()> wait_for_flip = [&] {
    flip.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      ready = !ready;
      wait_for_flip();
    });
  };
  wait_for_flip();
  boost::asio::signal_set stop(io, SIGTERM, SIGINT);
  stop.async_wait([&](boost::system::error_code, int) {
    server.value().reset();  // the server closes its connections and stops accepting
    flip.cancel();
  });
  io.run();
  return exit_code::ok;
}
