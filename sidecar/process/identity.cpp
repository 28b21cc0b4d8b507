#include "process/identity.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace wgs::process {
namespace {

// An id as the kernel takes it: 0 .. 2^32-2 ((uid_t)-1 means "unchanged" to setresuid).
std::optional<std::uint32_t> numeric_id(std::string_view text) {
  std::uint32_t value = 0;
  auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value == 0xffffffffu) {
    return std::nullopt;
  }
  return value;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    auto const colon = line.find(':');
    fields.push_back(line.substr(0, colon));
    if (colon == std::string_view::npos) return fields;
    line.remove_prefix(colon + 1);
  }
}

// The first line of an /etc/passwd or /etc/group text whose field `key` equals `value`.
std::optional<std::vector<std::string_view>> find_entry(std::string_view text, std::size_t key, std::string_view value) {
  while (!text.empty()) {
    auto const newline = text.find('\n');
    auto const fields = fields_of(text.substr(0, newline));
    if (fields.size() > 3 && fields[key] == value) return fields;
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
  }
  return std::nullopt;
}

Result<std::uint32_t> group_id(std::string_view name, std::optional<std::string_view> group) {
  if (auto number = numeric_id(name)) return *number;
  if (name.empty()) return make_error("has an empty group after ':'");
  if (!group) return make_error(fmt::format("names group '{}', but the image has no /etc/group: give a number", name));
  auto const entry = find_entry(*group, 0, name);
  if (!entry) return make_error(fmt::format("names group '{}', which /etc/group does not list", name));
  auto const number = numeric_id((*entry)[2]);
  if (!number) return make_error(fmt::format("group '{}' has no valid gid in /etc/group", name));
  return *number;
}

Result<Identity> user_identity(std::string_view name, std::optional<std::string_view> passwd) {
  if (auto number = numeric_id(name)) {
    auto const entry = passwd ? find_entry(*passwd, 2, name) : std::nullopt;
    auto const gid = entry ? numeric_id((*entry)[3]) : std::nullopt;
    return Identity{*number, gid.value_or(*number)};
  }
  if (name.empty()) return make_error("is empty: give uid[:gid], e.g. 65534:65534");
  if (!passwd) return make_error(fmt::format("names user '{}', but the image has no /etc/passwd: give uid[:gid]", name));
  auto const entry = find_entry(*passwd, 0, name);
  if (!entry) return make_error(fmt::format("names user '{}', which /etc/passwd does not list", name));
  auto const uid = numeric_id((*entry)[2]);
  auto const gid = numeric_id((*entry)[3]);
  if (!uid || !gid) return make_error(fmt::format("user '{}' has no valid uid and gid in /etc/passwd", name));
  return Identity{*uid, *gid};
}

std::optional<std::string> read_text(char const* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

}  // namespace

std::string Identity::to_string() const { return fmt::format("{}:{}", uid, gid); }

Result<Identity> parse_identity(std::string_view spec, std::optional<std::string_view> passwd,
                                std::optional<std::string_view> group) {
  auto const colon = spec.find(':');
  auto identity = user_identity(spec.substr(0, colon), passwd);
  if (!identity || colon == std::string_view::npos) return identity;
  auto const group_part = spec.substr(colon + 1);
  if (group_part.find(':') != std::string_view::npos) return make_error("must be uid[:gid] (one colon at most)");
  auto gid = group_id(group_part, group);
  if (!gid) return gid.error();
  identity->gid = *gid;
  return identity;
}

Result<Identity> resolve_identity(std::string_view spec) {
  auto const passwd = read_text("/etc/passwd");
  auto const group = read_text("/etc/group");
  return parse_identity(spec, passwd ? std::optional<std::string_view>(*passwd) : std::nullopt,
                        group ? std::optional<std::string_view>(*group) : std::nullopt);
}

}  // namespace wgs::process
