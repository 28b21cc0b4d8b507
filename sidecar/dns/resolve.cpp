#include "dns/resolve.hpp"

#include <ares.h>
#include <netinet/in.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace wgs::dns {
namespace {

struct Outcome {
  bool done = false;
  int status = ARES_SUCCESS;
  std::vector<net::IpAddress> addresses;
  std::optional<int> ttl_seconds;  // the smallest TTL seen
};

void note_ttl(Outcome& outcome, int ttl) {
  outcome.ttl_seconds = std::min(outcome.ttl_seconds.value_or(ttl), std::max(ttl, 0));
}

void on_answer(void* arg, int status, int, ares_addrinfo* info) {
  auto& outcome = *static_cast<Outcome*>(arg);
  outcome.done = true;
  outcome.status = status;
  if (info == nullptr) return;
  for (auto* cname = info->cnames; cname != nullptr; cname = cname->next) note_ttl(outcome, cname->ttl);
  for (auto* node = info->nodes; node != nullptr; node = node->ai_next) {
    note_ttl(outcome, node->ai_ttl);
    net::IpAddress ip;
    ip.family = node->ai_family;
    if (node->ai_family == AF_INET) {
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in*>(node->ai_addr)->sin_addr, 4);
    } else if (node->ai_family == AF_INET6) {
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in6*>(node->ai_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    if (std::find(outcome.addresses.begin(), outcome.addresses.end(), ip) == outcome.addresses.end()) {
      outcome.addresses.push_back(ip);
    }
  }
  ares_freeaddrinfo(info);
}

// Drives c-ares' sockets with poll() until the answer arrives or the deadline passes.
bool wait_for(ares_channel channel, Outcome const& outcome, std::chrono::steady_clock::time_point deadline) {
  while (!outcome.done) {
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
    int const mask = ares_getsock(channel, sockets, ARES_GETSOCK_MAXNUM);
    std::vector<pollfd> fds;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      short events = 0;
      if (ARES_GETSOCK_READABLE(mask, i)) events |= POLLIN;
      if (ARES_GETSOCK_WRITABLE(mask, i)) events |= POLLOUT;
      if (events != 0) fds.push_back({sockets[i], events, 0});
    }
    int const wait_ms = static_cast<int>(std::min<long long>(left.count(), 100));
    ::poll(fds.data(), fds.size(), wait_ms);
    for (auto const& fd : fds) {
      ares_process_fd(channel, (fd.revents & POLLIN) ? fd.fd : ARES_SOCKET_BAD,
                      (fd.revents & POLLOUT) ? fd.fd : ARES_SOCKET_BAD);
    }
    ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // lets c-ares run its timeouts
  }
  return true;
}

// c-ares reports a TTL of 0 for names it read from /etc/hosts; asking the file alone tells
// them from DNS answers that really may not be kept.
bool in_hosts_file(ares_channel channel, std::string const& host) {
  for (int family : {AF_INET, AF_INET6}) {
    hostent* entry = nullptr;
    int const status = ares_gethostbyname_file(channel, host.c_str(), family, &entry);
    if (entry != nullptr) ares_free_hostent(entry);
    if (status == ARES_SUCCESS) return true;
  }
  return false;
}

}  // namespace

Result<std::vector<net::IpAddress>> resolve(std::string const& host, Duration timeout) {
  auto answer = lookup(host, timeout);
  if (!answer) return answer.error();
  return std::move(answer->addresses);
}

Result<Answer> lookup(std::string const& host, Duration timeout) {
  if (auto ip = net::IpAddress::parse(host)) return Answer{{*ip}, std::nullopt};
  static int const library = ares_library_init(ARES_LIB_INIT_ALL);
  if (library != ARES_SUCCESS) return make_error(fmt::format("resolving {}: {}", host, ares_strerror(library)));
  ares_channel channel = nullptr;
  if (int const status = ares_init(&channel); status != ARES_SUCCESS) {
    return make_error(fmt::format("resolving {}: {} (is /etc/resolv.conf readable?)", host, ares_strerror(status)));
  }
  std::unique_ptr<ares_channeldata, decltype(&ares_destroy)> guard(channel, &ares_destroy);
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  Outcome outcome;
  ares_getaddrinfo(channel, host.c_str(), nullptr, &hints, on_answer, &outcome);
  if (!wait_for(channel, outcome, std::chrono::steady_clock::now() + timeout)) {
    return make_error(fmt::format("resolving {}: no answer within {}", host, format_duration(timeout)));
  }
  if (outcome.status != ARES_SUCCESS || outcome.addresses.empty()) {
    return make_error(fmt::format("resolving {}: {}", host, ares_strerror(outcome.status)));
  }
  std::stable_partition(outcome.addresses.begin(), outcome.addresses.end(), [](auto const& ip) { return ip.is_v4(); });
  Answer answer{std::move(outcome.addresses), std::nullopt};
  if (outcome.ttl_seconds && !in_hosts_file(channel, host)) answer.ttl = std::chrono::seconds(*outcome.ttl_seconds);
  return answer;
}

Result<net::IpAddress> first_address(std::string const& host, Duration timeout) {
  if (auto ip = net::IpAddress::parse(host)) return *ip;
  auto answers = resolve(host, timeout);
  if (!answers) return answers.error();
  if (answers->empty()) return make_error(fmt::format("{} has no address", host));
  return answers->front();
}

}  // namespace wgs::dns
