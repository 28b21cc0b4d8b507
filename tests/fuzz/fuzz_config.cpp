// libFuzzer target: the wg-quick reader and the environment reader must never crash,
// whatever bytes arrive in WG_CONFIG or any variable.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/load.hpp"
#include "config/wg_quick.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string const text(reinterpret_cast<char const*>(data), size);
  wgs::config::Problems problems;
  wgs::config::parse_wg_quick(text, "WG_CONFIG", problems);

  // The same bytes as each variable in turn.
  for (auto const* name : {"WG_PRIVATE_KEY", "WG_ADDRESS", "WG_PEER_ENDPOINT", "WG_ALLOWED_IPS", "WG_MTU",
                           "DATABASE_URL", "DB_PORT", "WG_PERSISTENT_KEEPALIVE"}) {
    wgs::config::Environment env = {{"WG_PRIVATE_KEY", "QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY="},
                                    {"WG_PEER_PUBLIC_KEY", "Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14="},
                                    {"WG_PEER_ENDPOINT", "192.0.2.1:51820"}};
    env[name] = text;
    wgs::config::load(env);
  }
  return 0;
}
