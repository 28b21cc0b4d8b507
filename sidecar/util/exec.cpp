#include "util/exec.hpp"

#include <signal.h>

namespace wgs {

std::vector<char*> exec_pointers(std::vector<std::string> const& strings) {
  std::vector<char*> out;
  for (auto const& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

void restore_default_signals() {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction defaults {};
  defaults.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal) {
    if (signal != SIGKILL && signal != SIGSTOP) ::sigaction(signal, &defaults, nullptr);
  }
}

}  // namespace wgs
