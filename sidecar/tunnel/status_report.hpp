#pragma once
// `wgsidecar status`: what `wg show` prints, plus what wgsidecar knows (backend, MTU,
// addresses). No key but public ones.
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "netlink/rtnl_messages.hpp"
#include "wireguard/device.hpp"

namespace wgs::tunnel {

struct StatusInput {
  std::string interface;
  std::string backend;
  netlink::rtnl::LinkInfo link;
  std::vector<net::Prefix> addresses;
  wireguard::DeviceState device;
  std::chrono::system_clock::time_point now;
};

nlohmann::json status_json(StatusInput const& input);
std::string status_text(StatusInput const& input);

// Seconds since the handshake, or nullopt for never.
std::optional<std::int64_t> handshake_age_seconds(wireguard::PeerState const& peer, std::chrono::system_clock::time_point now);

}  // namespace wgs::tunnel
