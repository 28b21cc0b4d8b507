#include "log/log.hpp"

#include <unistd.h>

#include <chrono>
#include <mutex>

#include <fmt/chrono.h>
#include <nlohmann/json.hpp>

namespace wgs::log {
namespace {

// Set once by configure() before any thread starts; read-only afterwards.
config::Logging settings;
std::mutex write_mutex;

std::string timestamp() {
  auto const now = std::chrono::system_clock::now();
  auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

void emit(std::string const& lines) {
  std::lock_guard lock(write_mutex);
  // One write() per line (a report's lines included) so lines from the app and from us never
  // interleave mid-line.
  [[maybe_unused]] auto const written = ::write(STDERR_FILENO, lines.data(), lines.size());
}

}  // namespace

void configure(config::Logging const& new_settings) { settings = new_settings; }

bool is_json() { return settings.format == config::LogFormat::json; }

void write(Level level, std::string_view message) { write(level, message, nlohmann::json::object(), {}); }

void write(Level level, std::string_view message, nlohmann::json const& fields, std::string_view detail) {
  if (level == Level::debug && !settings.debug) return;
  emit(is_json() ? json_line(settings, timestamp(), level, message, fields)
                 : text_line(settings, timestamp(), level, message, detail));
}

}  // namespace wgs::log
