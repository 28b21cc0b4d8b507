#include "keys/secret.hpp"

#include <cstring>
#include <new>

#include <sodium.h>

namespace wgs {
namespace {

void ensure_sodium() {
  static bool const ready = sodium_init() >= 0;
  if (!ready) throw std::bad_alloc();
}

}  // namespace

Secret::Secret(std::size_t size) : size_(size) {
  ensure_sodium();
  // One spare byte keeps a NUL terminator for c_str() without a second copy.
  data_ = static_cast<std::uint8_t*>(sodium_malloc(size + 1));
  if (data_ == nullptr) throw std::bad_alloc();
  sodium_memzero(data_, size + 1);
}

Secret Secret::from(std::span<std::uint8_t const> bytes) {
  Secret secret(bytes.size());
  if (!bytes.empty()) std::memcpy(secret.data_, bytes.data(), bytes.size());
  return secret;
}

Secret Secret::from(std::string_view text) {
  return from(std::span(reinterpret_cast<std::uint8_t const*>(text.data()), text.size()));
}

Secret::~Secret() { release(); }

Secret::Secret(Secret&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void Secret::release() noexcept {
  if (data_ != nullptr) sodium_free(data_);  // sodium_free zeroes before unmapping
  data_ = nullptr;
  size_ = 0;
}

Secret Secret::clone() const {
  if (data_ == nullptr) return Secret();
  return from(bytes());
}

std::string_view Secret::text() const {
  if (data_ == nullptr) return {};
  return {reinterpret_cast<char const*>(data_), size_};
}

char const* Secret::c_str() const {
  return data_ == nullptr ? "" : reinterpret_cast<char const*>(data_);
}

bool Secret::equals(std::span<std::uint8_t const> other) const {
  if (other.size() != size_) return false;
  return size_ == 0 || sodium_memcmp(data_, other.data(), size_) == 0;
}

}  // namespace wgs
