// The database(s) the app will use, read as the app's libpq reads them: DATABASE_URL (either
// libpq form), else DB_* (the seed's names), else libpq's own PG* variables; and
// DATABASE_READ_REPLICA_URL. libpq's PG* variables fill in what a URL or DB_* leave out, as
// they do in the app. Settings that belong to the app's driver or ORM are accepted and named
// once (Database::ignored); settings nobody knows are refused, as libpq refuses them.
#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

#include "config/conninfo.hpp"
#include "config/database_settings.hpp"
#include "config/load.hpp"
#include "config/parameters.hpp"

namespace wgs::config {
namespace {

using parameters::Use;

// libpq's environment variables for the settings the checks model.
constexpr std::array<std::pair<char const*, char const*>, 10> libpq_variables = {{
    {"PGHOST", "host"},
    {"PGHOSTADDR", "hostaddr"},
    {"PGPORT", "port"},
    {"PGUSER", "user"},
    {"PGPASSWORD", "password"},
    {"PGDATABASE", "dbname"},
    {"PGSSLMODE", "sslmode"},
    {"PGSSLROOTCERT", "sslrootcert"},
    {"PGPASSFILE", "passfile"},
    {"PGTARGETSESSIONATTRS", "target_session_attrs"},
}};

// The seed's variables; DB_HOSTADDR is libpq's hostaddr next to DB_HOST.
constexpr std::array<std::pair<char const*, char const*>, 6> seed_variables = {{
    {"DB_HOST", "host"},
    {"DB_HOSTADDR", "hostaddr"},
    {"DB_PORT", "port"},
    {"DB_USER", "user"},
    {"DB_PASSWORD", "password"},
    {"DB_NAME", "dbname"},
}};

// An empty PG* variable is unset to libpq.
Settings libpq_environment(Environment const& env) {
  Settings settings;
  for (auto const& [variable, keyword] : libpq_variables) {
    if (auto value = lookup(env, variable); value && !value->empty()) put(settings, keyword, *value, variable);
  }
  return settings;
}

// DB_* over libpq's environment, with the seed app's defaults for what DB_* leaves out.
Settings seed_settings(Environment const& env, Problems& problems) {
  auto settings = libpq_environment(env);
  put(settings, "port", "5432", "DB_PORT");
  put(settings, "user", "postgres", "DB_USER");
  put(settings, "dbname", "contacts", "DB_NAME");
  for (auto const& [variable, keyword] : seed_variables) {
    auto const value = lookup(env, variable);
    if (!value) continue;
    bool const names_host = std::string_view(keyword).starts_with("host");
    if (value->empty() && names_host) problems.add(variable, "is set but empty");
    if (!value->empty() || std::string_view(keyword) == "password") put(settings, keyword, *value, variable);
  }
  return settings;
}

void note_once(std::vector<std::string>& notes, std::string note) {
  if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(std::move(note));
}

// A keyword that nobody knows is named only when it looks like one and is no part of the
// password: in a mistyped URL, the password can end up where a keyword was expected.
bool may_show(std::string_view keyword, std::string_view password) {
  bool const plain = !keyword.empty() && keyword.size() <= 64 &&
                     std::all_of(keyword.begin(), keyword.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                     });
  return plain && (password.empty() || (password.find(keyword) == std::string_view::npos &&
                                        keyword.find(password) == std::string_view::npos));
}

std::string unknown_setting(conninfo::Setting const& setting, std::string_view password) {
  auto const name = may_show(setting.keyword, password) ? fmt::format("{} (character {})", setting.keyword, setting.position)
                                                        : fmt::format("the parameter at character {}", setting.position);
  return fmt::format("{} is neither libpq's nor a known driver's (Prisma, pgx, node-postgres, Rails): libpq refuses "
                     "it, and so does wgsidecar",
                     name);
}

Secret const& password_in(std::vector<conninfo::Setting> const& settings) {
  static Secret const none;
  auto const found = std::find_if(settings.rbegin(), settings.rend(), [](auto const& s) { return s.keyword == "password"; });
  return found == settings.rend() ? none : found->value;
}

// Sorts one of the URL's settings by who it belongs to; false when nobody does.
bool take(conninfo::Setting& setting, std::string const& name, std::string_view password, Settings& settings,
          std::vector<std::string>& ignored, Problems& problems) {
  auto const kind = parameters::classify(setting.keyword);
  if (kind.use == Use::modelled || kind.use == Use::passed_on) {
    settings.insert_or_assign(setting.keyword, SettingValue{std::move(setting.value), name, setting.position});
  } else if (kind.use == Use::unknown) {
    problems.add(name, unknown_setting(setting, password));
    return false;
  } else {
    note_once(ignored, fmt::format("{} ({})", setting.keyword, kind.owner));
  }
  return true;
}

// The URL's own settings over libpq's environment.
std::optional<Settings> url_settings(Environment const& env, std::string const& name, std::vector<std::string>& ignored,
                                     Problems& problems) {
  auto const text = *lookup(env, name);
  auto parsed = conninfo::parse(text);
  if (text.empty() || !parsed) {
    problems.add(name, text.empty() ? "is set but empty"
                                    : "is not a connection string libpq accepts: " + parsed.error().message);
    return std::nullopt;
  }
  auto const password = password_in(*parsed).clone();
  auto settings = libpq_environment(env);
  bool good = true;
  for (auto& setting : *parsed) good = take(setting, name, password.text(), settings, ignored, problems) && good;
  if (!good) return std::nullopt;
  return settings;
}

std::optional<Database> from_url(Environment const& env, std::string const& name, std::string target,
                                 Problems& problems) {
  std::vector<std::string> ignored;
  auto settings = url_settings(env, name, ignored, problems);
  if (!settings) return std::nullopt;
  auto db = to_database(*settings, std::move(target), name, problems);
  if (!settings->contains("host") && !settings->contains("hostaddr")) {
    problems.add(name, "has no host (postgresql://user:password@host:5432/dbname), and PGHOST is not set");
  }
  db.ignored = std::move(ignored);
  return db;
}

std::optional<Database> read_primary(Environment const& env, Problems& problems) {
  bool const url = lookup(env, "DATABASE_URL").has_value();
  bool const seed = lookup(env, "DB_HOST") || lookup(env, "DB_HOSTADDR");
  if (url && seed) {
    problems.add("DATABASE_URL", "is set together with DB_HOST; use one way to name the database");
    return std::nullopt;
  }
  if (url) return from_url(env, "DATABASE_URL", "primary", problems);
  if (seed) return to_database(seed_settings(env, problems), "primary", "DB_*", problems);
  auto settings = libpq_environment(env);
  if (settings.contains("host") || settings.contains("hostaddr")) return to_database(settings, "primary", "PG*", problems);
  return std::nullopt;
}

}  // namespace

std::vector<Database> read_databases(Environment const& env, Problems& problems) {
  std::vector<Database> databases;
  if (auto primary = read_primary(env, problems)) databases.push_back(std::move(*primary));
  if (lookup(env, "DATABASE_READ_REPLICA_URL")) {
    if (auto replica = from_url(env, "DATABASE_READ_REPLICA_URL", "replica", problems)) {
      databases.push_back(std::move(*replica));
    }
  }
  return databases;
}

}  // namespace wgs::config
