// SIDECAR_APP_*: who the app runs as and what it keeps of the supervisor's privileges.
#include <signal.h>
#include <string.h>

#include <charconv>

#include "config/load.hpp"

namespace wgs::config {
namespace {

// "TERM", "SIGTERM" or "15"; "off" or "0" for none.
std::optional<int> signal_number(std::string_view text) {
  if (text == "off" || text == "0") return 0;
  int number = 0;
  auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error == std::errc() && end == text.data() + text.size()) {
    return number > 0 && number < NSIG ? std::optional<int>(number) : std::nullopt;
  }
  if (text.starts_with("SIG")) text.remove_prefix(3);
  for (int signal = 1; signal < NSIG; ++signal) {
    char const* name = ::sigabbrev_np(signal);
    if (name != nullptr && text == name) return signal;
  }
  return std::nullopt;
}

}  // namespace

void read_app_process(Environment const& env, Supervision& supervision, Problems& problems) {
  // `root` undoes an image's setting (`docker run -e SIDECAR_APP_USER=root`): a container cannot
  // unset an image's ENV, and an empty value is a mistake like any other (load.cpp).
  if (auto user = setting(env, "SIDECAR_APP_USER", problems); user && *user != "root") {
    auto identity = process::resolve_identity(*user);
    if (identity) supervision.app_user = *identity;
    else problems.add("SIDECAR_APP_USER", identity.error().message);
  }
  if (auto keep = setting(env, "SIDECAR_APP_KEEP_CAPS", problems)) {
    auto set = process::add_named(process::docker_default_capabilities(), *keep);
    if (!set) problems.add("SIDECAR_APP_KEEP_CAPS", set.error().message);
    else supervision.app_capabilities = *set;
    if (supervision.app_user) {
      problems.add("SIDECAR_APP_KEEP_CAPS", "is for an app that runs as root; an app running as SIDECAR_APP_USER "
                                            "keeps no capabilities");
    }
  }
  if (auto signal = setting(env, "SIDECAR_APP_PARENT_DEATH_SIGNAL", problems)) {
    auto number = signal_number(*signal);
    if (number) supervision.app_parent_death_signal = *number;
    else problems.add("SIDECAR_APP_PARENT_DEATH_SIGNAL", "must be a signal (e.g. TERM, KILL or 9) or off");
  }
}

}  // namespace wgs::config
