// Databases as users configure them: the seeds' URLs, drivers' and ORMs' parameters, multi-host
// URLs, libpq's hostaddr and PG* variables, and error messages that never carry a secret.
#include <doctest/doctest.h>

#include <libpq-fe.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/conninfo.hpp"
#include "config/describe.hpp"
#include "config/load.hpp"
#include "config/parameters.hpp"

using namespace wgs;
using config::Environment;

namespace {

struct Read {
  std::vector<config::Database> databases;
  std::vector<config::Problem> problems;
  std::string text() const {
    std::vector<std::string> lines;
    for (auto const& p : problems) lines.push_back(p.to_string());
    return fmt::format("{}", fmt::join(lines, "\n"));
  }
  bool has(std::string const& where, std::string const& fragment) const {
    return std::any_of(problems.begin(), problems.end(), [&](auto const& p) {
      return p.where == where && p.what.find(fragment) != std::string::npos;
    });
  }
};

Read read(Environment const& env) {
  config::Problems problems;
  Read out;
  out.databases = config::read_databases(env, problems);
  out.problems = problems.list();
  return out;
}

std::string hosts_of(config::Database const& db) {
  std::vector<std::string> out;
  for (auto const& h : db.hosts) out.push_back(fmt::format("{}{}:{}", h.host, h.hostaddr ? "=" + *h.hostaddr : "", h.port));
  return fmt::format("{}", fmt::join(out, ","));
}

// What libpq itself makes of a string: keyword → value, or nullopt when it refuses it.
std::optional<std::map<std::string, std::string>> libpq_parse(std::string const& text) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(text.c_str(), &error),
                                                                       &PQconninfoFree);
  PQfreemem(error);
  if (!options) return std::nullopt;
  std::map<std::string, std::string> out;
  for (auto* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr) out[o->keyword] = o->val;
  }
  return out;
}

std::map<std::string, std::string> our_parse(config::conninfo::Setting const* begin, std::size_t count) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < count; ++i) out[begin[i].keyword] = std::string(begin[i].value.text());
  return out;
}

}  // namespace

