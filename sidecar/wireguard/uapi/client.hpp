#pragma once
// Talking to a userspace WireGuard over its UAPI socket, as `wg` does (tools src/ipc-uapi.h):
// one connection per request, every step bounded by a deadline.
#include <chrono>
#include <string>
#include <utility>

#include "util/duration.hpp"
#include "util/result.hpp"
#include "wireguard/device.hpp"

namespace wgs::wireguard::uapi {

inline constexpr Duration default_timeout{5000};

// Where an implementation listens for interface `ifname`: /var/run/wireguard/IFNAME.sock.
// The directory is shared by every network namespace of the machine.
std::string socket_path(std::string const& ifname);

// Replaces the device's settings and peers. Errors read "configuring IFNAME over PATH: ..."
// and carry the implementation's errno (or the socket's) in Error::code.
Status set_device(std::string const& ifname, wireguard::DeviceSettings const& settings, Duration timeout = default_timeout);

// Reads the device's state. Errors read "reading IFNAME over PATH: ...".
Result<wireguard::DeviceState> get_device(std::string const& ifname, Duration timeout = default_timeout);

// A connected UAPI socket, closed when dropped.
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  ~Connection();
  Connection(Connection&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Connection(Connection const&) = delete;
  Connection& operator=(Connection const&) = delete;
  Connection& operator=(Connection&&) = delete;
  int fd() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// get_device in two steps: the request goes now, the reply is read later. The implementation
// answers within microseconds, but a caller that waits for it at once sleeps and wakes for it;
// one with something else to wait for (the probe's ping) reads it when awake anyway.
class PendingGet {
 public:
  PendingGet(Connection connection, std::chrono::steady_clock::time_point deadline, std::string ifname);
  // The reply, waited for until the request's deadline at most; once.
  Result<wireguard::DeviceState> reply();

 private:
  Connection connection_;
  std::chrono::steady_clock::time_point deadline_;
  std::string ifname_;
};
Result<PendingGet> ask_device(std::string const& ifname, Duration timeout = default_timeout);

// Whether an implementation accepts connections on the interface's socket right now. A
// socket file left behind by a dead implementation refuses them.
bool socket_accepts(std::string const& ifname);

}  // namespace wgs::wireguard::uapi
