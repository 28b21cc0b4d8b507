#include "checks/icmp.hpp"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <fmt/format.h>
#include <sodium.h>

#include "checks/wait.hpp"

namespace wgs::checks {

std::uint16_t internet_checksum(std::span<std::uint8_t const> bytes) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.size() % 2) sum += bytes.back() << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

bool sequence_in_range(std::uint16_t sequence, std::uint16_t first, std::uint16_t last) {
  return static_cast<std::uint16_t>(sequence - first) <= static_cast<std::uint16_t>(last - first);
}

namespace {

using Clock = std::chrono::steady_clock;
using Descriptor = boost::asio::posix::stream_descriptor;

unsigned header_overhead(net::IpAddress const& ip) { return ip.is_v4() ? 20 + 8 : 40 + 8; }

struct Sockaddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

Sockaddr to_sockaddr(net::IpAddress const& ip) {
  Sockaddr out;
  if (ip.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out.storage);
    in->sin_family = AF_INET;
    std::memcpy(&in->sin_addr, ip.bytes.data(), 4);
    out.length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    in6->sin6_family = AF_INET6;
    std::memcpy(&in6->sin6_addr, ip.bytes.data(), 16);
    out.length = sizeof(sockaddr_in6);
  }
  return out;
}

}  // namespace

namespace detail {

// One ICMP socket: which kind we got, the identifier we stamp, and how to read replies.
class IcmpSocket {
 public:
  explicit IcmpSocket(boost::asio::io_context& io) : descriptor_(io) {}

  std::string open(net::IpAddress const& ip, IcmpSocketKind kind, bool dont_fragment);
  int send_echo(std::uint16_t sequence, unsigned packet_size);  // 0 or errno
  // Drains what has arrived; true when an echo reply with a sequence in [first, last] came.
  bool received_reply(std::uint16_t first, std::uint16_t last);
  Descriptor& descriptor() { return descriptor_; }
  std::string_view kind_name() const { return raw_ ? "raw" : "datagram"; }
  bool is_open() const { return descriptor_.is_open(); }
  void close() {
    boost::system::error_code ignored;
    descriptor_.close(ignored);
  }

 private:
  std::string set_dont_fragment();
  void pass_only_echo_replies();

  Descriptor descriptor_;
  net::IpAddress destination_;
  bool raw_ = false;
  std::uint16_t identifier_ = 0;
};

std::string IcmpSocket::open(net::IpAddress const& ip, IcmpSocketKind kind, bool dont_fragment) {
  destination_ = ip;
  int const family = ip.is_v4() ? AF_INET : AF_INET6;
  int const protocol = ip.is_v4() ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
  int fd = -1;
  if (kind != IcmpSocketKind::raw) fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0 && kind != IcmpSocketKind::datagram) {
    fd = ::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    raw_ = fd >= 0;
  }
  if (fd < 0) {
    return fmt::format("opening an ICMP socket: {} (needs root, or net.ipv4.ping_group_range covering this group)",
                       std::strerror(errno));
  }
  descriptor_.assign(fd);
  // The kernel picks the identifier of a ping socket; a raw socket sees every ICMP packet,
  // so ours must be ours alone.
  identifier_ = static_cast<std::uint16_t>(randombytes_uniform(1u << 16));
  if (raw_) pass_only_echo_replies();
  return dont_fragment ? set_dont_fragment() : std::string();
}

// A raw socket is handed every ICMP packet the machine receives: the kernel drops all but
// echo replies before they wake us (ICMP_FILTER for IPv4, ICMP6_FILTER for IPv6). Best
// effort: without the filter the replies are still matched by identifier.
void IcmpSocket::pass_only_echo_replies() {
  int const fd = descriptor_.native_handle();
  if (destination_.is_v4()) {
    constexpr int icmp_filter_option = 1;  // ICMP_FILTER of <linux/icmp.h>: a bit set drops that type
    std::uint32_t const blocked = ~(std::uint32_t{1} << ICMP_ECHOREPLY);
    ::setsockopt(fd, SOL_RAW, icmp_filter_option, &blocked, sizeof blocked);
    return;
  }
  icmp6_filter filter{};
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
  ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
}

// PROBE: set DF and ignore the cached path MTU, so each probe tests the path afresh.
std::string IcmpSocket::set_dont_fragment() {
  int const fd = descriptor_.native_handle();
  int probe = destination_.is_v4() ? IP_PMTUDISC_PROBE : IPV6_PMTUDISC_PROBE;
  int rc = destination_.is_v4() ? ::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof probe)
                                : ::setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &probe, sizeof probe);
  int on = 1;
  if (rc == 0 && !destination_.is_v4()) rc = ::setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof on);
  return rc == 0 ? std::string() : fmt::format("setting DF on the ICMP socket: {}", std::strerror(errno));
}

