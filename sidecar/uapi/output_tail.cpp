#include "uapi/output_tail.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace wgs::uapi {

OutputTail::OutputTail(int fd)
    : shared_(std::make_shared<Shared>()), reader_(&OutputTail::read_until_end, fd, shared_) {}

void OutputTail::read_until_end(std::stop_token stop, int fd, std::shared_ptr<Shared> shared) {
  char chunk[4096];
  while (!stop.stop_requested()) {
    // A short poll so a stop request (the owner going away) is noticed without a wake-up fd.
    pollfd entry{fd, POLLIN, 0};
    int const ready = ::poll(&entry, 1, 100);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    auto const got = ::read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    std::lock_guard lock(shared->mutex);
    shared->kept.append(chunk, static_cast<std::size_t>(got));
    if (shared->kept.size() > kept_bytes) shared->kept.erase(0, shared->kept.size() - kept_bytes);
  }
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

}  // namespace wgs::uapi
