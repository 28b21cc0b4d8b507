# Warnings and hardening for our own targets only (third-party headers are SYSTEM).
# Warnings are errors only when asked (-DWGS_WERROR=ON, as scripts/test.sh and CI do): a user
# building with another compiler or optimisation level should get a binary, not a new
# compiler's opinion as a failed build.
option(WGS_WERROR "Treat compiler warnings as errors" OFF)
add_library(wgs_warnings INTERFACE)
# (-Werror keeps its place in the flags, so ccache finds objects compiled before the option.)
target_compile_options(wgs_warnings INTERFACE
  -Wall -Wextra $<$<BOOL:${WGS_WERROR}>:-Werror> -Wshadow -Wnon-virtual-dtor
  -fstack-protector-strong -D_FORTIFY_SOURCE=2 -D_GLIBCXX_ASSERTIONS)
