#include "process/undumpable.hpp"

#include <sys/prctl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace wgs::process {

void become_undumpable() {
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    std::fprintf(stderr, "wgsidecar: cannot make this process non-dumpable: %s\n", std::strerror(errno));
  }
}

}  // namespace wgs::process
