// Netlink framing and the replies to one request: acks, errors with the kernel's reason,
// NLMSG_DONE, stale sequence numbers, NLM_F_DUMP_INTR and malformed bytes.
#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstring>

#include "netlink/reader.hpp"
#include "netlink_test_support.hpp"

using namespace wgs;
using namespace wgs::netlink;
using wgs::netlink::testing::ReplyStream;

namespace {

constexpr std::uint32_t seq = 77;
constexpr std::uint32_t port = 1234;

struct Collected {
  std::vector<std::uint16_t> types;
  MessageHandler handler() {
    return [this](nlmsghdr const& message) -> Status {
      types.push_back(message.nlmsg_type);
      return ok_status();
    };
  }
};

std::vector<std::uint8_t> attribute_bytes(std::uint16_t length, std::uint16_t type, std::size_t total) {
  std::vector<std::uint8_t> bytes(total, 0);
  std::memcpy(bytes.data(), &length, 2);
  std::memcpy(bytes.data() + 2, &type, 2);
  return bytes;
}

}  // namespace

TEST_CASE("netlink reader: an ack ends a request, an errno becomes an error with the kernel's reason") {
  ReplyStream ack;
  ack.error(seq, 0);
  ReplyReader reader(seq, port, {});
  auto const finished = reader.feed(ack.bytes);
  REQUIRE(finished.ok());
  CHECK(*finished);

  ReplyStream refused;
  refused.error(seq, -EOPNOTSUPP, "Unknown device type");
  ReplyReader refused_reader(seq, port, {});
  auto const result = refused_reader.feed(refused.bytes);
  REQUIRE_FALSE(result.ok());
  CHECK(refused_reader.finished());  // the error is the kernel's last word
  CHECK(result.error().code == EOPNOTSUPP);
  CHECK(result.error().message == std::string(std::strerror(EOPNOTSUPP)) + " (Unknown device type)");

  ReplyStream plain;
  plain.error(seq, -EEXIST);
  auto const exists = ReplyReader(seq, port, {}).feed(plain.bytes);
  REQUIRE_FALSE(exists.ok());
  CHECK(exists.error().code == EEXIST);
  CHECK(exists.error().message == std::strerror(EEXIST));
}

TEST_CASE("netlink reader: a dump runs until NLMSG_DONE, whose error code counts") {
  ReplyStream stream;
  stream.begin(RTM_NEWLINK, NLM_F_MULTI, seq).put_header<ifinfomsg>();
  stream.end();
  stream.begin(RTM_NEWLINK, NLM_F_MULTI, seq).put_header<ifinfomsg>();
  stream.end();
  Collected collected;
  ReplyReader reader(seq, port, collected.handler());
  auto const before_done = reader.feed(stream.bytes);
  REQUIRE(before_done.ok());
  CHECK_FALSE(*before_done);  // more datagrams to come
  ReplyStream done;
  done.done(seq);
  auto const finished = reader.feed(done.bytes);
  REQUIRE(finished.ok());
  CHECK(*finished);
  CHECK(collected.types == std::vector<std::uint16_t>{RTM_NEWLINK, RTM_NEWLINK});
  CHECK_FALSE(reader.interrupted());

  ReplyStream failed;
  failed.done(seq, -ENODEV);
  auto const result = ReplyReader(seq, port, {}).feed(failed.bytes);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ENODEV);
}

TEST_CASE("netlink reader: replies to an older request are skipped, not taken for ours") {
  ReplyStream stream;
  stream.error(seq - 1, -ETIMEDOUT);  // the late answer to a request that timed out
  stream.begin(RTM_NEWROUTE, 0, seq - 1).put_header<rtmsg>();
  stream.end();
  stream.begin(RTM_NEWROUTE, 0, seq).put_header<rtmsg>();
  stream.end();
  stream.error(seq, 0);
  Collected collected;
  auto const finished = ReplyReader(seq, port, collected.handler()).feed(stream.bytes);
  REQUIRE(finished.ok());
  CHECK(*finished);
  CHECK(collected.types.size() == 1);
}

