#include "health/server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <list>
#include <optional>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "health/admission.hpp"
#include "health/connection.hpp"
#include "health/endpoints.hpp"
#include "health/listen_address.hpp"
#include "log/log.hpp"

namespace wgs::health {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// A client's address as one key whichever way it arrived: on a dual-stack socket an IPv4
// client shows up as ::ffff:a.b.c.d.
std::string source_of(tcp::socket const& socket) {
  boost::system::error_code ec;
  auto address = socket.remote_endpoint(ec).address();
  if (ec) return "?";
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

bool is_transient(int error) {
  return error == EAGAIN || error == EWOULDBLOCK || error == EINTR || error == ECONNABORTED || error == EPROTO;
}

}  // namespace

// The accepting side. Shared with the pending accept and with every connection's
// responder, so nothing dangles when Server goes away while operations are in flight.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, SnapshotSource source, Limits const& limits)
      : acceptor_(io), retry_timer_(io), source_(std::move(source)), limits_(limits) {}

  Status open(tcp::endpoint const& endpoint);
  void accept();
  void stop();
  std::uint16_t port() const { return port_; }

 private:
  struct Open {
    std::weak_ptr<Connection> connection;
    std::string source;
  };

  void on_readable(boost::system::error_code ec);
  void retry_later(boost::system::error_code ec);
  void serve(tcp::socket socket);
  bool make_room(std::string const& source);
  void note_crowding(std::string const& source);
  std::vector<Occupant> occupants();
  Reply respond(std::string_view method, std::string_view target) const;

  tcp::acceptor acceptor_;
  tcp protocol_ = tcp::v4();
  asio::steady_timer retry_timer_;
  SnapshotSource source_;
  Limits limits_;
  std::list<Open> open_;       // in accept order, oldest first
  std::uint16_t port_ = 0;
  bool stopped_ = false;
  std::optional<std::chrono::steady_clock::time_point> logged_crowding_;
  std::uint64_t closed_since_log_ = 0;
  bool accept_failing_ = false;
};

Status Listener::open(tcp::endpoint const& endpoint) {
  boost::system::error_code ec;
  auto const fail = [&](char const* what) {
    return make_error(fmt::format("{} {}: {}", what,
                                  net::HostPort{endpoint.address().to_string(), endpoint.port()}.to_string(),
                                  ec.message()),
                      ec.value());
  };
  // Close-on-exec from the start: the app is spawned from this process, and must not inherit
  // (and keep open) the health port.
  int const fd = ::socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) ec.assign(errno, boost::system::system_category());
  if (ec) return fail("open a socket for");
  protocol_ = endpoint.protocol();
  acceptor_.assign(protocol_, fd, ec);
  if (ec) {
    ::close(fd);
    return fail("open a socket for");
  }
  // A restarted supervisor must get its port back while old connections sit in TIME_WAIT.
  acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR on");
  // [::] serves IPv4 clients too, whatever net.ipv6.bindv6only says.
  if (endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(false), ec);
  if (ec) return fail("accept IPv4 clients too on");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return fail("read the bound port of");
  return ok_status();
}

// Asio's accept gives no SOCK_CLOEXEC: wait for a client, then accept4.
void Listener::accept() {
  acceptor_.async_wait(tcp::acceptor::wait_read,
                       [self = shared_from_this()](boost::system::error_code ec) { self->on_readable(ec); });
}

// One client per wake-up, with accept4 so the socket is close-on-exec from its first moment
// (Asio's own accept is a plain accept(2)). Between two accepts the event loop runs the
// reads that became ready, so a client whose request has arrived is answered before a burst
// of new connections can push it out.
void Listener::on_readable(boost::system::error_code ec) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) return retry_later(ec);
  int const fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0 && is_transient(errno)) return accept();
  if (fd < 0) return retry_later(boost::system::error_code(errno, boost::system::system_category()));
  accept_failing_ = false;
  tcp::socket socket(acceptor_.get_executor());
  socket.assign(protocol_, fd, ec);
  if (ec) ::close(fd);
  else serve(std::move(socket));
  accept();
}

