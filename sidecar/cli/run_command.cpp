// run [--exec] [--] CMD [ARGS...]: the ENTRYPOINT mode.
#include "cli/cli.hpp"
#include "config/environment.hpp"
#include "supervise/app_environment.hpp"
#include "supervise/run.hpp"
#include "util/exit_codes.hpp"

namespace wgs::cli {

int run_command(Invocation const& invocation) {
  supervise::RunRequest request;
  std::size_t i = 0;
  for (; i < invocation.args.size(); ++i) {
    auto const& arg = invocation.args[i];
    if (arg == "--exec") {
      request.exec = true;
    } else if (arg == "--") {
      ++i;
      break;
    } else {
      break;
    }
  }
  request.command.assign(invocation.args.begin() + static_cast<std::ptrdiff_t>(i), invocation.args.end());
  if (request.command.empty()) {
    std::fputs("wgsidecar run: give the app to run, e.g. wgsidecar run -- /app/contacts-api\n", stderr);
    return exit_code::usage;
  }
  auto env = config::process_environment();
  auto const config = load_config(invocation, env);
  if (!config) return exit_code::config;
  log_database_notes(*config);
  auto const app_env = supervise::app_environment(env, config->supervision.keep_env);
  env.clear();  // from here on, the app's environment is the only copy
  return supervise::supervise(*config, app_env, request);
}

}  // namespace wgs::cli
