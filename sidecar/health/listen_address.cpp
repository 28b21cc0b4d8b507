#include "health/listen_address.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include <fmt/format.h>

namespace wgs::health {
namespace {

// /etc/hosts is a few lines; anything far larger is not a hosts file.
constexpr std::size_t max_hosts_bytes = 1 << 20;

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); });
}

std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  while (!line.empty()) {
    auto const start = line.find_first_not_of(" \t\r");
    if (start == std::string_view::npos) break;
    line.remove_prefix(start);
    auto const end = std::min(line.find_first_of(" \t\r"), line.size());
    words.push_back(line.substr(0, end));
    line.remove_prefix(end);
  }
  return words;
}

// An address for `name` on one line of a hosts file ("fdaa::2  fly-local-6pn  # 6PN").
std::optional<net::IpAddress> match_line(std::string_view line, std::string_view name) {
  line = line.substr(0, line.find('#'));
  auto const words = words_of(line);
  if (words.size() < 2) return std::nullopt;
  auto const address = net::IpAddress::parse(words.front());
  if (!address) return std::nullopt;
  bool const named = std::any_of(words.begin() + 1, words.end(), [&](auto word) { return same_name(word, name); });
  return named ? address : std::nullopt;
}

Result<std::string> read_hosts(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(fmt::format("cannot read {}: {}", path, std::strerror(errno)), errno);
  std::string text(max_hosts_bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

}  // namespace

std::optional<net::IpAddress> find_in_hosts(std::string_view hosts_text, std::string_view name) {
  while (!hosts_text.empty()) {
    auto const end = std::min(hosts_text.find('\n'), hosts_text.size());
    if (auto found = match_line(hosts_text.substr(0, end), name)) return found;
    hosts_text.remove_prefix(std::min(end + 1, hosts_text.size()));
  }
  return std::nullopt;
}

Result<net::IpAddress> bind_address(net::HostPort const& listen, std::string const& hosts_file) {
  if (auto ip = listen.numeric()) return *ip;
  auto const text = read_hosts(hosts_file);
  if (!text) return make_error(fmt::format("{} is not an IP, and {}", listen.host, text.error().message), text.error().code);
  if (auto found = find_in_hosts(*text, listen.host)) return *found;
  return make_error(fmt::format("{} is not in {} (Fly writes fly-local-6pn there on its machines; elsewhere use "
                                "[::]:{} or an IP)",
                                listen.host, hosts_file, listen.port));
}

Result<net::HostPort> local_address(net::HostPort const& listen, std::string const& hosts_file) {
  auto const bound = bind_address(listen, hosts_file);
  if (!bound) return bound.error();
  auto const host = is_wildcard(*bound) ? std::string("127.0.0.1") : bound->to_string();
  return net::HostPort{host, listen.port};
}

bool is_wildcard(net::IpAddress const& address) {
  return std::all_of(address.bytes.begin(), address.bytes.begin() + static_cast<std::ptrdiff_t>(address.size()),
                     [](std::uint8_t byte) { return byte == 0; });
}

}  // namespace wgs::health
