#pragma once
// Collects every configuration problem so the user sees all of them at once, but no more
// than a screenful: a file of half a million bad lines reports the first few and a count.
#include <cstddef>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace wgs::config {

struct Problem {
  std::string where;  // the variable, flag or "file line N (Key)"
  std::string what;   // what is wrong and how to fix it; never the value of a secret
  std::string to_string() const { return fmt::format("{}: {}", where, what); }
};

class Problems {
 public:
  static constexpr std::size_t kept_limit = 20;

  void add(std::string where, std::string what);
  // Problems about `name` (its value, or a line of it) are reported under `alias`: a secret
  // read from NAME_FILE is named by the variable the user set.
  void report_as(std::string name, std::string alias);
  // Problems about `name` are dropped: they follow from one already reported.
  void silence(std::string name);

  bool empty() const { return count_ == 0; }
  std::size_t count() const { return count_; }              // every problem found
  std::vector<Problem> const& list() const { return list_; }  // the first kept_limit of them
  std::size_t not_listed() const { return count_ - list_.size(); }

 private:
  struct Alias {
    std::string name;
    std::string alias;  // empty: silenced
  };
  Alias const* alias_for(std::string const& where) const;

  std::vector<Problem> list_;
  std::vector<Alias> aliases_;
  std::size_t count_ = 0;
};

}  // namespace wgs::config
