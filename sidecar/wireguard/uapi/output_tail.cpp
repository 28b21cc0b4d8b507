#include "wireguard/uapi/output_tail.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace wgs::wireguard::uapi {

OutputTail::OutputTail(int fd)
    : shared_(std::make_shared<Shared>()), reader_(&OutputTail::read_until_end, fd, shared_) {}

namespace {

// Hands what `fd` yields to `keep` until end of file, an error, or a stop request
// signalled on `wake`.
template <typename Keep>
void pump(std::stop_token const& stop, int fd, int wake, Keep keep) {
  char chunk[4096];
  while (!stop.stop_requested()) {
    pollfd entries[2] = {{fd, POLLIN, 0}, {wake, POLLIN, 0}};
    int const ready = ::poll(entries, 2, wake >= 0 ? -1 : 100);  // no eventfd: notice a stop by polling
    if (ready < 0 && errno != EINTR) return;
    if (ready <= 0 || entries[0].revents == 0) continue;
    auto const got = ::read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return;
    keep(chunk, static_cast<std::size_t>(got));
  }
}

}  // namespace

void OutputTail::read_until_end(std::stop_token stop, int fd, std::shared_ptr<Shared> shared) {
  // A stop request (the owner going away) wakes the poll through an eventfd, so the thread
  // sleeps until there is output or a stop: no periodic wake-ups while the child is quiet.
  int const wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  {
    std::stop_callback on_stop(stop, [wake] {
      std::uint64_t const one = 1;
      [[maybe_unused]] auto const written = ::write(wake, &one, sizeof one);
    });
    pump(stop, fd, wake, [&shared](char const* bytes, std::size_t size) {
      std::lock_guard lock(shared->mutex);
      shared->kept.append(bytes, size);
      if (shared->kept.size() > kept_bytes) shared->kept.erase(0, shared->kept.size() - kept_bytes);
    });
  }
  if (wake >= 0) ::close(wake);
  ::close(fd);
  std::lock_guard lock(shared->mutex);
  shared->ended = true;
  shared->ended_signal.notify_all();
}

std::string OutputTail::text() const {
  if (!shared_) return {};
  std::lock_guard lock(shared_->mutex);
  return shared_->kept;
}

void OutputTail::wait_for_end(Duration limit) const {
  if (!shared_) return;
  std::unique_lock lock(shared_->mutex);
  shared_->ended_signal.wait_for(lock, limit, [this] { return shared_->ended; });
}

}  // namespace wgs::wireguard::uapi
