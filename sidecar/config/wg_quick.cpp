#include "config/wg_quick.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "config/fields.hpp"

namespace wgs::config {
namespace {

enum class Section { none, interface, peer };

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view strip_comment(std::string_view line) { return line.substr(0, line.find('#')); }

// Every key wg-quick knows, as its manual spells them. Only these are ever shown in a
// problem: anything else on a line may be a key pasted where it does not belong.
constexpr std::string_view known_keys[] = {
    "PrivateKey", "Address",      "ListenPort", "MTU",        "FwMark",    "Table",    "PublicKey",   "PresharedKey",
    "Endpoint",   "AllowedIPs",   "PersistentKeepalive", "DNS", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig",
};

std::optional<std::string_view> known_key(std::string const& lowered) {
  for (auto key : known_keys) {
    if (lower(key) == lowered) return key;
  }
  return std::nullopt;
}

// "PrivateKey: <key>" or "PrivateKey <key>": a known key followed by something other than '='.
std::optional<std::string_view> key_without_equals(std::string_view text) {
  auto const lowered = lower(text);
  for (auto key : known_keys) {
    auto const name = lower(key);
    bool const separated = lowered.size() > name.size() &&
                           (lowered[name.size()] == ':' || std::isspace(static_cast<unsigned char>(lowered[name.size()])));
    if (separated && lowered.starts_with(name)) return key;
  }
  return std::nullopt;
}


// Keys wg-quick knows but wgsidecar deliberately does not do, with the reason.
std::string unsupported_reason(std::string const& key) {
  if (key == "preup" || key == "postup" || key == "predown" || key == "postdown") {
    return "runs shell hooks, which wgsidecar does not (there is no shell in a FROM scratch image); "
           "remove it — wgsidecar adds the addresses and routes itself";
  }
  if (key == "dns") return "is not supported: wgsidecar leaves /etc/resolv.conf to the platform; remove it";
  if (key == "saveconfig") return "is not supported: wgsidecar never writes the configuration to disk; remove it";
  return {};
}

class Reader {
 public:
  Reader(std::string const& source, Problems& problems, bool peers_only = false)
      : source_(source), problems_(problems), peers_only_(peers_only) {}

  void line(std::size_t number, std::string_view raw) {
    auto const text = fields::trim(strip_comment(raw));
    if (text.empty()) return;
    where_ = fmt::format("{} line {}", source_, number);
    if (text.front() == '[') return section(text);
    auto const equals = text.find('=');
    auto const key_text = fields::trim(text.substr(0, equals));
    if (auto const key = key_without_equals(key_text)) return key_without_value(*key);
    if (equals == std::string_view::npos) return problems_.add(where_, "is neither a [Section] nor a Key = Value line");
    auto const key = lower(key_text);
    if (auto const shown = known_key(key)) where_ = fmt::format("{} ({})", where_, *shown);
    auto const value = fields::trim(text.substr(equals + 1));
    if (section_ == Section::none) {
      problems_.add(where_, "comes before any [Interface] or [Peer] section");
    } else if (section_ == Section::interface) {
      if (!peers_only_) interface_key(key, value);
    } else {
      peer_key(key, value);
    }
  }

  WireGuard finish() {
    if (!seen_interface_ && !peers_only_) problems_.add(source_, "has no [Interface] section");
    if (!seen_private_key_ && !peers_only_) problems_.add(source_, "has no PrivateKey in [Interface]");
    for (std::size_t i = 0; i < result_.peers.size(); ++i) {
      if (!peer_has_key_[i]) problems_.add(source_, fmt::format("[Peer] number {} has no PublicKey", i + 1));
    }
    return std::move(result_);
  }

 private:
  // "PrivateKey: <key>": reported once, and counted as given, so the file is not also said to
  // have no PrivateKey.
  void key_without_value(std::string_view key) {
    problems_.add(where_, fmt::format("starts with {} but does not follow it with '=' (write {} = ...)", key, key));
    if (section_ == Section::interface && key == "PrivateKey") seen_private_key_ = true;
    if (section_ == Section::peer && key == "PublicKey") peer_has_key_.back() = true;
  }

