#pragma once
// The hub's HTTP listeners (Boost.Beast, on the hub's one io_context): the public enrollment
// port and the local health port. Each request is bounded like the edge's health server
// (health/limits.hpp: head size, one deadline for the whole request, connections at once)
// and its body by `max_body`; what the server cannot read goes to `unreadable`.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "health/limits.hpp"
#include "net/address.hpp"
#include "util/result.hpp"

namespace wgs::hub {

struct HttpRequest {
  std::string_view method;
  std::string_view target;
  std::span<std::uint8_t const> body;
  net::IpAddress source;
};

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Routes {
  std::function<HttpReply(HttpRequest const&)> respond;
  std::function<HttpReply(net::IpAddress const& source)> unreadable;  // oversized or not HTTP
};

struct ServerLimits {
  health::Limits limits;
  std::size_t max_body = 0;
};

class HttpListener;

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> start(boost::asio::io_context& io, net::HostPort const& listen,
                                                   Routes routes, ServerLimits const& limits);
  ~HttpServer();
  HttpServer(HttpServer const&) = delete;
  HttpServer& operator=(HttpServer const&) = delete;
  std::uint16_t port() const;

 private:
  explicit HttpServer(std::shared_ptr<HttpListener> listener) : listener_(std::move(listener)) {}
  std::shared_ptr<HttpListener> listener_;
};

}  // namespace wgs::hub
