#include "wireguard/uapi/reply_lines.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "wireguard/uapi/protocol.hpp"

namespace wgs::wireguard::uapi::detail {

Error malformed(std::string_view why) { return make_error(fmt::format("malformed UAPI reply: {}", why), EPROTO); }

Result<std::vector<Line>> split_lines(std::string_view reply) {
  if (reply.size() > max_reply_size) return malformed(fmt::format("larger than {} bytes", max_reply_size));
  std::vector<Line> lines;
  std::size_t position = 0;
  while (true) {
    auto const end = reply.find('\n', position);
    auto const length = (end == std::string_view::npos ? reply.size() : end) - position;
    if (length > max_line_length) {
      return malformed(fmt::format("line {} is longer than {} bytes", lines.size() + 1, max_line_length));
    }
    if (end == std::string_view::npos) return malformed("it ends before the empty line that closes a reply");
    auto const text = reply.substr(position, length);
    position = end + 1;
    if (text.empty()) break;
    auto const equals = text.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      return malformed(fmt::format("line {} is not key=value", lines.size() + 1));
    }
    lines.push_back({text.substr(0, equals), text.substr(equals + 1)});
  }
  if (position != reply.size()) return malformed("data follows the empty line that ends it");
  return lines;
}

Status check_errno(std::vector<Line> const& lines) {
  if (lines.empty() || lines.back().key != "errno") return malformed("it has no errno line at its end");
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i].key == "errno") return malformed("errno is not the last line");
  }
  // from_chars takes a leading '-' for signed types: wireguard-go sends -22, the spec 22.
  auto const number = parse_number<long>(lines.back().value);
  if (!number || *number < -4095 || *number > 4095) return malformed("errno is not an errno number");
  if (*number == 0) return ok_status();
  int const code = static_cast<int>(std::labs(*number));
  return make_error(fmt::format("the implementation answered errno {} ({})", code, std::strerror(code)), code);
}

}  // namespace wgs::wireguard::uapi::detail
