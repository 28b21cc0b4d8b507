#pragma once
// Who a connection setting belongs to. A URL written for an app carries settings for its
// driver or ORM (Prisma's schema=, pgx's pool_max_conns=) that libpq would refuse: the app
// reads them, the checks accept and ignore them. What belongs to nobody is refused, as libpq
// refuses it, so that a typo (sslmdoe=) does not silently weaken what the checks prove.
#include <span>
#include <string_view>

namespace wgs::config::parameters {

enum class Use {
  modelled,     // libpq's, read into config::Database (host, port, sslmode, ...)
  passed_on,    // libpq's, handed to the checks' connection as written (sslcert, options, ...)
  not_checked,  // libpq's, but the checks use their own (connect_timeout, application_name, ...)
  app_only,     // an app driver's or ORM's, or a newer libpq's: the checks ignore it
  unknown,      // nobody's: an error, as in libpq
};

struct Kind {
  Use use = Use::unknown;
  std::string_view owner;  // for not_checked/app_only: "Prisma", "pgx", "libpq 16+", or why
};

Kind classify(std::string_view keyword);

// Every keyword libpq 15 knows (PQconndefaults), for the test that keeps this list honest.
std::span<std::string_view const> libpq_keywords();

}  // namespace wgs::config::parameters
