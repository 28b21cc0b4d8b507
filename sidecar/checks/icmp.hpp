#pragma once
// ICMP echo over IPv4 and IPv6 with Asio: `ping` (is the far side of the tunnel reachable)
// and the path-MTU probe (which packet sizes cross with DF set). Uses an unprivileged ping
// socket (SOCK_DGRAM, needs net.ipv4.ping_group_range) when the kernel allows it, else a
// raw socket (root); replies are matched by identifier and sequence number.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/io_context.hpp>

#include "net/address.hpp"
#include "util/duration.hpp"

namespace wgs::checks {

enum class IcmpSocketKind { automatic, datagram, raw };

struct PingOutcome {
  bool replied = false;
  double ms = 0;        // round trip of the reply
  std::string error;    // empty when replied
  bool send_failed = false;  // the kernel refused to send (no route, ...) rather than silence
  std::string socket;   // "datagram" or "raw": which kind the kernel gave us
};

// One echo request every second until a reply or `timeout`.
void async_ping(boost::asio::io_context& io, net::IpAddress destination, Duration timeout, IcmpSocketKind kind,
                std::function<void(PingOutcome)> done);

namespace detail {
struct Session;
}

// Pings one destination again and again over one socket (the monitor's probe): opened at the
// first ping and again after a failed send. A raw socket is filtered to its own echo replies,
// so the rest of the machine's ICMP (the app's pings, the checks') never wakes it.
class Pinger {
 public:
  Pinger(boost::asio::io_context& io, net::IpAddress destination, IcmpSocketKind kind);
  // One echo request, its reply waited for up to `timeout`.
  void ping(Duration timeout, std::function<void(PingOutcome)> done);
  // One echo request not waited for: its reply waits in the socket, waking nobody, until
  // answer() reads it.
  void send();
  // What became of the request send() sent: replied when the kernel received its reply within
  // `timeout` of sending (the round trip is the kernel's, however late it is read; a reply the
  // kernel gave no time for counts, its round trip at most the time until read); none when
  // nothing was sent since the last answer() or ping().
  std::optional<PingOutcome> answer(Duration timeout);

 private:
  struct Unread {
    std::uint16_t sequence = 0;
    std::chrono::system_clock::time_point sent_at;
    std::string error;  // the send failed
  };

  net::IpAddress destination_;
  IcmpSocketKind kind_;
  std::shared_ptr<detail::Session> session_;  // shared with the echo in flight
  std::optional<Unread> unread_;
};

struct MtuProbeSettings {
  unsigned interface_mtu = 1420;               // the largest size worth trying
  Duration per_probe = std::chrono::milliseconds(400);  // silence this long = did not cross
  Duration budget = std::chrono::seconds(5);   // the whole search
  unsigned max_probes = 16;
  IcmpSocketKind kind = IcmpSocketKind::automatic;
};

struct MtuOutcome {
  std::optional<unsigned> largest;  // largest IP packet (bytes, headers included) that crossed
  unsigned probes = 0;
  double ms = 0;
  std::string error;  // set when no size crossed or the socket failed
};

// Binary search between the protocol minimum (576 IPv4, 1280 IPv6) and the interface MTU,
// with DF set so no router fragments a probe.
void async_probe_mtu(boost::asio::io_context& io, net::IpAddress destination, MtuProbeSettings settings,
                     std::function<void(MtuOutcome)> done);

// RFC 1071 Internet checksum (exposed for tests).
std::uint16_t internet_checksum(std::span<std::uint8_t const> bytes);

// Whether an echo reply's sequence number is one of the requests [first, last] sent, counted
// from `first` so a range that wraps past 65535 matches too (a Pinger's socket lives long).
bool sequence_in_range(std::uint16_t sequence, std::uint16_t first, std::uint16_t last);

}  // namespace wgs::checks
