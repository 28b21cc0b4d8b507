#include "config/secret_files.hpp"

#include <optional>

#include "config/file.hpp"
#include "config/secret_variables.hpp"

namespace wgs::config {
namespace {

// What `$(< file)` gives, as the postgres image's entrypoint reads its *_FILE secrets.
std::string_view without_trailing_newlines(std::string_view text) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return text;
}

// The file's content, in locked memory like the rest of the environment, or nullopt with the
// reason reported under `file_variable`.
std::optional<LockedString> content_of(std::string const& path, std::string const& file_variable, Problems& problems) {
  auto const secret = read_config_file(path);
  if (!secret) {
    problems.add(file_variable, secret.error().message);
    return std::nullopt;
  }
  auto const text = without_trailing_newlines(secret->text());
  if (text.empty()) problems.add(file_variable, fmt::format("{} is empty: the secret was not written into it", path));
  else if (text.find('\0') != std::string_view::npos) problems.add(file_variable, fmt::format("{} holds a NUL byte: it is not a text secret", path));
  else return LockedString(text);
  return std::nullopt;
}

void read_secret_file(Environment& env, std::string const& name, Problems& problems) {
  auto const file_variable = name + "_FILE";
  auto const given = setting(env, file_variable, problems);
  if (!given) return;
  std::string const path(*given);
  if (env.contains(std::string_view(name))) {
    problems.add(file_variable, fmt::format("is set together with {}; set only one of them", name));
    return;
  }
  auto content = content_of(path, file_variable, problems);
  if (content) problems.report_as(name, file_variable);
  else problems.silence(name);
  // Set even when unusable, so that readers see the setting as given rather than missing.
  env.insert_or_assign(LockedString(name), content.value_or(LockedString()));
}

}  // namespace

Environment with_secret_files(Environment env, Problems& problems) {
  for (auto const& secret : secret_variables) read_secret_file(env, std::string(secret.name), problems);
  return env;
}

}  // namespace wgs::config
