#include "net/interface_name.hpp"

namespace wgs::net {
namespace {

constexpr std::size_t longest_name = 15;  // IFNAMSIZ (16) less the terminating NUL

// The kernel's isspace(): lib/ctype.c marks tab, newline, vertical tab, form feed, carriage
// return, space and Latin-1's no-break space (0xA0).
bool is_kernel_space(unsigned char c) { return (c >= '\t' && c <= '\r') || c == ' ' || c == 0xA0; }

bool is_refused_character(char c) {
  return c == '/' || c == ':' || c == '%' || c == '\0' || is_kernel_space(static_cast<unsigned char>(c));
}

// The kernel takes any other byte, but the name is shown in logs, `status --json` and metrics,
// where control bytes are escaped and invalid UTF-8 is repaired: what they showed would not be
// the interface's name.
bool is_shown_as_is(char c) { return c > ' ' && c < 0x7F; }

}  // namespace

Status check_interface_name(std::string_view name) {
  if (name.empty() || name.size() > longest_name) return make_error("must be 1 to 15 bytes long (the kernel's IFNAMSIZ)");
  if (name == "." || name == "..") return make_error("cannot be . or .. (the kernel refuses them: they name directories in /sys)");
  for (char c : name) {
    if (is_refused_character(c)) return make_error("cannot hold '/', ':', '%', whitespace or a NUL byte (the kernel's rule for interface names)");
  }
  for (char c : name) {
    if (!is_shown_as_is(c)) return make_error("must be printable ASCII (logs and JSON would have to alter any other byte, and then name another interface)");
  }
  return ok_status();
}

}  // namespace wgs::net
