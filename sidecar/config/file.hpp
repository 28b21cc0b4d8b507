#pragma once
// Reads the files configuration comes from (--config, and every NAME_FILE secret) the way a
// container mounts them: a regular file, at most 1 MiB, read into secret memory. A device,
// a FIFO or a directory is refused before anything is read, so /dev/zero cannot fill memory
// and a FIFO cannot hold up the start.
#include <cstddef>
#include <string>

#include "keys/secret.hpp"
#include "util/result.hpp"

namespace wgs::config {

inline constexpr std::size_t file_size_limit = 1 << 20;

// Errors name the path and the OS's reason, never the content.
Result<Secret> read_config_file(std::string const& path);

}  // namespace wgs::config
