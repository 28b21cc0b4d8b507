#pragma once
// Which answer each request gets, apart from any socket: method and target in, status,
// headers and body out. The server side only carries bytes.
#include <string>
#include <string_view>

#include "health/snapshot.hpp"

namespace wgs::health {

struct Reply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string allow;  // the Allow header of a 405, else empty
  bool head = false;  // a HEAD request: send the headers (Content-Length included) only
};

// GET and HEAD on /healthz, /readyz, /status and /metrics (a query string is ignored).
// Unknown paths are 404, other methods 405. The snapshot is taken only when the answer
// needs it, so /healthz answers whatever state the supervisor is in.
Reply respond(std::string_view method, std::string_view target, SnapshotSource const& source);

// A canned answer for a request that could not be read (400, 431, ...).
Reply error_reply(int status, std::string_view why);

}  // namespace wgs::health
