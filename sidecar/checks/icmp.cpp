#include "checks/icmp.hpp"

#include <linux/errqueue.h>
#include <linux/filter.h>
#include <linux/net_tstamp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
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
using WallClock = std::chrono::system_clock;  // the clock of the kernel's receive times
using Descriptor = boost::asio::posix::stream_descriptor;

unsigned header_overhead(net::IpAddress const& ip) { return ip.is_v4() ? 20 + 8 : 40 + 8; }

// The size of a ping's echo request, as ping(8) sends it: 56 bytes of data.
unsigned ping_size(net::IpAddress const& ip) { return header_overhead(ip) + 56; }

// What a ping that failed says, whether its reply was waited for or read later.
std::string unsent(net::IpAddress const& destination, int error) {
  return fmt::format("sending to {}: {}", destination.to_string(), std::strerror(error));
}
std::string unanswered(net::IpAddress const& destination, Duration timeout) {
  return fmt::format("no echo reply from {} within {}", destination.to_string(), format_duration(timeout));
}

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
  ~IcmpSocket() { close(); }
  IcmpSocket(IcmpSocket const&) = delete;
  IcmpSocket& operator=(IcmpSocket const&) = delete;

  std::string open(net::IpAddress const& ip, IcmpSocketKind kind, bool dont_fragment);
  int send_echo(std::uint16_t sequence, unsigned packet_size);  // 0 or errno
  // An echo reply, and when the kernel received it: unknown in the first moments after
  // receive times are first asked for on the machine (the kernel turns them on a little later).
  struct Reply {
    std::optional<WallClock::time_point> at;
  };
  // Drains what has arrived: the first echo reply with a sequence in [first, last], if one came.
  std::optional<Reply> received_reply(std::uint16_t first, std::uint16_t last);
  // The socket as the loop knows it, to wait on: registered with the loop until quiet().
  Descriptor& descriptor();
  // No longer registered with the loop: what arrives waits in the socket and wakes nobody.
  void quiet();
  std::string_view kind_name() const { return raw_ ? "raw" : "datagram"; }
  bool is_open() const { return fd_ >= 0; }
  void close();

 private:
  std::string set_dont_fragment();
  void pass_only_our_echo_replies();
  struct Datagram {
    std::size_t size = 0;
    std::optional<WallClock::time_point> at;
  };
  std::optional<Datagram> receive(std::span<std::uint8_t> buffer);

  int fd_ = -1;
  Descriptor descriptor_;  // fd_, while someone waits on it
  net::IpAddress destination_;
  bool raw_ = false;
  std::uint16_t identifier_ = 0;
};

Descriptor& IcmpSocket::descriptor() {
  if (!descriptor_.is_open()) descriptor_.assign(fd_);
  return descriptor_;
}

void IcmpSocket::quiet() {
  if (descriptor_.is_open()) descriptor_.release();
}

void IcmpSocket::close() {
  quiet();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

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
  fd_ = fd;
  // The kernel's receive time of each reply, for its round trip even when it is read later.
  // (SO_TIMESTAMPING, not SO_TIMESTAMPNS: when the kernel has no time for a packet, it gives
  // none rather than the time of reading.)
  int stamps = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &stamps, sizeof stamps);
  // The kernel picks the identifier of a ping socket; a raw socket sees every ICMP packet,
  // so ours must be ours alone.
  identifier_ = static_cast<std::uint16_t>(randombytes_uniform(1u << 16));
  if (raw_) pass_only_our_echo_replies();
  return dont_fragment ? set_dont_fragment() : std::string();
}

// A raw socket is handed every ICMP packet the machine receives: the app's pings and their
// answers, the checks' own, anyone's. A socket filter has the kernel drop all but echo replies
// bearing our identifier before they are queued, so none of them wakes a thread waiting on this
// socket, nor fills the buffer where a reply waits for the monitor's next probe. Best effort:
// without the filter the replies are still matched by identifier.
void IcmpSocket::pass_only_our_echo_replies() {
  bool const v4 = destination_.is_v4();
  // A raw IPv4 socket sees the IP header first (X = its length); a raw IPv6 one the ICMPv6 header.
  std::uint32_t const reply = v4 ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;
  sock_filter const skip_header = v4 ? sock_filter BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0)
                                     : sock_filter BPF_STMT(BPF_LDX | BPF_W | BPF_IMM, 0);
  sock_filter program[] = {
      skip_header,
      BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),  // type
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, reply, 0, 3),
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),  // identifier
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, identifier_, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),  // the whole packet
      BPF_STMT(BPF_RET | BPF_K, 0),           // dropped
  };
  sock_fprog const filter{static_cast<unsigned short>(std::size(program)), program};
  ::setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &filter, sizeof filter);
}

