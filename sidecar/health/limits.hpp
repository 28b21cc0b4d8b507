#pragma once
// What one client may cost the health server: the endpoints share the supervisor's only
// thread, so every request is bounded in size, time and number.
#include <chrono>
#include <cstddef>

namespace wgs::health {

struct Limits {
  std::size_t max_head_bytes = 8 * 1024;              // request line + headers; more is a 431
  std::chrono::milliseconds request_timeout{5000};    // to send the request, and again to take the answer
  std::size_t max_connections = 32;                   // further clients are closed at once
};

}  // namespace wgs::health
