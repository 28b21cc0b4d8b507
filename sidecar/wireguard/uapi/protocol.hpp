#pragma once
// The cross-platform userspace API (wireguard.com/xplatform): the text a userspace
// WireGuard (wireguard-go, boringtun) reads and writes on its UNIX socket. Pure functions,
// no I/O, so the parser can be fuzzed and the encoder compared byte for byte.
#include <cstddef>
#include <string_view>

#include "keys/secret.hpp"
#include "util/result.hpp"
#include "wireguard/device.hpp"

namespace wgs::wireguard::uapi {

// Limits on what we accept from the implementation: a device with a few thousand peers
// fits easily; anything larger is a broken or hostile peer of the socket.
inline constexpr std::size_t max_reply_size = std::size_t{1} << 20;
inline constexpr std::size_t max_line_length = 4 * 1024;

inline constexpr std::string_view get_request = "get=1\n\n";

// A complete `set=1` request, blank line included, that replaces the device's settings and
// peers. It holds the private and preshared keys in hex, so it lives in a Secret and goes
// on the socket from there.
Secret encode_set(wireguard::DeviceSettings const& settings);

// Whether `received` holds a whole reply: every reply ends with an empty line.
bool is_complete(std::string_view received);

// The reply to `set=1`: "errno=N\n\n". Ok for N = 0; any other N is an Error with code |N|
// (wireguard-go sends negative numbers, the specification positive ones).
Status parse_set_reply(std::string_view reply);

// The reply to `get=1`. The device's public key is derived from its private key, which is
// not kept. Unknown keys are skipped (newer implementations add some); a malformed value
// is an error naming its key, never quoting the value.
Result<wireguard::DeviceState> parse_get(std::string_view reply);

}  // namespace wgs::wireguard::uapi
