#include "schema.hpp"

#include <array>
#include <condition_variable>
#include <string_view>

#include "log.hpp"

namespace contacts::db {
namespace {

// Any fixed number: instances starting together take turns instead of racing on the catalog.
constexpr std::string_view lock_sql = "SELECT pg_advisory_lock(720411)";
constexpr std::string_view unlock_sql = "SELECT pg_advisory_unlock(720411)";

constexpr std::string_view table_sql = R"(CREATE TABLE IF NOT EXISTS contacts (
  id SERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  phone TEXT,
  company TEXT,
  notes TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()))";

// The list is ordered by name; this keeps each page an index scan.
constexpr std::string_view order_index_sql = "CREATE INDEX IF NOT EXISTS contacts_name_id_idx ON contacts (name, id)";

// Trigram GIN indexes serve ILIKE '%...%' on all three searched columns.
constexpr std::array<std::string_view, 2> trigram_sql = {
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS contacts_search_trgm_idx ON contacts "
    "USING gin (name gin_trgm_ops, email gin_trgm_ops, company gin_trgm_ops)",
};

// Without pg_trgm (not installed, or no right to create it) an expression index still
// serves lookups by lower(name).
constexpr std::string_view fallback_index_sql = "CREATE INDEX IF NOT EXISTS contacts_lower_name_idx ON contacts (lower(name))";

Status run(Connection& connection, std::string_view sql) {
  auto result = connection.exec(std::string(sql));
  if (!result) return result.error();
  return Ok{};
}

Status create_search_index(Connection& connection) {
  for (auto sql : trigram_sql) {
    auto const status = run(connection, sql);
    if (status) continue;
    if (status.error().kind == ErrorKind::unavailable) return status;
    log::warn("search index: pg_trgm is not available ({}); using a btree index on lower(name)",
              status.error().message);
    return run(connection, fallback_index_sql);
  }
  return Ok{};
}

Status create_locked(Connection& connection) {
  if (auto status = run(connection, table_sql); !status) return status;
  if (auto status = run(connection, order_index_sql); !status) return status;
  return create_search_index(connection);
}

}  // namespace

Status create_schema(Connection& connection) {
  if (auto locked = run(connection, lock_sql); !locked) return locked;
  auto const status = create_locked(connection);
  // If this fails the lock goes with the session, which the pool then closes.
  if (auto unlocked = run(connection, unlock_sql); !unlocked && status) return unlocked;
  return status;
}

Schema::~Schema() {
  retrier_.request_stop();
}

Status Schema::ensure(Pool& pool, std::stop_token stop) {
  if (ready_.load()) return Ok{};
  std::lock_guard lock(mutex_);
  if (ready_.load()) return Ok{};
  auto lease = pool.acquire(std::chrono::seconds(5), std::move(stop));
  if (!lease) return lease.error();
  if (auto status = create_schema(**lease); !status) return status;
  ready_.store(true);
  log::info("Schema initialized");
  return Ok{};
}

void Schema::start_retrying(Pool& pool) {
  retrier_ = std::jthread([this, &pool](std::stop_token stop) { retry_loop(stop, pool); });
}

void Schema::retry_loop(std::stop_token stop, Pool& pool) {
  auto pause = std::chrono::seconds(1);
  std::string last_problem;
  std::mutex sleep_mutex;
  std::condition_variable_any sleeper;
  while (!stop.stop_requested()) {
    auto const status = ensure(pool, stop);
    if (status) return;
    // Logged when it changes, not on every attempt.
    if (status.error().message != last_problem) {
      last_problem = status.error().message;
      log::warn("database not ready, retrying in the background: {}", last_problem);
    }
    std::unique_lock lock(sleep_mutex);
    sleeper.wait_for(lock, stop, pause, [] { return false; });
    pause = std::min(pause * 2, std::chrono::seconds(30));
  }
}

}  // namespace contacts::db
