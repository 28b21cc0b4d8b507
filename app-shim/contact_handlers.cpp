// The /contacts endpoints: input checks and response shapes.
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "handlers.hpp"
#include "json_contact.hpp"
#include "number.hpp"

namespace contacts::api {
namespace {

constexpr std::int64_t default_limit = 50;
constexpr std::int64_t max_limit = 100;
constexpr std::int64_t max_offset = std::numeric_limits<std::int32_t>::max();
constexpr std::size_t max_query_bytes = 200;

struct Paging {
  std::int64_t limit = default_limit;
  std::int64_t offset = 0;
};

Result<Paging> paging_from(url::QueryParams const& query) {
  Paging paging;
  if (auto found = query.find("limit"); found != query.end()) {
    auto const limit = parse_integer(found->second, 1, max_limit);
    if (!limit) return make_error(ErrorKind::bad_input, fmt::format("limit must be an integer from 1 to {}", max_limit));
    paging.limit = *limit;
  }
  if (auto found = query.find("offset"); found != query.end()) {
    auto const offset = parse_integer(found->second, 0, max_offset);
    if (!offset) return make_error(ErrorKind::bad_input, fmt::format("offset must be an integer from 0 to {}", max_offset));
    paging.offset = *offset;
  }
  return paging;
}

// ids are SERIAL (int4): anything else cannot exist and is the client's mistake.
Result<std::int64_t> id_from(std::string_view text) {
  auto const id = parse_integer(text, 1, std::numeric_limits<std::int32_t>::max());
  if (!id) return make_error(ErrorKind::bad_input, "id must be a positive integer");
  return *id;
}

Result<std::string> search_text_from(std::string_view encoded) {
  auto decoded = url::percent_decode(encoded, false);
  auto const bad = [](std::string message) { return make_error(ErrorKind::bad_input, std::move(message)); };
  if (!decoded) return bad("search query is not valid percent-encoding");
  if (decoded->empty()) return bad("search query must not be empty");
  if (decoded->size() > max_query_bytes) return bad(fmt::format("search query is longer than {} bytes", max_query_bytes));
  if (!url::is_valid_utf8(*decoded)) return bad("search query is not valid UTF-8");
  if (decoded->find('\0') != std::string::npos) return bad("search query must not contain NUL characters");
  return std::move(*decoded);
}

nlohmann::json contacts_json(std::vector<Contact> const& contacts) {
  auto array = nlohmann::json::array();
  for (auto const& contact : contacts) array.push_back(contact_json(contact));
  return array;
}

}  // namespace

Response Api::list(url::QueryParams const& query) {
  auto const paging = paging_from(query);
  if (!paging) return error_response(paging.error());
  auto const page = repo_.list(paging->limit, paging->offset);
  if (!page) return error_response(page.error());
  return json_response(200, {{"contacts", contacts_json(page->contacts)},
                             {"total", page->total},
                             {"limit", paging->limit},
                             {"offset", paging->offset},
                             {"served_by", info_.region}});
}

Response Api::get(std::string_view id_text) {
  auto const id = id_from(id_text);
  if (!id) return error_response(id.error());
  auto const contact = repo_.find(*id);
  if (!contact) return error_response(contact.error());
  return json_response(200, contact_json(*contact));
}

Response Api::create(std::string_view body) {
  auto const input = contact_input_from(body);
  if (!input) return error_response(input.error());
  auto const contact = repo_.create(*input);
  if (!contact) return error_response(contact.error());
  auto response = json_response(201, contact_json(*contact));
  response.headers.emplace_back("Location", fmt::format("/contacts/{}", contact->id));
  return response;
}

Response Api::update(std::string_view id_text, std::string_view body) {
  auto const id = id_from(id_text);
  if (!id) return error_response(id.error());
  auto const input = contact_input_from(body);
  if (!input) return error_response(input.error());
  auto const contact = repo_.update(*id, *input);
  if (!contact) return error_response(contact.error());
  return json_response(200, contact_json(*contact));
}

Response Api::remove(std::string_view id_text) {
  auto const id = id_from(id_text);
  if (!id) return error_response(id.error());
  auto const removed = repo_.remove(*id);
  if (!removed) return error_response(removed.error());
  return json_response(200, {{"id", *id}, {"deleted", true}});
}

Response Api::search(std::string_view encoded_query, url::QueryParams const& query) {
  auto const text = search_text_from(encoded_query);
  if (!text) return error_response(text.error());
  auto const paging = paging_from(query);
  if (!paging) return error_response(paging.error());
  auto const found = repo_.search(*text, paging->limit, paging->offset);
  if (!found) return error_response(found.error());
  return json_response(200, {{"contacts", contacts_json(*found)},
                             {"query", *text},
                             {"count", found->size()},
                             {"limit", paging->limit},
                             {"offset", paging->offset},
                             {"served_by", info_.region}});
}

}  // namespace contacts::api
