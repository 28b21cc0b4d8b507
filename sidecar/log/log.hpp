#pragma once
// Log lines for people (text) or for machines (JSON lines), on stderr. Every line carries
// its level and, on Fly, the region and machine id (format: log/line.hpp). Never pass a
// secret: Secret formats itself as "(hidden)" should one slip in.
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json_fwd.hpp>

#include "config/config.hpp"
#include "log/line.hpp"

namespace wgs::log {

void configure(config::Logging const& settings);
bool is_json();  // SIDECAR_LOG_FORMAT=json
void write(Level level, std::string_view message);
// A line with a structured part: in JSON mode the members of `fields` join the line's object
// (a check report as {"report": {...}}); in text mode `detail`, the same for people, follows
// as lines of their own.
void write(Level level, std::string_view message, nlohmann::json const& fields, std::string_view detail);

template <class... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  write(Level::debug, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  write(Level::info, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  write(Level::warn, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
  write(Level::error, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace wgs::log
