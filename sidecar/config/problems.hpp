#pragma once
// Collects every configuration problem so the user sees all of them at once.
#include <string>
#include <vector>

#include <fmt/format.h>

namespace wgs::config {

struct Problem {
  std::string where;  // the variable, flag or "file:line key"
  std::string what;   // what is wrong and how to fix it; never the value of a secret
  std::string to_string() const { return fmt::format("{}: {}", where, what); }
};

class Problems {
 public:
  void add(std::string where, std::string what) { list_.push_back({std::move(where), std::move(what)}); }
  void append(Problems const& other) { list_.insert(list_.end(), other.list_.begin(), other.list_.end()); }
  bool empty() const { return list_.empty(); }
  std::vector<Problem> const& list() const { return list_; }

 private:
  std::vector<Problem> list_;
};

}  // namespace wgs::config
