// libpq's asynchronous connection (PQconnectStartParams + PQconnectPoll) and query
// (PQsendQuery + PQconsumeInput), waited on with Asio. libpq owns the socket and may swap
// it (a retry on another address, sslmode=allow/prefer falling back), so the descriptor
// is assigned for each wait and released before libpq runs again: Asio must never close
// or keep watching a file descriptor that libpq closed.
#include "checks/pg_probe.hpp"

#include <libpq-fe.h>

#include <memory>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <fmt/format.h>

#include "checks/pg_failure.hpp"
#include "checks/wait.hpp"
#include "text/escape.hpp"

namespace wgs::checks {
namespace {

using Clock = std::chrono::steady_clock;
using Descriptor = boost::asio::posix::stream_descriptor;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool is_connecting(ConnStatusType status) {
  return status == CONNECTION_STARTED || status == CONNECTION_NEEDED;
}

class PgProbe : public std::enable_shared_from_this<PgProbe> {
 public:
  PgProbe(boost::asio::io_context& io, PgProbeSettings settings, std::function<void(PgProbeResult)> done)
      : descriptor_(io), settings_(std::move(settings)), done_(std::move(done)) {}

  void start();

 private:
  enum class Phase { connecting, made, tls, startup, query };

  config::Database const& db() const { return *settings_.database; }
  void begin_stage() {
    stage_start_ = Clock::now();
    deadline_ = stage_start_ + settings_.stage_timeout;
  }
  void poll();
  bool done_enough() const;
  void note_status(ConnStatusType status);
  void on_tcp_done();
  void on_tls_left(ConnStatusType status);
  void wait_for(Descriptor::wait_type what, void (PgProbe::*next)());
  void on_connected();
  void flush_query();
  void read_results();
  void take_result(PGresult* result);
  void fail(bool timed_out, std::string message, std::optional<std::string> sqlstate = std::nullopt);
  void finish();
  PgPhase failure_phase() const;
  std::string timeout_message() const;

  Descriptor descriptor_;
  PgProbeSettings settings_;
  std::function<void(PgProbeResult)> done_;
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_{nullptr, &PQfinish};
  Phase phase_ = Phase::connecting;
  ConnStatusType last_status_ = CONNECTION_NEEDED;
  Clock::time_point started_ = Clock::now(), stage_start_, deadline_;
  bool selected_one_ = false;
  std::optional<std::pair<std::string, std::optional<std::string>>> query_error_;
  PgProbeResult result_;
};

// libpq's keyword/value arrays for this host. Every setting that matters is explicit, so
// libpq's own PG* environment changes nothing the configuration did not already say, and
// gssencmode=disable so no GSSAPI attempt adds a round trip the stages don't model.
class ConnectParameters {
 public:
  ConnectParameters(config::Database const& db, config::DatabaseHost const& host) : port_(std::to_string(host.port)) {
    add("host", host.host);
    add("port", port_);
    if (host.hostaddr) add("hostaddr", *host.hostaddr);
    add("user", db.user);
    add("password", db.password.c_str());
    add("dbname", db.dbname);
    add("sslmode", db.sslmode);
    add("target_session_attrs", db.target_session_attrs);
    add("application_name", "wgsidecar-check");
    add("gssencmode", "disable");
    if (db.sslrootcert) add("sslrootcert", *db.sslrootcert);
    if (db.passfile) add("passfile", *db.passfile);
    if (!db.sslpassword.empty()) add("sslpassword", db.sslpassword.c_str());
    for (auto const& [keyword, value] : db.libpq_settings) add(keyword.c_str(), value);
    keys_.push_back(nullptr);
    values_.push_back(nullptr);
  }
  char const* const* keys() const { return keys_.data(); }
  char const* const* values() const { return values_.data(); }

