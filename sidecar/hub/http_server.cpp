#include "hub/http_server.hpp"

#include <list>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/vector_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "log/log.hpp"
#include "net/close_on_exec.hpp"

namespace wgs::hub {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

net::IpAddress address_of(tcp::endpoint const& endpoint) {
  auto const text = endpoint.address().is_v6() && endpoint.address().to_v6().is_v4_mapped()
                        ? endpoint.address().to_v6().to_v4().to_string()
                        : endpoint.address().to_string();
  return net::IpAddress::parse(text).value_or(net::IpAddress{});
}

std::string_view view(beast::string_view text) { return {text.data(), text.size()}; }

bool is_gone(beast::error_code ec) {
  return ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == http::error::end_of_stream ||
         ec == asio::error::connection_reset || ec == asio::error::eof;
}

}  // namespace

// One request, one answer, then close. It keeps its listener alive, and asks it whether it
// still serves before answering: a request read just before the hub stopped gets nothing.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(tcp::socket socket, std::shared_ptr<HttpListener const> owner, ServerLimits const& limits)
      : stream_(std::move(socket)), owner_(std::move(owner)), limits_(limits) {
    boost::system::error_code ignored;
    source_ = address_of(stream_.socket().remote_endpoint(ignored));
    parser_.header_limit(static_cast<std::uint32_t>(limits.limits.max_head_bytes));
    parser_.body_limit(limits.max_body);
  }

  void start() {
    // Head and body under one deadline: an enrollment is a few hundred bytes sent at once.
    stream_.expires_after(limits_.limits.head_timeout);
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void close() { stream_.close(); }

 private:
  void on_read(beast::error_code ec);

  void send(HttpReply reply) {
    response_.version(11);
    response_.result(static_cast<unsigned>(reply.status));
    response_.set(http::field::content_type, reply.content_type);
    response_.set(http::field::cache_control, "no-store");
    for (auto const& [name, value] : reply.headers) response_.set(name, value);
    response_.keep_alive(false);
    response_.body() = std::move(reply.body);
    response_.prepare_payload();
    stream_.expires_after(limits_.limits.write_timeout);
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      self->close();
    });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpListener const> owner_;
  ServerLimits limits_;
  net::IpAddress source_;
  beast::flat_buffer buffer_;
  http::request_parser<http::vector_body<std::uint8_t>> parser_;
  http::response<http::string_body> response_;
};

class HttpListener : public std::enable_shared_from_this<HttpListener> {
 public:
  HttpListener(asio::io_context& io, Routes routes, ServerLimits const& limits)
      : acceptor_(io), retry_(io), routes_(std::move(routes)), limits_(limits) {}

  Status open(tcp::endpoint const& endpoint, std::string const& name) {
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return make_error(fmt::format("listening on {}: {}", name, ec.message()), ec.value());
    net::close_on_exec(acceptor_.native_handle());
    port_ = acceptor_.local_endpoint(ec).port();
    return ok_status();
  }

  void accept() {
    acceptor_.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void stop() {
    stopped_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
    for (auto const& weak : exchanges_) {
      if (auto exchange = weak.lock()) exchange->close();
    }
    exchanges_.clear();
  }

  std::uint16_t port() const { return port_; }
  bool is_stopped() const { return stopped_; }
  Routes const& routes() const { return routes_; }

 private:
  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (stopped_ || ec == asio::error::operation_aborted) return;
    if (ec) {  // out of descriptors, most likely: try again shortly instead of spinning
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([self = shared_from_this()](boost::system::error_code wait) {
        if (!wait && !self->stopped_) self->accept();
      });
      return;
    }
    net::close_on_exec(socket.native_handle());
    exchanges_.remove_if([](auto const& weak) { return weak.expired(); });
    if (exchanges_.size() < limits_.limits.max_connections) {
      auto exchange = std::make_shared<Exchange>(std::move(socket), shared_from_this(), limits_);
      exchanges_.push_back(exchange);
      exchange->start();
    }
    accept();
  }

  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  Routes routes_;
  ServerLimits limits_;
  std::list<std::weak_ptr<Exchange>> exchanges_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

void Exchange::on_read(beast::error_code ec) {
  if (is_gone(ec) || owner_->is_stopped()) return close();
  if (ec) return send(owner_->routes().unreadable(source_));
  auto const& request = parser_.get();
  send(owner_->routes().respond({view(request.method_string()), view(request.target()), request.body(), source_}));
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(asio::io_context& io, net::HostPort const& listen, Routes routes,
                                                      ServerLimits const& limits) {
  boost::system::error_code ec;
  auto const address = asio::ip::make_address(listen.host, ec);
  if (ec) return make_error(fmt::format("{} is not a numeric IP:port", listen.to_string()));
  auto listener = std::make_shared<HttpListener>(io, std::move(routes), limits);
  if (auto opened = listener->open({address, listen.port}, listen.to_string()); !opened) return opened.error();
  listener->accept();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(listener)));
}

HttpServer::~HttpServer() { listener_->stop(); }

std::uint16_t HttpServer::port() const { return listener_->port(); }

}  // namespace wgs::hub
