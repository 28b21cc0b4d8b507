// The kernel backend: configuration and state over the "wireguard" generic netlink family.
#include "wireguard/kernel/client.hpp"
#include "wireguard/backend.hpp"

namespace wgs::wireguard {
namespace {

class KernelBackend final : public Backend {
 public:
  explicit KernelBackend(std::string ifname) : ifname_(std::move(ifname)) {}

  std::string_view name() const override { return "kernel"; }

  Status configure(wireguard::DeviceSettings const& settings) override {
    auto client = wireguard::kernel::Client::open();
    if (!client) return client.error();
    return client->set_device(ifname_, settings);
  }

  Result<wireguard::DeviceState> read() override {
    auto client = wireguard::kernel::Client::open();
    if (!client) return client.error();
    return client->get_device(ifname_);
  }

 private:
  std::string ifname_;
};

}  // namespace

std::unique_ptr<Backend> kernel_backend(std::string ifname) { return std::make_unique<KernelBackend>(std::move(ifname)); }

}  // namespace wgs::wireguard
