# Warnings and hardening for our own targets only (third-party headers are SYSTEM).
add_library(wgs_warnings INTERFACE)
target_compile_options(wgs_warnings INTERFACE
  -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor
  -fstack-protector-strong -D_FORTIFY_SOURCE=2 -D_GLIBCXX_ASSERTIONS)
