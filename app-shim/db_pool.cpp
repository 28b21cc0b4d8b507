#include "db_pool.hpp"

#include <fmt/format.h>

namespace contacts::db {
namespace {

constexpr auto connect_timeout = std::chrono::seconds(5);
// Like the seed's SetConnMaxLifetime: long-lived connections are recycled so a DNS or
// failover change is picked up.
constexpr auto max_lifetime = std::chrono::minutes(5);

}  // namespace

Lease::~Lease() {
  if (pool_ != nullptr && connection_) pool_->give_back(std::move(connection_));
}

Pool::Pool(Target target, std::size_t size) : target_(std::move(target)), size_(size) {}

std::unique_ptr<Connection> Pool::take_idle() {
  while (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    if (connection->is_usable() && Clock::now() - connection->opened_at() < max_lifetime) return connection;
    --open_;  // closed as it goes out of scope
  }
  return nullptr;
}

Result<Lease> Pool::acquire(Clock::duration wait, std::stop_token stop) {
  auto const deadline = Clock::now() + wait;
  std::unique_lock lock(mutex_);
  while (true) {
    if (auto connection = take_idle()) return Lease(*this, std::move(connection), true);
    if (open_ < size_) break;
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= size_) {
      return make_error(ErrorKind::unavailable,
                        fmt::format("all {} connections to {} are busy", size_, target_.describe()));
    }
  }
  ++open_;
  lock.unlock();
  auto opened = Connection::open(target_, Clock::now() + connect_timeout, std::move(stop));
  if (!opened) {
    lock.lock();
    --open_;
    available_.notify_one();
    return opened.error();
  }
  return Lease(*this, std::move(*opened), false);
}

void Pool::give_back(std::unique_ptr<Connection> connection) {
  // A connection that broke or was left inside a transaction is not worth saving.
  bool const keep = connection->is_usable();
  if (!keep) connection.reset();
  std::lock_guard lock(mutex_);
  if (keep) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
  available_.notify_one();
}

}  // namespace contacts::db
