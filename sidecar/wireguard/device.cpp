#include "wireguard/device.hpp"

#include <fmt/format.h>

namespace wgs::wireguard {

std::string Endpoint::to_string() const {
  if (ip.is_v4()) return fmt::format("{}:{}", ip.to_string(), port);
  return fmt::format("[{}]:{}", ip.to_string(), port);
}

}  // namespace wgs::wireguard
