#include "enroll/messages.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace wgs::enroll {
namespace {

constexpr std::size_t psk_size = 32;

// Appends into guarded memory (a grant carries a preshared key).
class Writer {
 public:
  explicit Writer(std::size_t capacity) : out_(capacity) {}
  void put(std::span<std::uint8_t const> bytes) {
    std::memcpy(out_.bytes().data() + used_, bytes.data(), bytes.size());
    used_ += bytes.size();
  }
  void put_u8(std::uint8_t value) { put({&value, 1}); }
  void put_u32(std::uint32_t value) { put_be(value, 4); }
  void put_u64(std::uint64_t value) { put_be(value, 8); }
  void put_text(std::string_view text) {
    put_u8(static_cast<std::uint8_t>(text.size()));
    put({reinterpret_cast<std::uint8_t const*>(text.data()), text.size()});
  }
  Secret take() { return Secret::from(out_.bytes().first(used_)); }

 private:
  void put_be(std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) put_u8(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  Secret out_;
  std::size_t used_ = 0;
};

class Reader {
 public:
  explicit Reader(std::span<std::uint8_t const> in) : in_(in) {}
  bool take(std::span<std::uint8_t> out) {
    if (in_.size() < out.size()) {
      failed_ = true;
      return false;
    }
    std::memcpy(out.data(), in_.data(), out.size());
    in_ = in_.subspan(out.size());
    return true;
  }
  std::uint64_t be(int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) {
      std::uint8_t byte = 0;
      take({&byte, 1});
      value = (value << 8) | byte;
    }
    return value;
  }
  std::string text() {
    auto const length = static_cast<std::size_t>(be(1));
    std::string out(length, '\0');
    take({reinterpret_cast<std::uint8_t*>(out.data()), length});
    return out;
  }
  // Every field read, nothing left over.
  bool complete() const { return !failed_ && in_.empty(); }

 private:
  std::span<std::uint8_t const> in_;
  bool failed_ = false;
};

void put_hint(Writer& out, std::optional<net::IpAddress> const& hint) {
  bool const usable = hint && hint->is_v4();
  out.put_u8(usable ? 4 : 0);
  std::array<std::uint8_t, 4> bytes{};
  if (usable) std::copy_n(hint->bytes.begin(), 4, bytes.begin());
  out.put(bytes);
}

Result<std::optional<net::IpAddress>> read_hint(Reader& in) {
  auto const family = in.be(1);
  std::array<std::uint8_t, 4> bytes{};
  in.take(bytes);
  if (family == 0) return std::optional<net::IpAddress>();
  if (family != 4) return make_error("an address hint of an unknown family");
  net::IpAddress address;
  address.family = AF_INET;
  std::copy(bytes.begin(), bytes.end(), address.bytes.begin());
  return std::optional(address);
}

Error malformed(std::string_view what) { return make_error(fmt::format("malformed {}", what)); }

}  // namespace

bool is_safe_label(std::string_view text, std::size_t max_length, bool may_be_empty) {
  if (text.size() > max_length || (text.empty() && !may_be_empty)) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

Secret encode(EnrollRequest const& request) {
  Writer out(32 + 8 + 5 + 2 + max_machine_id + max_region);
  out.put(request.machine_key);
  out.put_u64(static_cast<std::uint64_t>(request.sent_at_ms));
  put_hint(out, request.hint);
  out.put_text(request.machine_id.substr(0, max_machine_id));
  out.put_text(request.region.substr(0, max_region));
  return out.take();
}

Result<EnrollRequest> decode_enroll(std::span<std::uint8_t const> plaintext) {
  Reader in(plaintext);
  EnrollRequest request;
  in.take(request.machine_key);
  request.sent_at_ms = static_cast<std::int64_t>(in.be(8));
  auto hint = read_hint(in);
  request.machine_id = in.text();
  request.region = in.text();
  if (!in.complete()) return malformed("enrollment request (length)");
  if (!hint) return hint.error();
  request.hint = *hint;
  if (!is_safe_label(request.machine_id, max_machine_id, false)) return malformed("machine id");
  if (!is_safe_label(request.region, max_region, true)) return malformed("region");
  return request;
}

Secret encode(LeaveRequest const& request) {
  Writer out(8);
  out.put_u64(static_cast<std::uint64_t>(request.sent_at_ms));
  return out.take();
}

Result<LeaveRequest> decode_leave(std::span<std::uint8_t const> plaintext) {
  Reader in(plaintext);
  LeaveRequest request;
  request.sent_at_ms = static_cast<std::int64_t>(in.be(8));
  if (!in.complete()) return malformed("leave request (length)");
  return request;
}

Secret encode(Grant const& grant) {
  Writer out(24 + 4 + psk_size + 4 + 1);
  out.put(grant.request);
  out.put(std::span(grant.address.bytes).first(4));
  out.put(grant.preshared_key.bytes());
  out.put_u32(grant.expire_after_seconds);
  out.put_u8(grant.new_peer ? 1 : 0);
  return out.take();
}

Result<Grant> decode_grant(std::span<std::uint8_t const> plaintext) {
  Reader in(plaintext);
  Grant grant;
  in.take(grant.request);
  grant.address.family = AF_INET;
  in.take(std::span(grant.address.bytes).first(4));
  grant.preshared_key = Secret(psk_size);
  in.take(grant.preshared_key.bytes());
  grant.expire_after_seconds = static_cast<std::uint32_t>(in.be(4));
  auto const new_peer = in.be(1);
  if (!in.complete() || new_peer > 1) return malformed("grant (length)");
  grant.new_peer = new_peer == 1;
  return grant;
}

}  // namespace wgs::enroll
