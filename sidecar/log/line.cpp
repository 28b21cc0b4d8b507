#include "log/line.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "text/escape.hpp"
#include "text/json.hpp"

namespace wgs::log {
namespace {

// region=iad; a value with a space or a quote is quoted, so it cannot pose as another key.
std::string key_value(std::string_view key, std::string_view value) {
  auto const shown = text::escape_controls(value);
  bool const quote = shown.empty() || shown.find_first_of(" \"=") != std::string::npos;
  if (!quote) return fmt::format(" {}={}", key, shown);
  std::string quoted;
  for (char c : shown) quoted += c == '"' ? std::string("\\\"") : std::string(1, c);
  return fmt::format(" {}=\"{}\"", key, quoted);
}

std::string prefix(config::Logging const& settings, std::string_view time, Level level) {
  std::string where;
  if (!settings.region.empty()) where += key_value("region", settings.region);
  if (!settings.machine_id.empty()) where += key_value("machine", settings.machine_id);
  return fmt::format("{} wgsidecar {:<5}{} ", time, level_name(level), where);
}

}  // namespace

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

std::string text_line(config::Logging const& settings, std::string_view time, Level level, std::string_view message,
                      std::string_view detail) {
  auto const start = prefix(settings, time, level);
  std::string out = start + text::escape_controls(message) + "\n";
  while (!detail.empty()) {
    auto const end = detail.find('\n');
    out += start + text::escape_controls(detail.substr(0, end)) + "\n";
    detail = end == std::string_view::npos ? std::string_view() : detail.substr(end + 1);
  }
  return out;
}

std::string json_line(config::Logging const& settings, std::string_view time, Level level, std::string_view message,
                      nlohmann::json const& fields) {
  nlohmann::ordered_json line = {{"time", time}, {"level", level_name(level)}, {"source", "wgsidecar"}, {"msg", message}};
  if (!settings.region.empty()) line["region"] = settings.region;
  if (!settings.machine_id.empty()) line["machine_id"] = settings.machine_id;
  if (fields.is_object()) {
    for (auto const& [key, value] : fields.items()) {
      if (!line.contains(key)) line[key] = value;
    }
  }
  return text::json_text(line) + "\n";
}

std::string json_line(config::Logging const& settings, std::string_view time, Level level, std::string_view message) {
  return json_line(settings, time, level, message, nlohmann::json::object());
}

}  // namespace wgs::log
