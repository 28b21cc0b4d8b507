// contacts-api: the seed's Go contacts service (REST over PostgreSQL) rebuilt in C++.
//   contacts-api            serve the API on $PORT
//   contacts-api seed [N]   insert N test contacts (default 500)
//   contacts-api version
#include <cstdio>
#include <span>
#include <string_view>

#include "app.hpp"
#include "exit_codes.hpp"

extern char** environ;

int main(int argc, char** argv) {
  auto const env = contacts::environment_from(environ);
  std::span<char const* const> const args(argv + 1, static_cast<std::size_t>(argc > 0 ? argc - 1 : 0));
  if (args.empty()) return contacts::run_server(env);
  std::string_view const command = args[0];
  if (command == "seed") return contacts::run_seed(env, args.subspan(1));
  if (command == "version" || command == "--version") {
    std::printf("contacts-api %s\n", contacts::version());
    return contacts::exit_code::ok;
  }
  std::fprintf(stderr, "usage: contacts-api [seed [N] | version]\n");
  return command == "help" || command == "--help" ? contacts::exit_code::ok : contacts::exit_code::usage;
}
