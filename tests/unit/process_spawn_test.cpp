// process/spawn against this kernel: what a child starts with. The privilege cases need
// root (they are skipped otherwise, with a message).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "process/exec_args.hpp"
#include "process/spawn.hpp"

using namespace wgs;

namespace {

struct Run {
  int status = -1;
  std::string output;
};

// Runs `sh -c script` as `spec` says, its stdout to a file; waits for it.
Run run_shell(std::string const& script, process::ChildSpec spec = {}) {
  char path[] = "/tmp/wgs-spawn-XXXXXX";
  int const out = ::mkstemp(path);
  REQUIRE(out >= 0);
  std::vector<std::string> const argv = {"sh", "-c", script};
  std::vector<std::string> const env = {"PATH=/usr/bin:/bin"};
  spec.program = "/bin/sh";
  spec.argv = process::exec_pointers(argv);
  spec.envp = process::exec_pointers(env);
  spec.stdout_fd = out;
  ::fchmod(out, 0666);  // writable by the uid the child may become
  auto const started = process::start(spec);
  ::close(out);
  Run run;
  REQUIRE_FALSE(started.failed);
  ::waitpid(started.pid, &run.status, 0);
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  run.output = text.str();
  ::unlink(path);
  return run;
}

std::string status_field(std::string const& output, std::string const& field) {
  auto const at = output.find(field + ":");
  if (at == std::string::npos) return {};
  auto const start = output.find_first_not_of(" \t", at + field.size() + 1);
  return output.substr(start, output.find('\n', start) - start);
}

}  // namespace

TEST_CASE("a child starts with stdin, stdout and stderr and nothing else") {
  int const leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec, as a library might leave one
  REQUIRE(leaked >= 3);
  std::vector<std::string> const argv = {"sleep", "10"};
  std::vector<std::string> const env;
  process::ChildSpec spec;
  spec.program = "/bin/sleep";
  spec.argv = process::exec_pointers(argv);
  spec.envp = process::exec_pointers(env);
  auto const started = process::start(spec);
  ::close(leaked);
  REQUIRE_FALSE(started.failed);
  std::vector<std::string> fds;
  for (auto const& entry : std::filesystem::directory_iterator(fmt::format("/proc/{}/fd", started.pid))) {
    fds.push_back(entry.path().filename().string());
  }
  std::sort(fds.begin(), fds.end());
  CHECK(fds == std::vector<std::string>{"0", "1", "2"});
  ::kill(started.pid, SIGKILL);
  ::waitpid(started.pid, nullptr, 0);
}

TEST_CASE("exec failures come back with their step and errno") {
  std::vector<std::string> const argv = {"/nonexistent/app"};
  std::vector<std::string> const env;
  process::ChildSpec spec;
  spec.program = argv[0];
  spec.argv = process::exec_pointers(argv);
  spec.envp = process::exec_pointers(env);
  auto const started = process::start(spec);
  REQUIRE(started.failed);
  CHECK(started.failed->step == process::Step::exec);
  CHECK(started.failed->error == ENOENT);
  ::waitpid(started.pid, nullptr, 0);
}

TEST_CASE("PATH lookup: the executable match, else one that exists, else none") {
  char dir[] = "/tmp/wgs-path-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  std::string const not_executable = std::string(dir) + "/sh";
  std::ofstream(not_executable) << "not a program\n";
  CHECK(process::find_on_path("sh", "/nonexistent:/bin") == "/bin/sh");
  CHECK(process::find_on_path("sh", std::string(dir) + ":/bin") == "/bin/sh");
  CHECK(process::find_on_path("sh", dir) == not_executable);  // exec will say EACCES: 126
  CHECK_FALSE(process::find_on_path("no-such-program", "/bin:/usr/bin"));
  CHECK(process::find_on_path("./x", "/bin") == "./x");
  std::filesystem::remove_all(dir);
}

TEST_CASE("SIDECAR_APP_USER: another uid, no groups, no capabilities, no_new_privs") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: dropping privileges needs root");
    return;
  }
  process::ChildSpec spec;
  spec.privileges.user = process::Identity{65534, 65533};
  auto const run = run_shell("cat /proc/self/status", spec);
  CHECK(status_field(run.output, "Uid") == "65534\t65534\t65534\t65534");
  CHECK(status_field(run.output, "Gid") == "65533\t65533\t65533\t65533");
  CHECK(status_field(run.output, "Groups") == "");
  for (auto const* set : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    CAPTURE(set);
    CHECK(status_field(run.output, set) == "0000000000000000");
  }
  CHECK(status_field(run.output, "NoNewPrivs") == "1");
}

TEST_CASE("a root child keeps exactly the capabilities it is allowed") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: narrowing the bounding set needs root");
    return;
  }
  process::ChildSpec spec;
  spec.privileges.keep = (process::Capabilities{1} << 10) | (process::Capabilities{1} << 0);  // net_bind_service, chown
  auto const run = run_shell("cat /proc/self/status", spec);
  CHECK(status_field(run.output, "Uid").starts_with("0\t"));
  CHECK(status_field(run.output, "CapBnd") == "0000000000000401");
  CHECK(status_field(run.output, "CapEff") == "0000000000000401");
  CHECK(status_field(run.output, "CapAmb") == "0000000000000000");
  CHECK(status_field(run.output, "NoNewPrivs") == "0");
}

TEST_CASE("the parent-death signal survives the end of the thread that asked for the child") {
  std::vector<std::string> const argv = {"sleep", "30"};
  std::vector<std::string> const env;
  pid_t pid = -1;
  std::thread([&] {
    process::ChildSpec spec;
    spec.program = "/bin/sleep";
    spec.argv = process::exec_pointers(argv);
    spec.envp = process::exec_pointers(env);
    spec.parent_death_signal = SIGTERM;
    auto const started = process::start(spec);
    REQUIRE_FALSE(started.failed);
    pid = started.pid;
  }).join();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int status = 0;
  CHECK(::waitpid(pid, &status, WNOHANG) == 0);  // still running: not killed with that thread
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}
