// run [--exec] [--] CMD [ARGS...]: the ENTRYPOINT mode.
#include "cli/cli.hpp"
#include "config/environment.hpp"
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
  auto const config = load_config(invocation);
  if (!config) return exit_code::config;
  log_database_notes(*config);
  return supervise::supervise(*config, config::process_environment(), request);
}

}  // namespace wgs::cli
