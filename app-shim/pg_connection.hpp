#pragma once
// One libpq connection and the results of its queries. Every query is PQexecParams with
// the values passed separately from the SQL text; failures come back as Errors whose kind
// says whether the database was unreachable (503) or rejected the input (400).
#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "db_config.hpp"
#include "result.hpp"

namespace contacts::db {

using Clock = std::chrono::steady_clock;

class QueryResult {
 public:
  explicit QueryResult(PGresult* result) : result_(result, &PQclear) {}

  // PGRES_FATAL_ERROR when libpq returned no result at all (out of memory, connection lost).
  ExecStatusType status() const { return result_ ? PQresultStatus(result_.get()) : PGRES_FATAL_ERROR; }
  PGresult const* get() const { return result_.get(); }
  int rows() const { return PQntuples(result_.get()); }
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string text(int row, int column) const { return PQgetvalue(result_.get(), row, column); }
  std::optional<std::string> optional_text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  std::int64_t affected_rows() const { return std::strtoll(PQcmdTuples(result_.get()), nullptr, 10); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// Query parameters in text form; nullopt is SQL NULL. Values must not contain NUL bytes.
using Params = std::vector<std::optional<std::string>>;

class Connection {
 public:
  // Connects without blocking past DEADLINE, giving up early when STOP is requested.
  static Result<std::unique_ptr<Connection>> open(Target const& target, Clock::time_point deadline,
                                                  std::stop_token stop = {});

  Result<QueryResult> exec(std::string const& sql, Params const& params = {});

  // Still connected and idle. A server that went away (restart, failover) leaves the idle
  // socket readable, so a readable idle connection is treated as dead.
  bool is_usable();
  Clock::time_point opened_at() const { return opened_at_; }
  Target const& target() const { return *target_; }

 private:
  Connection(PGconn* conn, Target const& target);
  Error failure(PGresult const* result, std::string_view doing) const;

  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
  Target const* target_;
  Clock::time_point opened_at_;
};

// What an SQLSTATE (empty when the server sent none) means for the caller.
ErrorKind classify(std::string_view sqlstate, bool connection_ok);

}  // namespace contacts::db