 private:
  void add(char const* key, std::string const& value) { add(key, value.c_str()); }
  void add(char const* key, char const* value) {
    keys_.push_back(key);
    values_.push_back(value);
  }
  std::string port_;
  std::vector<char const*> keys_, values_;
};

void PgProbe::start() {
  ConnectParameters const parameters(db(), settings_.host);
  begin_stage();
  conn_.reset(PQconnectStartParams(parameters.keys(), parameters.values(), 0));
  if (!conn_) return fail(false, "libpq could not allocate a connection");
  note_status(PQstatus(conn_.get()));
  if (PQstatus(conn_.get()) == CONNECTION_BAD) return fail(false, PQerrorMessage(conn_.get()));
  wait_for(Descriptor::wait_write, &PgProbe::poll);  // as if PQconnectPoll said WRITING
}

void PgProbe::poll() {
  auto const polled = PQconnectPoll(conn_.get());
  note_status(PQstatus(conn_.get()));
  if (done_enough()) return finish();
  switch (polled) {
    case PGRES_POLLING_OK: return on_connected();
    case PGRES_POLLING_READING: return wait_for(Descriptor::wait_read, &PgProbe::poll);
    case PGRES_POLLING_WRITING: return wait_for(Descriptor::wait_write, &PgProbe::poll);
    default: return fail(false, PQerrorMessage(conn_.get()));
  }
}

// The status transitions are where the stages begin and end.
void PgProbe::note_status(ConnStatusType status) {
  if (status == last_status_) return;
  last_status_ = status;
  result_.transitions.push_back(fmt::format("{} +{:.1f}ms", connection_status_name(status), ms_since(started_)));
  if (status == CONNECTION_BAD) return;
  if (is_connecting(status)) {
    if (phase_ != Phase::connecting) phase_ = Phase::connecting;  // libpq retries (allow/prefer)
    return;
  }
  if (phase_ == Phase::connecting) on_tcp_done();
  if (phase_ == Phase::made && status == CONNECTION_SSL_STARTUP) {
    phase_ = Phase::tls;
  } else if (phase_ == Phase::made && status != CONNECTION_MADE) {
    result_.tls = {Status::skip, 0, "", fmt::format("not used (sslmode={})", db().sslmode)};
    phase_ = Phase::startup;
  } else if (phase_ == Phase::tls && status != CONNECTION_SSL_STARTUP) {
    on_tls_left(status);
  }
}

void PgProbe::on_tcp_done() {
  if (result_.tcp.status != Status::ok) result_.tcp = {Status::ok, ms_since(stage_start_), "", ""};
  phase_ = Phase::made;
  begin_stage();
}

void PgProbe::on_tls_left(ConnStatusType) {
  if (PQsslInUse(conn_.get())) {
    char const* protocol = PQsslAttribute(conn_.get(), "protocol");
    result_.tls = {Status::ok, ms_since(stage_start_), "", protocol ? protocol : "TLS"};
  } else {
    result_.tls = {Status::skip, ms_since(stage_start_), "",
                   fmt::format("server offers no TLS; sslmode={} goes on without it", db().sslmode)};
  }
  phase_ = Phase::startup;
  begin_stage();
}

void PgProbe::wait_for(Descriptor::wait_type what, void (PgProbe::*next)()) {
  int const fd = PQsocket(conn_.get());
  if (fd < 0) return fail(false, "libpq has no socket to wait on");
  boost::system::error_code ec;
  descriptor_.assign(fd, ec);
  if (ec) return fail(false, fmt::format("watching the connection's socket: {}", ec.message()));
  async_wait_until(descriptor_, what, deadline_, [self = shared_from_this(), next](WaitOutcome outcome) {
    self->descriptor_.release();  // libpq owns the fd and may close it in the next call
    if (outcome == WaitOutcome::ready) return ((*self).*next)();
    if (outcome == WaitOutcome::timed_out) return self->fail(true, self->timeout_message());
    self->fail(false, "waiting on the connection's socket failed");
  });
}

void PgProbe::on_connected() {
  if (phase_ == Phase::made) result_.tls = {Status::skip, 0, "", fmt::format("not used (sslmode={})", db().sslmode)};
  phase_ = Phase::query;
  if (PQsetnonblocking(conn_.get(), 1) != 0 || PQsendQuery(conn_.get(), "SELECT 1") == 0) {
    return fail(false, PQerrorMessage(conn_.get()));
  }
  flush_query();
}

void PgProbe::flush_query() {
  switch (PQflush(conn_.get())) {
    case 0: return wait_for(Descriptor::wait_read, &PgProbe::read_results);
    case 1: return wait_for(Descriptor::wait_write, &PgProbe::flush_query);
    default: return fail(false, PQerrorMessage(conn_.get()));
  }
}

void PgProbe::read_results() {
  if (PQconsumeInput(conn_.get()) == 0) return fail(false, PQerrorMessage(conn_.get()));
  while (PQisBusy(conn_.get()) == 0) {
    PGresult* result = PQgetResult(conn_.get());
    if (result == nullptr) {
      if (query_error_) return fail(false, query_error_->first, query_error_->second);
      if (!selected_one_) return fail(false, "SELECT 1 returned no row");
      auto const version = PQserverVersion(conn_.get());
      result_.auth = {Status::ok, ms_since(stage_start_), "",
                      fmt::format("SELECT 1 as {} on {} (PostgreSQL {}.{})", db().user, db().dbname,
                                  version / 10000, version % 10000)};
      return finish();
    }
    take_result(result);
  }
  wait_for(Descriptor::wait_read, &PgProbe::read_results);
}

void PgProbe::take_result(PGresult* result) {
  if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1 &&
      std::string_view(PQgetvalue(result, 0, 0)) == "1") {
    selected_one_ = true;
  } else if (!query_error_) {
    char const* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    query_error_.emplace(PQresultErrorMessage(result), state ? std::optional<std::string>(state) : std::nullopt);
  }
  PQclear(result);
}

// Stages after the last one asked for are left as skipped, and nothing more is sent.
bool PgProbe::done_enough() const {
  if (settings_.last_stage == Stage::tcp) return result_.tcp.status == Status::ok;
  if (settings_.last_stage == Stage::tls) return phase_ == Phase::startup || phase_ == Phase::query;
  return false;
}

PgPhase PgProbe::failure_phase() const {
  switch (phase_) {
    case Phase::connecting: return PgPhase::connecting;
    case Phase::made: return db().sslmode == "disable" || db().sslmode == "allow" ? PgPhase::startup : PgPhase::tls;
    case Phase::tls: return PgPhase::tls;
    case Phase::startup: return PgPhase::startup;
    case Phase::query: return PgPhase::query;
  }
  return PgPhase::connecting;
}

std::string PgProbe::timeout_message() const {
  auto const limit = format_duration(settings_.stage_timeout);
  switch (phase_) {
    case Phase::connecting: return fmt::format("no answer to the TCP connect within {}", limit);
    case Phase::made:
    case Phase::tls: return fmt::format("the TLS handshake did not finish within {}", limit);
    case Phase::startup: return fmt::format("no answer during startup/authentication within {}", limit);
    case Phase::query: return fmt::format("SELECT 1 did not return within {}", limit);
  }
  return "timed out";
}

void PgProbe::fail(bool timed_out, std::string message, std::optional<std::string> sqlstate) {
  PgFailure const failure{failure_phase(), timed_out, message, std::move(sqlstate), ms_since(stage_start_)};
  result_ = record_failure(std::move(result_), failure, db().password.text());
  finish();
}

void PgProbe::finish() {
  if (descriptor_.is_open()) descriptor_.release();
  conn_.reset();  // PQfinish closes the socket
  auto done = std::move(done_);
  done(std::move(result_));
}

}  // namespace

