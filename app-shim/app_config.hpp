#pragma once
// Everything the server reads from its environment, parsed and checked once at start.
//
//   PORT          HTTP port (default 8080; Fly sets it from fly.toml)
//   LISTEN_ADDR   address to bind (default "::", all IPv6 and IPv4 addresses)
//   FLY_REGION    reported as region / served_by (default "local")
//   DB_* / DATABASE_URL / DATABASE_READ_REPLICA_URL / DB_SSLMODE / PGSSLMODE / DB_POOL_SIZE:
//                 see db_config.hpp
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "db_config.hpp"

namespace contacts {

struct Settings {
  boost::asio::ip::address listen_address;
  bool listen_address_given = false;  // if not, "::" may fall back to 0.0.0.0 without IPv6
  std::uint16_t port = 8080;
  std::string region = "local";
  db::Config database;
};

Result<Settings> settings_from_env(Environment const& env);

}  // namespace contacts
