#include "process/capabilities.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace wgs::process {
namespace {

// In kernel order (include/uapi/linux/capability.h), so the index is the number.
constexpr std::array<std::string_view, 41> names = {
    "chown",          "dac_override",  "dac_read_search", "fowner",          "fsetid",
    "kill",           "setgid",        "setuid",          "setpcap",         "linux_immutable",
    "net_bind_service", "net_broadcast", "net_admin",     "net_raw",         "ipc_lock",
    "ipc_owner",      "sys_module",    "sys_rawio",       "sys_chroot",      "sys_ptrace",
    "sys_pacct",      "sys_admin",     "sys_boot",        "sys_nice",        "sys_resource",
    "sys_time",       "sys_tty_config", "mknod",          "lease",           "audit_write",
    "audit_control",  "setfcap",       "mac_override",    "mac_admin",       "syslog",
    "wake_alarm",     "block_suspend", "audit_read",      "perfmon",         "bpf",
    "checkpoint_restore",
};

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

Capabilities bit(int number) { return Capabilities{1} << number; }

}  // namespace

Capabilities docker_default_capabilities() {
  Capabilities set = 0;
  for (auto name : {"chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid", "setuid", "setfcap",
                    "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write"}) {
    set |= bit(*capability_number(name));
  }
  return set;
}

Result<int> capability_number(std::string_view name) {
  auto key = lowered(trimmed(name));
  if (key.starts_with("cap_")) key.erase(0, 4);
  auto const found = std::find(names.begin(), names.end(), key);
  if (found == names.end()) return make_error(fmt::format("'{}' is not a capability (e.g. net_bind_service)", name));
  return static_cast<int>(found - names.begin());
}

std::string capability_name(int number) {
  if (number >= 0 && static_cast<std::size_t>(number) < names.size()) return fmt::format("cap_{}", names[number]);
  return fmt::format("cap_{}", number);
}

Result<Capabilities> add_named(Capabilities base, std::string_view list) {
  Capabilities set = base;
  while (!list.empty()) {
    auto const comma = list.find(',');
    auto const item = trimmed(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (item.empty()) continue;
    if (lowered(item) == "all") return all_capabilities;
    auto number = capability_number(item);
    if (!number) return number.error();
    set |= bit(*number);
  }
  return set;
}

std::string describe(Capabilities set, int limit) {
  if (set == all_capabilities) return "all";
  std::string out;
  for (int number = 0; number < limit && number < 64; ++number) {
    if ((set & bit(number)) == 0) continue;
    if (!out.empty()) out += ',';
    out += capability_name(number);
  }
  return out.empty() ? "none" : out;
}

}  // namespace wgs::process
