#pragma once
// Maps method and path to an endpoint: 404 for an unknown path, 405 (with Allow) for a
// known path and the wrong method.
#include "api_types.hpp"
#include "handlers.hpp"

namespace contacts::api {

class Router {
 public:
  explicit Router(Api& api) : api_(api) {}

  Response handle(Request const& request);

 private:
  Response contacts(Request const& request, url::QueryParams const& query);
  Response contact(Request const& request, std::string_view id);

  Api& api_;
};

}  // namespace contacts::api
