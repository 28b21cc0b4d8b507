#pragma once
// The kernel's WireGuard over generic netlink: what `wg setconf` and `wg show` do, without
// running them. One Client per owner; it keeps its socket and the resolved family id.
#include <cstdint>
#include <string_view>

#include "netlink/socket.hpp"
#include "util/result.hpp"
#include "wireguard/device.hpp"

namespace wgs::wireguard::kernel {

// The netlink framing this family is written in.
using netlink::Socket;
using netlink::default_timeout;

// The family id of "wireguard". Without the module the error has code ENOENT and says the
// kernel has no WireGuard (the userspace implementation is the way out).
Result<std::uint16_t> resolve_family(Socket& socket);

class Client {
 public:
  static Result<Client> open(Duration timeout = default_timeout);

  // Applies `settings` to link `ifname`: with settings.replace_peers the device ends up with
  // exactly these peers (WGDEVICE_F_REPLACE_PEERS, which drops the sessions of peers it had);
  // without, the listed peers are updated in place. Each peer's allowed IPs are replaced.
  // Large settings go out in several acked messages; the buffer is wiped after each.
  Status set_device(std::string_view ifname, wireguard::DeviceSettings const& settings);

  // The device's state (`wg show`), redone when the kernel reports that it changed mid-dump.
  Result<wireguard::DeviceState> get_device(std::string_view ifname);

  std::uint16_t family() const { return family_; }

 private:
  Client(Socket socket, std::uint16_t family) : socket_(std::move(socket)), family_(family) {}
  Socket socket_;
  std::uint16_t family_;
};

}  // namespace wgs::wireguard::kernel
