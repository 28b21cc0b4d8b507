// The WireGuard commands of netlink_driver, for kernels that have WireGuard (the qemu test):
//   wg-show NAME   prints the device state as JSON (no private or preshared keys)
//   wg-set NAME    reads settings from stdin, one "key value" per line:
//                  private_key B64 | listen_port N | fwmark N | peer B64 | preshared_key B64 |
//                  endpoint IP:PORT | keepalive N | allowed_ip CIDR | allowed_ips_generate N
//                  (N host routes 10.x.y.z/32, to exercise message splitting) |
//                  keep_peers 1 (only the listed peers change) | remove B64 (take a peer off)
#include <deque>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "keys/keys.hpp"
#include "wireguard/kernel/client.hpp"

using namespace wgs;
using Args = std::vector<std::string>;

namespace {

struct Input {
  std::deque<Secret> secrets;  // stable addresses: the settings point into it
  wireguard::DeviceSettings settings;
};

Status read_line(std::string const& key, std::string const& value, Input& input) {
  auto& peers = input.settings.peers;
  auto const secret = [&](Secret const*& target) -> Status {
    auto decoded = keys::decode_secret(value);
    if (!decoded) return make_error(fmt::format("{}: {}", key, decoded.error().message), EINVAL);
    input.secrets.push_back(std::move(*decoded));
    target = &input.secrets.back();
    return ok_status();
  };
  if (key == "private_key") return secret(input.settings.private_key);
  if (key == "listen_port") return input.settings.listen_port = std::stoi(value), ok_status();
  if (key == "fwmark") return input.settings.fwmark = std::stoul(value), ok_status();
  if (key == "keep_peers") {
    input.settings.replace_peers = value != "1";
    return ok_status();
  }
  if (key == "remove") {
    auto const public_key = keys::decode_public(value);
    if (!public_key) return public_key.error();
    peers.push_back(wireguard::PeerSettings{*public_key, nullptr, std::nullopt, 0, {}, true});
    return ok_status();
  }
  if (key == "peer") {
    auto const public_key = keys::decode_public(value);
    if (!public_key) return public_key.error();
    peers.push_back(wireguard::PeerSettings{*public_key, nullptr, std::nullopt, 0, {}});
    return ok_status();
  }
  if (peers.empty()) return make_error(fmt::format("{} before the first peer", key), EINVAL);
  auto& peer = peers.back();
  if (key == "preshared_key") return secret(peer.preshared_key);
  if (key == "keepalive") return peer.persistent_keepalive = std::stoi(value), ok_status();
  if (key == "endpoint") {
    auto const host_port = net::HostPort::parse(value);
    if (!host_port || !host_port->numeric()) return make_error("endpoint must be numeric IP:PORT", EINVAL);
    peer.endpoint = wireguard::Endpoint{*host_port->numeric(), host_port->port};
    return ok_status();
  }
  if (key == "allowed_ip") {
    auto const prefix = net::Prefix::parse(value);
    if (!prefix) return prefix.error();
    peer.allowed_ips.push_back(*prefix);
    return ok_status();
  }
  if (key == "allowed_ips_generate") {
    for (int i = 0, count = std::stoi(value); i < count; ++i) {
      peer.allowed_ips.push_back(*net::Prefix::parse(fmt::format("10.{}.{}.{}/32", 100 + (i >> 16), (i >> 8) & 0xff, i & 0xff)));
    }
    return ok_status();
  }
  return make_error(fmt::format("unknown key {}", key), EINVAL);
}

nlohmann::json to_json(wireguard::DeviceState const& state) {
  nlohmann::json peers = nlohmann::json::array();
  for (auto const& peer : state.peers) {
    std::vector<std::string> allowed;
    for (auto const& prefix : peer.allowed_ips) allowed.push_back(prefix.to_string());
    peers.push_back({{"public_key", keys::encode(peer.public_key)},
                     {"has_preshared_key", peer.has_preshared_key},
                     {"endpoint", peer.endpoint ? peer.endpoint->to_string() : ""},
                     {"last_handshake", peer.last_handshake ? std::chrono::duration_cast<std::chrono::seconds>(
                                                                  peer.last_handshake->time_since_epoch())
                                                                  .count()
                                                            : 0},
                     {"rx_bytes", peer.rx_bytes},
                     {"tx_bytes", peer.tx_bytes},
                     {"persistent_keepalive", peer.persistent_keepalive},
                     {"allowed_ips", allowed}});
  }
  return {{"public_key", keys::encode(state.public_key)},
          {"listen_port", state.listen_port},
          {"fwmark", state.fwmark},
          {"peers", peers}};
}

int fail(Error const& error) {
  fmt::print("error {}: {}\n", error.code, error.message);
  return 1;
}

}  // namespace

int run_wireguard_command(Args const& args) {
  if (args[0] != "wg-show" && args[0] != "wg-set") {
    std::cerr << "netlink_driver: unknown command " << args[0] << "\n";
    return 2;
  }
  auto client = wireguard::kernel::Client::open();
  if (!client) return fail(client.error());
  if (args[0] == "wg-show") {
    auto const state = client->get_device(args.at(1));
    if (!state) return fail(state.error());
    std::cout << to_json(*state).dump(2) << "\n";
    return 0;
  }
  Input input;
  for (std::string line; std::getline(std::cin, line);) {
    std::istringstream fields(line);
    std::string key, value;
    if (!(fields >> key >> value)) continue;
    if (auto status = read_line(key, value, input); !status) return fail(status.error());
  }
  auto const status = client->set_device(args.at(1), input.settings);
  if (!status) return fail(status.error());
  std::cout << "ok\n";
  return 0;
}
