#pragma once
// One line per event on stderr, "2025-12-07T13:22:20Z info: message". Lines are written
// with a single write(2) so threads do not interleave. Never pass a secret.
#include <string_view>

#include <fmt/format.h>

namespace contacts::log {

enum class Level { info, warn, error };

void write(Level level, std::string_view message);

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

}  // namespace contacts::log
