// libFuzzer target: whatever a userspace implementation (or anything else that grabbed
// its socket path) answers, the UAPI reply parsers must neither crash nor overrun.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wireguard/uapi/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const reply(reinterpret_cast<char const*>(data), size);
  wgs::wireguard::uapi::is_complete(reply);
  wgs::wireguard::uapi::parse_set_reply(reply);
  auto const state = wgs::wireguard::uapi::parse_get(reply);
  if (state.ok()) {
    // Everything parsed must be usable as it is.
    for (auto const& peer : state->peers) {
      if (peer.endpoint) (void)peer.endpoint->to_string();
      for (auto const& prefix : peer.allowed_ips) (void)prefix.to_string();
    }
  }
  return 0;
}
