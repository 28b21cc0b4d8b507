// The health endpoints' bodies and routing, as a monitoring system and a person see them.
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "health/endpoints.hpp"
#include "health/render.hpp"

using namespace wgs;
using namespace wgs::health;
using checks::Stage;
using checks::Status;

namespace {

// 2026-11-22T18:43:00Z
std::chrono::system_clock::time_point const noon_ish = std::chrono::system_clock::from_time_t(1795372980);

Snapshot healthy() {
  Snapshot s;
  s.ready = true;
  s.config = {{"wireguard", {{"private_key", "(hidden)"}}}};
  s.tunnel = {"wg0", "userspace", "fresh", 12.3456, 2048, 1024, 0.8};
  checks::Report report;
  report.targets.push_back({"primary", "postgresql://app:(hidden)@10.50.0.1:5432/db", "10.50.0.1", {}, {}});
  report.stages = {{Stage::ping, "primary", Status::ok, 1.5, "", "", ""},
                   {Stage::tcp, "primary", Status::fail, 3000, "timed out", "", ""},
                   {Stage::auth, "primary", Status::skip, 0, "", "", "tcp failed"}};
  s.last_check = report;
  s.recoveries_by_step = {{"links", 2}};
  s.recent_recoveries = {{noon_ish, "links", "route 10.50.0.0/24 was deleted", true}};
  s.app_restarts = {{noon_ish, 1}};
  s.app_restart_count = 1;
  s.app_pid = 42;
  s.uptime_seconds = 90.5;
  return s;
}

std::vector<std::string> lines_of(std::string const& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(std::string const& text, std::string const& line) {
  auto const lines = lines_of(text);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

TEST_CASE("health: /readyz says ready, or why not on one line") {
  Snapshot s;
  s.ready = true;
  CHECK(readyz_body(s) == "ready\n");
  s.ready = false;
  CHECK(readyz_body(s) == "not ready\n");
  s.not_ready_reason = "the tunnel is stale";
  CHECK(readyz_body(s) == "not ready: the tunnel is stale\n");
  s.not_ready_reason = "primary tcp: refused\nreplica auth: denied";
  CHECK(readyz_body(s) == "not ready: primary tcp: refused replica auth: denied\n");
}

TEST_CASE("health: /readyz says how old the gating checks it answers from are") {
  Snapshot s;
  s.ready = true;
  s.last_check_age_seconds = 41.7;
  CHECK(readyz_body(s) == "ready (gating checks 41s ago)\n");
  s.ready = false;
  s.not_ready_reason = "primary auth: denied";
  CHECK(readyz_body(s) == "not ready: primary auth: denied (gating checks 41s ago)\n");
}

TEST_CASE("health: /metrics and /status count the database logins and the checks' age") {
  auto s = healthy();
  s.database_logins = {{"primary", 7}, {"replica", 2}};
  s.last_check_age_seconds = 12.5;
  auto const text = metrics_text(s);
  CHECK(has_line(text, "# TYPE wgsidecar_database_logins_total counter"));
  CHECK(has_line(text, "wgsidecar_database_logins_total{target=\"primary\"} 7"));
  CHECK(has_line(text, "wgsidecar_database_logins_total{target=\"replica\"} 2"));
  CHECK(has_line(text, "wgsidecar_check_age_seconds 12.5"));
  auto const j = status_json(s);
  CHECK(j["database_logins"]["primary"] == 7);
  CHECK(j["last_check_age_seconds"] == 12.5);
}

TEST_CASE("health: /status has the documented shape") {
  auto const j = status_json(healthy());
  CHECK(j["ready"] == true);
  CHECK(j["not_ready_reason"] == "");
  CHECK(j["uptime_seconds"] == 90.5);
  CHECK(j["config"]["wireguard"]["private_key"] == "(hidden)");
  auto const& t = j["tunnel"];
  CHECK(t["interface"] == "wg0");
  CHECK(t["backend"] == "userspace");
  CHECK(t["state"] == "fresh");
  CHECK(t["handshake_age_seconds"] == 12.346);  // milliseconds are enough
  CHECK(t["rx_bytes"] == 2048);
  CHECK(t["tx_bytes"] == 1024);
  CHECK(t["last_probe_ms"] == 0.8);
  CHECK(j["last_check"]["ok"] == false);
  CHECK(j["last_check"]["stages"].size() == 3);
  CHECK(j["recoveries"]["by_step"] == nlohmann::json({{"links", 2}, {"peer", 0}, {"interface", 0}}));
  auto const& recovery = j["recoveries"]["recent"][0];
  CHECK(recovery["at"] == "2026-11-22T18:43:00Z");
  CHECK(recovery["step"] == "links");
  CHECK(recovery["reason"] == "route 10.50.0.0/24 was deleted");
  CHECK(recovery["succeeded"] == true);
  CHECK(j["app"] == nlohmann::json({{"pid", 42},
                                    {"restarts", 1},
                                    {"recent_restarts", {{{"at", "2026-11-22T18:43:00Z"}, {"exit_code", 1}}}}}));
  CHECK(status_body(healthy()).back() == '\n');
}

TEST_CASE("health: /status shows what is not known yet as null") {
  Snapshot s;
  auto const j = status_json(s);
  CHECK(j["ready"] == false);
  CHECK(j["tunnel"]["state"] == "starting");
  CHECK(j["tunnel"]["handshake_age_seconds"].is_null());
  CHECK(j["tunnel"]["last_probe_ms"].is_null());
  CHECK(j["last_check"].is_null());
  CHECK(j["app"]["pid"].is_null());
  CHECK(j["recoveries"]["recent"].is_array());
  CHECK(j["app"]["recent_restarts"].is_array());
}

TEST_CASE("health: /status survives invalid UTF-8 in a reason") {
  auto s = healthy();
  s.not_ready_reason = "bad \xff byte";
  CHECK_NOTHROW(status_body(s));
}

TEST_CASE("health: /metrics has the documented series") {
  auto const text = metrics_text(healthy());
  for (auto const* line : {
           "wgsidecar_up 1",
           "wgsidecar_ready 1",
           "wgsidecar_tunnel_state{state=\"starting\"} 0",
           "wgsidecar_tunnel_state{state=\"fresh\"} 1",
           "wgsidecar_tunnel_state{state=\"stale\"} 0",
           "wgsidecar_tunnel_state{state=\"recovering\"} 0",
           "wgsidecar_tunnel_state{state=\"failed\"} 0",
           "wgsidecar_handshake_age_seconds 12.3456",
           "wgsidecar_rx_bytes_total 2048",
           "wgsidecar_tx_bytes_total 1024",
           "wgsidecar_recoveries_total{step=\"links\"} 2",
           "wgsidecar_recoveries_total{step=\"peer\"} 0",
           "wgsidecar_recoveries_total{step=\"interface\"} 0",
           "wgsidecar_check_duration_seconds{target=\"primary\",stage=\"ping\"} 0.0015",
           "wgsidecar_check_duration_seconds{target=\"primary\",stage=\"tcp\"} 3",
           "wgsidecar_check_ok{target=\"primary\",stage=\"ping\"} 1",
           "wgsidecar_check_ok{target=\"primary\",stage=\"tcp\"} 0",
           "wgsidecar_app_restarts_total 1",
           "wgsidecar_uptime_seconds 90.5",
           "# TYPE wgsidecar_rx_bytes_total counter",
           "# TYPE wgsidecar_recoveries_total counter",
           "# TYPE wgsidecar_app_restarts_total counter",
           "# TYPE wgsidecar_ready gauge",
       }) {
    CAPTURE(line);
    CHECK(has_line(text, line));
  }
  // A skipped stage measured nothing.
  CHECK(text.find("stage=\"auth\"") == std::string::npos);
}

TEST_CASE("health: /metrics leaves out what is not known") {
  Snapshot s;
  auto const text = metrics_text(s);
  CHECK(text.find("wgsidecar_handshake_age_seconds") == std::string::npos);
  CHECK(text.find("wgsidecar_check_") == std::string::npos);
  CHECK(has_line(text, "wgsidecar_tunnel_state{state=\"starting\"} 1"));
  CHECK(has_line(text, "wgsidecar_ready 0"));
  CHECK(has_line(text, "wgsidecar_recoveries_total{step=\"peer\"} 0"));
}

TEST_CASE("health: /metrics is well-formed text format 0.0.4") {
  auto s = healthy();
  s.tunnel.state = "odd \"state\"\\\n";  // a state the renderer does not know, needing every escape
  auto const text = metrics_text(s);
  CHECK(has_line(text, R"(wgsidecar_tunnel_state{state="odd \"state\"\\\n"} 1)"));

  std::regex const sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")"
                          R"((,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.e+-]+|NaN|[+-]Inf))");
  std::regex const comment(R"(# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
  std::set<std::string> helped, typed;
  std::string current;
  for (auto const& line : lines_of(text)) {
    CAPTURE(line);
    std::smatch m;
    if (std::regex_match(line, m, comment)) {
      auto& seen = m[1] == "HELP" ? helped : typed;
      CHECK(seen.insert(m[2]).second);  // each family once
      current = m[2];
    } else {
      REQUIRE(std::regex_match(line, m, sample));
      CHECK(m[1] == current);  // samples follow their own HELP and TYPE
      CHECK(helped.count(m[1]) == 1);
      CHECK(typed.count(m[1]) == 1);
    }
  }
  CHECK(text.back() == '\n');
}

TEST_CASE("health: label values are escaped as the format says") {
  struct Case {
    std::string raw, escaped;
  };
  for (auto const& [raw, escaped] : std::vector<Case>{{"primary", "primary"},
                                                       {R"(a"b)", R"(a\"b)"},
                                                       {R"(a\b)", R"(a\\b)"},
                                                       {"a\nb", R"(a\nb)"},
                                                       {"", ""}}) {
    CHECK(escape_label_value(raw) == escaped);
  }
}

TEST_CASE("health: routing, and what each answer asks of the supervisor") {
  std::string asked;  // the detail the latest snapshot was taken for; empty: none taken
  SnapshotSource const source = [&](Detail detail) {
    asked = detail == Detail::verdict ? "verdict" : "full";
    return healthy();
  };
  struct Case {
    std::string method, target;
    int status;
    std::string content_type;
    std::string asked;  // /readyz must not make the monitor read the peer: Fly polls it
  };
  for (auto const& c : std::vector<Case>{
           {"GET", "/healthz", 200, "text/plain; charset=utf-8", ""},
           {"GET", "/readyz", 200, "text/plain; charset=utf-8", "verdict"},
           {"GET", "/status", 200, "application/json", "full"},
           {"GET", "/metrics", 200, "text/plain; version=0.0.4; charset=utf-8", "full"},
           {"GET", "/metrics?name[]=x", 200, "text/plain; version=0.0.4; charset=utf-8", "full"},
           {"HEAD", "/status", 200, "application/json", "full"},
           {"GET", "/readyz?verbose", 200, "text/plain; charset=utf-8", "verdict"},
           {"GET", "/", 404, "text/plain; charset=utf-8", ""},
           {"GET", "/healthz/", 404, "text/plain; charset=utf-8", ""},
           {"POST", "/healthz", 405, "text/plain; charset=utf-8", ""},
           {"DELETE", "/status", 405, "text/plain; charset=utf-8", ""},
       }) {
    CAPTURE(c.method);
    CAPTURE(c.target);
    asked.clear();
    auto const reply = respond(c.method, c.target, source);
    CHECK(reply.status == c.status);
    CHECK(reply.content_type == c.content_type);
    CHECK(reply.head == (c.method == "HEAD"));
    CHECK(reply.allow == (c.status == 405 ? "GET, HEAD" : ""));
    CHECK(asked == c.asked);  // /healthz: the supervisor's state is not needed to say it is alive
  }
  CHECK(respond("GET", "/healthz", source).body == "ok\n");
  CHECK(respond("GET", "/readyz", source).body == "ready\n");
  CHECK(respond("HEAD", "/status", source).body == status_body(healthy()));  // for Content-Length
}

TEST_CASE("health: /healthz answers without a snapshot; a failing source is a 500, not a crash") {
  SnapshotSource const broken = [](Detail) -> Snapshot { throw std::runtime_error("boom"); };
  CHECK(respond("GET", "/healthz", broken).status == 200);
  CHECK(respond("GET", "/status", broken).status == 500);
  CHECK(respond("GET", "/metrics", broken).status == 500);

  SnapshotSource const not_ready = [](Detail) {
    Snapshot s;
    s.not_ready_reason = "the tunnel is stale";
    return s;
  };
  auto const reply = respond("GET", "/readyz", not_ready);
  CHECK(reply.status == 503);
  CHECK(reply.body == "not ready: the tunnel is stale\n");
}