TEST_CASE("database URLs: the seeds' URLs, verbatim but for the passwords") {
  struct Case {
    char const* url;
    char const* hosts;
    char const* dbname;
    char const* user;
    std::vector<std::string> ignored;
    char const* problem;  // nullptr: none
  };
  std::vector<Case> const cases = {
      {"postgresql://tuition_admin:Xq7pw-seed@localhost:5432/tuition_centre_db?schema=public", "localhost:5432",
       "tuition_centre_db", "tuition_admin", {"schema (Prisma)"}, nullptr},
      {"postgresql://username:Xq7pw-seed@tuition-primary.xxxxx.us-east-1.rds.amazonaws.com:5432/tuition_centre_db?"
       "schema=public&connection_limit=100&pool_timeout=30",
       "tuition-primary.xxxxx.us-east-1.rds.amazonaws.com:5432", "tuition_centre_db", "username",
       {"schema (Prisma)", "connection_limit (Prisma)", "pool_timeout (Prisma)"}, nullptr},
      {"postgresql://username:Xq7pw-seed@tuition-centre-replica.c1xyz123456.us-east-1.rds.amazonaws.com:5432/"
       "tuition_centre_db?schema=public&connection_limit=100&pool_timeout=30",
       "tuition-centre-replica.c1xyz123456.us-east-1.rds.amazonaws.com:5432", "tuition_centre_db", "username",
       {"schema (Prisma)", "connection_limit (Prisma)", "pool_timeout (Prisma)"}, nullptr},
      {"postgresql://username:Xq7pw-seed@host:5432/db?schema=public&sslmode=require", "host:5432", "db", "username",
       {"schema (Prisma)"}, nullptr},
      // The seed's placeholder path does not exist here: that, and only that, is the problem.
      {"postgresql://username:Xq7pw-seed@host:5432/db?schema=public&sslmode=verify-full&sslrootcert=/path/to/"
       "rds-ca-bundle.pem",
       "host:5432", "db", "username", {"schema (Prisma)"}, "/path/to/rds-ca-bundle.pem cannot be read"},
      {"postgresql://postgres:Xq7pw-seed@solstice-sin-perf-databaseinstance-vwfkexrd.cx20ui4g0b7v.ca-central-1.rds."
       "amazonaws.com:5432/solstice?sslmode=require",
       "solstice-sin-perf-databaseinstance-vwfkexrd.cx20ui4g0b7v.ca-central-1.rds.amazonaws.com:5432", "solstice",
       "postgres", {}, nullptr},
      {"postgresql://postgres:Xq7pw-seed@localhost:5433/db", "localhost:5433", "db", "postgres", {}, nullptr},
      // Seed 003's placeholder is not a host name; seed 004's "primary-endpoint" is not a URL.
      {"postgres://your_app:Xq7pw-seed@<RDS_ENDPOINT>:5432/your-project-db?sslmode=require", "", "", "", {},
       "is not a DNS name or an IP address"},
      {"primary-endpoint", "", "", "", {}, "neither a postgresql:// URL nor keyword=value"},
      // The seed's commented, multi-line pool example, pasted as is.
      {"postgresql://user:Xq7pw-seed@host:5432/db?\n  schema=public&\n  connection_limit=100&        // Max "
       "connections\n  pool_timeout=30&             // Connection timeout (seconds)\n  connect_timeout=10&          "
       "// Initial connection timeout\n  pool_min=10&                 // Min connections in pool\n  pool_max=100\"",
       "", "", "", {}, "is neither libpq's nor a known driver's"},
  };
  for (auto const& c : cases) {
    CAPTURE(c.url);
    auto const result = read({{"DATABASE_URL", c.url}});
    INFO(result.text());
    CHECK(result.text().find("Xq7pw-seed") == std::string::npos);
    if (c.problem) {
      CHECK(result.has("DATABASE_URL", c.problem));
      if (std::string_view(c.problem).starts_with("/path")) CHECK(result.problems.size() == 1);
      continue;
    }
    REQUIRE(result.problems.empty());
    REQUIRE(result.databases.size() == 1);
    auto const& db = result.databases[0];
    CHECK(hosts_of(db) == c.hosts);
    CHECK(db.dbname == c.dbname);
    CHECK(db.user == c.user);
    CHECK(db.password.text() == "Xq7pw-seed");
    CHECK(db.ignored == c.ignored);
  }
}

TEST_CASE("database URLs: drivers' settings are ignored and named; what nobody knows is refused by name") {
  struct Case {
    char const* query;
    std::vector<std::string> ignored;
    char const* problem;
  };
  std::vector<Case> const cases = {
      {"pool_max_conns=10&pool_min_conns=2&pool_max_conn_lifetime=1h", {"pool_max_conns (pgx)", "pool_min_conns (pgx)", "pool_max_conn_lifetime (pgx)"}, nullptr},
      {"pgbouncer=true&statement_cache_size=0&socket_timeout=5", {"pgbouncer (Prisma)", "statement_cache_size (Prisma)", "socket_timeout (Prisma)"}, nullptr},
      {"schema=public&schema=other", {"schema (Prisma)"}, nullptr},
      {"connect_timeout=10", {"connect_timeout (libpq's; the checks use SIDECAR_CHECK_TIMEOUT)"}, nullptr},
      {"load_balance_hosts=random", {"load_balance_hosts (libpq 16 or later)"}, nullptr},
      {"default_query_exec_mode=simple_protocol", {"default_query_exec_mode (pgx)"}, nullptr},
      {"sslmdoe=verify-full", {}, "sslmdoe (character 47) is neither libpq's nor a known driver's"},
      {"sslmode=verify-fll", {}, "sslmode (character 47) must be one of"},
      {"target_session_attrs=writable", {}, "must be one of any, read-write"},
      {"channel_binding=always", {}, "channel_binding (character 47) must be one of"},
  };
  for (auto const& c : cases) {
    auto const url = fmt::format("postgresql://app:Xq7pw-seed@10.50.0.1:5432/db?{}", c.query);
    CAPTURE(url);
    auto const result = read({{"DATABASE_URL", url.c_str()}});
    INFO(result.text());
    if (c.problem) {
      CHECK(result.has("DATABASE_URL", c.problem));
    } else {
      REQUIRE(result.problems.empty());
      CHECK(result.databases.at(0).ignored == c.ignored);
    }
  }
}