// Out of descriptors, most likely: try again shortly rather than spin on the error.
void Listener::retry_later(boost::system::error_code ec) {
  if (!accept_failing_) log::warn("health server: accepting a connection failed: {}", ec.message());
  accept_failing_ = true;
  retry_timer_.expires_after(std::chrono::milliseconds(100));
  retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
    if (!wait_ec && !self->stopped_) self->accept();
  });
}

void Listener::serve(tcp::socket socket) {
  auto source = source_of(socket);
  if (!make_room(source)) {
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  auto connection = std::make_shared<Connection>(
      std::move(socket), limits_,
      [self = shared_from_this()](std::string_view method, std::string_view target) {
        return self->respond(method, target);
      });
  open_.push_back({connection, std::move(source)});
  connection->start();
}

// True when the newcomer from `source` may have a place, after closing whom admission.hpp
// says must go.
bool Listener::make_room(std::string const& source) {
  auto const admission = admit(occupants(), source, limits_);
  if (admission.kind == Admission::Kind::admit) return true;
  note_crowding(source);
  if (admission.kind == Admission::Kind::refuse) return false;
  auto victim = std::next(open_.begin(), static_cast<std::ptrdiff_t>(admission.victim));
  if (auto connection = victim->connection.lock()) connection->close();
  open_.erase(victim);
  return true;
}

// Under slowloris this happens for every connection: logged once, then at most once a minute
// with how many were closed meanwhile.
void Listener::note_crowding(std::string const& source) {
  ++closed_since_log_;
  auto const now = std::chrono::steady_clock::now();
  if (logged_crowding_ && now - *logged_crowding_ < std::chrono::minutes(1)) return;
  log::warn("health server: {} connections open, a new one from {}: closing idle ones (still sending their request) "
            "to make room; {} closed or refused since the last such line",
            open_.size(), source, closed_since_log_);
  logged_crowding_ = now;
  closed_since_log_ = 0;
}

std::vector<Occupant> Listener::occupants() {
  open_.remove_if([](Open const& open) { return open.connection.expired(); });
  std::vector<Occupant> out;
  for (auto const& open : open_) out.push_back({open.source, open.connection.lock()->is_idle()});
  return out;
}

Reply Listener::respond(std::string_view method, std::string_view target) const {
  // A request read just before stop() may still be answered; the source may be gone by then.
  if (stopped_) return error_reply(503, "shutting down");
  return health::respond(method, target, source_);
}

void Listener::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
  for (auto const& open : open_) {
    if (auto connection = open.connection.lock()) connection->close();
  }
  open_.clear();
  source_ = nullptr;
}

namespace {

std::string describe(net::HostPort const& listen, net::IpAddress const& bound, std::uint16_t port) {
  auto const shown = net::HostPort{listen.host, port}.to_string();
  if (!listen.numeric()) return fmt::format("{} ({})", shown, bound.to_string());
  if (!bound.is_v4() && is_wildcard(bound)) return shown + " (IPv4 and IPv6)";
  return shown;
}

}  // namespace

Result<std::unique_ptr<Server>> Server::start(asio::io_context& io, net::HostPort const& listen,
                                              SnapshotSource source) {
  return start(io, listen, std::move(source), Limits{});
}

Result<std::unique_ptr<Server>> Server::start(asio::io_context& io, net::HostPort const& listen,
                                              SnapshotSource source, Limits const& limits) {
  auto const bound = bind_address(listen);
  if (!bound) return make_error("health server: " + bound.error().message, bound.error().code);
  boost::system::error_code ec;
  auto const address = asio::ip::make_address(bound->to_string(), ec);
  if (ec) return make_error(fmt::format("health server: {} is not an address to listen on", bound->to_string()));
  auto listener = std::make_shared<Listener>(io, std::move(source), limits);
  if (auto opened = listener->open(tcp::endpoint(address, listen.port)); !opened) {
    return make_error("health server: " + opened.error().message, opened.error().code);
  }
  listener->accept();
  auto const shown = describe(listen, *bound, listener->port());
  return std::unique_ptr<Server>(new Server(std::move(listener), shown));
}

Server::Server(std::shared_ptr<Listener> listener, std::string address)
    : listener_(std::move(listener)), address_(std::move(address)) {}

Server::~Server() { listener_->stop(); }

std::uint16_t Server::port() const { return listener_->port(); }

std::string Server::address() const { return address_; }

}  // namespace wgs::health