void async_pg_probe(boost::asio::io_context& io, PgProbeSettings settings, std::function<void(PgProbeResult)> done) {
  auto probe = std::make_shared<PgProbe>(io, std::move(settings), std::move(done));
  boost::asio::post(io, [probe] { probe->start(); });
}

std::string_view connection_status_name(int status) {
  switch (status) {
    case CONNECTION_OK: return "CONNECTION_OK";
    case CONNECTION_BAD: return "CONNECTION_BAD";
    case CONNECTION_STARTED: return "CONNECTION_STARTED";
    case CONNECTION_MADE: return "CONNECTION_MADE";
    case CONNECTION_AWAITING_RESPONSE: return "CONNECTION_AWAITING_RESPONSE";
    case CONNECTION_AUTH_OK: return "CONNECTION_AUTH_OK";
    case CONNECTION_SETENV: return "CONNECTION_SETENV";
    case CONNECTION_SSL_STARTUP: return "CONNECTION_SSL_STARTUP";
    case CONNECTION_NEEDED: return "CONNECTION_NEEDED";
    case CONNECTION_CHECK_WRITABLE: return "CONNECTION_CHECK_WRITABLE";
    case CONNECTION_CONSUME: return "CONNECTION_CONSUME";
    case CONNECTION_GSS_STARTUP: return "CONNECTION_GSS_STARTUP";
    case CONNECTION_CHECK_TARGET: return "CONNECTION_CHECK_TARGET";
    case CONNECTION_CHECK_STANDBY: return "CONNECTION_CHECK_STANDBY";
  }
  return "CONNECTION_UNKNOWN";
}

std::string clean_message(std::string_view message, std::string_view password) {
  std::string line;
  for (char c : message) {
    bool const space = c == '\n' || c == '\t' || c == '\r';
    if (space && (line.empty() || line.back() == ' ')) continue;
    line += space ? ' ' : c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  // The server chose these bytes (libpq quotes what it received): shown, never obeyed or
  // trusted to be UTF-8.
  return text::escape_controls(scrub(std::move(line), password));
}

}  // namespace wgs::checks
