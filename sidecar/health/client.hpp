#pragma once
// The other side of the health server, from the same machine: `wgsidecar probe` and the
// image's HEALTHCHECK ask the running supervisor what /readyz (or /healthz) says. Reading
// its answer costs one loopback request; the TLS and SCRAM work stays with the supervisor,
// which has done it already at its last probe.
#include <string>
#include <string_view>

#include "net/address.hpp"
#include "util/duration.hpp"
#include "util/result.hpp"

namespace wgs::health {

struct Answer {
  int status = 0;          // the HTTP status: 200 ready (or alive), 503 not ready
  std::string first_line;  // the body's first line, e.g. "not ready: starting: ping: ..."
};

// Where a client on this machine reaches a server bound to `bound`: a wildcard bind
// (0.0.0.0, ::) is reached on the loopback address of its family, anything else as it is.
net::IpAddress dial_address(net::IpAddress const& bound);

// GET `path` from the server listening on `listen` (SIDECAR_HEALTH_ADDR: an address, or a
// name such as fly-local-6pn that /etc/hosts gives). The whole exchange, the name's
// lookup included, ends by `deadline`. An error says that nothing answered, and why.
Result<Answer> ask(net::HostPort const& listen, std::string_view path, Duration deadline);

}  // namespace wgs::health
