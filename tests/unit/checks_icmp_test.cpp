// The ICMP echo's pure parts: the IPv4 checksum and which replies belong to a ping.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>

#include "checks/icmp.hpp"

using namespace wgs;

TEST_CASE("the Internet checksum of RFC 1071's example, and of an odd length") {
  std::array<std::uint8_t, 8> const example{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};  // RFC 1071 §3
  CHECK(checks::internet_checksum(example) == static_cast<std::uint16_t>(~0xddf2));
  std::array<std::uint8_t, 3> const odd{0x01, 0x02, 0x03};  // the last byte is padded with a zero
  CHECK(checks::internet_checksum(odd) == static_cast<std::uint16_t>(~0x0402));
  // A packet with its checksum in place sums to zero: what the receiver checks.
  std::array<std::uint8_t, 8> echo{8, 0, 0, 0, 0x12, 0x34, 0x00, 0x01};
  auto const sum = checks::internet_checksum(echo);
  echo[2] = sum >> 8;
  echo[3] = sum & 0xff;
  CHECK(checks::internet_checksum(echo) == 0);
}

TEST_CASE("a reply belongs to the ping when its sequence is one the ping sent") {
  struct Row {
    std::uint16_t sequence, first, last;
    bool belongs;
  };
  Row const rows[] = {
      {5, 5, 5, true},           // the one request
      {4, 5, 5, false},          // a late reply to the ping before
      {7, 5, 8, true},           // one of the resends
      {9, 5, 8, false},          // not sent yet
      {65535, 65535, 1, true},   // resends that wrapped past 65535
      {0, 65535, 1, true},
      {1, 65535, 1, true},
      {2, 65535, 1, false},
      {65534, 65535, 1, false},  // before the wrapped range
  };
  for (auto const& row : rows) {
    CAPTURE(row.sequence);
    CAPTURE(row.first);
    CHECK(checks::sequence_in_range(row.sequence, row.first, row.last) == row.belongs);
  }
}
