#include <doctest/doctest.h>

#include <algorithm>

#include "app_config.hpp"
#include "db_config.hpp"

using namespace contacts;

namespace {

std::string param(db::Target const& target, std::string_view keyword) {
  std::string value;
  for (auto const& [key, val] : target.params) {
    if (key == keyword) value = val;  // the last one wins, as in libpq
  }
  return value;
}

}  // namespace

TEST_CASE("the seed's defaults") {
  auto const config = db::config_from_env({});
  REQUIRE(config);
  auto const& primary = config->primary;
  CHECK(primary.host == "localhost");
  CHECK(param(primary, "port") == "5432");
  CHECK(param(primary, "user") == "postgres");
  CHECK(param(primary, "dbname") == "contacts");
  CHECK(param(primary, "sslmode") == "require");
  CHECK(param(primary, "password").empty());
  CHECK_FALSE(primary.expand_dbname);
  CHECK_FALSE(config->replica);
  CHECK(config->pool_size == 4);
}

TEST_CASE("DB_* variables and sslmode overrides") {
  Environment env{{"DB_HOST", "10.50.0.1"}, {"DB_PORT", "6432"},   {"DB_USER", "app"},
                  {"DB_PASSWORD", "s3cret-pw"}, {"DB_NAME", "crm"}, {"PGSSLMODE", "verify-full"}};
  auto config = db::config_from_env(env);
  REQUIRE(config);
  CHECK(config->primary.describe() == "primary 10.50.0.1:6432/crm");
  CHECK(param(config->primary, "sslmode") == "verify-full");
  CHECK(param(config->primary, "password") == "s3cret-pw");
  env["DB_SSLMODE"] = "disable";
  config = db::config_from_env(env);
  REQUIRE(config);
  CHECK(param(config->primary, "sslmode") == "disable");
}

TEST_CASE("DB_HOSTADDR: libpq's hostaddr next to DB_HOST, for verify-full against RDS's name") {
  Environment const env{{"DB_HOST", "mydb.abc123.us-east-1.rds.amazonaws.com"}, {"DB_HOSTADDR", "10.50.0.1"}};
  auto const config = db::config_from_env(env);
  REQUIRE(config);
  CHECK(param(config->primary, "host") == "mydb.abc123.us-east-1.rds.amazonaws.com");
  CHECK(param(config->primary, "hostaddr") == "10.50.0.1");
  CHECK(param(db::config_from_env({{"DB_HOST", "db"}})->primary, "hostaddr").empty());
}

TEST_CASE("bad values are named, secrets are not echoed") {
  Environment const env{{"DB_PORT", "70000"}, {"PGSSLMODE", "sometimes"}, {"DB_POOL_SIZE", "0"},
                        {"DATABASE_READ_REPLICA_URL", "postgresql://u:hunter2pw@h:5432/d?bogus=1"}};
  auto const config = db::config_from_env(env);
  REQUIRE_FALSE(config);
  auto const& message = config.error().message;
  CHECK(message.find("DB_PORT") != std::string::npos);
  CHECK(message.find("PGSSLMODE") != std::string::npos);
  CHECK(message.find("DB_POOL_SIZE") != std::string::npos);
  CHECK(message.find("DATABASE_READ_REPLICA_URL") != std::string::npos);
  CHECK(message.find("hunter2pw") == std::string::npos);
}

TEST_CASE("DATABASE_URL is expanded by libpq after our defaults") {
  Environment const env{{"DATABASE_URL", "postgresql://app:pw-in-url@db.internal:6000/crm?sslmode=verify-ca"},
                        {"DATABASE_READ_REPLICA_URL", "postgres://replica.internal/crm"}};
  auto const config = db::config_from_env(env);
  REQUIRE(config);
  auto const& primary = config->primary;
  CHECK(primary.expand_dbname);
  CHECK(primary.host == "db.internal");
  CHECK(primary.port == "6000");
  CHECK(primary.dbname == "crm");
  CHECK(primary.params.back().first == "dbname");  // last, so the URL's sslmode wins
  CHECK(std::find(primary.secrets.begin(), primary.secrets.end(), "pw-in-url") != primary.secrets.end());
  REQUIRE(config->replica);
  CHECK(config->replica->describe() == "replica replica.internal:5432/crm");
}

TEST_CASE("DATABASE_URL and DB_HOST together are refused") {
  auto const config = db::config_from_env({{"DATABASE_URL", "postgresql://h/d"}, {"DB_HOST", "x"}});
  REQUIRE_FALSE(config);
  CHECK(config.error().message.find("DATABASE_URL") != std::string::npos);
}

TEST_CASE("redact hides secrets in error text") {
  db::Target target;
  target.secrets = {"hunter2pw", "ab"};
  CHECK(db::redact("x hunter2pw y hunter2pw", target) == "x (hidden) y (hidden)");
  CHECK(db::redact("ab stays: too short to scrub safely", target) == "ab stays: too short to scrub safely");
}

TEST_CASE("server settings") {
  auto settings = settings_from_env({{"PORT", "9090"}, {"FLY_REGION", "lhr"}, {"LISTEN_ADDR", "127.0.0.1"}});
  REQUIRE(settings);
  CHECK(settings->port == 9090);
  CHECK(settings->region == "lhr");
  CHECK(settings->listen_address.to_string() == "127.0.0.1");
  settings = settings_from_env({});
  REQUIRE(settings);
  CHECK(settings->port == 8080);
  CHECK(settings->region == "local");
  CHECK_FALSE(settings->listen_address_given);
  auto const bad = settings_from_env({{"PORT", "http"}, {"LISTEN_ADDR", "localhost"}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("PORT") != std::string::npos);
  CHECK(bad.error().message.find("LISTEN_ADDR") != std::string::npos);
}
