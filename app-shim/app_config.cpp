#include "app_config.hpp"

#include <fmt/format.h>

#include "number.hpp"

namespace contacts {

Result<Settings> settings_from_env(Environment const& env) {
  std::vector<std::string> problems;
  Settings settings;
  if (auto port = lookup(env, "PORT")) {
    auto const parsed = parse_integer(*port, 1, 65535);
    if (!parsed) problems.push_back("PORT must be a port number 1-65535");
    settings.port = static_cast<std::uint16_t>(parsed.value_or(8080));
  }
  settings.listen_address = boost::asio::ip::address_v6::any();
  if (auto address = lookup(env, "LISTEN_ADDR")) {
    boost::system::error_code ec;
    settings.listen_address = boost::asio::ip::make_address(*address, ec);
    settings.listen_address_given = true;
    if (ec) problems.push_back("LISTEN_ADDR must be an IP address such as 0.0.0.0 or ::");
  }
  settings.region = lookup_or(env, "FLY_REGION", "local");
  auto database = db::config_from_env(env);
  if (database) {
    settings.database = std::move(*database);
  } else {
    problems.push_back(database.error().message);
  }
  if (!problems.empty()) return make_error(ErrorKind::bad_input, fmt::format("{}", fmt::join(problems, "; ")));
  return settings;
}

}  // namespace contacts
