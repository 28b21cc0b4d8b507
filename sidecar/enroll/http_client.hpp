#pragma once
// One HTTP/1.1 exchange with the hub (Boost.Beast), everything inside one deadline: connect,
// send, read the answer (its body bounded). The edge enrolls and leaves with it; `hub status`
// reads the hub's /status with it.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "net/address.hpp"
#include "util/duration.hpp"
#include "util/result.hpp"

namespace wgs::enroll {

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::optional<Duration> retry_after;  // a 429's Retry-After
};

struct HttpRequest {
  net::IpAddress ip;
  std::uint16_t port = 0;
  std::string_view method = "POST";
  std::string_view target;
  std::span<std::uint8_t const> body;
  Duration timeout{3000};
  std::size_t max_answer = 64 * 1024;
};

// Errors while connecting keep the socket's errno (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, ...):
// nothing listens there. Errors after the connection was made carry EPROTO.
Result<HttpAnswer> exchange(HttpRequest const& request);
bool is_unreachable(Error const& error);

}  // namespace wgs::enroll