TEST_CASE("netlink reader: NLM_F_DUMP_INTR marks the dump inconsistent") {
  ReplyStream stream;
  stream.begin(RTM_NEWADDR, NLM_F_MULTI | NLM_F_DUMP_INTR, seq).put_header<ifaddrmsg>();
  stream.end();
  stream.done(seq, 0, NLM_F_MULTI | NLM_F_DUMP_INTR);
  ReplyReader reader(seq, port, {});
  auto const finished = reader.feed(stream.bytes);
  REQUIRE(finished.ok());
  CHECK(*finished);
  CHECK(reader.interrupted());
}

TEST_CASE("netlink reader: truncated and malformed bytes are errors, never reads past the end") {
  ReplyStream stream;
  stream.error(seq, 0);
  auto truncated = stream.bytes;
  truncated.resize(truncated.size() - 6);
  auto const result = ReplyReader(seq, port, {}).feed(truncated);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == EBADMSG);

  // An NLMSG_ERROR too short to hold struct nlmsgerr.
  std::vector<std::uint8_t> short_error(NLMSG_HDRLEN + 4, 0);
  nlmsghdr header{static_cast<std::uint32_t>(short_error.size()), NLMSG_ERROR, 0, seq, 0};
  std::memcpy(short_error.data(), &header, sizeof header);
  auto const short_result = ReplyReader(seq, port, {}).feed(short_error);
  REQUIRE_FALSE(short_result.ok());
  CHECK(short_result.error().code == EBADMSG);

  // An "errno" no kernel sends (found by the fuzzer: INT_MIN cannot be negated).
  ReplyStream absurd;
  absurd.error(seq, INT32_MIN);
  auto const absurd_result = ReplyReader(seq, port, {}).feed(absurd.bytes);
  REQUIRE_FALSE(absurd_result.ok());
  CHECK(absurd_result.error().code == EPROTO);
  ReplyStream absurd_done;
  absurd_done.done(seq, INT32_MIN);
  CHECK(ReplyReader(seq, port, {}).feed(absurd_done.bytes).error().code == EPROTO);

  // A handler's error stops the walk and comes back as is.
  ReplyStream data;
  data.begin(RTM_NEWLINK, NLM_F_MULTI, seq).put_header<ifinfomsg>();
  data.end();
  auto const handler_result =
      ReplyReader(seq, port, [](nlmsghdr const&) -> Status { return make_error("bad", EPROTO); }).feed(data.bytes);
  REQUIRE_FALSE(handler_result.ok());
  CHECK(handler_result.error().code == EPROTO);
}

TEST_CASE("netlink attributes: lengths are checked against what is there") {
  int count = 0;
  auto const counter = [&](nlattr const&) -> Status {
    ++count;
    return ok_status();
  };
  CHECK(for_each_attribute(attribute_bytes(8, 1, 8), counter).ok());
  CHECK(count == 1);
  // Padding after a 5-byte attribute belongs to it.
  CHECK(for_each_attribute(attribute_bytes(5, 1, 8), counter).ok());
  CHECK_FALSE(for_each_attribute(attribute_bytes(12, 1, 8), counter).ok());  // overruns
  CHECK_FALSE(for_each_attribute(attribute_bytes(2, 1, 8), counter).ok());   // shorter than its header
  CHECK_FALSE(for_each_attribute(attribute_bytes(8, 1, 10), counter).ok());  // stray bytes
  CHECK(for_each_attribute({}, counter).ok());

  auto const u32 = attribute_bytes(8, 1, 8);
  CHECK(read_as<std::uint32_t>(*reinterpret_cast<nlattr const*>(u32.data())).has_value());
  CHECK_FALSE(read_as<std::uint16_t>(*reinterpret_cast<nlattr const*>(u32.data())).has_value());
  auto unterminated = attribute_bytes(8, 1, 8);
  std::memcpy(unterminated.data() + 4, "abcd", 4);
  CHECK_FALSE(read_string(*reinterpret_cast<nlattr const*>(unterminated.data())).has_value());
  unterminated[6] = 0;
  CHECK(read_string(*reinterpret_cast<nlattr const*>(unterminated.data())) == std::optional<std::string>("ab"));
}
