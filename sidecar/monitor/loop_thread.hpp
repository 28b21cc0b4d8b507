#pragma once
// The monitor and the gating checks each run an event loop on a thread of their own.
#include <pthread.h>

#include <thread>

#include <boost/asio/io_context.hpp>

namespace wgs::monitor {

// A thread running `loop` until it is stopped, named `name` (at most 15 characters) for
// `top -H` and for telling the supervisor's threads apart.
inline std::thread loop_thread(boost::asio::io_context& loop, char const* name) {
  return std::thread([&loop, name] {
    pthread_setname_np(pthread_self(), name);
    loop.run();
  });
}

}  // namespace wgs::monitor
