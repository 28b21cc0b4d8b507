#pragma once
// The contacts table and its indexes, created at start. The database may not be reachable
// yet (the app can start before the tunnel is up), so creation is retried in the
// background and, until it succeeds, by any request that needs the primary.
#include <atomic>
#include <mutex>
#include <stop_token>
#include <thread>

#include "db_pool.hpp"

namespace contacts::db {

// Creates what is missing; safe to run concurrently from several instances.
Status create_schema(Connection& connection);

class Schema {
 public:
  Schema() = default;
  Schema(Schema const&) = delete;
  Schema& operator=(Schema const&) = delete;
  ~Schema();

  bool is_ready() const { return ready_.load(); }
  // Creates the schema through POOL unless already done.
  Status ensure(Pool& pool, std::stop_token stop = {});
  // Keeps calling ensure() with a growing pause until it succeeds or the app stops.
  void start_retrying(Pool& pool);

 private:
  void retry_loop(std::stop_token stop, Pool& pool);

  std::atomic<bool> ready_{false};
  std::mutex mutex_;
  std::jthread retrier_;
};

}  // namespace contacts::db
