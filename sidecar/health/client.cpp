#include "health/client.hpp"

#include <algorithm>
#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "dns/resolve.hpp"

namespace wgs::health {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

// The health server's answers are a line or a page of metrics; anything larger is not it.
constexpr std::uint64_t max_body_bytes = 1 << 20;

bool is_unspecified(net::IpAddress const& ip) {
  return std::all_of(ip.bytes.begin(), ip.bytes.begin() + static_cast<std::ptrdiff_t>(ip.size()),
                     [](std::uint8_t byte) { return byte == 0; });
}

std::string first_line(std::string const& body) { return body.substr(0, body.find_first_of("\r\n")); }

// One request and its answer on one connection, driven by the caller's io_context; the
// stream's deadline covers connect, write and read together.
class Exchange {
 public:
  Exchange(asio::io_context& io, std::string_view path) : stream_(io) {
    request_.method(http::verb::get);
    request_.target(std::string(path));
    request_.version(11);
    request_.set(http::field::host, "localhost");
    request_.keep_alive(false);
    parser_.body_limit(max_body_bytes);
  }

  void start(asio::ip::tcp::endpoint const& endpoint, Clock::time_point deadline) {
    stream_.expires_at(deadline);
    stream_.async_connect(endpoint, [this](beast::error_code ec) { on_connect(ec); });
  }

  beast::error_code error() const { return error_; }
  Answer answer() const { return {static_cast<int>(parser_.get().result_int()), first_line(parser_.get().body())}; }

 private:
  void on_connect(beast::error_code ec) {
    if (ec) return void(error_ = ec);
    http::async_write(stream_, request_, [this](beast::error_code write_ec, std::size_t) { on_write(write_ec); });
  }

  void on_write(beast::error_code ec) {
    if (ec) return void(error_ = ec);
    http::async_read(stream_, buffer_, parser_, [this](beast::error_code read_ec, std::size_t) { error_ = read_ec; });
  }

  beast::tcp_stream stream_;
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  beast::error_code error_;
};

}  // namespace

net::IpAddress dial_address(net::IpAddress const& bound) {
  if (!is_unspecified(bound)) return bound;
  return *net::IpAddress::parse(bound.is_v4() ? "127.0.0.1" : "::1");
}

Result<Answer> ask(net::HostPort const& listen, std::string_view path, Duration deadline) {
  auto const until = Clock::now() + deadline;
  auto bound = dns::first_address(listen.host, deadline);
  if (!bound) return make_error(fmt::format("the health address {}: {}", listen.to_string(), bound.error().message));
  auto const ip = dial_address(*bound);
  net::HostPort const where{ip.to_string(), listen.port};
  asio::io_context io;
  Exchange exchange(io, path);
  exchange.start({asio::ip::make_address(where.host), listen.port}, until);
  io.run();
  if (auto ec = exchange.error()) {
    return make_error(fmt::format("nothing answered GET {} on {} (deadline {}): {}", path, where.to_string(),
                                  format_duration(deadline), ec.message()),
                      ec.value());
  }
  return exchange.answer();
}

}  // namespace wgs::health