TEST_CASE("database URLs: libpq's own settings reach the checks, ssl=true and requiressl as libpq reads them") {
  auto const result = read({{"DATABASE_URL", "postgresql://app@db.internal/orders?ssl=true&sslcert=/c.pem&options=-c%20statement_timeout%3D5s&target_session_attrs=read-write"}});
  INFO(result.text());
  REQUIRE(result.problems.empty());
  auto const& db = result.databases[0];
  CHECK(db.sslmode == "require");
  CHECK(db.target_session_attrs == "read-write");
  CHECK(db.libpq_settings == std::vector<std::pair<std::string, std::string>>{{"options", "-c statement_timeout=5s"}, {"sslcert", "/c.pem"}});
  auto const words = read({{"DATABASE_URL", "host=db.internal dbname = orders user=app password='it\\'s a x' requiressl=1"}});
  INFO(words.text());
  REQUIRE(words.problems.empty());
  CHECK(words.databases[0].sslmode == "require");
  CHECK(words.databases[0].password.text() == "it's a x");
}

TEST_CASE("database URLs: several hosts follow libpq's rules") {
  struct Case {
    char const* url;
    char const* hosts;
    char const* problem;
  };
  std::vector<Case> const cases = {
      {"postgresql://app@h1:5432,h2:5433/db", "h1:5432,h2:5433", nullptr},
      {"postgresql://app@h1,h2:5433/db", "h1:5432,h2:5433", nullptr},
      {"postgresql://app@[2001:db8::1]:5432,10.0.0.2/db", "2001:db8::1:5432,10.0.0.2:5432", nullptr},
      {"postgresql://app@h1,h2/db?port=6432", "h1:6432,h2:6432", nullptr},
      {"postgresql://app@h1,h2/db?hostaddr=10.50.0.1,10.50.0.2", "h1=10.50.0.1:5432,h2=10.50.0.2:5432", nullptr},
      {"postgresql://app@h1,h2/db?hostaddr=10.50.0.1", "", "lists 1 addresses for 2 hosts"},
      {"postgresql://app@h1,h2,h3/db?port=1,2", "", "lists 2 ports for 3 hosts"},
      {"postgresql://app@h1,,h3/db", "", "entry 2 of the list is empty"},
      {"postgresql://app@h1:5432,h2:99999/db", "", "entry 2 of the list has a port out of range"},
      {"postgresql://app@%2Fvar%2Frun%2Fpostgresql/db", "", "Unix-socket directory"},
      {"postgresql://app@mydb.abc123.us-east-1.rds.amazonaws.com/db?hostaddr=mydb.internal", "", "not a numeric IP address"},
  };
  for (auto const& c : cases) {
    CAPTURE(c.url);
    auto const result = read({{"DATABASE_URL", c.url}});
    INFO(result.text());
    if (c.problem) {
      CHECK(result.has("DATABASE_URL", c.problem));
    } else {
      REQUIRE(result.problems.empty());
      CHECK(hosts_of(result.databases[0]) == c.hosts);
    }
  }
}

