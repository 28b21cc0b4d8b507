#pragma once
// Which database each query goes to. Writes, and the reads that must see a write just
// made, go to the primary; other reads go to DATABASE_READ_REPLICA_URL when it is set
// (replication lag makes the replica wrong for read-after-write).
#include <memory>
#include <optional>

#include "db_pool.hpp"
#include "schema.hpp"

namespace contacts::db {

class Databases {
 public:
  explicit Databases(Config const& config);

  Pool& primary() { return primary_; }
  Pool* replica() { return replica_ ? replica_.get() : nullptr; }
  Schema& schema() { return schema_; }

  // FN(Connection&) -> Result<T> on the primary, once the schema exists.
  template <class Fn>
  auto write(Fn&& fn) -> decltype(fn(std::declval<Connection&>()));

  // FN(Connection&) -> Result<T> on the replica (or the primary without one). A reused
  // connection that turns out to have died is replaced and FN tried once more: reads are
  // safe to repeat.
  template <class Fn>
  auto read(Fn&& fn) -> decltype(fn(std::declval<Connection&>()));

 private:
  Result<Lease> reader();

  Pool primary_;
  std::unique_ptr<Pool> replica_;
  Schema schema_;
};

template <class Fn>
auto Databases::write(Fn&& fn) -> decltype(fn(std::declval<Connection&>())) {
  if (auto ready = schema_.ensure(primary_); !ready) return ready.error();
  auto lease = primary_.acquire();
  if (!lease) return lease.error();
  return fn(**lease);
}

template <class Fn>
auto Databases::read(Fn&& fn) -> decltype(fn(std::declval<Connection&>())) {
  {
    auto lease = reader();
    if (!lease) return lease.error();
    auto result = fn(**lease);
    if (result || result.error().kind != ErrorKind::unavailable || !lease->reused()) return result;
  }
  auto lease = reader();
  if (!lease) return lease.error();
  return fn(**lease);
}

}  // namespace contacts::db
