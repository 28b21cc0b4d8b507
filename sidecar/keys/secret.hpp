#pragma once
// Secret bytes (private keys, preshared keys, passwords): kept in libsodium's guarded
// memory, zeroed when freed, and formatted as "(hidden)" so no log line can leak them.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <fmt/format.h>

namespace wgs {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::size_t size);
  static Secret from(std::span<std::uint8_t const> bytes);
  static Secret from(std::string_view text);
  ~Secret();
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  Secret(Secret const&) = delete;
  Secret& operator=(Secret const&) = delete;

  Secret clone() const;
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::span<std::uint8_t> bytes() { return {data_, size_}; }
  std::span<std::uint8_t const> bytes() const { return {data_, size_}; }
  // For APIs that take text (libpq's password). The view dies with the Secret.
  std::string_view text() const;
  // NUL-terminated copy lives in the same guarded buffer (one byte past size()).
  char const* c_str() const;
  bool equals(std::span<std::uint8_t const> other) const;

 private:
  void release() noexcept;
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace wgs

template <>
struct fmt::formatter<wgs::Secret> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(wgs::Secret const&, Context& ctx) const {
    return fmt::formatter<std::string_view>::format("(hidden)", ctx);
  }
};