int IcmpSocket::send_echo(std::uint16_t sequence, unsigned packet_size) {
  auto const overhead = header_overhead(destination_);
  std::vector<std::uint8_t> packet(packet_size > overhead ? packet_size - overhead + 8 : 8, 0);
  packet[0] = destination_.is_v4() ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
  packet[4] = identifier_ >> 8;
  packet[5] = identifier_ & 0xff;
  packet[6] = sequence >> 8;
  packet[7] = sequence & 0xff;
  for (std::size_t i = 8; i < packet.size(); ++i) packet[i] = static_cast<std::uint8_t>(i);
  if (destination_.is_v4()) {  // ICMPv6 checksums cover a pseudo-header: the kernel fills them in
    auto const sum = internet_checksum(packet);
    packet[2] = sum >> 8;
    packet[3] = sum & 0xff;
  }
  auto const to = to_sockaddr(destination_);
  auto const sent = ::sendto(descriptor_.native_handle(), packet.data(), packet.size(), 0,
                             reinterpret_cast<sockaddr const*>(&to.storage), to.length);
  return sent < 0 ? errno : 0;
}

bool IcmpSocket::received_reply(std::uint16_t first, std::uint16_t last) {
  std::uint8_t buffer[65536];
  bool matched = false;
  for (;;) {
    auto const got = ::recv(descriptor_.native_handle(), buffer, sizeof buffer, 0);
    if (got < 0) return matched;  // EAGAIN: drained (errors from ICMP are silence to us)
    std::size_t offset = 0;
    if (raw_ && destination_.is_v4()) offset = (buffer[0] & 0x0f) * 4;  // raw IPv4 includes the IP header
    if (static_cast<std::size_t>(got) < offset + 8) continue;
    std::uint8_t const* icmp = buffer + offset;
    bool const is_reply = destination_.is_v4() ? icmp[0] == ICMP_ECHOREPLY : icmp[0] == ICMP6_ECHO_REPLY;
    auto const id = static_cast<std::uint16_t>((icmp[4] << 8) | icmp[5]);
    auto const sequence = static_cast<std::uint16_t>((icmp[6] << 8) | icmp[7]);
    if (is_reply && (!raw_ || id == identifier_) && sequence_in_range(sequence, first, last)) matched = true;
  }
}

// Keeps the socket alive across the echoes of one ping, one MTU search, or a Pinger's life.
struct Session {
  explicit Session(boost::asio::io_context& io) : socket(io) {}
  IcmpSocket socket;
  std::uint16_t sequence = 1;
};

}  // namespace detail

namespace {

using detail::IcmpSocket;
using detail::Session;

// Echo requests of one size until a matching reply or the deadline; a new request every
// `resend_every`, any of them may be answered.
class Echo : public std::enable_shared_from_this<Echo> {
 public:
  struct Outcome {
    bool replied = false;
    int send_errno = 0;
    double ms = 0;
  };

  Echo(IcmpSocket& socket, std::uint16_t& sequence, unsigned size, Clock::time_point deadline, Duration resend_every,
       std::function<void(Outcome)> done)
      : socket_(socket), sequence_(sequence), size_(size), deadline_(deadline), resend_every_(resend_every),
        first_(sequence), done_(std::move(done)) {}

  void send() {
    if (int err = socket_.send_echo(sequence_++, size_); err != 0) return done_({false, err, ms()});
    wait();
  }

 private:
  double ms() const { return std::chrono::duration<double, std::milli>(Clock::now() - started_).count(); }
  void wait() {
    auto const resend_at = std::min(deadline_, Clock::now() + resend_every_);
    async_wait_until(socket_.descriptor(), Descriptor::wait_read, resend_at, [self = shared_from_this()](WaitOutcome o) {
      self->on_wait(o);
    });
  }
  void on_wait(WaitOutcome outcome) {
    if (outcome == WaitOutcome::ready && socket_.received_reply(first_, static_cast<std::uint16_t>(sequence_ - 1))) {
      return done_({true, 0, ms()});
    }
    if (Clock::now() >= deadline_ || outcome == WaitOutcome::failed) return done_({false, 0, ms()});
    if (outcome == WaitOutcome::timed_out) return send();
    wait();
  }

  IcmpSocket& socket_;
  std::uint16_t& sequence_;
  unsigned size_;
  Clock::time_point deadline_;
  Duration resend_every_;
  std::uint16_t first_;
  Clock::time_point started_ = Clock::now();
  std::function<void(Outcome)> done_;
};

void echo(std::shared_ptr<Session> const& session, unsigned size, Clock::time_point deadline, Duration resend_every,
          std::function<void(Echo::Outcome)> done) {
  auto e = std::make_shared<Echo>(session->socket, session->sequence, size, deadline, resend_every,
                                  [session, done = std::move(done)](Echo::Outcome o) { done(o); });
  e->send();
}

// The path-MTU search: the interface MTU first (twice, so one lost packet is not taken for a
// black hole), then the protocol minimum, then halving the gap between what crossed and
// what did not. Each probe gets `per_probe`; the whole search stops at `budget`.
class MtuSearch : public std::enable_shared_from_this<MtuSearch> {
 public:
  MtuSearch(boost::asio::io_context& io, net::IpAddress destination, MtuProbeSettings settings,
            std::function<void(MtuOutcome)> done)
      : session_(std::make_shared<Session>(io)), destination_(destination), settings_(settings),
        done_(std::move(done)) {}

