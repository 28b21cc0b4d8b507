#pragma once
// Where the databases are: DB_HOST/DB_PORT/DB_USER/DB_PASSWORD/DB_NAME (the seed's names)
// or DATABASE_URL, plus DATABASE_READ_REPLICA_URL for reads. Parsed once at start; each
// target becomes the keyword/value list handed to libpq.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "environment.hpp"
#include "result.hpp"

namespace contacts::db {

struct Target {
  std::string role;    // "primary" or "replica"
  std::string source;  // the variable(s) it came from, for messages
  std::string host;    // shown by /health as db_host, and in logs
  std::string port;
  std::string dbname;
  // libpq keywords in the order libpq must see them. Entries before a URL in "dbname" are
  // defaults the URL may override. Holds the password: never log or show.
  std::vector<std::pair<std::string, std::string>> params;
  bool expand_dbname = false;
  // Secret values to scrub from any error text before it leaves the process.
  std::vector<std::string> secrets;

  std::string describe() const;  // "primary 10.50.0.1:5432/contacts"
};

struct Config {
  Target primary;
  std::optional<Target> replica;
  std::size_t pool_size = 4;  // connections per target (DB_POOL_SIZE)
};

Result<Config> config_from_env(Environment const& env);

// TEXT with every secret of TARGET replaced by "(hidden)".
std::string redact(std::string text, Target const& target);

}  // namespace contacts::db
