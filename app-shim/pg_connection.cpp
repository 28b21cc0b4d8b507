#include "pg_connection.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "log.hpp"

namespace contacts::db {
namespace {

// Statements longer than this are cut off by the server, so a request cannot hold a
// connection (and a worker thread) indefinitely. NOTICEs ("already exists, skipping") are
// noise; warnings still reach the log through log_notice.
constexpr std::string_view session_setup_sql =
    "SELECT set_config('statement_timeout', '10000', false), set_config('client_min_messages', 'warning', false)";

// libpq messages end in newlines and sometimes span lines; one line reads better in logs and JSON.
std::string one_line(std::string_view text) {
  std::string line;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') {
      if (!line.empty() && line.back() != ' ') line += ' ';
    } else {
      line += c;
    }
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

// libpq would print server notices on stderr in its own format; they go to the log instead.
void log_notice(void*, char const* message) { log::warn("database says: {}", one_line(message)); }

enum class Wait { ready, timed_out, stopped, failed };

// Waits until libpq's socket is ready for what PQconnectPoll asked, checking STOP often.
Wait wait_for_socket(PGconn* conn, PostgresPollingStatusType want, Clock::time_point deadline,
                     std::stop_token const& stop) {
  pollfd fd{PQsocket(conn), static_cast<short>(want == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
  while (true) {
    if (stop.stop_requested()) return Wait::stopped;
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Wait::timed_out;
    int const ready = ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 200)));
    if (ready > 0) return Wait::ready;
    if (ready < 0 && errno != EINTR) return Wait::failed;
  }
}

}  // namespace

std::optional<std::string> QueryResult::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

std::int64_t QueryResult::integer(int row, int column) const {
  return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}

Connection::Connection(PGconn* conn, Target const& target)
    : conn_(conn, &PQfinish), target_(&target), opened_at_(Clock::now()) {}

Result<std::unique_ptr<Connection>> Connection::open(Target const& target, Clock::time_point deadline,
                                                     std::stop_token stop) {
  std::vector<char const*> keywords;
  std::vector<char const*> values;
  for (auto const& [keyword, value] : target.params) {
    keywords.push_back(keyword.c_str());
    values.push_back(value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  auto const doing = fmt::format("connecting to {}", target.describe());
  std::unique_ptr<Connection> connection(
      new Connection(PQconnectStartParams(keywords.data(), values.data(), target.expand_dbname ? 1 : 0), target));
  PGconn* conn = connection->conn_.get();
  if (conn == nullptr) return make_error(ErrorKind::unavailable, doing + ": out of memory");
  auto status = PQstatus(conn) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED) {
    switch (wait_for_socket(conn, status, deadline, stop)) {
      case Wait::ready: break;
      case Wait::timed_out: return make_error(ErrorKind::unavailable, doing + ": timed out");
      case Wait::stopped: return make_error(ErrorKind::unavailable, doing + ": shutting down");
      case Wait::failed: return make_error(ErrorKind::unavailable, doing + ": poll failed");
    }
    status = PQconnectPoll(conn);
  }
  if (status == PGRES_POLLING_FAILED) return connection->failure(nullptr, doing);
  PQsetNoticeProcessor(conn, &log_notice, nullptr);
  if (auto set = connection->exec(std::string(session_setup_sql)); !set) return set.error();
  return connection;
}

Result<QueryResult> Connection::exec(std::string const& sql, Params const& params) {
  std::vector<char const*> values;
  values.reserve(params.size());
  for (auto const& param : params) values.push_back(param ? param->c_str() : nullptr);
  QueryResult result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0));
  auto const status = result.status();
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return result;
  return failure(result.get(), fmt::format("querying {}", target_->describe()));
}

bool Connection::is_usable() {
  if (PQstatus(conn_.get()) != CONNECTION_OK || PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) return false;
  pollfd fd{PQsocket(conn_.get()), POLLIN, 0};
  return ::poll(&fd, 1, 0) == 0;
}

Error Connection::failure(PGresult const* result, std::string_view doing) const {
  char const* sqlstate = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  char const* message = result != nullptr ? PQresultErrorMessage(result) : nullptr;
  if (message == nullptr || *message == '\0') message = PQerrorMessage(conn_.get());
  bool const connection_ok = PQstatus(conn_.get()) == CONNECTION_OK;
  auto const kind = classify(sqlstate != nullptr ? sqlstate : "", connection_ok);
  // Input the server refused goes back to the client: its own words, without our host names.
  char const* primary = result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (kind == ErrorKind::bad_input && primary != nullptr) return make_error(kind, redact(one_line(primary), *target_));
  return make_error(kind, redact(fmt::format("{}: {}", doing, one_line(message)), *target_));
}

ErrorKind classify(std::string_view sqlstate, bool connection_ok) {
  if (!connection_ok) return ErrorKind::unavailable;
  if (sqlstate.size() != 5) return ErrorKind::internal;
  auto const error_class = sqlstate.substr(0, 2);
  // 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown,
  // statement timeout), 42P01 the table does not exist yet: all pass when the database does.
  if (error_class == "08" || error_class == "53" || error_class == "57" || sqlstate == "42P01") {
    return ErrorKind::unavailable;
  }
  if (sqlstate == "25006") return ErrorKind::unavailable;  // read-only: a replica promoted away under us
  if (error_class == "22") return ErrorKind::bad_input;    // data exception: bad encoding, too long
  return ErrorKind::internal;
}

}  // namespace contacts::db
