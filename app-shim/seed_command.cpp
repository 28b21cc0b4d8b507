// `contacts-api seed [N]`: creates the schema if needed and inserts N contacts in one
// transaction, so a failed run leaves nothing half done. Rows go in batches of a
// multi-row INSERT: one round trip per batch matters through a tunnel.
#include <random>
#include <string>

#include <fmt/format.h>

#include "app.hpp"
#include "db_config.hpp"
#include "exit_codes.hpp"
#include "log.hpp"
#include "number.hpp"
#include "pg_connection.hpp"
#include "schema.hpp"
#include "seed_data.hpp"

namespace contacts {
namespace {

constexpr std::int64_t default_count = 500;
constexpr std::int64_t max_count = 1'000'000;
constexpr std::size_t batch_rows = 1000;  // 3 parameters a row, well under libpq's 65535
constexpr auto connect_timeout = std::chrono::seconds(15);

std::string insert_sql(std::size_t rows) {
  std::string sql = "INSERT INTO contacts (name, email, company) VALUES ";
  for (std::size_t row = 0; row < rows; ++row) {
    sql += fmt::format("{}(${}, ${}, ${})", row == 0 ? "" : ", ", row * 3 + 1, row * 3 + 2, row * 3 + 3);
  }
  return sql;
}

Status insert_batch(db::Connection& connection, std::span<ContactInput const> batch) {
  db::Params params;
  params.reserve(batch.size() * 3);
  for (auto const& contact : batch) {
    params.insert(params.end(), {contact.name, contact.email, contact.company});
  }
  auto result = connection.exec(insert_sql(batch.size()), params);
  if (!result) return result.error();
  return Ok{};
}

Status insert_all(db::Connection& connection, std::vector<ContactInput> const& contacts) {
  if (auto begun = connection.exec("BEGIN"); !begun) return begun.error();
  std::span<ContactInput const> rest(contacts);
  while (!rest.empty()) {
    auto const batch = rest.first(std::min(rest.size(), batch_rows));
    // On failure the connection closes with the transaction open: the server rolls it back.
    if (auto inserted = insert_batch(connection, batch); !inserted) return inserted;
    rest = rest.subspan(batch.size());
  }
  if (auto committed = connection.exec("COMMIT"); !committed) return committed.error();
  return Ok{};
}

std::optional<std::int64_t> count_from(std::span<char const* const> args) {
  if (args.empty()) return default_count;
  if (args.size() > 1) return std::nullopt;
  return parse_integer(args[0], 1, max_count);
}

}  // namespace

int run_seed(Environment const& env, std::span<char const* const> args) {
  auto const count = count_from(args);
  if (!count) {
    log::error("usage: contacts-api seed [N]   (N: how many contacts, 1-{}, default {})", max_count, default_count);
    return exit_code::usage;
  }
  auto config = db::config_from_env(env);
  if (!config) {
    log::error("configuration: {}", config.error().message);
    return exit_code::config;
  }
  auto connection = db::Connection::open(config->primary, db::Clock::now() + connect_timeout);
  if (!connection) {
    log::error("{}", connection.error().message);
    return exit_code::unavailable;
  }
  if (auto schema = db::create_schema(**connection); !schema) {
    log::error("creating the schema: {}", schema.error().message);
    return exit_code::unavailable;
  }
  std::mt19937 random{std::random_device{}()};
  log::info("Seeding {} contacts...", *count);
  if (auto seeded = insert_all(**connection, seed::make_contacts(static_cast<std::size_t>(*count), random)); !seeded) {
    log::error("seeding: {}", seeded.error().message);
    return exit_code::unavailable;
  }
  log::info("Done!");
  return exit_code::ok;
}

}  // namespace contacts
