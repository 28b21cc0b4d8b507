#pragma once
// A value or an error message: what the project uses instead of exceptions across module
// boundaries. (C++20 has no std::expected; this is the small part of it we need.)
#include <string>
#include <utility>
#include <variant>

namespace wgs {

struct Error {
  std::string message;  // "what we were doing: why it failed" — never a secret value
  int code = 0;         // errno where one applies, else 0
};

template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  T const& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  T const& operator*() const { return value(); }
  T* operator->() { return &value(); }
  T const* operator->() const { return &value(); }
  Error const& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing on success.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

inline Error make_error(std::string message, int code = 0) { return Error{std::move(message), code}; }

}  // namespace wgs
