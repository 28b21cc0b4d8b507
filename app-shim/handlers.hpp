#pragma once
// One method per endpoint of the seed's API table. Each takes the already-split request
// parts, validates them and turns the repository's result into a response.
#include <optional>
#include <string>
#include <string_view>

#include "api_types.hpp"
#include "contacts_repo.hpp"
#include "url.hpp"

namespace contacts::api {

struct ServiceInfo {
  std::string version;
  std::string region;   // FLY_REGION, "local" when unset: the seed's served_by
  std::string db_host;  // the primary's host, as the seed's /health shows it
  std::optional<std::string> replica_host;
};

class Api {
 public:
  Api(ContactsRepo& repo, db::Databases& databases, ServiceInfo info)
      : repo_(repo), databases_(databases), info_(std::move(info)) {}

  Response root() const;
  Response health();
  Response stats();
  Response list(url::QueryParams const& query);
  Response get(std::string_view id);
  Response create(std::string_view body);
  Response update(std::string_view id, std::string_view body);
  Response remove(std::string_view id);
  Response search(std::string_view encoded_query, url::QueryParams const& query);

 private:
  ContactsRepo& repo_;
  db::Databases& databases_;
  ServiceInfo info_;
};

}  // namespace contacts::api
