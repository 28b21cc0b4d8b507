#pragma once
// What one client may cost the health server: the endpoints share the supervisor's only
// thread, so every request is bounded in size, time and number, and no single client address
// can hold the places a platform's check needs.
#include <chrono>
#include <cstddef>

namespace wgs::health {

struct Limits {
  std::size_t max_head_bytes = 8 * 1024;            // request line + headers; more is a 431
  // From the accept to the end of the request head, whatever arrives meanwhile: a real client
  // (Fly's check, Prometheus, curl) sends its few hundred bytes at once, and a client that
  // trickles them (slowloris) loses its place after this.
  std::chrono::milliseconds head_timeout{2000};
  std::chrono::milliseconds write_timeout{5000};    // for the client to take the answer
  std::size_t max_connections = 32;                 // then the oldest idle one makes room
  std::size_t max_per_source = 8;                   // connections one client address may hold
};

}  // namespace wgs::health
