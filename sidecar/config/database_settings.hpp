#pragma once
// libpq settings gathered from the environment (a URL, DB_*, PG*), each remembering the
// variable it came from, and their translation into a checked config::Database. Problems are
// reported under that variable, so PGSSLROOTCERT's are PGSSLROOTCERT's and not PGSSLMODE's.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/problems.hpp"

namespace wgs::config {

struct SettingValue {
  Secret text;                          // any value may be the password: guarded memory for all
  std::string variable;                 // "DATABASE_URL", "PGSSLROOTCERT", "DB_PORT", ...
  std::optional<std::size_t> position;  // its character in a URL
};

// libpq keyword → value; a later source overwrites an earlier one, as libpq's defaults do.
using Settings = std::map<std::string, SettingValue, std::less<>>;

void put(Settings& settings, std::string keyword, std::string_view text, std::string variable);

// The database those settings describe, every problem with them reported. `source` is how
// the user named it ("DATABASE_URL", "DB_*", "PG*"). Without a dbname setting the database
// is named after the user, as libpq does.
Database to_database(Settings const& settings, std::string target, std::string source, Problems& problems);

}  // namespace wgs::config