  void section(std::string_view text) {
    auto const name = lower(text);
    if (name == "[interface]") {
      if (seen_interface_) problems_.add(where_, "is a second [Interface] section");
      seen_interface_ = true;
      section_ = Section::interface;
    } else if (name == "[peer]") {
      section_ = Section::peer;
      Peer peer;
      peer.persistent_keepalive = 0;  // a file says what it wants; wg's default is off
      result_.peers.push_back(std::move(peer));
      peer_has_key_.push_back(false);
    } else {
      problems_.add(where_, "is an unknown section (expected [Interface] or [Peer])");
      section_ = Section::none;
    }
  }

  void interface_key(std::string const& key, std::string_view value) {
    auto& iface = result_.interface;
    if (key == "privatekey") {
      seen_private_key_ = true;
      if (auto k = fields::secret_key(problems_, where_, value)) iface.private_key = std::move(*k);
    } else if (key == "address") {
      // Address may repeat; each line adds to the list, as in wg-quick.
      if (auto list = fields::prefixes(problems_, where_, value, true)) {
        iface.addresses.insert(iface.addresses.end(), list->begin(), list->end());
      }
    } else if (key == "listenport") {
      if (auto p = fields::port(problems_, where_, value)) iface.listen_port = *p;
    } else if (key == "mtu") {
      fields::mtu(problems_, where_, value, iface);
    } else if (key == "fwmark") {
      fwmark(value);
    } else if (key == "table") {
      table(value);
    } else if (auto reason = unsupported_reason(key); !reason.empty()) {
      problems_.add(where_, reason);
    } else {
      problems_.add(where_, "is not a key of [Interface] (PrivateKey, Address, ListenPort, MTU, FwMark, Table)");
    }
  }

  void peer_key(std::string const& key, std::string_view value) {
    auto& peer = result_.peers.back();
    if (key == "publickey") {
      peer_has_key_.back() = true;
      if (auto k = fields::public_key(problems_, where_, value)) peer.public_key = *k;
    } else if (key == "presharedkey") {
      if (auto k = fields::secret_key(problems_, where_, value)) peer.preshared_key = std::move(*k);
    } else if (key == "endpoint") {
      if (auto e = fields::endpoint(problems_, where_, value)) peer.endpoint = *e;
    } else if (key == "allowedips") {
      if (auto list = fields::prefixes(problems_, where_, value, false)) {
        peer.allowed_ips.insert(peer.allowed_ips.end(), list->begin(), list->end());
      }
    } else if (key == "persistentkeepalive") {
      if (auto k = fields::keepalive(problems_, where_, value)) peer.persistent_keepalive = *k;
    } else {
      problems_.add(where_, "is not a key of [Peer] (PublicKey, PresharedKey, Endpoint, AllowedIPs, PersistentKeepalive)");
    }
  }

  void fwmark(std::string_view value) {
    if (value == "off" || value == "0") return;
    int base = 10;
    if (value.starts_with("0x")) {
      base = 16;
      value.remove_prefix(2);
    }
    std::uint32_t mark = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), mark, base);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
      problems_.add(where_, "must be a number (decimal or 0x hex) or off");
    } else {
      result_.interface.fwmark = mark;
    }
  }

  void table(std::string_view value) {
    auto const name = lower(value);
    if (name == "auto") {
      result_.interface.table = RouteTable::automatic;
    } else if (name == "off") {
      result_.interface.table = RouteTable::off;
    } else {
      problems_.add(where_, "must be auto or off (wgsidecar routes only through the main table)");
    }
  }

  std::string const& source_;
  Problems& problems_;
  bool peers_only_;
  std::string where_;
  Section section_ = Section::none;
  bool seen_interface_ = false;
  bool seen_private_key_ = false;
  std::vector<bool> peer_has_key_;
  WireGuard result_;
};

}  // namespace

namespace {

WireGuard read_all(std::string_view text, std::string const& source, Problems& problems, bool peers_only) {
  Reader reader(source, problems, peers_only);
  std::size_t number = 0;
  while (!text.empty()) {
    auto const newline = text.find('\n');
    reader.line(++number, text.substr(0, newline));
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  auto result = reader.finish();
  result.source = source;
  return result;
}

}  // namespace

WireGuard parse_wg_quick(std::string_view text, std::string const& source, Problems& problems) {
  return read_all(text, source, problems, false);
}

std::vector<Peer> parse_wg_quick_peers(std::string_view text, std::string const& source, Problems& problems) {
  return read_all(text, source, problems, true).peers;
}

}  // namespace wgs::config
