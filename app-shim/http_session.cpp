#include "http_session.hpp"

#include <exception>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "log.hpp"

namespace contacts::http {
namespace {

// After an error reply the client may still be sending the body we refused. Reading it
// for a moment before closing keeps the kernel from answering with a reset that could
// destroy our reply before the client reads it.
constexpr auto drain_timeout = std::chrono::seconds(2);
constexpr std::size_t drain_max_bytes = 1024 * 1024;

bool is_http_syntax_error(beast::error_code ec) {
  static auto const& http_category = beast::error_code(bhttp::error::bad_method).category();
  return ec.category() == http_category && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

api::Response run_guarded(Handler const& handler, api::Request const& request) {
  try {
    return handler(request);
  } catch (std::exception const& e) {
    log::error("{} {}: handler failed: {}", request.method, request.target, e.what());
  } catch (...) {
    log::error("{} {}: handler failed", request.method, request.target);
  }
  return api::error_response(500, "internal error");
}

}  // namespace

Session::Session(asio::ip::tcp::socket socket, Dispatcher& dispatcher)
    : stream_(std::move(socket)), dispatcher_(dispatcher) {}

void Session::start() { read_header(); }

void Session::stop() {
  stopping_ = true;
  if (busy_) return;  // on_write closes once the answer is out
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

void Session::read_header() {
  parser_.emplace();
  parser_->body_limit(dispatcher_.limits.body_bytes);
  parser_->header_limit(dispatcher_.limits.header_bytes);
  stream_.expires_after(dispatcher_.limits.request_timeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Session::on_header(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  busy_ = true;  // from here on a stop waits for this request
  started_ = std::chrono::steady_clock::now();
  auto const& request = parser_->get();
  if (!beast::iequals(request[bhttp::field::expect], "100-continue")) return read_body();
  auto reply = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, request.version());
  in_flight_ = reply;
  bhttp::async_write(stream_, *reply, [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
    if (!write_ec) self->read_body();
  });
}

void Session::read_body() {
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void Session::on_body(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  run_handler();
}

void Session::on_read_error(beast::error_code ec) {
  if (ec == bhttp::error::body_limit) {
    return reply_and_close(413, fmt::format("request body is larger than {} bytes", dispatcher_.limits.body_bytes));
  }
  if (ec == bhttp::error::header_limit) return reply_and_close(431, "request header is too large");
  if (is_http_syntax_error(ec)) return reply_and_close(400, "malformed HTTP request");
  // End of stream, timeout (the stream has closed itself), reset, or stop(): nothing to say.
}

void Session::run_handler() {
  auto message = parser_->release();
  bool const keep_alive = message.keep_alive();
  api::Request request{std::string(message.method_string()), std::string(message.target()), std::move(message.body())};
  // The work guard keeps the I/O loop running while the handler has no socket operation pending.
  asio::post(dispatcher_.workers, [self = shared_from_this(), request = std::move(request), keep_alive,
                                   work = asio::make_work_guard(dispatcher_.io)]() mutable {
    auto response = run_guarded(self->dispatcher_.handler, request);
    log::info("{} {} {} {}ms", request.method, request.target.substr(0, 200), response.status,
              std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - self->started_)
                  .count());
    asio::post(self->dispatcher_.io, [self, response = std::move(response), keep_alive]() mutable {
      self->write(std::move(response), keep_alive);
    });
    work.reset();
  });
}

void Session::write(api::Response response, bool keep_alive) {
  auto reply = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(response.status), 11);
  reply->set(bhttp::field::server, "contacts-api");
  if (!response.body.empty()) reply->set(bhttp::field::content_type, "application/json");
  for (auto const& [name, value] : response.headers) reply->set(name, value);
  reply->body() = std::move(response.body);
  keep_alive = keep_alive && !stopping_;
  reply->keep_alive(keep_alive);
  reply->prepare_payload();
  in_flight_ = reply;
  stream_.expires_after(dispatcher_.limits.request_timeout);
  bhttp::async_write(stream_, *reply, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
    self->on_write(ec, keep_alive);
  });
}

void Session::on_write(beast::error_code ec, bool keep_alive) {
  in_flight_.reset();
  busy_ = false;
  if (ec) return;
  if (keep_alive && !stopping_) return read_header();
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void Session::reply_and_close(unsigned status, std::string_view message) {
  busy_ = true;
  auto body = api::error_response(status, message).body;
  auto reply = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(status), 11);
  reply->set(bhttp::field::server, "contacts-api");
  reply->set(bhttp::field::content_type, "application/json");
  reply->body() = std::move(body);
  reply->keep_alive(false);
  reply->prepare_payload();
  in_flight_ = reply;
  log::info("rejected request: {} {}", status, message);
  stream_.expires_after(dispatcher_.limits.request_timeout);
  bhttp::async_write(stream_, *reply, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->in_flight_.reset();
    self->busy_ = false;
    if (!ec) self->drain_and_close();
  });
}

void Session::drain_and_close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(drain_timeout);
  drain(0);
}

void Session::drain(std::size_t drained) {
  stream_.async_read_some(buffer_.prepare(16 * 1024),
                          [self = shared_from_this(), drained](beast::error_code ec, std::size_t bytes) {
                            if (ec || drained + bytes > drain_max_bytes) return self->stream_.close();
                            self->drain(drained + bytes);
                          });
}

}  // namespace contacts::http
