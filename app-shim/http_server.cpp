#include "http_server.hpp"

#include <algorithm>

#include <boost/asio/ip/v6_only.hpp>
#include <fmt/format.h>

#include "log.hpp"

namespace contacts::http {

Server::Server(asio::io_context& io, asio::thread_pool& workers, Handler handler, Limits limits)
    : acceptor_(io), accept_pause_(io), dispatcher_{io, workers, std::move(handler), limits} {}

Status Server::listen(asio::ip::address const& address, std::uint16_t port) {
  asio::ip::tcp::endpoint const endpoint(address, port);
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  // "::" serves IPv4 clients too, as Go's ":8080" does.
  if (!ec && address.is_v6()) acceptor_.set_option(asio::ip::v6_only(false), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    auto message = fmt::format("listening on {}:{}: {}", address.to_string(), port, ec.message());
    beast::error_code ignored;
    acceptor_.close(ignored);
    return make_error(ErrorKind::unavailable, std::move(message));
  }
  accept();
  return Ok{};
}

void Server::stop() {
  stopping_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  accept_pause_.cancel();
  for (auto& weak : sessions_) {
    if (auto session = weak.lock()) session->stop();
  }
}

void Server::accept() {
  // One I/O thread runs every socket, so sessions need no strands.
  acceptor_.async_accept([this](beast::error_code ec, asio::ip::tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void Server::on_accept(beast::error_code ec, asio::ip::tcp::socket socket) {
  if (stopping_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors and the like: pause instead of spinning on the error.
    log::warn("accepting a connection: {}", ec.message());
    accept_pause_.expires_after(std::chrono::milliseconds(100));
    accept_pause_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping_) accept();
    });
    return;
  }
  if (live_sessions() >= dispatcher_.limits.max_connections) {
    if (!full_logged_) log::warn("{} connections open: refusing more until some close", live_sessions());
    full_logged_ = true;
  } else {
    full_logged_ = false;
    auto session = std::make_shared<Session>(std::move(socket), dispatcher_);
    sessions_.push_back(session);
    session->start();
  }
  accept();
}

std::size_t Server::live_sessions() {
  std::erase_if(sessions_, [](auto const& weak) { return weak.expired(); });
  return sessions_.size();
}

}  // namespace contacts::http
