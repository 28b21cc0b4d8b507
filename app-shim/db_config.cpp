#include "db_config.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "number.hpp"

namespace contacts::db {
namespace {

constexpr std::array<std::string_view, 6> sslmodes = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};

struct Problems {
  std::vector<std::string> items;
  void add(std::string_view variable, std::string_view what) { items.push_back(fmt::format("{} {}", variable, what)); }
};

// Settings every connection gets. Keepalives and tcp_user_timeout bound how long a query
// can hang on a dead path (a tunnel that went away) instead of the kernel's ~15 minutes.
void add_common_params(Target& target, std::string const& sslmode) {
  target.params.emplace_back("sslmode", sslmode);
  target.params.emplace_back("application_name", "contacts-api");
  target.params.emplace_back("keepalives", "1");
  target.params.emplace_back("keepalives_idle", "30");
  target.params.emplace_back("keepalives_interval", "10");
  target.params.emplace_back("keepalives_count", "3");
  target.params.emplace_back("tcp_user_timeout", "20000");
}

std::string sslmode_from(Environment const& env, Problems& problems) {
  std::string_view variable = "DB_SSLMODE";
  auto mode = lookup(env, variable);
  if (!mode) {
    variable = "PGSSLMODE";
    mode = lookup(env, variable);
  }
  if (!mode) return "require";
  if (std::find(sslmodes.begin(), sslmodes.end(), *mode) == sslmodes.end()) {
    problems.add(variable, "must be one of disable, allow, prefer, require, verify-ca, verify-full");
  }
  return *mode;
}

Target from_db_variables(Environment const& env, std::string const& sslmode, Problems& problems) {
  Target target;
  target.role = "primary";
  target.source = "DB_*";
  target.host = lookup_or(env, "DB_HOST", "localhost");
  target.port = lookup_or(env, "DB_PORT", "5432");
  if (!parse_integer(target.port, 1, 65535)) problems.add("DB_PORT", "must be a port number 1-65535");
  target.dbname = lookup_or(env, "DB_NAME", "contacts");
  add_common_params(target, sslmode);
  target.params.emplace_back("host", target.host);
  // libpq's hostaddr: dial this address, verify the certificate against DB_HOST (RDS's name
  // through the hub's DNAT). Unset, libpq still reads PGHOSTADDR.
  if (auto address = lookup(env, "DB_HOSTADDR")) target.params.emplace_back("hostaddr", *address);
  target.params.emplace_back("port", target.port);
  target.params.emplace_back("user", lookup_or(env, "DB_USER", "postgres"));
  target.params.emplace_back("dbname", target.dbname);
  if (auto password = lookup(env, "DB_PASSWORD")) {
    target.params.emplace_back("password", *password);
    target.secrets.push_back(*password);
  }
  return target;
}

// libpq's parse error quotes the offending part of the URL, which can be the password:
// pass it on only when the URL has no user-info.
std::string parse_problem(std::string_view url, char const* message) {
  auto const scheme = url.find("://");
  auto const at = url.find('@');
  bool const has_userinfo = scheme != std::string_view::npos && at != std::string_view::npos && at > scheme;
  if (message == nullptr || has_userinfo) {
    return "is not a valid PostgreSQL connection URL (postgresql://user:password@host:port/dbname?sslmode=require)";
  }
  std::string text(message);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return "is not a valid PostgreSQL connection URL: " + text;
}

void take_url_option(Target& target, std::string_view keyword, std::string const& value) {
  if (keyword == "host") target.host = value;
  else if (keyword == "port") target.port = value;
  else if (keyword == "dbname") target.dbname = value;
  else if (keyword == "password") target.secrets.push_back(value);
}

std::optional<Target> from_url(Environment const& env, std::string_view variable, std::string role,
                               std::string const& sslmode, Problems& problems) {
  auto const url = *lookup(env, variable);
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(url.c_str(), &error),
                                                                       &PQconninfoFree);
  if (!options) {
    problems.add(variable, parse_problem(url, error));
    PQfreemem(error);
    return std::nullopt;
  }
  Target target;
  target.role = std::move(role);
  target.source = std::string(variable);
  target.host = lookup_or(env, "PGHOST", "localhost");
  target.port = "5432";
  for (auto* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr && *option->val != '\0') take_url_option(target, option->keyword, option->val);
  }
  if (target.dbname.empty()) target.dbname = "(default)";
  // Defaults first, the URL after them: what the URL says wins (libpq's documented order).
  add_common_params(target, sslmode);
  target.params.emplace_back("user", "postgres");
  target.params.emplace_back("dbname", url);
  target.expand_dbname = true;
  return target;
}

void add_libpq_secrets(Environment const& env, Target& target) {
  if (auto password = lookup(env, "PGPASSWORD")) target.secrets.push_back(*password);
}

}  // namespace

std::string Target::describe() const { return fmt::format("{} {}:{}/{}", role, host, port, dbname); }

Result<Config> config_from_env(Environment const& env) {
  Problems problems;
  Config config;
  auto const sslmode = sslmode_from(env, problems);
  if (lookup(env, "DATABASE_URL") && lookup(env, "DB_HOST")) {
    problems.add("DATABASE_URL", "is set together with DB_HOST; use one way to name the database");
  } else if (lookup(env, "DATABASE_URL")) {
    if (auto target = from_url(env, "DATABASE_URL", "primary", sslmode, problems)) config.primary = std::move(*target);
  } else {
    config.primary = from_db_variables(env, sslmode, problems);
  }
  if (lookup(env, "DATABASE_READ_REPLICA_URL")) {
    config.replica = from_url(env, "DATABASE_READ_REPLICA_URL", "replica", sslmode, problems);
  }
  if (auto size = lookup(env, "DB_POOL_SIZE")) {
    auto const parsed = parse_integer(*size, 1, 64);
    if (!parsed) problems.add("DB_POOL_SIZE", "must be a number 1-64");
    config.pool_size = static_cast<std::size_t>(parsed.value_or(4));
  }
  add_libpq_secrets(env, config.primary);
  if (config.replica) add_libpq_secrets(env, *config.replica);
  if (!problems.items.empty()) {
    return make_error(ErrorKind::bad_input, fmt::format("{}", fmt::join(problems.items, "; ")));
  }
  return config;
}

std::string redact(std::string text, Target const& target) {
  for (auto const& secret : target.secrets) {
    // Very short secrets would turn ordinary words into "(hidden)"; libpq never echoes a
    // password anyway, this is the second line of defence.
    if (secret.size() < 4) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "(hidden)");
      at += 8;
    }
  }
  return text;
}

}  // namespace contacts::db
