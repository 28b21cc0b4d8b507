#include "health/server.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <unistd.h>

#include <list>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "health/connection.hpp"
#include "health/endpoints.hpp"
#include "log/log.hpp"

namespace wgs::health {

namespace asio = boost::asio;
using asio::ip::tcp;

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
  void on_accept(boost::system::error_code ec, tcp::socket socket);
  void serve(tcp::socket socket);
  std::size_t live_connections();
  Reply respond(std::string_view method, std::string_view target) const;

  tcp::acceptor acceptor_;
  tcp protocol_ = tcp::v4();
  asio::steady_timer retry_timer_;
  SnapshotSource source_;
  Limits limits_;
  std::list<std::weak_ptr<Connection>> connections_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
  bool refusing_ = false;      // at the connection cap: logged once until a client gets in again
  bool accept_failing_ = false;
};

Status Listener::open(tcp::endpoint const& endpoint) {
  boost::system::error_code ec;
  auto const fail = [&](char const* what) {
    return make_error(fmt::format("health server: {} {}: {}", what,
                                  net::HostPort{endpoint.address().to_string(), endpoint.port()}.to_string(),
                                  ec.message()),
                      ec.value());
  };
  // Opened and accepted close-on-exec, so the app (started from this thread or another)
  // never holds the health port: it could answer /readyz itself.
  int const fd = ::socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
  if (fd < 0) {
    ec.assign(errno, boost::system::system_category());
    return fail("open a socket for");
  }
  acceptor_.assign(endpoint.protocol(), fd, ec);
  if (ec) {
    ::close(fd);
    return fail("open a socket for");
  }
  protocol_ = endpoint.protocol();
  // A restarted supervisor must get its port back while old connections sit in TIME_WAIT.
  acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR on");
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
  acceptor_.async_wait(tcp::acceptor::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
    tcp::socket socket(self->acceptor_.get_executor());
    if (!ec) {
      int const fd = ::accept4(self->acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0 && (errno == EAGAIN || errno == ECONNABORTED || errno == EINTR)) return self->accept();
      if (fd < 0) ec.assign(errno, boost::system::system_category());
      if (fd >= 0) socket.assign(self->protocol_, fd, ec);
      if (fd >= 0 && ec) ::close(fd);
    }
    self->on_accept(ec, std::move(socket));
  });
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors, most likely: try again shortly rather than spin on the error.
    if (!accept_failing_) log::warn("health server: accepting a connection failed: {}", ec.message());
    accept_failing_ = true;
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec && !self->stopped_) self->accept();
    });
    return;
  }
  accept_failing_ = false;
  serve(std::move(socket));
  accept();
}

void Listener::serve(tcp::socket socket) {
  if (live_connections() >= limits_.max_connections) {
    if (!refusing_) log::warn("health server: {} connections open, closing new ones until some end", limits_.max_connections);
    refusing_ = true;
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  refusing_ = false;
  auto connection = std::make_shared<Connection>(
      std::move(socket), limits_,
      [self = shared_from_this()](std::string_view method, std::string_view target) {
        return self->respond(method, target);
      });
  connections_.push_back(connection);
  connection->start();
}

std::size_t Listener::live_connections() {
  connections_.remove_if([](auto const& connection) { return connection.expired(); });
  return connections_.size();
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
  for (auto const& weak : connections_) {
    if (auto connection = weak.lock()) connection->close();
  }
  connections_.clear();
  source_ = nullptr;
}

Result<std::unique_ptr<Server>> Server::start(asio::io_context& io, net::HostPort const& listen,
                                              SnapshotSource source) {
  return start(io, listen, std::move(source), Limits{});
}

Result<std::unique_ptr<Server>> Server::start(asio::io_context& io, net::HostPort const& listen,
                                              SnapshotSource source, Limits const& limits) {
  boost::system::error_code ec;
  auto const address = asio::ip::make_address(listen.host, ec);
  if (ec) return make_error(fmt::format("health server: {} is not a numeric IP:port", listen.to_string()));
  auto listener = std::make_shared<Listener>(io, std::move(source), limits);
  if (auto opened = listener->open(tcp::endpoint(address, listen.port)); !opened) return opened.error();
  listener->accept();
  return std::unique_ptr<Server>(new Server(std::move(listener)));
}

Server::Server(std::shared_ptr<Listener> listener) : listener_(std::move(listener)) {}

Server::~Server() { listener_->stop(); }

std::uint16_t Server::port() const { return listener_->port(); }

}  // namespace wgs::health
