// libFuzzer target: libpq's two connection-string forms as the checks split them. Whatever the
// bytes, the parser never crashes, each setting it returns starts inside the string, and no
// problem a user sees quotes the password, wherever the bytes move the URL's borders.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/conninfo.hpp"
#include "config/load.hpp"

namespace {

constexpr std::string_view password = "Xq7pw-fuzz-secret";

// The password in the place each form gives it, followed by the fuzzer's bytes, so a stray
// '@', '/', '?' or quote in them can push the password anywhere in the split.
std::string url_with_password(std::uint8_t selector, std::string_view rest) {
  if (selector % 2 == 0) return "postgresql://app:" + std::string(password) + std::string(rest);
  return "host=db password=" + std::string(password) + std::string(rest);
}

void check_positions(std::string_view text) {
  auto const settings = wgs::config::conninfo::parse(text);
  if (!settings) return;
  for (auto const& setting : *settings) {
    if (setting.position == 0 || setting.position > text.size()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view const rest(reinterpret_cast<char const*>(data + 1), size - 1);
  check_positions(rest);
  auto const url = url_with_password(data[0], rest);
  check_positions(url);
  wgs::config::Environment env = {{"WG_PRIVATE_KEY", "QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY="},
                                  {"WG_PEER_PUBLIC_KEY", "Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14="},
                                  {"WG_PEER_ENDPOINT", "192.0.2.1:51820"}};
  env["DATABASE_URL"] = url;
  auto const loaded = wgs::config::load(env);
  for (auto const& problem : loaded.problems.list()) {
    if (problem.to_string().find(password) != std::string::npos) std::abort();
  }
  return 0;
}
