#include "log.hpp"

#include <unistd.h>

#include <ctime>
#include <string>

namespace contacts::log {
namespace {

std::string_view level_name(Level level) {
  switch (level) {
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

std::string utc_now() {
  std::time_t const now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

void write(Level level, std::string_view message) {
  std::string line = fmt::format("{} {}: {}\n", utc_now(), level_name(level), message);
  // A short write to stderr is not worth a retry loop: the line is best effort.
  [[maybe_unused]] auto const written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace contacts::log
