// The userspace backend: an implementation such as wireguard-go serves the device, and
// wgsidecar configures it over its UAPI socket. Used under WG_BACKEND=userspace, or under
// auto when the kernel has no WireGuard.
#include <memory>
#include <optional>

#include "wireguard/backend.hpp"
#include "wireguard/uapi/client.hpp"
#include "wireguard/uapi/userspace_process.hpp"

namespace wgs::wireguard {
namespace {

class UserspaceBackend final : public Backend {
 public:
  UserspaceBackend(std::string ifname, std::optional<wireguard::uapi::UserspaceProcess> process)
      : ifname_(std::move(ifname)), process_(std::move(process)) {}

  std::string_view name() const override { return "userspace"; }

  Status configure(wireguard::DeviceSettings const& settings) override {
    auto done = wireguard::uapi::set_device(ifname_, settings);
    if (!done) return explained(done.error());
    return done;
  }

  Result<wireguard::DeviceState> read() override {
    auto state = wireguard::uapi::get_device(ifname_);
    if (!state) return explained(state.error());
    return state;
  }

  // An implementation that dies between the question and the answer is seen by the next
  // probe's look, which asks is_alive() first.
  Answer ask() override {
    auto pending = wireguard::uapi::ask_device(ifname_);
    if (!pending) return [state = explained(pending.error())] { return state; };
    return [shared = std::make_shared<wireguard::uapi::PendingGet>(std::move(*pending))] { return shared->reply(); };
  }

  int process_id() const override { return process_ ? process_->pid() : 0; }
  bool is_alive() override { return process_ ? process_->is_running() : wireguard::uapi::socket_accepts(ifname_); }

 private:
  // The error, and the implementation's exit when that is what caused it.
  Error explained(Error const& cause) const {
    return process_ && !process_->is_running() ? died(cause) : cause;
  }

  Error died(Error const& cause) const {
    return make_error(fmt::format("{}; the userspace implementation {}: {}", cause.message,
                                  process_->describe_exit(), process_->output()));
  }

  std::string ifname_;
  std::optional<wireguard::uapi::UserspaceProcess> process_;
};

}  // namespace

Result<std::unique_ptr<Backend>> start_userspace_backend(std::string ifname, UserspaceOptions const& options) {
  wireguard::uapi::ProcessOptions process_options;
  process_options.implementation = options.implementation;
  process_options.detach = options.detach;
  auto process = wireguard::uapi::UserspaceProcess::start(ifname, process_options);
  if (!process) return process.error();
  return std::unique_ptr<Backend>(std::make_unique<UserspaceBackend>(std::move(ifname), std::move(*process)));
}

std::unique_ptr<Backend> attach_userspace_backend(std::string ifname) {
  return std::make_unique<UserspaceBackend>(std::move(ifname), std::nullopt);
}

bool userspace_socket_accepts(std::string const& ifname) {
  return wireguard::uapi::socket_accepts(ifname);
}

}  // namespace wgs::wireguard