TEST_CASE("hostaddr: the hub's address dialled, the RDS name kept for verify-full") {
  auto const rds = "mydb.abc123.us-east-1.rds.amazonaws.com";
  struct Case {
    Environment env;
    char const* hosts;
  };
  std::vector<Case> const cases = {
      {{{"DB_HOST", rds}, {"DB_HOSTADDR", "10.50.0.1"}}, "mydb.abc123.us-east-1.rds.amazonaws.com=10.50.0.1:5432"},
      {{{"DB_HOST", rds}, {"PGHOSTADDR", "10.50.0.1"}}, "mydb.abc123.us-east-1.rds.amazonaws.com=10.50.0.1:5432"},
      {{{"DB_HOSTADDR", "10.50.0.1"}}, "10.50.0.1=10.50.0.1:5432"},
      {{{"DATABASE_URL", fmt::format("postgresql://app@{}/db?hostaddr=10.50.0.1&sslmode=disable", rds).c_str()}},
       "mydb.abc123.us-east-1.rds.amazonaws.com=10.50.0.1:5432"},
      {{{"DATABASE_URL", fmt::format("postgresql://app@{}/db?sslmode=disable", rds).c_str()}, {"PGHOSTADDR", "10.50.0.1"}},
       "mydb.abc123.us-east-1.rds.amazonaws.com=10.50.0.1:5432"},
      {{{"PGHOST", rds}, {"PGHOSTADDR", "10.50.0.1"}}, "mydb.abc123.us-east-1.rds.amazonaws.com=10.50.0.1:5432"},
  };
  for (auto const& c : cases) {
    auto const result = read(c.env);
    INFO(result.text());
    REQUIRE(result.problems.empty());
    CHECK(hosts_of(result.databases.at(0)) == c.hosts);
  }
  auto const bad = read({{"DB_HOST", rds}, {"DB_HOSTADDR", "hub.internal"}});
  CHECK(bad.has("DB_HOSTADDR", "not a numeric IP address"));
  auto const url = read({{"DATABASE_URL", fmt::format("postgresql://app:pw@{}/db?hostaddr=10.50.0.1", rds).c_str()}});
  CHECK(config::redacted_url(url.databases.at(0)) ==
        "postgresql://app:(hidden)@mydb.abc123.us-east-1.rds.amazonaws.com:5432/db?sslmode=require&hostaddr=10.50.0.1");
}

TEST_CASE("libpq's environment: PG* describe the primary when neither DATABASE_URL nor DB_* does") {
  Environment const pg = {{"PGHOST", "10.50.0.1"},     {"PGPORT", "6432"},         {"PGUSER", "app"},
                          {"PGPASSWORD", "Xq7pw-seed"}, {"PGDATABASE", "orders"},   {"PGSSLMODE", "verify-ca"},
                          {"PGSSLROOTCERT", "/etc/hostname"}, {"PGPASSFILE", "/nonexistent"}};
  auto const result = read(pg);
  INFO(result.text());
  REQUIRE(result.problems.empty());  // a password is given: the passfile is not read, as in libpq
  auto const& db = result.databases.at(0);
  CHECK(db.source == "PG*");
  CHECK(hosts_of(db) == "10.50.0.1:6432");
  CHECK(db.user == "app");
  CHECK(db.password.text() == "Xq7pw-seed");
  CHECK(db.dbname == "orders");
  CHECK(db.sslmode == "verify-ca");
  CHECK(*db.sslrootcert == "/etc/hostname");

  SUBCASE("libpq's defaults: the database is named after the user") {
    auto const named = read({{"PGHOST", "db"}, {"PGUSER", "app"}});
    CHECK(named.databases.at(0).dbname == "app");
  }
  SUBCASE("PG* fill in what DATABASE_URL leaves out, and the URL wins") {
    auto env = pg;
    env["DATABASE_URL"] = "postgresql://other@10.50.0.2/";
    auto const mixed = read(env);
    REQUIRE(mixed.problems.empty());
    CHECK(hosts_of(mixed.databases[0]) == "10.50.0.2:6432");
    CHECK(mixed.databases[0].user == "other");
    CHECK(mixed.databases[0].dbname == "orders");
  }
  SUBCASE("DB_* win over PG*, with the seed's defaults") {
    auto env = pg;
    env["DB_HOST"] = "10.50.0.3";
    auto const seed = read(env);
    REQUIRE(seed.problems.empty());
    CHECK(hosts_of(seed.databases[0]) == "10.50.0.3:5432");
    CHECK(seed.databases[0].dbname == "contacts");
    CHECK(seed.databases[0].password.text() == "Xq7pw-seed");  // PGPASSWORD, as libpq would use it
  }
  SUBCASE("nothing set: no database") {
    CHECK(read({{"PGSSLMODE", "require"}, {"PGUSER", "app"}}).databases.empty());
  }
  SUBCASE("a password file libpq would ignore") {
    auto const passfile = read({{"PGHOST", "db"}, {"PGPASSFILE", "/nonexistent/pgpass"}});
    CHECK(passfile.has("PGPASSFILE", "cannot be read"));
  }
}

