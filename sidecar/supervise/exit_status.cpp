#include "supervise/exit_status.hpp"

#include <sys/wait.h>

namespace wgs::supervise {

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

}  // namespace wgs::supervise