// PROBE: set DF and ignore the cached path MTU, so each probe tests the path afresh.
std::string IcmpSocket::set_dont_fragment() {
  int probe = destination_.is_v4() ? IP_PMTUDISC_PROBE : IPV6_PMTUDISC_PROBE;
  int rc = destination_.is_v4() ? ::setsockopt(fd_, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof probe)
                                : ::setsockopt(fd_, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &probe, sizeof probe);
  int on = 1;
  if (rc == 0 && !destination_.is_v4()) rc = ::setsockopt(fd_, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof on);
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
  auto const sent = ::sendto(fd_, packet.data(), packet.size(), 0,
                             reinterpret_cast<sockaddr const*>(&to.storage), to.length);
  return sent < 0 ? errno : 0;
}

// One datagram, and when the kernel received it if it says.
std::optional<IcmpSocket::Datagram> IcmpSocket::receive(std::span<std::uint8_t> buffer) {
  iovec data{buffer.data(), buffer.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(scm_timestamping))];
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  auto const n = ::recvmsg(fd_, &message, 0);
  if (n < 0) return std::nullopt;
  Datagram datagram{static_cast<std::size_t>(n), std::nullopt};
  for (auto* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPING) continue;
    scm_timestamping stamps{};
    std::memcpy(&stamps, CMSG_DATA(c), sizeof stamps);
    auto const& software = stamps.ts[0];
    if (software.tv_sec == 0 && software.tv_nsec == 0) continue;
    datagram.at = WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
        std::chrono::seconds(software.tv_sec) + std::chrono::nanoseconds(software.tv_nsec)));
  }
  return datagram;
}

std::optional<IcmpSocket::Reply> IcmpSocket::received_reply(std::uint16_t first, std::uint16_t last) {
  std::uint8_t buffer[65536];
  std::optional<Reply> matched;
  while (auto const datagram = receive(buffer)) {  // until EAGAIN (errors from ICMP are silence to us)
    std::size_t offset = 0;
    if (raw_ && destination_.is_v4()) offset = (buffer[0] & 0x0f) * 4;  // raw IPv4 includes the IP header
    if (datagram->size < offset + 8) continue;
    std::uint8_t const* icmp = buffer + offset;
    bool const is_reply = destination_.is_v4() ? icmp[0] == ICMP_ECHOREPLY : icmp[0] == ICMP6_ECHO_REPLY;
    auto const id = static_cast<std::uint16_t>((icmp[4] << 8) | icmp[5]);
    auto const sequence = static_cast<std::uint16_t>((icmp[6] << 8) | icmp[7]);
    if (is_reply && (!raw_ || id == identifier_) && sequence_in_range(sequence, first, last) && !matched) {
      matched = Reply{datagram->at};
    }
  }
  return matched;
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
  echo(session, ping_size(destination), deadline, std::chrono::seconds(1),
       [session, destination, timeout, socket_kind, done = std::move(done)](Echo::Outcome o) {
         if (o.replied) return done({true, o.ms, "", false, socket_kind});
         if (o.send_errno != 0) {
           session->socket.close();  // the next ping starts on a fresh socket
           return done({false, o.ms, unsent(destination, o.send_errno), true, socket_kind});
         }
         done({false, o.ms, unanswered(destination, timeout), false, socket_kind});
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
  unread_.reset();
  ping_over(session_, destination_, timeout, kind_, std::move(done));
}

void Pinger::send() {
  auto& socket = session_->socket;
  Unread out{session_->sequence, WallClock::now(), {}};
  if (!socket.is_open()) out.error = socket.open(destination_, kind_, false);
  if (out.error.empty()) {
    socket.quiet();  // the reply is read by answer(), not woken for
    if (int err = socket.send_echo(session_->sequence++, ping_size(destination_)); err != 0) {
      out.error = unsent(destination_, err);
      socket.close();  // the next ping starts on a fresh socket
    }
  }
  unread_ = std::move(out);
}

std::optional<PingOutcome> Pinger::answer(Duration timeout) {
  if (!unread_) return std::nullopt;
  auto const out = *std::exchange(unread_, std::nullopt);
  std::string kind(session_->socket.kind_name());
  if (!out.error.empty()) return PingOutcome{false, 0, out.error, true, kind};
  auto const reply = session_->socket.received_reply(out.sequence, out.sequence);
  // Without the kernel's time, the reply is known only to have come before now: it counts,
  // and its round trip is at most the time until now.
  auto const arrived = reply && reply->at ? *reply->at : WallClock::now();
  auto const ms = std::max(0.0, std::chrono::duration<double, std::milli>(arrived - out.sent_at).count());
  bool const in_time = reply && (!reply->at || ms <= std::chrono::duration<double, std::milli>(timeout).count());
  if (in_time) return PingOutcome{true, ms, "", false, kind};
  return PingOutcome{false, reply ? ms : 0.0, unanswered(destination_, timeout), false, kind};
}

void async_probe_mtu(boost::asio::io_context& io, net::IpAddress destination, MtuProbeSettings settings,
                     std::function<void(MtuOutcome)> done) {
  auto search = std::make_shared<MtuSearch>(io, destination, settings, std::move(done));
  boost::asio::post(io, [search] { search->start(); });
}

}  // namespace wgs::checks
