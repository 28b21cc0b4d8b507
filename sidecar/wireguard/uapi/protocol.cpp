#include "wireguard/uapi/protocol.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <sodium.h>

#include "wireguard/uapi/reply_lines.hpp"

namespace wgs::wireguard::uapi {
namespace {

// Appends text to guarded memory; growing copies into a new Secret, and the old buffer is
// zeroed when it is freed, so no copy of a key is left behind in ordinary heap memory.
class SecretWriter {
 public:
  void append(std::string_view text) {
    reserve(text.size());
    std::memcpy(buffer_.bytes().data() + used_, text.data(), text.size());
    used_ += text.size();
  }

  void append_hex(std::span<std::uint8_t const> bytes) {
    reserve(bytes.size() * 2 + 1);  // sodium_bin2hex writes a NUL, overwritten by the next append
    sodium_bin2hex(reinterpret_cast<char*>(buffer_.bytes().data() + used_), bytes.size() * 2 + 1, bytes.data(),
                   bytes.size());
    used_ += bytes.size() * 2;
  }

  Secret take() { return Secret::from(buffer_.bytes().first(used_)); }

 private:
  void reserve(std::size_t more) {
    if (used_ + more <= buffer_.size()) return;
    Secret bigger(std::max(buffer_.size() * 2, used_ + more + 256));
    if (used_ > 0) std::memcpy(bigger.bytes().data(), buffer_.bytes().data(), used_);
    buffer_ = std::move(bigger);
  }

  Secret buffer_{1024};
  std::size_t used_ = 0;
};

void encode_peer(SecretWriter& out, wireguard::PeerSettings const& peer) {
  // public_key opens the peer: every line after it, up to the next one, belongs to it.
  out.append(fmt::format("public_key={}\n", keys::hex(peer.public_key)));
  if (peer.remove) {
    out.append("remove=true\n");
    return;
  }
  if (peer.preshared_key != nullptr) {
    out.append("preshared_key=");
    out.append_hex(peer.preshared_key->bytes());
    out.append("\n");
  }
  if (peer.endpoint) out.append(fmt::format("endpoint={}\n", peer.endpoint->to_string()));
  out.append(fmt::format("persistent_keepalive_interval={}\n", peer.persistent_keepalive));
  out.append("replace_allowed_ips=true\n");
  for (auto const& prefix : peer.allowed_ips) out.append(fmt::format("allowed_ip={}\n", prefix.to_string()));
  out.append("protocol_version=1\n");  // the only version there is; say so, as wg does
}

}  // namespace

Secret encode_set(wireguard::DeviceSettings const& settings) {
  SecretWriter out;
  // Device lines must come before the first public_key, or they would be read as peer lines.
  out.append("set=1\n");
  if (settings.private_key != nullptr) {
    out.append("private_key=");
    out.append_hex(settings.private_key->bytes());
    out.append("\n");
  }
  if (settings.listen_port) out.append(fmt::format("listen_port={}\n", *settings.listen_port));
  if (settings.fwmark) out.append(fmt::format("fwmark={}\n", *settings.fwmark));
  if (settings.replace_peers) out.append("replace_peers=true\n");
  for (auto const& peer : settings.peers) encode_peer(out, peer);
  out.append("\n");
  return out.take();
}

bool is_complete(std::string_view received) {
  return received.starts_with('\n') || received.find("\n\n") != std::string_view::npos;
}

Status parse_set_reply(std::string_view reply) {
  auto lines = detail::split_lines(reply);
  if (!lines) return lines.error();
  return detail::check_errno(*lines);
}

}  // namespace wgs::wireguard::uapi
