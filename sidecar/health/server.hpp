#pragma once
// SIDECAR_HEALTH_ADDR's HTTP server: /healthz, /readyz, /status and /metrics on the
// supervisor's io_context. Single-threaded and non-blocking like the rest of the event
// loop; every request is bounded (limits.hpp).
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "health/limits.hpp"
#include "health/snapshot.hpp"
#include "net/address.hpp"
#include "util/result.hpp"

namespace wgs::health {

class Listener;

class Server {
 public:
  // Listens on `listen` (numeric IP:port; port 0 = any free port) on `io`; serves until destroyed.
  static Result<std::unique_ptr<Server>> start(boost::asio::io_context& io, net::HostPort const& listen,
                                               SnapshotSource source);
  static Result<std::unique_ptr<Server>> start(boost::asio::io_context& io, net::HostPort const& listen,
                                               SnapshotSource source, Limits const& limits);
  std::uint16_t port() const;  // the bound port
  // Stops listening and closes every open connection; the source is not called again.
  ~Server();
  Server(Server const&) = delete;
  Server& operator=(Server const&) = delete;

 private:
  explicit Server(std::shared_ptr<Listener> listener);
  std::shared_ptr<Listener> listener_;
};

}  // namespace wgs::health
