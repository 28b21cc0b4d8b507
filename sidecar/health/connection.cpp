#include "health/connection.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace wgs::health {

namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

std::string_view view(beast::string_view text) { return {text.data(), text.size()}; }

// The client gave up or the server is closing: nobody is left to answer.
bool is_gone(beast::error_code ec) {
  return ec == boost::asio::error::operation_aborted || ec == beast::error::timeout ||
         ec == http::error::end_of_stream || ec == boost::asio::error::connection_reset ||
         ec == boost::asio::error::eof;
}

bool is_too_large(beast::error_code ec) {
  return ec == http::error::header_limit || ec == http::error::buffer_overflow;
}

}  // namespace

Connection::Connection(boost::asio::ip::tcp::socket socket, Limits const& limits, Respond respond)
    // A little room over the head limit, so the parser (not the buffer) reports it.
    : stream_(std::move(socket)), buffer_(limits.max_head_bytes + 1024), limits_(limits), respond_(std::move(respond)) {
  parser_.header_limit(static_cast<std::uint32_t>(limits_.max_head_bytes));
}

void Connection::start() {
  // One deadline for the whole head, so a client trickling a byte at a time is dropped too.
  stream_.expires_after(limits_.head_timeout);
  // The head only: a body (allowed but meaningless here) must not turn a 405 into a 400.
  http::async_read_header(stream_, buffer_, parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void Connection::close() { stream_.close(); }

void Connection::on_read(beast::error_code ec) {
  idle_ = false;
  if (is_gone(ec)) return close();
  if (is_too_large(ec)) return send(error_reply(431, "request header fields too large"), 11);
  if (ec) return send(error_reply(400, "bad request"), 11);
  auto const& request = parser_.get();
  send(respond_(view(request.method_string()), view(request.target())), request.version());
}

void Connection::send(Reply reply, unsigned version) {
  response_.version(version == 10 ? 10 : 11);
  response_.result(static_cast<unsigned>(reply.status));
  response_.set(http::field::content_type, reply.content_type);
  response_.set(http::field::cache_control, "no-store");
  if (!reply.allow.empty()) response_.set(http::field::allow, reply.allow);
  response_.keep_alive(false);
  response_.body() = std::move(reply.body);
  response_.prepare_payload();
  // HEAD: the same headers, Content-Length included, and no body.
  if (reply.head) response_.body().clear();
  stream_.expires_after(limits_.write_timeout);
  http::async_write(stream_, response_,
                    [self = shared_from_this()](beast::error_code write_ec, std::size_t) { self->on_written(write_ec); });
}

void Connection::on_written(beast::error_code) {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  close();
}

}  // namespace wgs::health
