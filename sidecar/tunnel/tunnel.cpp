#include "tunnel/tunnel.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include "log/log.hpp"
#include "netlink/rtnl.hpp"
#include "tunnel/link_setup.hpp"
#include "tunnel/plan.hpp"

namespace wgs::tunnel {
namespace {

namespace rtnl = netlink::rtnl;
using config::Backend;

std::string socket_path(std::string const& ifname) { return "/var/run/wireguard/" + ifname + ".sock"; }

Result<std::unique_ptr<wireguard::Backend>> existing_device(netlink::rtnl::LinkInfo const& link) {
  if (link.kind == "wireguard") return wireguard::kernel_backend(link.name);
  if (wireguard::userspace_socket_accepts(link.name)) return wireguard::attach_userspace_backend(link.name);
  return make_error(fmt::format("interface {} exists but is not a WireGuard device (kind '{}'); "
                                "remove it or set WG_INTERFACE to another name",
                                link.name, link.kind));
}

Result<std::unique_ptr<wireguard::Backend>> new_device(netlink::Socket& socket, config::WireGuard const& wireguard,
                                                    UpOptions const& options) {
  auto const& name = wireguard.interface.name;
  if (wireguard.backend != Backend::userspace) {
    auto created = rtnl::create_link(socket, name, "wireguard");
    if (created) return wireguard::kernel_backend(name);
    if (created.error().code != EOPNOTSUPP || wireguard.backend == Backend::kernel) {
      if (created.error().code == EOPNOTSUPP) {
        return make_error("the kernel has no WireGuard module (WG_BACKEND=kernel); "
                          "use WG_BACKEND=auto or userspace to run " + wireguard.userspace_implementation,
                          EOPNOTSUPP);
      }
      return created.error();
    }
    log::info("the kernel has no WireGuard: falling back to {} (userspace)", wireguard.userspace_implementation);
  }
  return wireguard::start_userspace_backend(name, {wireguard.userspace_implementation, options.detach_userspace});
}

Status configure_everything(netlink::Socket& socket, config::WireGuard const& wireguard, Tunnel& tunnel,
                            UpOptions const& options) {
  auto endpoints = resolve_endpoints(wireguard, options.resolve_timeout);
  if (!endpoints) return endpoints.error();
  tunnel.endpoints = *endpoints;
  auto settings = device_settings(wireguard, tunnel.endpoints);
  settings.replace_peers = !options.keep_sessions;
  if (auto configured = tunnel.backend->configure(settings); !configured) return configured;
  auto index = rtnl::find_link(socket, wireguard.interface.name);
  if (!index) return index.error();
  if (!*index) return make_error(fmt::format("interface {} vanished during bring-up", wireguard.interface.name));
  tunnel.ifindex = **index;
  auto mtu = choose_mtu(socket, wireguard.interface, tunnel.endpoints);
  if (!mtu) return mtu.error();
  // A re-created interface keeps what WG_MTU=probe found: the route's MTU is only an upper bound.
  bool const keep_probed = wireguard.interface.mtu_mode == config::MtuMode::probe && tunnel.mtu != 0;
  tunnel.mtu = keep_probed ? std::min(*mtu, tunnel.mtu) : *mtu;
  return apply_link(socket, tunnel.ifindex, wireguard, tunnel.mtu);
}

}  // namespace

Result<Tunnel> up(config::WireGuard const& wireguard, UpOptions const& options) {
  auto socket = rtnl::open();
  if (!socket) return socket.error();
  auto existing = rtnl::get_link(*socket, wireguard.interface.name);
  if (!existing) return existing.error();
  bool const created = !existing->has_value();
  auto backend = created ? new_device(*socket, wireguard, options) : existing_device(**existing);
  if (!backend) return backend.error();
  Tunnel tunnel;
  tunnel.backend = std::move(*backend);
  if (auto done = configure_everything(*socket, wireguard, tunnel, options); !done) {
    // Like wg-quick's trap: a half-made interface is worse than none.
    if (created) down(wireguard, Duration(3000));
    return make_error(fmt::format("bringing {} up: {}", wireguard.interface.name, done.error().message), done.error().code);
  }
  log::info("{} is up ({} backend, mtu {})", wireguard.interface.name, tunnel.backend->name(), tunnel.mtu);
  return tunnel;
}

bool is_refused_for_good(Error const& error) {
  switch (error.code) {
    case ENOENT:      // the implementation is not on PATH
    case ENOEXEC:     // nor a program
    case EACCES:      // nor executable, or netlink refused
    case EPERM:       // no CAP_NET_ADMIN
    case EOPNOTSUPP:  // WG_BACKEND=kernel without the module
      return true;
    default:
      return false;
  }
}

Status reconfigure(config::WireGuard const& wireguard, Tunnel& tunnel, UpOptions const& options) {
  auto socket = rtnl::open();
  if (!socket) return socket.error();
  return configure_everything(*socket, wireguard, tunnel, options);
}

Status down(config::WireGuard const& wireguard, Duration timeout) {
  auto const& name = wireguard.interface.name;
  auto socket = rtnl::open();
  if (!socket) return socket.error();
  auto index = rtnl::find_link(*socket, name);
  if (!index) return index.error();
  if (*index) {
    if (auto deleted = rtnl::delete_link(*socket, **index); !deleted && deleted.error().code != ENODEV) return deleted;
  }
  // A userspace implementation notices its device is gone and exits, removing its socket.
  // A socket nobody answers on (the implementation was killed) is stale: no need to wait.
  auto const path = socket_path(name);
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  struct stat info{};
  while (::stat(path.c_str(), &info) == 0 && wireguard::userspace_socket_accepts(name) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (::stat(path.c_str(), &info) == 0 && !wireguard::userspace_socket_accepts(name)) ::unlink(path.c_str());
  if (::stat(path.c_str(), &info) == 0) {
    return make_error(fmt::format("{} still answers on {} after the interface was removed", name, path));
  }
  return ok_status();
}

Result<std::unique_ptr<wireguard::Backend>> attach(config::WireGuard const& wireguard) {
  auto socket = rtnl::open();
  if (!socket) return socket.error();
  auto link = rtnl::get_link(*socket, wireguard.interface.name);
  if (!link) return link.error();
  if (!link->has_value()) {
    return make_error(fmt::format("interface {} does not exist (run `wgsidecar up` first)", wireguard.interface.name));
  }
  return existing_device(**link);
}

Status wait_for_handshake(wireguard::Backend& backend, config::WireGuard const& wireguard, Duration timeout) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto state = backend.read();
    if (!state) return state.error();
    if (!state->peers.empty() && state->peers.front().last_handshake) return ok_status();
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto const& peer = wireguard.peers.front();
  return make_error(fmt::format(
      "no handshake with the hub within {}: check that WG_PEER_PUBLIC_KEY is the hub's public key, that the hub "
      "has this edge as a peer (`wgsidecar hub-peer`), and that UDP reaches {}",
      format_duration(timeout), peer.endpoint ? peer.endpoint->to_string() : std::string("the hub")));
}

}  // namespace wgs::tunnel
