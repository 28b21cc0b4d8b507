#pragma once
// Signals as file reads (signalfd), the way tini waits for them: every catchable signal is
// blocked from the start, so none is lost between startup and supervision, and the event
// loop reads them like any other input. The app gets the default mask back at spawn.
#include <optional>

#include "util/duration.hpp"

namespace wgs::supervise {

class SignalQueue {
 public:
  SignalQueue();  // blocks the signals and opens the signalfd
  ~SignalQueue();
  SignalQueue(SignalQueue const&) = delete;
  SignalQueue& operator=(SignalQueue const&) = delete;

  int fd() const { return fd_; }
  // The next pending signal, waiting at most `timeout` (0: just look).
  std::optional<int> next(Duration timeout);

 private:
  int fd_ = -1;
};

// Signals the supervisor receives and passes on: everything catchable except SIGCHLD
// (ours) and the synchronous faults, which are about us, not the app.
bool is_forwarded(int signal);
// SIGINT (Fly's default kill_signal) and SIGTERM both mean "stop".
bool means_stop(int signal);

}  // namespace wgs::supervise