  void start() {
    deadline_ = started_ + settings_.budget;
    if (auto error = session_->socket.open(destination_, settings_.kind, true); !error.empty()) return finish(error);
    probe(settings_.interface_mtu, &MtuSearch::on_top);
  }

 private:
  using Next = void (MtuSearch::*)(unsigned size, bool crossed);

  void probe(unsigned size, Next next) {
    if (outcome_.probes >= settings_.max_probes || Clock::now() >= deadline_) return finish_search();
    ++outcome_.probes;
    auto const probe_deadline = std::min(deadline_, Clock::now() + settings_.per_probe);
    echo(session_, size, probe_deadline, settings_.per_probe, [self = shared_from_this(), size, next](Echo::Outcome o) {
      ((*self).*next)(size, o.replied);
    });
  }
  void on_top(unsigned size, bool crossed) {
    if (crossed) return found(size);
    if (!top_retried_) {
      top_retried_ = true;
      return probe(size, &MtuSearch::on_top);
    }
    high_ = size;
    low_ = std::min(destination_.is_v4() ? 576u : 1280u, size);
    probe(low_, &MtuSearch::on_floor);
  }
  void on_floor(unsigned size, bool crossed) {
    if (!crossed) {
      return finish(fmt::format("no probe crossed, not even {} bytes", size));
    }
    outcome_.largest = size;
    bisect();
  }
  void bisect() {
    if (high_ - low_ <= 1) return finish_search();
    probe(low_ + (high_ - low_) / 2, &MtuSearch::on_bisect);
  }
  void on_bisect(unsigned size, bool crossed) {
    (crossed ? low_ : high_) = size;
    if (crossed) outcome_.largest = size;
    bisect();
  }
  void found(unsigned size) {
    outcome_.largest = size;
    finish_search();
  }
  void finish_search() {
    if (!outcome_.largest && outcome_.error.empty()) outcome_.error = "the probe ran out of time before any size crossed";
    finish(outcome_.error);
  }
  void finish(std::string error) {
    outcome_.error = std::move(error);
    outcome_.ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    auto done = std::move(done_);
    done(std::move(outcome_));
  }

  std::shared_ptr<Session> session_;
  net::IpAddress destination_;
  MtuProbeSettings settings_;
  std::function<void(MtuOutcome)> done_;
  Clock::time_point started_ = Clock::now(), deadline_;
  bool top_retried_ = false;
  unsigned low_ = 0, high_ = 0;
  MtuOutcome outcome_;
};

// One ping over `session`'s socket, opened first if it is not.
void ping_over(std::shared_ptr<Session> const& session, net::IpAddress destination, Duration timeout,
               IcmpSocketKind kind, std::function<void(PingOutcome)> done) {
  if (!session->socket.is_open()) {
    if (auto error = session->socket.open(destination, kind, false); !error.empty()) {
      return done({false, 0, error, true, ""});
    }
  }
  auto const deadline = Clock::now() + timeout;
  std::string socket_kind(session->socket.kind_name());
  echo(session, header_overhead(destination) + 56, deadline, std::chrono::seconds(1),
       [session, destination, timeout, socket_kind, done = std::move(done)](Echo::Outcome o) {
         if (o.replied) return done({true, o.ms, "", false, socket_kind});
         if (o.send_errno != 0) {
           session->socket.close();  // the next ping starts on a fresh socket
           return done({false, o.ms, fmt::format("sending to {}: {}", destination.to_string(), std::strerror(o.send_errno)),
                        true, socket_kind});
         }
         done({false, o.ms, fmt::format("no echo reply from {} within {}", destination.to_string(), format_duration(timeout)),
               false, socket_kind});
       });
}

}  // namespace

void async_ping(boost::asio::io_context& io, net::IpAddress destination, Duration timeout, IcmpSocketKind kind,
                std::function<void(PingOutcome)> done) {
  auto session = std::make_shared<Session>(io);
  boost::asio::post(io, [session, destination, timeout, kind, done = std::move(done)]() mutable {
    ping_over(session, destination, timeout, kind, std::move(done));
  });
}

Pinger::Pinger(boost::asio::io_context& io, net::IpAddress destination, IcmpSocketKind kind)
    : destination_(destination), kind_(kind), session_(std::make_shared<Session>(io)) {}

void Pinger::ping(Duration timeout, std::function<void(PingOutcome)> done) {
  ping_over(session_, destination_, timeout, kind_, std::move(done));
}

void async_probe_mtu(boost::asio::io_context& io, net::IpAddress destination, MtuProbeSettings settings,
                     std::function<void(MtuOutcome)> done) {
  auto search = std::make_shared<MtuSearch>(io, destination, settings, std::move(done));
  boost::asio::post(io, [search] { search->start(); });
}

}  // namespace wgs::checks
