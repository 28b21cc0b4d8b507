#include "dns/watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace wgs::dns {
namespace {

// Written in place (closed after writing, or its attributes changed), or gone.
constexpr std::uint32_t file_events = IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF;
// A file of that name created or renamed into the directory.
constexpr std::uint32_t dir_events = IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR;

std::string directory_of(std::string const& path) {
  auto const slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string_view name_of(std::string const& path) { return std::string_view(path).substr(path.rfind('/') + 1); }

}  // namespace

Result<FileWatch> FileWatch::open(std::vector<std::string> paths) {
  int const fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return make_error(fmt::format("inotify: {}", std::strerror(errno)), errno);
  return FileWatch(fd, std::move(paths));
}

FileWatch::FileWatch(int fd, std::vector<std::string> paths) : fd_(fd), paths_(std::move(paths)) {
  for (auto const& path : paths_) {
    dir_watches_.push_back(::inotify_add_watch(fd_, directory_of(path).c_str(), dir_events));
  }
  watch_files();
}

FileWatch::FileWatch(FileWatch&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      paths_(std::move(other.paths_)),
      file_watches_(std::move(other.file_watches_)),
      dir_watches_(std::move(other.dir_watches_)) {}

FileWatch::~FileWatch() {
  if (fd_ >= 0) ::close(fd_);
}

// Adding a watch again on the same inode returns the same descriptor; a replaced file gets a new one.
void FileWatch::watch_files() {
  file_watches_.clear();
  for (auto const& path : paths_) file_watches_.push_back(::inotify_add_watch(fd_, path.c_str(), file_events));
}

bool FileWatch::concerns_us(std::string_view name, int wd) const {
  if (std::find(file_watches_.begin(), file_watches_.end(), wd) != file_watches_.end()) return true;
  return std::any_of(paths_.begin(), paths_.end(), [&](auto const& path) { return name_of(path) == name; });
}

bool FileWatch::changed() {
  alignas(inotify_event) std::array<char, 4096> buffer;
  bool any = false;
  ssize_t length = 0;
  while ((length = ::read(fd_, buffer.data(), buffer.size())) > 0) {
    for (char const* at = buffer.data(); at < buffer.data() + length;) {
      auto const* event = reinterpret_cast<inotify_event const*>(at);
      std::string_view const name = event->len > 0 ? std::string_view(event->name) : std::string_view();
      any = any || (event->mask & IN_Q_OVERFLOW) != 0 || concerns_us(name, event->wd);
      at += sizeof(inotify_event) + event->len;
    }
  }
  if (any) watch_files();
  return any;
}

}  // namespace wgs::dns
