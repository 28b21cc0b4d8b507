#pragma once
// The listening socket and the set of open sessions. stop() closes the listener, drops
// idle keep-alive connections and lets requests in progress finish.
#include <memory>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "http_session.hpp"
#include "result.hpp"

namespace contacts::http {

class Server {
 public:
  Server(asio::io_context& io, asio::thread_pool& workers, Handler handler, Limits limits = {});

  Status listen(asio::ip::address const& address, std::uint16_t port);
  void stop();

 private:
  void accept();
  void on_accept(beast::error_code ec, asio::ip::tcp::socket socket);
  std::size_t live_sessions();

  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer accept_pause_;
  Dispatcher dispatcher_;
  std::vector<std::weak_ptr<Session>> sessions_;
  bool stopping_ = false;
  bool full_logged_ = false;
};

}  // namespace contacts::http
