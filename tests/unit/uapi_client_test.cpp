// The UAPI client against a scripted server on a real UNIX socket (faults a live
// wireguard-go never produces), and the userspace process's launch and failure reports
// with stand-in programs. wireguard-go itself is exercised by integration/uapi_test.sh.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "wireguard/uapi/child_launch.hpp"
#include "wireguard/uapi/client.hpp"
#include "wireguard/uapi/protocol.hpp"
#include "wireguard/uapi/userspace_process.hpp"

using namespace wgs;

namespace {

// Serves one connection on the interface's real socket path: reads the request up to its
// blank line, writes `reply` and ends its side; an empty reply keeps the client waiting.
class ScriptedServer {
 public:
  ScriptedServer(std::string ifname, std::string reply) : path_(wireguard::uapi::socket_path(ifname)) {
    ::mkdir("/var/run/wireguard", 0755);
    ::unlink(path_.c_str());
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
    ready_ = ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 && ::listen(listener_, 1) == 0;
    if (ready_) thread_ = std::thread([this, reply = std::move(reply)] { serve(reply); });
  }
  ~ScriptedServer() {
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
    ::unlink(path_.c_str());
  }
  bool ready() const { return ready_; }
  std::string const& request() const { return request_; }  // valid after the client returned

 private:
  void serve(std::string const& reply) {
    int const fd = ::accept(listener_, nullptr, nullptr);
    char chunk[4096];
    while (request_.find("\n\n") == std::string::npos) {
      auto const got = ::read(fd, chunk, sizeof chunk);
      if (got <= 0) break;
      request_.append(chunk, static_cast<std::size_t>(got));
    }
    for (std::size_t sent = 0; sent < reply.size();) {
      auto const n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    if (!reply.empty()) ::shutdown(fd, SHUT_WR);
    while (::read(fd, chunk, sizeof chunk) > 0) {
    }
    ::close(fd);
  }

  std::string path_;
  int listener_ = -1;
  bool ready_ = false;
  std::string request_;
  std::thread thread_;
};

std::string test_ifname(char const* tag) { return fmt::format("h6u{}{}", tag, ::getpid() % 10000); }

// A stand-in implementation: a shell script in a fresh directory.
std::string write_script(std::string const& body) {
  char dir[] = "/tmp/h6uapi.XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  std::string const path = std::string(dir) + "/fake-wg";
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0755);
  return path;
}

void remove_script(std::string const& path) {
  ::unlink(path.c_str());
  ::rmdir(path.substr(0, path.rfind('/')).c_str());
}

}  // namespace

TEST_CASE("the UAPI socket of an interface") {
  CHECK(wireguard::uapi::socket_path("wg0") == "/var/run/wireguard/wg0.sock");
  CHECK_FALSE(wireguard::uapi::socket_accepts("h6-no-such-if"));
  CHECK_FALSE(wireguard::uapi::socket_accepts("../etc"));
  auto const reply = wireguard::uapi::get_device("../x");
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().message == "reading ../x over /var/run/wireguard/../x.sock: not a valid interface name");
}

TEST_CASE("the implementation's command line and environment") {
  using wireguard::uapi::detail::command_line;
  CHECK(command_line("/usr/bin/wireguard-go", "wg0") == std::vector<std::string>{"/usr/bin/wireguard-go", "-f", "wg0"});
  CHECK(command_line("/opt/boringtun-cli", "wg0") ==
        std::vector<std::string>{"/opt/boringtun-cli", "--foreground", "--disable-drop-privileges", "wg0"});
  CHECK(wireguard::uapi::detail::child_environment("/usr/bin:/bin") ==
        std::vector<std::string>{"PATH=/usr/bin:/bin", "WG_PROCESS_FOREGROUND=1", "LOG_LEVEL=error"});
}

TEST_CASE("the implementation is found on PATH without a shell") {
  using wireguard::uapi::detail::find_program;
  CHECK(*find_program("sh", "/h6-nowhere:/bin") == "/bin/sh");
  CHECK(*find_program("/bin/sh", "") == "/bin/sh");
  auto const missing = find_program("h6-no-such-wg", "/h6-nowhere:/bin");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "h6-no-such-wg was not found on PATH (/h6-nowhere:/bin)");
  CHECK(missing.error().code == ENOENT);
}

