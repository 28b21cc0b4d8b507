#include "process/lasting_thread.hpp"

#include <signal.h>

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

namespace wgs::process {
namespace {

class LastingThread {
 public:
  LastingThread() : thread_([this] { serve(); }) { thread_.detach(); }

  void run(std::function<void()> const& job) {
    std::lock_guard turn(turn_);  // one job at a time
    std::unique_lock lock(mutex_);
    job_ = &job;
    changed_.notify_all();
    changed_.wait(lock, [this] { return job_ == nullptr; });
    if (auto failure = std::exchange(failure_, nullptr)) std::rethrow_exception(failure);
  }

 private:
  void serve() {
    // Signals for the process are read from the supervisor's signalfd; none may land here.
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock, [this] { return job_ != nullptr; });
      try {
        (*job_)();
      } catch (...) {
        failure_ = std::current_exception();  // thrown again in the caller
      }
      job_ = nullptr;
      changed_.notify_all();
    }
  }

  std::mutex turn_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::function<void()> const* job_ = nullptr;
  std::exception_ptr failure_;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

void run_on_lasting_thread(std::function<void()> const& job) {
  static auto* const thread = new LastingThread;  // never destroyed: it must outlive every child
  thread->run(job);
}

}  // namespace wgs::process
