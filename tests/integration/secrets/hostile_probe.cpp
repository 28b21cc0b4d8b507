// What a hostile app tries that a shell cannot: each command tries one channel to the
// tunnel's secrets or to the supervisor and prints one line, "open: ...", "closed: ..." or
// "unavailable: ...". It never prints a secret it finds, only that it found one.
//   uapi IFNAME         connect to wireguard-go's UAPI socket and send get=1
//   netlink IFNAME      WG_CMD_GET_DEVICE over generic netlink (our own client)
//   getfd PID           pidfd_getfd on PID's descriptors 0..255
//   ptrace PID          PTRACE_SEIZE (does not stop it), then detach
//   fds                 this process's open descriptors, e.g. "0 1 2"
//   hijack PORT SECS    take over the health port: bind it (SO_REUSEADDR and SO_REUSEPORT),
//                       or accept on an inherited listening socket, and answer
//                       "200 hijacked" for SECS seconds
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "wireguard/kernel/client.hpp"
#include "wireguard/uapi/client.hpp"

using namespace wgs;

namespace {

int say(char const* state, std::string const& detail) {
  std::printf("%s: %s\n", state, detail.c_str());
  return 0;
}

int closed(std::string const& what) { return say("closed", what + ": " + std::strerror(errno)); }

int uapi(std::string const& ifname) {
  int const fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  auto const path = wireguard::uapi::socket_path(ifname);
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return closed("connect " + path);
  char const request[] = "get=1\n\n";
  if (::write(fd, request, sizeof request - 1) < 0) return closed("write");
  std::string reply;
  char chunk[4096];
  ssize_t got = 0;
  while (reply.find("\n\n") == std::string::npos && (got = ::read(fd, chunk, sizeof chunk)) > 0) reply.append(chunk, got);
  bool const has_key = reply.find("private_key=") != std::string::npos;
  std::fill(reply.begin(), reply.end(), '\0');
  return say(has_key ? "open" : "closed", has_key ? "get=1 answered with private_key=" : "get=1 gave no private key");
}

int generic_netlink(std::string const& ifname) {
  auto client = wireguard::kernel::Client::open();
  if (!client && client.error().code == ENOENT) return say("unavailable", client.error().message);
  if (!client) return say("closed", client.error().message);
  auto device = client->get_device(ifname);
  if (!device && device.error().code == ENODEV) return say("unavailable", device.error().message);
  if (!device) return say("closed", device.error().message);
  return say("open", "WG_CMD_GET_DEVICE answered (its reply carries the private key)");
}

int getfd(pid_t pid) {
  int const pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return closed("pidfd_open");
  int last_error = 0;
  for (int target = 0; target < 256; ++target) {
    int const fd = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, target, 0));
    if (fd >= 0) return say("open", "pidfd_getfd took descriptor " + std::to_string(target));
    if (errno != EBADF) last_error = errno;
  }
  errno = last_error;
  return closed("pidfd_getfd");
}

int trace(pid_t pid) {
  if (::ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) != 0) return closed("ptrace");
  ::ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
  return say("open", "PTRACE_SEIZE succeeded");
}

std::vector<int> open_fds() {
  std::vector<int> fds;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  while (auto* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    int const fd = std::atoi(entry->d_name);
    if (fd != ::dirfd(dir)) fds.push_back(fd);
  }
  ::closedir(dir);
  return fds;
}

int fds() {
  std::string list;
  for (int fd : open_fds()) {
    if (!list.empty()) list += ' ';  // appended piece by piece: GCC 12 at -O3 misreads `"x" + string` (-Wrestrict)
    list += std::to_string(fd);
  }
  std::printf("%s\n", list.c_str());
  return 0;
}

int bound_listener(int port, std::string& how) {
  for (in_addr_t const address : {INADDR_ANY, htonl(INADDR_LOOPBACK)}) {
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int const one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    sockaddr_in where{};
    where.sin_family = AF_INET;
    where.sin_port = htons(static_cast<std::uint16_t>(port));
    where.sin_addr.s_addr = address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&where), sizeof where) == 0 && ::listen(fd, 16) == 0) {
      how = "bound the port";
      return fd;
    }
    how = std::string("bind: ") + std::strerror(errno);
    ::close(fd);
  }
  return -1;
}

int inherited_listener(std::string& how) {
  for (int fd : open_fds()) {
    int listening = 0;
    socklen_t size = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0 && listening) {
      how = "inherited listening descriptor " + std::to_string(fd);
      return fd;
    }
  }
  return -1;
}

int hijack(int port, int seconds) {
  std::string how;
  int listener = inherited_listener(how);
  if (listener < 0) listener = bound_listener(port, how);
  if (listener < 0) return say("closed", "no inherited listener; " + how);
  say("open", how);
  std::fflush(stdout);
  auto const until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    pollfd entry{listener, POLLIN, 0};
    if (::poll(&entry, 1, 100) <= 0) continue;
    int const client = ::accept(listener, nullptr, nullptr);
    if (client < 0) continue;
    char const reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nhijacked\n";
    [[maybe_unused]] auto const sent = ::write(client, reply, sizeof reply - 1);
    ::close(client);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> const args(argv + 1, argv + argc);
  auto const arg = [&](std::size_t i) { return i < args.size() ? args[i] : std::string(); };
  if (arg(0) == "uapi") return uapi(arg(1));
  if (arg(0) == "netlink") return generic_netlink(arg(1));
  if (arg(0) == "getfd") return getfd(std::atoi(arg(1).c_str()));
  if (arg(0) == "ptrace") return trace(std::atoi(arg(1).c_str()));
  if (arg(0) == "fds") return fds();
  if (arg(0) == "hijack") return hijack(std::atoi(arg(1).c_str()), std::atoi(arg(2).c_str()));
  std::fprintf(stderr, "usage: hostile_probe uapi IF | netlink IF | getfd PID | ptrace PID | fds | hijack PORT SECS\n");
  return 64;
}
