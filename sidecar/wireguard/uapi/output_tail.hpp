#pragma once
// The last few KiB a child wrote to its stdout/stderr pipe, read by a thread of its own so
// the child never blocks on a full pipe. When the child dies, this is what we show.
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "util/duration.hpp"

namespace wgs::wireguard::uapi {

class OutputTail {
 public:
  static constexpr std::size_t kept_bytes = 8 * 1024;

  OutputTail() = default;
  // Takes ownership of `fd`, the read end of the pipe, and reads it until end of file.
  explicit OutputTail(int fd);

  // What has been kept so far, oldest bytes dropped first.
  std::string text() const;
  // Waits (bounded) until the writer side is closed, i.e. the child and its copies of the
  // pipe are gone, so text() holds its last words.
  void wait_for_end(Duration limit) const;

 private:
  struct Shared {
    mutable std::mutex mutex;
    mutable std::condition_variable ended_signal;
    std::string kept;
    bool ended = false;
  };
  static void read_until_end(std::stop_token stop, int fd, std::shared_ptr<Shared> shared);

  std::shared_ptr<Shared> shared_;
  std::jthread reader_;  // declared last: stopped and joined first
};

}  // namespace wgs::wireguard::uapi
