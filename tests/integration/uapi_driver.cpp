// A small command-line front to sidecar/uapi, so uapi_test.sh can drive the real code
// against a real wireguard-go and compare with `wg show`. Errors print
// "error CODE: message" on stdout and exit 1. Keys come only from the environment
// (WG_PRIVATE_KEY, WG_PRESHARED_KEY), as wgsidecar takes them, never from argv.
//
//   start IFNAME [--impl NAME] [--detach] [--timeout MS]  start, print "pid N", leave it running
//   lifecycle IFNAME                     start attached, read, stop: print what happened
//   set IFNAME [--keep-peers] [--listen-port N] [--fwmark N] [--remove PUB]...
//       [--peer PUB [--psk] [--endpoint IP:PORT] [--keepalive N] [--allowed-ips A,B]]...
//                                        --keep-peers: the listed peers only (no replace_peers)
//   get IFNAME                           the device in `wg show IF dump` columns, private
//                                        key left out, preshared key "(set)"/"(none)"
//   accepts IFNAME                       "yes" or "no"
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "keys/keys.hpp"
#include "wireguard/uapi/client.hpp"
#include "wireguard/uapi/userspace_process.hpp"

using namespace wgs;
using Args = std::vector<std::string>;

namespace {

int fail(Error const& error) {
  fmt::print("error {}: {}\n", error.code, error.message);
  return 1;
}

std::optional<Secret> secret_from_env(char const* name) {
  char const* text = std::getenv(name);
  if (text == nullptr) return std::nullopt;
  auto key = keys::decode_secret(text);
  if (!key) throw std::runtime_error(fmt::format("{}: {}", name, key.error().message));
  return std::move(*key);
}

template <class T>
T parse_or_throw(Result<T> result) {
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

std::vector<net::Prefix> prefixes(std::string const& list) {
  std::vector<net::Prefix> out;
  std::size_t start = 0;
  while (start < list.size()) {
    auto const end = std::min(list.find(',', start), list.size());
    out.push_back(parse_or_throw(net::Prefix::parse(list.substr(start, end - start))));
    start = end + 1;
  }
  return out;
}

wireguard::Endpoint endpoint(std::string const& text) {
  auto const host_port = parse_or_throw(net::HostPort::parse(text));
  auto const ip = host_port.numeric();
  if (!ip) throw std::runtime_error("endpoint must be numeric");
  return {*ip, host_port.port};
}

// One flag of `set`, applied to the device or to the peer opened last.
void apply_flag(std::string const& flag, std::string const& value, wireguard::DeviceSettings& device, Secret const* psk) {
  if (flag == "--listen-port") device.listen_port = static_cast<std::uint16_t>(std::stoul(value));
  else if (flag == "--fwmark") device.fwmark = static_cast<std::uint32_t>(std::stoul(value, nullptr, 0));
  else if (flag == "--peer") device.peers.push_back({parse_or_throw(keys::decode_public(value)), nullptr, {}, 0, {}});
  else if (flag == "--remove") device.peers.push_back({parse_or_throw(keys::decode_public(value)), nullptr, {}, 0, {}, true});
  else if (device.peers.empty()) throw std::runtime_error(flag + " before --peer");
  else if (flag == "--psk") device.peers.back().preshared_key = psk;
  else if (flag == "--endpoint") device.peers.back().endpoint = endpoint(value);
  else if (flag == "--keepalive") device.peers.back().persistent_keepalive = static_cast<std::uint16_t>(std::stoul(value));
  else if (flag == "--allowed-ips") device.peers.back().allowed_ips = prefixes(value);
  else throw std::runtime_error("unknown flag " + flag);
}

int set(Args const& args) {
  auto const private_key = secret_from_env("WG_PRIVATE_KEY");
  auto const psk = secret_from_env("WG_PRESHARED_KEY");
  wireguard::DeviceSettings device;
  device.private_key = private_key ? &*private_key : nullptr;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "--keep-peers") {
      device.replace_peers = false;
      continue;
    }
    bool const takes_value = args[i] != "--psk";
    if (takes_value && i + 1 >= args.size()) throw std::runtime_error(args[i] + " needs a value");
    apply_flag(args[i], takes_value ? args[i + 1] : "", device, psk ? &*psk : nullptr);
    if (takes_value) ++i;
  }
  if (auto status = wireguard::uapi::set_device(args.at(1), device); !status) return fail(status.error());
  fmt::print("ok\n");
  return 0;
}

