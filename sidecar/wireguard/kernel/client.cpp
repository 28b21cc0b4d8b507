#include "wireguard/kernel/client.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <optional>

#include <fmt/format.h>

#include "wireguard/kernel/messages.hpp"
#include "netlink/writer.hpp"

namespace wgs::wireguard::kernel {

using namespace netlink;  // the framing this family is written in
namespace {

// min(page size, 8 KiB), the size wireguard-tools splits SET_DEVICE at (libmnl's
// MNL_SOCKET_BUFFER_SIZE), so the kernel sees messages of a familiar shape.
std::size_t set_device_buffer_size() {
  long const page = ::sysconf(_SC_PAGESIZE);
  return page > 0 && page < 8192 ? static_cast<std::size_t>(page) : 8192;
}

}  // namespace

Result<std::uint16_t> resolve_family(Socket& socket) {
  std::array<std::uint8_t, request_buffer_size> buffer{};
  auto const message = build_resolve_family(buffer);
  if (!message) return message.error();
  std::optional<Result<std::uint16_t>> id;
  auto const what = fmt::format("looking up the generic netlink family \"{}\"", family_name);
  auto const status = socket.request(*message, what, [&](nlmsghdr const& reply) -> Status {
    if (!id) id.emplace(parse_family_id(reply));
    return ok_status();
  });
  if (!status && status.error().code == ENOENT) {
    return make_error(fmt::format("{}: the kernel has no WireGuard (module not loaded or not built)", what), ENOENT);
  }
  if (!status) return status.error();
  if (!id) return make_error(fmt::format("{}: the kernel sent no answer", what), EPROTO);
  if (!*id) return make_error(fmt::format("{}: {}", what, id->error().message), id->error().code);
  return **id;
}

Result<Client> Client::open(Duration timeout) {
  auto socket = Socket::open(NETLINK_GENERIC, timeout);
  if (!socket) return socket.error();
  auto const family = resolve_family(*socket);
  if (!family) return family.error();
  return Client(std::move(*socket), *family);
}

Status Client::set_device(std::string_view ifname, wireguard::DeviceSettings const& settings) {
  WipedBuffer buffer(set_device_buffer_size());
  SetDeviceMessages messages(family_, ifname, settings);
  auto const what = fmt::format("configuring WireGuard device {}", ifname);
  for (int part = 1; !messages.done(); ++part) {
    auto const message = messages.next(buffer.span());
    if (!message) return message.error();
    auto const status = socket_.request(*message, part == 1 ? what : fmt::format("{} (part {})", what, part));
    buffer.wipe();
    if (!status) return status;
  }
  return ok_status();
}

Result<wireguard::DeviceState> Client::get_device(std::string_view ifname) {
  std::array<std::uint8_t, request_buffer_size> buffer{};
  auto const message = build_get_device(buffer, family_, ifname);
  if (!message) return message.error();
  DeviceParser parser;
  auto const status = socket_.dump(
      *message, fmt::format("reading WireGuard device {}", ifname),
      [&](nlmsghdr const& reply) { return parser.add(reply); }, [&] { parser.reset(); });
  if (!status) return status.error();
  return parser.take();
}

}  // namespace wgs::wireguard::kernel
