// The database(s) the app will use: DB_* (the seed's names) or DATABASE_URL, and
// DATABASE_READ_REPLICA_URL. URLs are parsed by libpq itself so every form libpq accepts
// (postgres://, postgresql://, key=value) means the same here as in the app.
#include <libpq-fe.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>

#include <array>
#include <cstring>
#include <memory>

#include "config/fields.hpp"
#include "config/load.hpp"

namespace wgs::config {
namespace {

constexpr std::array<std::string_view, 6> sslmodes = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};

bool is_sslmode(std::string_view mode) {
  return std::find(sslmodes.begin(), sslmodes.end(), mode) != sslmodes.end();
}

void check_tls(Database const& db, std::string const& where, Problems& problems) {
  if (!is_sslmode(db.sslmode)) {
    problems.add(where, "sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full");
    return;
  }
  bool const verifies = db.sslmode == "verify-ca" || db.sslmode == "verify-full";
  if (verifies && !db.sslrootcert) {
    problems.add(where, fmt::format("sslmode={} needs sslrootcert (PGSSLROOTCERT): the CA bundle to verify the "
                                    "server, e.g. the RDS global bundle", db.sslmode));
  }
  if (db.sslrootcert && ::access(db.sslrootcert->c_str(), R_OK) != 0) {
    problems.add(where, fmt::format("sslrootcert {} cannot be read", *db.sslrootcert));
  }
}

// What libpq would take from its own environment variables when the URL does not say.
Database with_libpq_defaults(Environment const& env) {
  Database db;
  if (auto mode = lookup(env, "PGSSLMODE"); mode && !mode->empty()) db.sslmode = *mode;
  if (auto root = lookup(env, "PGSSLROOTCERT"); root && !root->empty()) db.sslrootcert = *root;
  return db;
}

Database from_db_variables(Environment const& env, Problems& problems) {
  Database db = with_libpq_defaults(env);
  db.target = "primary";
  db.source = "DB_*";
  db.host = *lookup(env, "DB_HOST");
  if (db.host.empty()) problems.add("DB_HOST", "is set but empty");
  if (auto port = lookup(env, "DB_PORT")) db.port = fields::port(problems, "DB_PORT", *port).value_or(5432);
  if (auto user = lookup(env, "DB_USER"); user && !user->empty()) db.user = *user;
  if (auto password = lookup(env, "DB_PASSWORD")) db.password = Secret::from(*password);
  if (auto name = lookup(env, "DB_NAME"); name && !name->empty()) db.dbname = *name;
  return db;
}

// libpq's copies of the URL's parts (the password among them) are zeroed before they are freed.
void free_wiped(PQconninfoOption* options) {
  for (auto* option = options; option != nullptr && option->keyword != nullptr; ++option) {
    if (option->val != nullptr) sodium_memzero(option->val, std::strlen(option->val));
  }
  PQconninfoFree(options);
}

// libpq's parse error quotes the offending token, which can be part of the password: only
// pass it on when it cannot contain the URL's user-info.
std::string safe_parse_error(std::string_view url, char const* message) {
  auto const scheme = url.find("://");
  auto const at = url.find('@');
  bool const has_userinfo = scheme != std::string::npos && at != std::string::npos && at > scheme;
  if (message == nullptr || has_userinfo) return "is not a valid PostgreSQL connection URL (postgresql://user:password@host:port/dbname?sslmode=require)";
  std::string text(message);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return fmt::format("is not a valid PostgreSQL connection URL: {}", text);
}

void apply_url_option(Database& db, std::string_view key, char const* value, std::string const& name, Problems& problems) {
  if (key == "host") db.host = value;
  else if (key == "port") db.port = fields::port(problems, name, value).value_or(5432);
  else if (key == "user") db.user = value;
  else if (key == "password") db.password = Secret::from(std::string_view(value));
  else if (key == "dbname") db.dbname = value;
  else if (key == "sslmode") db.sslmode = value;
  else if (key == "sslrootcert") db.sslrootcert = value;
  else if (key == "hostaddr") problems.add(name, "hostaddr is not supported; put the address in the host part");
}

std::optional<Database> from_url(Environment const& env, std::string const& name, std::string const& target,
                                 Problems& problems) {
  LockedString const url(*lookup(env, name));  // libpq wants it NUL-terminated
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&free_wiped)> options(PQconninfoParse(url.c_str(), &error), &free_wiped);
  if (!options) {
    problems.add(name, safe_parse_error(url, error));
    if (error != nullptr) sodium_memzero(error, std::strlen(error));
    PQfreemem(error);
    return std::nullopt;
  }
  Database db = with_libpq_defaults(env);
  db.target = target;
  db.source = name;
  db.user.clear();
  for (auto* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr && *option->val != '\0') apply_url_option(db, option->keyword, option->val, name, problems);
  }
  if (db.host.empty()) problems.add(name, "has no host (expected postgresql://user:password@host:port/dbname)");
  if (db.host.find(',') != std::string::npos) problems.add(name, "lists several hosts; give one URL per database");
  if (db.user.empty()) db.user = "postgres";
  return db;
}

}  // namespace

std::vector<Database> read_databases(Environment const& env, Problems& problems) {
  std::vector<Database> databases;
  auto const url = lookup(env, "DATABASE_URL");
  if (url && lookup(env, "DB_HOST")) {
    problems.add("DATABASE_URL", "is set together with DB_HOST; use one way to name the database");
  } else if (url) {
    if (auto db = from_url(env, "DATABASE_URL", "primary", problems)) databases.push_back(std::move(*db));
  } else if (lookup(env, "DB_HOST")) {
    databases.push_back(from_db_variables(env, problems));
  }
  if (lookup(env, "DATABASE_READ_REPLICA_URL")) {
    if (auto db = from_url(env, "DATABASE_READ_REPLICA_URL", "replica", problems)) databases.push_back(std::move(*db));
  }
  for (auto const& db : databases) {
    check_tls(db, db.source == "DB_*" ? "PGSSLMODE" : db.source, problems);
  }
  return databases;
}

}  // namespace wgs::config
