#pragma once
// libpq's two connection-string forms, split the way libpq splits them (fe-connect.c), so a
// string means the same to the checks as to the app's libpq:
//   postgresql://user:password@host1:port1,host2:port2/dbname?keyword=value&...
//   host=... port=... password='...'
// Errors give the character position and the kind of problem, never any text: in a string
// that does not parse, any part may be the password (a '/' or '@' in it moves the borders).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "keys/secret.hpp"
#include "util/result.hpp"

namespace wgs::config::conninfo {

struct Setting {
  std::string keyword;     // percent-decoded; ssl=true and requiressl become sslmode, as in libpq
  Secret value;            // decoded; any value may be the password, so all live in guarded memory
  std::size_t position;    // 1-based character where the setting starts in the string
};

// The settings in the order written (a later one wins, as in libpq). The URI's parts come
// first as user, password, host, port and dbname.
Result<std::vector<Setting>> parse(std::string_view text);

}  // namespace wgs::config::conninfo
