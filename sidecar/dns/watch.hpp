#pragma once
// Notice when the resolver's files change: /etc/hosts (names without a TTL, rewritten in place
// by Docker, `ip netns exec` bind mounts or an operator) and /etc/resolv.conf (a new
// nameserver). inotify, so waiting costs no wakeups: put fd() on an event loop and call
// changed() when it is readable. A file replaced by a rename is found again through its
// directory.
#include <string>
#include <vector>

#include "util/result.hpp"

namespace wgs::dns {

inline constexpr char const* resolver_files[] = {"/etc/hosts", "/etc/resolv.conf"};

class FileWatch {
 public:
  // Watches `paths` (default: resolver_files); files that do not exist yet are watched for
  // through their directory.
  static Result<FileWatch> open(std::vector<std::string> paths = {std::begin(resolver_files), std::end(resolver_files)});
  FileWatch(FileWatch&& other) noexcept;
  FileWatch& operator=(FileWatch&&) = delete;
  FileWatch(FileWatch const&) = delete;
  ~FileWatch();

  int fd() const { return fd_; }
  // Reads what is queued (non-blocking): true when a watched file was written, replaced or
  // removed. Watches files again that were replaced.
  bool changed();

 private:
  FileWatch(int fd, std::vector<std::string> paths);
  void watch_files();
  bool concerns_us(std::string_view name, int wd) const;

  int fd_ = -1;
  std::vector<std::string> paths_;
  std::vector<int> file_watches_;  // one per path, -1 while the file is missing
  std::vector<int> dir_watches_;
};

}  // namespace wgs::dns
