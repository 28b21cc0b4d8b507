#pragma once
// Who the app runs as (SIDECAR_APP_USER): `uid[:gid]` in numbers, or names looked up in the
// image's /etc/passwd and /etc/group, as `docker run --user` and gosu take them. Pure: the
// files' contents are passed in (nullopt when the image has none).
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace wgs::process {

struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string to_string() const;  // "65534:65534"
};

// A uid alone takes its group from /etc/passwd when that lists it, else the same number:
// never root's group by accident (docker's --user 1000 would give gid 0).
Result<Identity> parse_identity(std::string_view spec, std::optional<std::string_view> passwd,
                                std::optional<std::string_view> group);

// The same with /etc/passwd and /etc/group read from this machine (or image).
Result<Identity> resolve_identity(std::string_view spec);

}  // namespace wgs::process
