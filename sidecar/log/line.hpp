#pragma once
// The bytes of one log line, apart from writing them: pure, so the tests read exactly what
// a log shipper would. Text lines are for people and never span lines; JSON lines are one
// object each, marked "source":"wgsidecar" so they can be told apart from the app's own JSON
// in the same stream (Fly merges the two).
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "config/config.hpp"

namespace wgs::log {

enum class Level { debug, info, warn, error };

std::string_view level_name(Level level);

// "TIME wgsidecar LEVEL region=R machine=M MESSAGE\n", then one more line with the same
// prefix for each line of `detail` (a report for people). Every value is escaped
// (text/escape.hpp), so no value can end a line or forge one.
std::string text_line(config::Logging const& settings, std::string_view time, Level level, std::string_view message,
                      std::string_view detail = {});

// {"time","level","source":"wgsidecar","msg","region","machine_id", ...fields}\n: the members
// of `fields` (an object) join the line's own, which they never replace.
std::string json_line(config::Logging const& settings, std::string_view time, Level level, std::string_view message,
                      nlohmann::json const& fields);
std::string json_line(config::Logging const& settings, std::string_view time, Level level, std::string_view message);

}  // namespace wgs::log
