// health::ask, the probe's side of the health server: against a real Server on loopback (its
// io_context on a thread of its own, as the supervisor's), a closed port, and a port that
// accepts but never answers.
#include <doctest/doctest.h>

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "health/client.hpp"
#include "health/server.hpp"

using namespace wgs;
using namespace std::chrono_literals;

namespace {

// A health server answering from `snapshot`, served on its own thread until destroyed.
class RunningServer {
 public:
  explicit RunningServer(health::Snapshot snapshot) : snapshot_(std::move(snapshot)) {
    auto server = health::Server::start(io_, net::HostPort{"127.0.0.1", 0}, [this](health::Detail) { return snapshot_; });
    REQUIRE(server.ok());
    server_ = std::move(*server);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RunningServer() {
    boost::asio::post(io_, [this] { server_.reset(); work_.reset(); });
    thread_.join();
  }
  net::HostPort address() const { return {"127.0.0.1", server_port_()}; }

 private:
  std::uint16_t server_port_() const { return server_->port(); }
  health::Snapshot snapshot_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<health::Server> server_;
  std::thread thread_;
};

health::Snapshot not_ready(std::string reason) {
  health::Snapshot snapshot;
  snapshot.not_ready_reason = std::move(reason);
  return snapshot;
}

}  // namespace

TEST_CASE("health client: a wildcard bind is dialled on loopback, anything else as it is") {
  struct Row {
    char const* bound;
    char const* dialled;
  };
  for (auto row : {Row{"0.0.0.0", "127.0.0.1"}, Row{"::", "::1"}, Row{"127.0.0.1", "127.0.0.1"},
                   Row{"10.50.3.10", "10.50.3.10"}, Row{"fdaa:0:1::3", "fdaa:0:1::3"}, Row{"::1", "::1"}}) {
    CAPTURE(row.bound);
    CHECK(health::dial_address(*net::IpAddress::parse(row.bound)).to_string() == row.dialled);
  }
}

TEST_CASE("health client: /readyz's status and first line, as the supervisor answers them") {
  health::Snapshot ready;
  ready.ready = true;
  RunningServer ready_server(ready);
  auto const yes = health::ask(ready_server.address(), "/readyz", 2s);
  REQUIRE(yes.ok());
  CHECK(yes->status == 200);
  CHECK(yes->first_line == "ready");

  RunningServer starting(not_ready("starting: ping: no echo reply\nsecond line"));
  auto const no = health::ask(starting.address(), "/readyz", 2s);
  REQUIRE(no.ok());
  CHECK(no->status == 503);
  CHECK(no->first_line == "not ready: starting: ping: no echo reply second line");
  auto const alive = health::ask(starting.address(), "/healthz", 2s);
  REQUIRE(alive.ok());
  CHECK(alive->status == 200);
  CHECK(alive->first_line == "ok");
}

TEST_CASE("health client: nothing listening, and a listener that never answers, are errors within the deadline") {
  std::uint16_t closed_port = 0;
  {
    RunningServer gone(health::Snapshot{});
    closed_port = gone.address().port;
  }
  auto const refused = health::ask({"127.0.0.1", closed_port}, "/readyz", 2s);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("nothing answered GET /readyz on 127.0.0.1:" + std::to_string(closed_port)) == 0);

  // The kernel completes the handshake into the backlog; nobody ever reads the request.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto const stalled = health::ask({"127.0.0.1", silent.local_endpoint().port()}, "/readyz", 200ms);
  REQUIRE_FALSE(stalled.ok());
  CHECK(stalled.error().message.find("(deadline 200ms)") != std::string::npos);
}