TEST_CASE("problems are named under the variable that holds the value") {
  struct Case {
    Environment env;
    char const* where;
    char const* fragment;
  };
  std::vector<Case> const cases = {
      {{{"DB_HOST", "db"}, {"PGSSLMODE", "verify-full"}, {"PGSSLROOTCERT", "/nonexistent/ca.pem"}}, "PGSSLROOTCERT", "cannot be read: No such file"},
      {{{"DB_HOST", "db"}, {"PGSSLMODE", "verify-full"}}, "PGSSLMODE", "needs sslrootcert"},
      {{{"DB_HOST", "db"}, {"PGSSLMODE", "sometimes"}}, "PGSSLMODE", "must be one of disable"},
      {{{"DATABASE_URL", "postgresql://db/x?sslrootcert=/nonexistent/ca.pem"}}, "DATABASE_URL", "sslrootcert (character 19) /nonexistent/ca.pem cannot be read"},
      {{{"DB_HOST", "db"}, {"DB_PORT", "99999"}}, "DB_PORT", "has a port out of range"},
      {{{"PGHOST", "db"}, {"PGPORT", "x"}}, "PGPORT", "has a port that is not a number"},
      {{{"DB_HOST", ""}}, "DB_HOST", "set but empty"},
      {{{"DATABASE_URL", ""}}, "DATABASE_URL", "set but empty"},
      {{{"DATABASE_URL", "postgresql://app@/db"}}, "DATABASE_URL", "has no host"},
  };
  for (auto const& c : cases) {
    auto const result = read(c.env);
    INFO(result.text());
    CHECK(result.has(c.where, c.fragment));
    for (auto const& p : result.problems) CHECK(p.where == c.where);
  }
}