TEST_CASE("client: requests on the wire and replies read back" * doctest::skip(::geteuid() != 0)) {
  auto const ifname = test_ifname("c");
  SUBCASE("a set that the implementation accepts") {
    ScriptedServer server(ifname, "errno=0\n\n");
    REQUIRE(server.ready());
    wireguard::DeviceSettings settings;
    settings.listen_port = 51820;
    CHECK(wireguard::uapi::set_device(ifname, settings).ok());
    CHECK(server.request() == "set=1\nlisten_port=51820\nreplace_peers=true\n\n");
  }
  SUBCASE("a set it refuses, with wireguard-go's negative errno") {
    ScriptedServer server(ifname, "errno=-98\n\n");
    auto const status = wireguard::uapi::set_device(ifname, {});
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == EADDRINUSE);
    CHECK(status.error().message == fmt::format("configuring {} over /var/run/wireguard/{}.sock: the implementation "
                                                "answered errno 98 ({})", ifname, ifname, std::strerror(EADDRINUSE)));
  }
  SUBCASE("a get") {
    ScriptedServer server(ifname, "listen_port=51820\nerrno=0\n\n");
    auto const state = wireguard::uapi::get_device(ifname);
    REQUIRE(state.ok());
    CHECK(state->listen_port == 51820);
    CHECK(server.request() == "get=1\n\n");
  }
  SUBCASE("a reply cut short by a closed connection") {
    ScriptedServer server(ifname, "listen_port=51820\n");
    auto const state = wireguard::uapi::get_device(ifname);
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().message.starts_with(fmt::format("reading {} over /var/run/wireguard/{}.sock: malformed", ifname, ifname)));
  }
  SUBCASE("no reply before the deadline") {
    ScriptedServer server(ifname, "");
    auto const state = wireguard::uapi::get_device(ifname, Duration(200));
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().code == ETIMEDOUT);
  }
  SUBCASE("a reply larger than the thread's buffer, then a short one on the same buffer") {
    std::string big = "public_key=" + std::string(64, 'a') + "\n";
    for (int i = 0; i < 1000; ++i) big += fmt::format("allowed_ip=10.{}.{}.0/24\n", i / 256, i % 256);
    {
      ScriptedServer server(ifname, big + "errno=0\n\n");
      auto const state = wireguard::uapi::get_device(ifname);
      REQUIRE(state.ok());
      REQUIRE(state->peers.size() == 1);
      CHECK(state->peers.front().allowed_ips.size() == 1000);
    }
    ScriptedServer server(ifname, "listen_port=51821\nerrno=0\n\n");
    auto const state = wireguard::uapi::get_device(ifname);
    REQUIRE(state.ok());
    CHECK(state->listen_port == 51821);
    CHECK(state->peers.empty());  // nothing of the longer reply before it
  }
  SUBCASE("a reply larger than the limit") {
    ScriptedServer server(ifname, std::string(wireguard::uapi::max_reply_size + 10, 'x'));
    auto const state = wireguard::uapi::get_device(ifname);
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().code == EMSGSIZE);
  }
}

TEST_CASE("process: an implementation that dies at startup is reported with its output") {
  ::setenv("WG_PRIVATE_KEY", "h6-marker-not-for-children", 1);
  auto const script = write_script("echo \"fake: args $1 $2 foreground=$WG_PROCESS_FOREGROUND key=$WG_PRIVATE_KEY\" >&2\nexit 3");
  auto const started = wireguard::uapi::UserspaceProcess::start("h6unosock", {script, false, Duration(5000)});
  ::unsetenv("WG_PRIVATE_KEY");
  remove_script(script);
  REQUIRE_FALSE(started.ok());
  auto const& message = started.error().message;
  CHECK(message.find("exited with status 3 before /var/run/wireguard/h6unosock.sock accepted connections") != std::string::npos);
  CHECK(message.find("its output: fake: args -f h6unosock foreground=1 key=") != std::string::npos);
  CHECK(message.find("h6-marker") == std::string::npos);  // the parent's environment is not inherited
}

TEST_CASE("process: one that never opens its socket is stopped at the deadline") {
  auto const script = write_script("exec sleep 30");
  auto const started = wireguard::uapi::UserspaceProcess::start("h6unosock", {script, false, Duration(300)});
  remove_script(script);
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().message.find("did not accept connections within 300 ms") != std::string::npos);
}

TEST_CASE("process: a missing implementation") {
  auto const started = wireguard::uapi::UserspaceProcess::start("h6unosock", {"h6-no-such-wireguard", false, Duration(300)});
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().message.starts_with("starting h6-no-such-wireguard for h6unosock: h6-no-such-wireguard was not found on PATH"));
}
