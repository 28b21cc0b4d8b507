#pragma once
// SIDECAR_HEALTH_ADDR's HTTP server: /healthz, /readyz, /status and /metrics on the
// supervisor's io_context. Single-threaded and non-blocking like the rest of the event
// loop; every request is bounded (limits.hpp) and slow clients cannot hold every place
// (admission.hpp). Its sockets are close-on-exec, so the app never inherits them.
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "health/limits.hpp"
#include "health/snapshot.hpp"
#include "net/address.hpp"
#include "util/result.hpp"

namespace wgs::health {

class Listener;

class Server {
 public:
  // Listens on `listen` (listen_address.hpp: an IP, [::] for IPv4 and IPv6, or a name from
  // /etc/hosts; port 0 = any free port) on `io`; serves until destroyed. The error says what
  // could not be done and why (not in /etc/hosts, address in use, not an address here).
  static Result<std::unique_ptr<Server>> start(boost::asio::io_context& io, net::HostPort const& listen,
                                               SnapshotSource source);
  static Result<std::unique_ptr<Server>> start(boost::asio::io_context& io, net::HostPort const& listen,
                                               SnapshotSource source, Limits const& limits);
  std::uint16_t port() const;  // the bound port
  // What is bound, for the log: "[::]:9090 (IPv4 and IPv6)", "fly-local-6pn:9090 (fdaa::2)".
  std::string address() const;
  // Stops listening and closes every open connection; the source is not called again.
  ~Server();
  Server(Server const&) = delete;
  Server& operator=(Server const&) = delete;

 private:
  Server(std::shared_ptr<Listener> listener, std::string address);
  std::shared_ptr<Listener> listener_;
  std::string address_;
};

}  // namespace wgs::health