std::string joined(std::vector<net::Prefix> const& list) {
  if (list.empty()) return "(none)";
  std::string out;
  for (auto const& prefix : list) {
    // Appended in two steps: `"," + temporary` inserts at the front of the temporary, which
    // GCC 12 at -O3 takes for an overlapping memcpy (-Wrestrict).
    if (!out.empty()) out += ',';
    out += prefix.to_string();
  }
  return out;
}

int get(Args const& args) {
  auto state = wireguard::uapi::get_device(args.at(1));
  if (!state) return fail(state.error());
  auto const fwmark = state->fwmark == 0 ? std::string("off") : fmt::format("0x{:x}", state->fwmark);
  fmt::print("{}\t{}\t{}\n", keys::encode(state->public_key), state->listen_port, fwmark);
  for (auto const& peer : state->peers) {
    auto const handshake = peer.last_handshake
        ? std::chrono::duration_cast<std::chrono::seconds>(peer.last_handshake->time_since_epoch()).count() : 0;
    fmt::print("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", keys::encode(peer.public_key),
               peer.has_preshared_key ? "(set)" : "(none)", peer.endpoint ? peer.endpoint->to_string() : "(none)",
               joined(peer.allowed_ips), handshake, peer.rx_bytes, peer.tx_bytes,
               peer.persistent_keepalive == 0 ? std::string("off") : std::to_string(peer.persistent_keepalive));
  }
  return 0;
}

wireguard::uapi::ProcessOptions process_options(Args const& args) {
  wireguard::uapi::ProcessOptions options;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "--detach") options.detach = true;
    else if (args[i] == "--impl" && i + 1 < args.size()) options.implementation = args[++i];
    else if (args[i] == "--timeout" && i + 1 < args.size()) options.startup_timeout = Duration(std::stol(args[++i]));
    else throw std::runtime_error("unknown flag " + args[i]);
  }
  return options;
}

int start(Args const& args) {
  auto process = wireguard::uapi::UserspaceProcess::start(args.at(1), process_options(args));
  if (!process) return fail(process.error());
  fmt::print("pid {}\n", process->pid());
  return 0;  // a detached process keeps running; an attached one is stopped here
}

int lifecycle(Args const& args) {
  auto process = wireguard::uapi::UserspaceProcess::start(args.at(1), process_options(args));
  if (!process) return fail(process.error());
  fmt::print("started pid {} running {}\n", process->pid(), process->is_running() ? "yes" : "no");
  auto state = wireguard::uapi::get_device(args.at(1));
  fmt::print("get {} peers {}\n", state ? "ok" : state.error().message, state ? state->peers.size() : 0);
  auto const stopped = process->stop(Duration(3000));
  fmt::print("stop {} running {} {}\n", stopped ? "ok" : stopped.error().message,
             process->is_running() ? "yes" : "no", process->describe_exit());
  fmt::print("accepts after stop {}\n", wireguard::uapi::socket_accepts(args.at(1)) ? "yes" : "no");
  fmt::print("socket file after stop {}\n", ::access(wireguard::uapi::socket_path(args.at(1)).c_str(), F_OK) == 0 ? "yes" : "no");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args const args(argv + 1, argv + argc);
  try {
    if (args.size() < 2) throw std::runtime_error("usage: uapi_driver COMMAND IFNAME ...");
    if (args[0] == "set") return set(args);
    if (args[0] == "get") return get(args);
    if (args[0] == "start") return start(args);
    if (args[0] == "lifecycle") return lifecycle(args);
    if (args[0] == "accepts") return fmt::print("{}\n", wireguard::uapi::socket_accepts(args[1]) ? "yes" : "no"), 0;
    throw std::runtime_error("unknown command " + args[0]);
  } catch (std::exception const& error) {
    fmt::print("error 0: {}\n", error.what());
    return 2;
  }
}
