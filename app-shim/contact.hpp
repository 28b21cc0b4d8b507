#pragma once
// The records the API deals in, as plain data.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace contacts {

struct Contact {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::optional<std::string> phone;
  std::optional<std::string> company;
  std::optional<std::string> notes;
  std::string created_at;  // UTC, as PostgreSQL prints it: "2025-12-07T12:54:31.629798"
  std::string updated_at;
};

// What a client may set with POST or PUT.
struct ContactInput {
  std::string name;
  std::string email;
  std::optional<std::string> phone;
  std::optional<std::string> company;
  std::optional<std::string> notes;
};

struct ContactPage {
  std::vector<Contact> contacts;
  std::int64_t total = 0;
};

struct Stats {
  std::int64_t total_contacts = 0;
  std::int64_t unique_companies = 0;
  std::optional<std::string> latest_contact;  // UTC, as in Contact; none when the table is empty
};

}  // namespace contacts
