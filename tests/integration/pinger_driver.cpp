// The monitor's pinger (sidecar/checks/icmp.hpp) on its own, as the monitor uses it: a first
// ping waited for (the first probe's), then, READ_AFTER later, one echo request not waited for
// whose reply is read READ_AFTER after that (the next probe's).
//
//   pinger_driver HOST READ_AFTER TIMEOUT [raw|datagram]
// Prints "replied MS SOCKET" (MS: the round trip as the kernel received the reply, however late
// it is read) or "unanswered: ERROR" for the request not waited for. Exit: 0 replied,
// 1 unanswered, 64 bad arguments.
#include <cstdio>
#include <string_view>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "checks/icmp.hpp"
#include "net/address.hpp"
#include "util/duration.hpp"
#include "util/exit_codes.hpp"

using namespace wgs;

namespace {

checks::IcmpSocketKind kind_of(std::string_view name) {
  if (name == "raw") return checks::IcmpSocketKind::raw;
  if (name == "datagram") return checks::IcmpSocketKind::datagram;
  return checks::IcmpSocketKind::automatic;
}

}  // namespace

int main(int argc, char** argv) {
  auto const host = argc >= 4 ? net::IpAddress::parse(argv[1]) : std::nullopt;
  auto const read_after = argc >= 4 ? parse_duration(argv[2]) : parse_duration("");
  auto const timeout = argc >= 4 ? parse_duration(argv[3]) : parse_duration("");
  if (!host || !read_after || !timeout) {
    std::fputs("usage: pinger_driver HOST READ_AFTER TIMEOUT [raw|datagram]\n", stderr);
    return exit_code::usage;
  }
  boost::asio::io_context io;
  checks::Pinger pinger(io, *host, kind_of(argc >= 5 ? argv[4] : ""));
  pinger.ping(*timeout, [](checks::PingOutcome const&) {});
  io.run();
  std::this_thread::sleep_for(*read_after);
  pinger.send();
  std::this_thread::sleep_for(*read_after);
  auto const answer = pinger.answer(*timeout);
  if (answer && answer->replied) {
    fmt::print("replied {:.3f} {}\n", answer->ms, answer->socket);
    return 0;
  }
  fmt::print("unanswered: {}\n", answer ? answer->error : "nothing was sent");
  return 1;
}
