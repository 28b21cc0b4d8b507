#pragma once
// Who gets a place when a client connects to the health server, apart from any socket: a
// platform's check must get in while slow clients (slowloris: many connections that each
// send a request head a byte at a time) hold the others.
//   - A client address already holding max_per_source connections makes room among its own:
//     its oldest idle connection is closed (or the newcomer, when none is idle).
//   - At max_connections, the oldest idle connection of the address that holds the most is
//     closed: a check arriving from an address of its own is not the one to go while another
//     address holds more.
// Idle means still waiting for its request head; an answer being written is never cut.
#include <cstddef>
#include <string>
#include <vector>

#include "health/limits.hpp"

namespace wgs::health {

struct Occupant {
  std::string source;  // the client's address
  bool idle = false;   // its request head has not arrived yet
};

struct Admission {
  enum class Kind { admit, evict, refuse };
  Kind kind = Kind::admit;
  std::size_t victim = 0;  // for evict: the index in `open` to close before admitting
};

// `open` in the order the connections were accepted, oldest first.
Admission admit(std::vector<Occupant> const& open, std::string const& source, Limits const& limits);

}  // namespace wgs::health
