#pragma once
// A small bounded pool of connections to one database. Connections are opened on demand,
// checked before reuse and dropped when broken or old, so a restarted or failed-over
// server costs one error at most, never a restart of the app.
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "pg_connection.hpp"

namespace contacts::db {

class Pool;

// A connection on loan; goes back to its pool (or is closed if broken) when destroyed.
class Lease {
 public:
  Lease(Pool& pool, std::unique_ptr<Connection> connection, bool reused)
      : pool_(&pool), connection_(std::move(connection)), reused_(reused) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();

  Connection& operator*() { return *connection_; }
  Connection* operator->() { return connection_.get(); }
  // Taken from the idle list rather than freshly opened: it may have died while idle.
  bool reused() const { return reused_; }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> connection_;
  bool reused_;
};

class Pool {
 public:
  Pool(Target target, std::size_t size);
  Pool(Pool const&) = delete;
  Pool& operator=(Pool const&) = delete;

  // A connection within WAIT (all busy → unavailable); opening one has its own deadline.
  // STOP abandons opening a connection (shutdown).
  Result<Lease> acquire(Clock::duration wait = std::chrono::seconds(5), std::stop_token stop = {});
  Target const& target() const { return target_; }

 private:
  friend class Lease;
  void give_back(std::unique_ptr<Connection> connection);
  std::unique_ptr<Connection> take_idle();  // caller holds mutex_

  Target target_;
  std::size_t size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle + leased + being opened
};

}  // namespace contacts::db
