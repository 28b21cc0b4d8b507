#include "log/log.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include <fmt/chrono.h>
#include <nlohmann/json.hpp>

namespace wgs::log {
namespace {

// Set once by configure() before any thread starts; read-only afterwards.
config::Logging settings;
std::mutex write_mutex;

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

std::string timestamp() {
  auto const now = std::chrono::system_clock::now();
  auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

std::string json_line(Level level, std::string_view message) {
  nlohmann::json line = {{"time", timestamp()}, {"level", level_name(level)}, {"msg", message}};
  if (!settings.region.empty()) line["region"] = settings.region;
  if (!settings.machine_id.empty()) line["machine_id"] = settings.machine_id;
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string text_line(Level level, std::string_view message) {
  std::string where;
  if (!settings.region.empty()) where += fmt::format(" region={}", settings.region);
  if (!settings.machine_id.empty()) where += fmt::format(" machine={}", settings.machine_id);
  return fmt::format("{} wgsidecar {:<5}{} {}\n", timestamp(), level_name(level), where, message);
}

}  // namespace

void configure(config::Logging const& new_settings) { settings = new_settings; }

void write(Level level, std::string_view message) {
  if (level == Level::debug && !settings.debug) return;
  auto const line = settings.format == config::LogFormat::json ? json_line(level, message) : text_line(level, message);
  std::lock_guard lock(write_mutex);
  // One write() per line so lines from the app and from us never interleave mid-line.
  [[maybe_unused]] auto const written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace wgs::log
