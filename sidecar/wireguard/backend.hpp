#pragma once
// A WireGuard device wgsidecar configures: in the kernel (generic netlink) or in a
// userspace implementation (UAPI socket). The link itself (addresses, MTU, routes) is
// rtnetlink's business either way and lives in link_setup.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.hpp"
#include "wireguard/device.hpp"

namespace wgs::wireguard {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;  // "kernel" or "userspace"
  virtual Status configure(wireguard::DeviceSettings const& settings) = 0;
  virtual Result<wireguard::DeviceState> read() = 0;
  // read() in two steps: the question now, the answer when the returned function is called
  // (uapi::PendingGet says why). The kernel answers at once.
  using Answer = std::function<Result<wireguard::DeviceState>()>;
  virtual Answer ask() {
    return [state = read()] { return state; };
  }
  // The userspace implementation's process, when there is one we started (0 otherwise).
  virtual int process_id() const { return 0; }
  // Whether the device can still be configured (the userspace process may have died).
  virtual bool is_alive() { return true; }
};

std::unique_ptr<Backend> kernel_backend(std::string ifname);

struct UserspaceOptions {
  std::string implementation = "wireguard-go";  // WG_USERSPACE_IMPLEMENTATION
  bool detach = false;  // CLI `up`: the implementation outlives wgsidecar (own session)
};
// Starts the implementation and waits for its UAPI socket.
Result<std::unique_ptr<Backend>> start_userspace_backend(std::string ifname, UserspaceOptions const& options);
// A device some earlier wgsidecar started: configured over its socket, process not ours.
std::unique_ptr<Backend> attach_userspace_backend(std::string ifname);
bool userspace_socket_accepts(std::string const& ifname);

}  // namespace wgs::wireguard
