// The kernel backend: configuration and state over the "wireguard" generic netlink family.
#include <optional>
#include <utility>

#include "wireguard/kernel/client.hpp"
#include "wireguard/backend.hpp"

namespace wgs::wireguard {
namespace {

// The monitor reads the device at every probe: the client (a generic netlink socket and the
// family id it resolved) is kept, and opened again after an error in case the socket broke.
class KernelBackend final : public Backend {
 public:
  explicit KernelBackend(std::string ifname) : ifname_(std::move(ifname)) {}

  std::string_view name() const override { return "kernel"; }

  Status configure(wireguard::DeviceSettings const& settings) override {
    return through_client([&](auto& client) { return client.set_device(ifname_, settings); });
  }

  Result<wireguard::DeviceState> read() override {
    return through_client([&](auto& client) { return client.get_device(ifname_); });
  }

 private:
  template <class Call>
  auto through_client(Call call) -> decltype(call(std::declval<wireguard::kernel::Client&>())) {
    if (!client_) {
      auto opened = wireguard::kernel::Client::open();
      if (!opened) return opened.error();
      client_.emplace(std::move(*opened));
    }
    auto result = call(*client_);
    if (!result) client_.reset();
    return result;
  }

  std::string ifname_;
  std::optional<wireguard::kernel::Client> client_;
};

}  // namespace

std::unique_ptr<Backend> kernel_backend(std::string ifname) { return std::make_unique<KernelBackend>(std::move(ifname)); }

}  // namespace wgs::wireguard
