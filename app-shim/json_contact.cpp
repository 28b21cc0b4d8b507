#include "json_contact.hpp"

#include <fmt/format.h>

namespace contacts {
namespace {

using nlohmann::json;

struct FieldRule {
  char const* name;
  std::size_t max_bytes;
};

constexpr FieldRule name_rule{"name", 255};
constexpr FieldRule email_rule{"email", 254};
constexpr FieldRule phone_rule{"phone", 64};
constexpr FieldRule company_rule{"company", 255};
constexpr FieldRule notes_rule{"notes", 4000};

Error bad(std::string message) { return make_error(ErrorKind::bad_input, std::move(message)); }

std::string trimmed(std::string const& text) {
  auto const first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  auto const last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// The field's string if present and a string; nullopt value when absent or null.
Result<std::optional<std::string>> optional_field(json const& body, FieldRule rule) {
  auto const found = body.find(rule.name);
  if (found == body.end() || found->is_null()) return std::optional<std::string>{};
  if (!found->is_string()) return bad(fmt::format("{} must be a string or null", rule.name));
  auto value = found->get<std::string>();
  if (value.size() > rule.max_bytes) return bad(fmt::format("{} is longer than {} bytes", rule.name, rule.max_bytes));
  // PostgreSQL text cannot hold NUL, and libpq would cut the value there.
  if (value.find('\0') != std::string::npos) return bad(fmt::format("{} must not contain NUL characters", rule.name));
  return std::optional<std::string>(std::move(value));
}

Result<std::string> required_field(json const& body, FieldRule rule) {
  auto value = optional_field(body, rule);
  if (!value) return value.error();
  if (!*value) return bad(fmt::format("{} is required", rule.name));
  auto text = trimmed(**value);
  if (text.empty()) return bad(fmt::format("{} must not be empty", rule.name));
  return text;
}

bool looks_like_email(std::string_view email) {
  auto const at = email.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < email.size() &&
         email.find_first_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

json contact_json(Contact const& contact) {
  json out = {{"id", contact.id}, {"name", contact.name}, {"email", contact.email}};
  if (contact.phone) out["phone"] = *contact.phone;
  if (contact.company) out["company"] = *contact.company;
  if (contact.notes) out["notes"] = *contact.notes;
  out["created_at"] = rfc3339_utc(contact.created_at);
  out["updated_at"] = rfc3339_utc(contact.updated_at);
  return out;
}

Result<ContactInput> contact_input_from(std::string_view body) {
  auto const parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return bad("body is not valid JSON");
  if (!parsed.is_object()) return bad("body must be a JSON object");
  auto name = required_field(parsed, name_rule);
  if (!name) return name.error();
  auto email = required_field(parsed, email_rule);
  if (!email) return email.error();
  if (!looks_like_email(*email)) return bad("email must look like name@domain");
  ContactInput input{std::move(*name), std::move(*email), {}, {}, {}};
  for (auto [rule, slot] : {std::pair{phone_rule, &input.phone}, std::pair{company_rule, &input.company},
                            std::pair{notes_rule, &input.notes}}) {
    auto value = optional_field(parsed, rule);
    if (!value) return value.error();
    *slot = std::move(*value);
  }
  return input;
}

std::string rfc3339_utc(std::string_view timestamp) {
  std::string text(timestamp);
  if (auto const dot = text.find('.'); dot != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text + 'Z';
}

}  // namespace contacts
