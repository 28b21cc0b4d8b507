#include "router.hpp"

namespace contacts::api {
namespace {

constexpr std::string_view contacts_path = "/contacts";
constexpr std::string_view contact_prefix = "/contacts/";
constexpr std::string_view search_prefix = "/contacts/search/";

Response method_not_allowed(std::string_view allow) {
  auto response = error_response(405, "method not allowed");
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

// Dispatches a GET-only endpoint.
template <class Fn>
Response get_only(Request const& request, Fn&& fn) {
  if (request.method != "GET") return method_not_allowed("GET");
  return fn();
}

}  // namespace

Response Router::handle(Request const& request) {
  auto const target = url::split(request.target);
  auto const query = url::parse_query(target.query);
  if (!query) return error_response(400, "query string is not valid percent-encoding");
  auto path = target.path;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

  if (path == "/") return get_only(request, [&] { return api_.root(); });
  if (path == "/health") return get_only(request, [&] { return api_.health(); });
  if (path == "/stats") return get_only(request, [&] { return api_.stats(); });
  if (path == contacts_path) return contacts(request, *query);
  // Checked on the path as sent, so that "/contacts/search/" reaches search (and is
  // refused there as empty) rather than being taken for an id.
  if (target.path.starts_with(search_prefix)) {
    return get_only(request, [&] { return api_.search(target.path.substr(search_prefix.size()), *query); });
  }
  if (path == "/contacts/search") return get_only(request, [&] { return api_.search("", *query); });
  if (path.starts_with(contact_prefix)) {
    auto const id = path.substr(contact_prefix.size());
    if (id.find('/') == std::string_view::npos) return contact(request, id);
  }
  return error_response(404, "not found");
}

Response Router::contacts(Request const& request, url::QueryParams const& query) {
  if (request.method == "GET") return api_.list(query);
  if (request.method == "POST") return api_.create(request.body);
  return method_not_allowed("GET, POST");
}

Response Router::contact(Request const& request, std::string_view id) {
  if (request.method == "GET") return api_.get(id);
  if (request.method == "PUT") return api_.update(id, request.body);
  if (request.method == "DELETE") return api_.remove(id);
  return method_not_allowed("GET, PUT, DELETE");
}

}  // namespace contacts::api
