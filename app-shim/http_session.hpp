#pragma once
// One client connection: read a request (within size and time limits), run the handler on
// the worker pool (handlers block on the database), write the response, repeat while the
// client keeps the connection alive.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api_types.hpp"

namespace contacts::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using Handler = std::function<api::Response(api::Request const&)>;

struct Limits {
  std::uint64_t body_bytes = 64 * 1024;
  std::uint32_t header_bytes = 8 * 1024;
  std::chrono::seconds request_timeout{30};  // a whole request, or an idle keep-alive gap
  std::size_t max_connections = 512;
};

// What sessions share: where handlers run and how they get back to the I/O thread.
struct Dispatcher {
  asio::io_context& io;
  asio::thread_pool& workers;
  Handler handler;
  Limits limits;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::ip::tcp::socket socket, Dispatcher& dispatcher);

  void start();
  // The server is stopping: finish the request in progress, drop an idle connection.
  void stop();

 private:
  void read_header();
  void on_header(beast::error_code ec);
  void read_body();
  void on_body(beast::error_code ec);
  void on_read_error(beast::error_code ec);
  void run_handler();
  void write(api::Response response, bool keep_alive);
  void on_write(beast::error_code ec, bool keep_alive);
  void reply_and_close(unsigned status, std::string_view message);
  void drain_and_close();
  void drain(std::size_t drained);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<void> in_flight_;  // the message being written, kept alive until done
  Dispatcher& dispatcher_;
  bool busy_ = false;  // a request is being handled or answered
  bool stopping_ = false;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace contacts::http
