#pragma once
// Every JSON document wgsidecar writes (config --json, check --json, status --json, /status,
// JSON log lines) goes through json_text: nlohmann's plain dump() throws on a string that is
// not UTF-8, and a DB_USER or a server's error message is whatever bytes it is.
#include <string>

#include <nlohmann/json.hpp>

namespace wgs::text {

// `value` as JSON text (compact, or indented by `indent` spaces); bytes that are not UTF-8
// become U+FFFD. Never throws for invalid text.
std::string json_text(nlohmann::json const& value, int indent = -1);
std::string json_text(nlohmann::ordered_json const& value, int indent = -1);

}  // namespace wgs::text
