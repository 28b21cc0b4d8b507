#include "config/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <fmt/format.h>

namespace wgs::config {
namespace {

Error os_error(std::string_view doing, std::string const& path, int code) {
  return make_error(fmt::format("cannot {} {}: {}", doing, path, std::system_category().message(code)), code);
}

Error too_large(std::string const& path) {
  return make_error(fmt::format("{} is larger than 1 MiB; a configuration file or secret is far smaller", path));
}

char const* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

Status check_regular(std::string const& path, struct stat const& info) {
  if (!S_ISREG(info.st_mode)) return make_error(fmt::format("{} is {}, not a regular file", path, kind_of(info.st_mode)));
  if (static_cast<std::size_t>(info.st_size) > file_size_limit) return too_large(path);
  return ok_status();
}

// Reads until end of file, refusing a file that grew past the limit after it was checked.
Result<Secret> read_all(int fd, std::string const& path) {
  Secret buffer(file_size_limit + 1);
  std::size_t size = 0;
  while (size < buffer.size()) {
    auto const got = ::read(fd, buffer.bytes().data() + size, buffer.size() - size);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return os_error("read", path, errno);
    if (got == 0) return Secret::from(buffer.bytes().first(size));
    size += static_cast<std::size_t>(got);
  }
  return too_large(path);
}

struct OpenFile {
  int fd;
  ~OpenFile() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<Secret> read_config_file(std::string const& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return os_error("read", path, errno);
  if (auto regular = check_regular(path, info); !regular) return regular.error();
  // O_NONBLOCK: should the path have become a FIFO since stat, open still returns at once.
  OpenFile const file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
  if (file.fd < 0) return os_error("open", path, errno);
  if (::fstat(file.fd, &info) != 0) return os_error("read", path, errno);
  if (auto regular = check_regular(path, info); !regular) return regular.error();
  return read_all(file.fd, path);
}

}  // namespace wgs::config
