#pragma once
// Contacts to and from JSON, in the seed's shapes: phone, company and notes are left out
// when null (Go's omitempty on pointers); timestamps are RFC 3339 in UTC.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "contact.hpp"
#include "result.hpp"

namespace contacts {

nlohmann::json contact_json(Contact const& contact);

// A request body checked field by field; bad_input names the field and what is wrong.
Result<ContactInput> contact_input_from(std::string_view body);

// "2025-12-07T12:54:31.629700" → "2025-12-07T12:54:31.6297Z": trailing zeros of the
// fraction dropped, as Go's time.Time marshals.
std::string rfc3339_utc(std::string_view timestamp);

}  // namespace contacts
