#pragma once
// The health endpoints' bodies, rendered from a Snapshot: pure functions, so the tests
// check every byte a monitoring system will parse without opening a socket.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "health/snapshot.hpp"

namespace wgs::health {

// /readyz: "ready\n", or "not ready: <reason>\n" on one line.
std::string readyz_body(Snapshot const& snapshot);

// /status: the snapshot as one JSON document (shape in README "Health endpoints").
nlohmann::json status_json(Snapshot const& snapshot);
std::string status_body(Snapshot const& snapshot);  // status_json, indented, newline-terminated

// /metrics: Prometheus text exposition format 0.0.4.
inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";
std::string metrics_text(Snapshot const& snapshot);

// A label value as the text format wants it: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

// The tunnel states /metrics always lists, so a dashboard sees a 0 rather than a gap.
inline constexpr std::string_view tunnel_states[] = {"starting", "fresh", "stale", "recovering", "failed"};
// The monitor's recovery steps, likewise always listed.
inline constexpr std::string_view recovery_steps[] = {"links", "peer", "interface"};

}  // namespace wgs::health
