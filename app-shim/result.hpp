#pragma once
// A value or an error: how the app's modules report failure to each other instead of
// throwing across module boundaries (C++20 has no std::expected).
#include <string>
#include <utility>
#include <variant>

namespace contacts {

// Why an operation failed, in the terms the HTTP layer needs to pick a status.
enum class ErrorKind {
  bad_input,    // the caller's fault: 400
  not_found,    // 404
  unavailable,  // the database cannot be reached or is not ready: 503
  internal,     // a bug or an unexpected database error: 500
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;  // "what we were doing: why it failed" — never a secret value
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

struct Ok {};
using Status = Result<Ok>;

inline Error make_error(ErrorKind kind, std::string message) { return Error{kind, std::move(message)}; }

}  // namespace contacts
