#pragma once
// Network interface names as the kernel takes them.
#include <string_view>

#include "util/result.hpp"

namespace wgs::net {

// The kernel's dev_valid_name(): 1 to 15 bytes (IFNAMSIZ less the NUL), not "." or "..", and
// no '/', ':' or whitespace as the kernel's isspace() sees it (which includes 0xA0). Also no
// '%': the kernel reads "wg%d" as a pattern and picks a name of its own, one wgsidecar would
// then not find. Errors do not quote the name.
Status check_interface_name(std::string_view name);

}  // namespace wgs::net
