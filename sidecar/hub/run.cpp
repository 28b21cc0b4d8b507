#include "hub/run.hpp"

#include <algorithm>
#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "enroll/envelope.hpp"
#include "hub/http_server.hpp"
#include "hub/service.hpp"
#include "log/log.hpp"
#include "text/json.hpp"
#include "netlink/rtnl.hpp"
#include "tunnel/tunnel.hpp"
#include "util/exit_codes.hpp"

namespace wgs::hub {
namespace {

namespace asio = boost::asio;

// Often enough that a silent machine goes within a tenth of HUB_EXPIRE_AFTER of it, and
// that a key two machines share shows as an endpoint flipping.
Duration sweep_interval(Duration expire_after) { return std::clamp(expire_after / 10, Duration(1000), Duration(5000)); }

HttpReply text(int status, std::string body, std::string type = "text/plain; charset=utf-8") {
  return {status, std::move(type), std::move(body), {}};
}

Routes health_routes(Service& service) {
  return {[&service](HttpRequest const& request) {
            if (request.method != "GET") return text(405, "use GET\n");
            auto const path = request.target.substr(0, request.target.find('?'));
            if (path == "/healthz") return text(200, "ok\n");
            if (path == "/status") return text(200, text::json_text(service.status(), 2) + "\n", "application/json");
            if (path == "/metrics") return text(200, service.metrics(), "text/plain; version=0.0.4; charset=utf-8");
            return text(404, "not found: try /healthz, /status or /metrics\n");
          },
          [](net::IpAddress const&) { return text(400, "bad request\n"); }};
}

Routes enroll_routes(Service& service) {
  return {[&service](HttpRequest const& request) { return service.handle(request); },
          [&service](net::IpAddress const& source) { return service.refuse_unreadable(source); }};
}

// The pool's route through the interface: machines' /32s lie outside the hub's own /24.
Status route_pool(Settings const& settings, tunnel::Tunnel const& tunnel) {
  auto socket = netlink::rtnl::open();
  if (!socket) return socket.error();
  return netlink::rtnl::add_route(*socket, tunnel.ifindex, settings.pool);
}

class Hub {
 public:
  Hub(Settings const& settings, tunnel::Tunnel& tunnel)
      : settings_(settings), tunnel_(tunnel), service_(settings, *tunnel.backend), signals_(io_, SIGINT, SIGTERM),
        sweep_timer_(io_) {}

  int run() {
    if (auto started = start_servers(); !started) {
      log::error("hub: {}", started.error().message);
      return exit_code::os_error;
    }
    signals_.async_wait([this](boost::system::error_code error, int signal) {
      if (!error) log::info("hub: received {}: stopping", strsignal(signal));
      io_.stop();
    });
    schedule_sweep();
    io_.run();
    enroll_.reset();
    health_.reset();
    return code_;
  }

 private:
  Status start_servers() {
    health::Limits const limits;
    if (settings_.enroll_listen) {
      auto server = HttpServer::start(io_, *settings_.enroll_listen, enroll_routes(service_),
                                      {limits, enroll::max_envelope_size});
      if (!server) return make_error(fmt::format("HUB_ENROLL_ADDR: {}", server.error().message));
      enroll_ = std::move(*server);
      log::info("hub: enrollment on {} (POST /v1/enroll, /v1/leave)", settings_.enroll_listen->to_string());
    }
    if (settings_.health_listen) {
      auto server = HttpServer::start(io_, *settings_.health_listen, health_routes(service_), {limits, 0});
      if (!server) return make_error(fmt::format("HUB_HEALTH_ADDR: {}", server.error().message));
      health_ = std::move(*server);
      log::info("hub: /healthz, /status and /metrics on {}", settings_.health_listen->to_string());
    }
    return ok_status();
  }

  void schedule_sweep() {
    sweep_timer_.expires_after(sweep_interval(settings_.expire_after));
    sweep_timer_.async_wait([this](boost::system::error_code error) {
      if (error) return;
      if (!tunnel_.backend->is_alive()) {
        log::error("hub: the WireGuard device {} is gone (its userspace implementation exited); stopping so the "
                   "service manager starts the hub again, and the edges enroll again",
                   settings_.wireguard.interface.name);
        code_ = exit_code::os_error;
        return io_.stop();
      }
      service_.sweep();
      schedule_sweep();
    });
  }

  Settings const& settings_;
  tunnel::Tunnel& tunnel_;
  asio::io_context io_;
  Service service_;
  asio::signal_set signals_;
  asio::steady_timer sweep_timer_;
  std::unique_ptr<HttpServer> enroll_;
  std::unique_ptr<HttpServer> health_;
  int code_ = exit_code::ok;
};

}  // namespace

int serve(Settings const& settings) {
  auto tunnel = tunnel::up(settings.wireguard, {.detach_userspace = false});
  if (!tunnel) {
    log::error("hub: {}", tunnel.error().message);
    return exit_code::os_error;
  }
  if (auto routed = route_pool(settings, *tunnel); !routed) {
    log::error("hub: routing {} through {}: {}", settings.pool.to_string(), settings.wireguard.interface.name,
               routed.error().message);
    tunnel::down(settings.wireguard, Duration(3000));
    return exit_code::os_error;
  }
  log::info("hub: {} serves {} static peer(s) and enrolls machines into {} ({} credential(s) trusted, silent "
            "machines forgotten after {})",
            settings.wireguard.interface.name, settings.wireguard.peers.size(), settings.pool.to_string(),
            settings.credentials.size(), format_duration(settings.expire_after));
  int code = Hub(settings, *tunnel).run();
  tunnel->backend.reset();
  if (auto down = tunnel::down(settings.wireguard, Duration(3000)); !down) log::warn("hub: {}", down.error().message);
  log::info("hub: stopped; {} is down", settings.wireguard.interface.name);
  return code;
}

}  // namespace wgs::hub
