#pragma once
// The SQL behind each endpoint. Every value reaches PostgreSQL as a query parameter.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "contact.hpp"
#include "databases.hpp"

namespace contacts {

class ContactsRepo {
 public:
  explicit ContactsRepo(db::Databases& databases) : databases_(databases) {}

  Result<ContactPage> list(std::int64_t limit, std::int64_t offset);
  Result<Contact> find(std::int64_t id);  // not_found when there is no such id
  Result<Contact> create(ContactInput const& input);
  Result<Contact> update(std::int64_t id, ContactInput const& input);
  Result<Ok> remove(std::int64_t id);
  Result<std::vector<Contact>> search(std::string_view query, std::int64_t limit, std::int64_t offset);
  Result<Stats> stats();

 private:
  db::Databases& databases_;
};

// The ILIKE pattern that finds QUERY anywhere, with %, _ and \ in it matching themselves.
std::string contains_pattern(std::string_view query);

}  // namespace contacts
