#pragma once
// Memory for text that may hold secrets but is not one Secret: the environment as read at
// start (WG_PRIVATE_KEY, DB_PASSWORD, a URL with its password), and the app's environment
// kept for restarts. It comes from libsodium's guarded pages (locked out of swap, left out
// of core dumps) and every block is zeroed when it is freed, so no copy outlives its use in
// ordinary heap memory.
#include <cstddef>
#include <string>
#include <vector>

namespace wgs {

namespace locked {
// 16-byte aligned; throws std::bad_alloc when no guarded memory can be had.
void* allocate(std::size_t size);
// Zeroes the block, then returns it.
void deallocate(void* block, std::size_t size) noexcept;
}  // namespace locked

// A stateless allocator over locked::, so containers that copy or rebind it stay in
// locked memory.
template <typename T>
struct LockedAllocator {
  using value_type = T;
  LockedAllocator() = default;
  template <typename U>
  LockedAllocator(LockedAllocator<U> const&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(locked::allocate(n * sizeof(T))); }
  void deallocate(T* block, std::size_t n) noexcept { locked::deallocate(block, n * sizeof(T)); }
  template <typename U>
  bool operator==(LockedAllocator<U> const&) const noexcept {
    return true;
  }
};

using LockedString = std::basic_string<char, std::char_traits<char>, LockedAllocator<char>>;
using LockedStrings = std::vector<LockedString, LockedAllocator<LockedString>>;

}  // namespace wgs
