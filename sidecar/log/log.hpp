#pragma once
// Log lines for people (text) or for machines (JSON lines), on stderr. Every line carries
// its level and, on Fly, the region and machine id. Never pass a secret: Secret formats
// itself as "(hidden)" should one slip in.
#include <string_view>

#include <fmt/format.h>

#include "config/config.hpp"

namespace wgs::log {

enum class Level { debug, info, warn, error };

void configure(config::Logging const& settings);
void write(Level level, std::string_view message);

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