TEST_CASE("our split of a connection string is libpq's, and where libpq refuses one so do we") {
  std::vector<std::string> const valid = {
      "postgresql://app:s3cr%40t@10.50.0.1:5432/contacts?sslmode=require",
      "postgres://app@[2001:db8::1]:6432/db?application_name=x&connect_timeout=5",
      "postgresql://h1,h2:5433/db?target_session_attrs=read-write&ssl=true",
      "postgresql://u:p:with:colons@h/db",
      "postgresql://u:pa?ss#x@h/db?sslmode=disable",
      "postgresql://%61pp@h%2Dx/d%62",
      "postgresql:///db?host=/tmp",
      "host=h port=5432 user=app password='a b\\' c' dbname=x",
      "host = h  dbname=x\\ y sslmode=disable",
  };
  for (auto const& text : valid) {
    CAPTURE(text);
    auto ours = config::conninfo::parse(text);
    auto theirs = libpq_parse(text);
    REQUIRE(ours.ok());
    REQUIRE(theirs);
    auto const mine = our_parse(ours->data(), ours->size());
    for (auto const& [keyword, value] : mine) CHECK(theirs->at(keyword) == value);
  }
  // Near misses of each: one character deleted, or one of the URL's delimiters inserted. Any
  // string we accept, libpq accepts with the same values (we refuse a little more: an '@'
  // after the user-info, where a password's unescaped '/' or '@' has moved the borders).
  std::size_t compared = 0;
  for (auto const& base : valid) {
    for (std::size_t i = 0; i <= base.size(); ++i) {
      std::vector<std::string> variants;
      if (i < base.size()) variants.push_back(base.substr(0, i) + base.substr(i + 1));
      for (char c : std::string_view("%@/:?=&[],'\\ ")) variants.push_back(base.substr(0, i) + c + base.substr(i));
      for (auto const& text : variants) {
        auto ours = config::conninfo::parse(text);
        if (!ours) continue;
        CAPTURE(text);
        auto theirs = libpq_parse(text);
        auto const libpq_lacks = [](auto const& s) {
          auto const use = config::parameters::classify(s.keyword).use;
          return use == config::parameters::Use::unknown || use == config::parameters::Use::app_only;
        };
        // Refused later by name, or a driver's: libpq refuses both, and we look no further.
        if (std::any_of(ours->begin(), ours->end(), libpq_lacks)) continue;
        REQUIRE(theirs);
        for (auto const& [keyword, value] : our_parse(ours->data(), ours->size())) CHECK(theirs->at(keyword) == value);
        ++compared;
      }
    }
  }
  CHECK(compared > 500);
}

TEST_CASE("no database error contains the password, in every libpq form and thousands of near misses") {
  std::vector<std::string> const passwords = {"Summer50%off", "p@ss/w:rd?x#", "[::1]secret", "hunter2 'q\\z"};
  std::vector<std::string> const forms = {
      "postgresql://db.internal:5432/contacts?user=app&password={}",
      "postgresql://app:{}@10.50.0.1:5432/contacts?sslmode=bogus",
      "postgresql://app:{}@[::1:5432/x",
      "postgresql://app:{}@h1,h2:x/db?schema=public&sslmdoe=require",
      "host=10.50.0.1 user=app password={} dbname=contacts sslmode=bogus",
      "host=10.50.0.1 password='{}",
      "postgres://app:{}@",
      "jdbc:postgresql://app:{}@h/db",
  };
  std::size_t checked = 0;
  auto const scan = [&](std::string const& url, std::string const& password) {
    auto const result = read({{"DATABASE_URL", url.c_str()}});
    auto const text = result.text();
    // No window of six characters of the password, as written or decoded, may appear.
    for (std::size_t i = 0; i + 6 <= password.size(); ++i) {
      if (text.find(password.substr(i, 6)) != std::string::npos) {
        FAIL_CHECK(fmt::format("{} leaks part of {}: {}", url, password, text));
        return;
      }
    }
    ++checked;
  };
  for (auto const& password : passwords) {
    for (auto const& form : forms) {
      auto const base = fmt::format(fmt::runtime(form), password);
      scan(base, password);
      for (std::size_t i = 0; i < base.size(); ++i) {
        scan(base.substr(0, i) + base.substr(i + 1), password);
        for (char c : std::string_view("%@/:?&=[]' ")) scan(base.substr(0, i) + c + base.substr(i), password);
      }
    }
  }
  CHECK(checked > 10000);
}

TEST_CASE("libpq's keyword list is exactly the linked libpq's") {
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> defaults(PQconndefaults(), &PQconninfoFree);
  REQUIRE(defaults);
  std::set<std::string> linked;
  for (auto* o = defaults.get(); o->keyword != nullptr; ++o) linked.insert(o->keyword);
  auto const listed = config::parameters::libpq_keywords();
  CHECK(linked == std::set<std::string>(listed.begin(), listed.end()));
  for (auto const& keyword : linked) {
    CAPTURE(keyword);
    CHECK(config::parameters::classify(keyword).use != config::parameters::Use::app_only);
    CHECK(config::parameters::classify(keyword).use != config::parameters::Use::unknown);
  }
}
