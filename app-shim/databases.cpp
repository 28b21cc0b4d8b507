#include "databases.hpp"

namespace contacts::db {

Databases::Databases(Config const& config) : primary_(config.primary, config.pool_size) {
  if (config.replica) replica_ = std::make_unique<Pool>(*config.replica, config.pool_size);
}

Result<Lease> Databases::reader() {
  if (replica_) return replica_->acquire();
  // Without a replica the primary serves reads, and the table must exist first.
  if (auto ready = schema_.ensure(primary_); !ready) return ready.error();
  return primary_.acquire();
}

}  // namespace contacts::db
