#pragma once
// One exchange on an accepted socket: read one request head within the limits, answer
// it, close (Connection: close). The object lives as long as its pending operation; the
// server may close it while it still waits for its head, to make room (admission.hpp).
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "health/endpoints.hpp"
#include "health/limits.hpp"

namespace wgs::health {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Respond = std::function<Reply(std::string_view method, std::string_view target)>;

  Connection(boost::asio::ip::tcp::socket socket, Limits const& limits, Respond respond);
  void start();
  // Ends the exchange at once: the server is going away, or needs the place.
  void close();
  // Still waiting for the request head (a slow or silent client, or one just accepted).
  bool is_idle() const { return idle_; }

 private:
  void on_read(boost::beast::error_code ec);
  void send(Reply reply, unsigned version);
  void on_written(boost::beast::error_code ec);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  // buffer_body: a request with a body parses (its head is all we read); with empty_body the
  // parser rejects any Content-Length at the end of the head, turning a 405 into a 400.
  boost::beast::http::request_parser<boost::beast::http::buffer_body> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  Limits limits_;
  Respond respond_;
  bool idle_ = true;
};

}  // namespace wgs::health
