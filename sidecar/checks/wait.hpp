#pragma once
// "Ready, or give up at this deadline" for any Asio descriptor or socket: the one way every
// check waits, so no check can hang past its timeout.
#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/steady_timer.hpp>

namespace wgs::checks {

enum class WaitOutcome { ready, timed_out, failed };

// Calls `done` exactly once. The caller keeps `io` alive until then (Asio's usual rule);
// the timer never touches it afterwards, even when both fire in the same turn.
template <class Io, class WaitType>
void async_wait_until(Io& io, WaitType what, std::chrono::steady_clock::time_point deadline,
                      std::function<void(WaitOutcome)> done) {
  struct State {
    boost::asio::steady_timer timer;
    bool finished = false;
    bool fired = false;
  };
  auto state = std::make_shared<State>(State{boost::asio::steady_timer(io.get_executor(), deadline)});
  state->timer.async_wait([state, &io](boost::system::error_code ec) {
    if (ec || state->finished) return;
    state->fired = true;
    io.cancel();
  });
  io.async_wait(what, [state, done = std::move(done)](boost::system::error_code ec) {
    state->finished = true;
    state->timer.cancel();
    done(!ec ? WaitOutcome::ready : state->fired ? WaitOutcome::timed_out : WaitOutcome::failed);
  });
}

}  // namespace wgs::checks
