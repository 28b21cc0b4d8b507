#include "supervise/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "util/exec.hpp"

namespace wgs::supervise {
namespace {

std::string search_path(std::string const& name, std::vector<std::string> const& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (auto const& entry : env) {
    if (entry.starts_with("PATH=")) path = entry.substr(5);
  }
  std::string fallback;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto const end = std::min(path.find(':', start), path.size());
    auto const dir = path.substr(start, end - start);
    auto const candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (fallback.empty() && ::access(candidate.c_str(), F_OK) == 0) fallback = candidate;
    start = end + 1;
  }
  return fallback.empty() ? name : fallback;
}

SpawnError describe(int error, std::string const& program) {
  int const code = (error == ENOENT || error == ENOTDIR) ? 127 : 126;
  return {code, fmt::format("cannot run {}: {}", program, std::strerror(error))};
}

}  // namespace

Spawned spawn(std::vector<std::string> const& argv, std::vector<std::string> const& env) {
  auto const program = search_path(argv.at(0), env);
  auto args = exec_pointers(argv);
  auto envp = exec_pointers(env);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return {-1, SpawnError{126, fmt::format("pipe: {}", std::strerror(errno))}};
  pid_t const pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    ::setpgid(0, 0);
    restore_default_signals();
    ::execve(program.c_str(), args.data(), envp.data());
    int const error = errno;
    [[maybe_unused]] auto const written = ::write(report[1], &error, sizeof error);
    ::_exit(127);
  }
  ::close(report[1]);
  if (pid < 0) {
    ::close(report[0]);
    return {-1, SpawnError{126, fmt::format("fork: {}", std::strerror(errno))}};
  }
  ::setpgid(pid, pid);  // also from the parent, so signals to the group work at once
  int error = 0;
  auto const got = ::read(report[0], &error, sizeof error);  // EOF (0) means exec succeeded
  ::close(report[0]);
  if (got == sizeof error) return {pid, describe(error, argv.at(0))};
  return {pid, std::nullopt};
}

SpawnError exec_in_place(std::vector<std::string> const& argv, std::vector<std::string> const& env) {
  auto const program = search_path(argv.at(0), env);
  auto args = exec_pointers(argv);
  auto envp = exec_pointers(env);
  restore_default_signals();
  ::execve(program.c_str(), args.data(), envp.data());
  return describe(errno, argv.at(0));
}

}  // namespace wgs::supervise
