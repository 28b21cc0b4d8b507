#include "contacts_repo.hpp"

#include <fmt/format.h>

namespace contacts {
namespace {

using db::Connection;
using db::Params;
using db::QueryResult;

// Timestamps leave the database in UTC whatever the session's time zone.
#define CONTACT_COLUMNS                                                            \
  "id, name, email, phone, company, notes, "                                       \
  "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "       \
  "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"

constexpr char const* list_sql = "SELECT " CONTACT_COLUMNS " FROM contacts ORDER BY name, id LIMIT $1 OFFSET $2";
constexpr char const* count_sql = "SELECT count(*) FROM contacts";
constexpr char const* find_sql = "SELECT " CONTACT_COLUMNS " FROM contacts WHERE id = $1";
constexpr char const* insert_sql =
    "INSERT INTO contacts (name, email, phone, company, notes) VALUES ($1, $2, $3, $4, $5) RETURNING " CONTACT_COLUMNS;
constexpr char const* update_sql =
    "UPDATE contacts SET name = $2, email = $3, phone = $4, company = $5, notes = $6, updated_at = now() "
    "WHERE id = $1 RETURNING " CONTACT_COLUMNS;
constexpr char const* delete_sql = "DELETE FROM contacts WHERE id = $1";
constexpr char const* search_sql =
    "SELECT " CONTACT_COLUMNS " FROM contacts "
    "WHERE name ILIKE $1 ESCAPE '\\' OR email ILIKE $1 ESCAPE '\\' OR company ILIKE $1 ESCAPE '\\' "
    "ORDER BY name, id LIMIT $2 OFFSET $3";
constexpr char const* stats_sql =
    "SELECT count(*), count(DISTINCT company), "
    "to_char(max(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') FROM contacts";

#undef CONTACT_COLUMNS

Contact contact_at(QueryResult const& rows, int row) {
  return Contact{rows.integer(row, 0),      rows.text(row, 1),          rows.text(row, 2),
                 rows.optional_text(row, 3), rows.optional_text(row, 4), rows.optional_text(row, 5),
                 rows.text(row, 6),          rows.text(row, 7)};
}

std::vector<Contact> contacts_in(QueryResult const& rows) {
  std::vector<Contact> contacts;
  contacts.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) contacts.push_back(contact_at(rows, row));
  return contacts;
}

Result<Contact> single(Result<QueryResult> const& rows, std::int64_t id) {
  if (!rows) return rows.error();
  if (rows->rows() == 0) return make_error(ErrorKind::not_found, fmt::format("contact {} not found", id));
  return contact_at(*rows, 0);
}

Params input_params(ContactInput const& input) {
  return {input.name, input.email, input.phone, input.company, input.notes};
}

}  // namespace

std::string contains_pattern(std::string_view query) {
  std::string pattern = "%";
  for (char c : query) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  return pattern;
}

Result<ContactPage> ContactsRepo::list(std::int64_t limit, std::int64_t offset) {
  return databases_.read([&](Connection& connection) -> Result<ContactPage> {
    auto total = connection.exec(count_sql);
    if (!total) return total.error();
    auto rows = connection.exec(list_sql, {std::to_string(limit), std::to_string(offset)});
    if (!rows) return rows.error();
    return ContactPage{contacts_in(*rows), total->integer(0, 0)};
  });
}

Result<Contact> ContactsRepo::find(std::int64_t id) {
  return databases_.read([&](Connection& connection) -> Result<Contact> {
    return single(connection.exec(find_sql, {std::to_string(id)}), id);
  });
}

// The new row comes back from the primary in the same statement (RETURNING), so the
// response never depends on replication.
Result<Contact> ContactsRepo::create(ContactInput const& input) {
  return databases_.write([&](Connection& connection) -> Result<Contact> {
    auto rows = connection.exec(insert_sql, input_params(input));
    if (!rows) return rows.error();
    return contact_at(*rows, 0);
  });
}

Result<Contact> ContactsRepo::update(std::int64_t id, ContactInput const& input) {
  return databases_.write([&](Connection& connection) -> Result<Contact> {
    auto params = input_params(input);
    params.insert(params.begin(), std::to_string(id));
    return single(connection.exec(update_sql, params), id);
  });
}

Result<Ok> ContactsRepo::remove(std::int64_t id) {
  return databases_.write([&](Connection& connection) -> Result<Ok> {
    auto deleted = connection.exec(delete_sql, {std::to_string(id)});
    if (!deleted) return deleted.error();
    if (deleted->affected_rows() == 0) {
      return make_error(ErrorKind::not_found, fmt::format("contact {} not found", id));
    }
    return Ok{};
  });
}

Result<std::vector<Contact>> ContactsRepo::search(std::string_view query, std::int64_t limit, std::int64_t offset) {
  return databases_.read([&](Connection& connection) -> Result<std::vector<Contact>> {
    auto rows = connection.exec(search_sql, {contains_pattern(query), std::to_string(limit), std::to_string(offset)});
    if (!rows) return rows.error();
    return contacts_in(*rows);
  });
}

Result<Stats> ContactsRepo::stats() {
  return databases_.read([&](Connection& connection) -> Result<Stats> {
    auto rows = connection.exec(stats_sql);
    if (!rows) return rows.error();
    return Stats{rows->integer(0, 0), rows->integer(0, 1), rows->optional_text(0, 2)};
  });
}

}  // namespace contacts
