#include "enroll/http_client.hpp"

#include <cerrno>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/vector_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "net/close_on_exec.hpp"

namespace wgs::enroll {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

tcp::endpoint endpoint_of(HttpRequest const& request) {
  asio::ip::address address;
  if (request.ip.is_v4()) {
    asio::ip::address_v4::bytes_type bytes;
    std::copy_n(request.ip.bytes.begin(), 4, bytes.begin());
    address = asio::ip::address_v4(bytes);
  } else {
    asio::ip::address_v6::bytes_type bytes;
    std::copy_n(request.ip.bytes.begin(), 16, bytes.begin());
    address = asio::ip::address_v6(bytes);
  }
  return {address, request.port};
}

int connect_errno(beast::error_code ec) {
  if (ec == beast::error::timeout) return ETIMEDOUT;
  return ec.category() == boost::system::system_category() ? ec.value() : EHOSTUNREACH;
}

std::optional<Duration> retry_after(http::response<http::string_body> const& response) {
  auto const field = response.find(http::field::retry_after);
  if (field == response.end()) return std::nullopt;
  auto const text = field->value();
  unsigned seconds = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || seconds > 3600) return std::nullopt;
    seconds = seconds * 10 + static_cast<unsigned>(c - '0');
  }
  return Duration(seconds * 1000);
}

// The exchange as a chain of asynchronous steps under one stream deadline.
class Exchange {
 public:
  Exchange(asio::io_context& io, HttpRequest const& request) : stream_(io), request_(request) {
    parser_.body_limit(request.max_answer);
  }

  void start() {
    auto const endpoint = endpoint_of(request_);
    beast::error_code ec;
    stream_.socket().open(endpoint.protocol(), ec);
    if (ec) return fail_connect(ec);
    net::close_on_exec(stream_.socket().native_handle());
    stream_.expires_after(request_.timeout);
    stream_.async_connect(endpoint, [this](beast::error_code error) { on_connect(error); });
  }

  Result<HttpAnswer> result() { return std::move(result_); }

 private:
  void on_connect(beast::error_code ec) {
    if (ec) return fail_connect(ec);
    outgoing_.method_string(std::string(request_.method));
    outgoing_.target(std::string(request_.target));
    outgoing_.version(11);
    outgoing_.set(http::field::host, endpoint_of(request_).address().to_string());
    outgoing_.set(http::field::content_type, "application/octet-stream");
    outgoing_.keep_alive(false);
    outgoing_.body().assign(request_.body.begin(), request_.body.end());
    outgoing_.prepare_payload();
    http::async_write(stream_, outgoing_, [this](beast::error_code error, std::size_t) { on_written(error); });
  }

  void on_written(beast::error_code ec) {
    if (ec) return fail_exchange("sending the request", ec);
    http::async_read(stream_, buffer_, parser_, [this](beast::error_code error, std::size_t) { on_read(error); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return fail_exchange("reading the answer", ec);
    auto const& response = parser_.get();
    result_ = HttpAnswer{static_cast<int>(response.result_int()), response.body(), retry_after(response)};
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  void fail_connect(beast::error_code ec) {
    result_ = make_error(fmt::format("connecting: {}", ec == beast::error::timeout ? "timed out" : ec.message()),
                         connect_errno(ec));
  }

  void fail_exchange(std::string_view doing, beast::error_code ec) {
    result_ = make_error(fmt::format("{}: {}", doing, ec == beast::error::timeout ? "timed out" : ec.message()), EPROTO);
  }

  beast::tcp_stream stream_;
  HttpRequest const& request_;
  http::request<http::vector_body<std::uint8_t>> outgoing_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  Result<HttpAnswer> result_ = make_error("no answer", EPROTO);
};

}  // namespace

Result<HttpAnswer> exchange(HttpRequest const& request) {
  asio::io_context io;
  Exchange exchange(io, request);
  exchange.start();
  io.run();
  return exchange.result();
}

bool is_unreachable(Error const& error) { return error.code != 0 && error.code != EPROTO; }

}  // namespace wgs::enroll
