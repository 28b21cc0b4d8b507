#include "keys/locked_memory.hpp"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <new>

#include <sodium.h>

namespace wgs::locked {
namespace {

constexpr std::size_t alignment = 16;
constexpr std::size_t chunk_size = 16 * 1024;  // a container's whole environment, usually

std::size_t rounded(std::size_t size) { return (std::max<std::size_t>(size, 1) + alignment - 1) / alignment * alignment; }

// Blocks are carved from guarded chunks one after the other; a chunk is returned to
// libsodium (which zeroes it again) when its last block is freed. Environments are built
// once and kept, so nothing smarter is needed.
class Pool {
 public:
  void* allocate(std::size_t size) {
    size = rounded(size);
    std::lock_guard lock(mutex_);
    if (chunks_.empty() || chunks_.back().size - chunks_.back().used < size) add_chunk(std::max(size, chunk_size));
    auto& chunk = chunks_.back();
    void* block = chunk.base + chunk.used;
    chunk.used += size;
    ++chunk.live;
    return block;
  }

  void deallocate(void* block, std::size_t size) noexcept {
    if (block == nullptr) return;
    sodium_memzero(block, rounded(size));
    std::lock_guard lock(mutex_);
    auto const at = static_cast<std::uint8_t*>(block);
    auto chunk = std::find_if(chunks_.begin(), chunks_.end(),
                              [at](Chunk const& c) { return at >= c.base && at < c.base + c.size; });
    if (chunk == chunks_.end() || --chunk->live != 0) return;
    if (&*chunk == &chunks_.back()) {
      chunk->used = 0;  // the newest chunk is kept for the next allocations
      return;
    }
    sodium_free(chunk->base);
    chunks_.erase(chunk);
  }

 private:
  struct Chunk {
    std::uint8_t* base = nullptr;
    std::size_t size = 0;
    std::size_t used = 0;
    std::size_t live = 0;
  };

  void add_chunk(std::size_t size) {
    static bool const ready = sodium_init() >= 0;
    // sodium_malloc puts the block against a guard page; a size that is a multiple of the
    // alignment keeps its start aligned too.
    auto* base = ready ? static_cast<std::uint8_t*>(sodium_malloc(size)) : nullptr;
    if (base == nullptr) throw std::bad_alloc();
    chunks_.push_back({base, size, 0, 0});
  }

  std::mutex mutex_;
  std::vector<Chunk> chunks_;  // where the chunks are, not what they hold
};

Pool& pool() {
  static auto* const instance = new Pool;  // never destroyed: blocks may be freed during exit
  return *instance;
}

}  // namespace

void* allocate(std::size_t size) { return pool().allocate(size); }

void deallocate(void* block, std::size_t size) noexcept { pool().deallocate(block, size); }

}  // namespace wgs::locked
