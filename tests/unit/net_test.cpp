#include <doctest/doctest.h>

#include "net/address.hpp"
#include "util/duration.hpp"

using namespace wgs;

TEST_CASE("prefixes: parse, network, containment") {
  auto const p = net::Prefix::parse("10.50.0.0/24");
  REQUIRE(p.ok());
  CHECK(p->contains(*net::IpAddress::parse("10.50.0.1")));
  CHECK_FALSE(p->contains(*net::IpAddress::parse("10.50.1.1")));
  CHECK_FALSE(p->contains(*net::IpAddress::parse("::1")));
  CHECK(p->covers(*net::Prefix::parse("10.50.0.128/25")));
  CHECK_FALSE(p->covers(*net::Prefix::parse("10.50.0.0/23")));
  CHECK(net::Prefix::parse("10.50.3.10/24")->network().to_string() == "10.50.3.0/24");
  CHECK(net::Prefix::parse("10.50.3.10")->to_string() == "10.50.3.10/32");
  CHECK(net::Prefix::parse("fd00::1/64")->network().to_string() == "fd00::/64");
  CHECK(net::Prefix::parse("fd00::1")->length == 128);
  CHECK_FALSE(net::Prefix::parse("10.0.0.0/-1").ok());
  CHECK_FALSE(net::Prefix::parse("10.0.0.0/").ok());
  CHECK_FALSE(net::Prefix::parse("fd00::/129").ok());
}

TEST_CASE("host:port endpoints") {
  CHECK(net::HostPort::parse("hub.example.com:51820")->host == "hub.example.com");
  CHECK(net::HostPort::parse("[2001:db8::1]:51820")->port == 51820);
  CHECK(net::HostPort::parse("[2001:db8::1]:51820")->to_string() == "[2001:db8::1]:51820");
  CHECK_FALSE(net::HostPort::parse("[10.0.0.1]:1").ok());
  CHECK_FALSE(net::HostPort::parse(":51820").ok());
  CHECK_FALSE(net::HostPort::parse("host:").ok());
  CHECK_FALSE(net::HostPort::parse("host:port").ok());
}

TEST_CASE("durations") {
  CHECK(parse_duration("500ms")->count() == 500);
  CHECK(parse_duration("5s")->count() == 5000);
  CHECK(parse_duration("2m")->count() == 120000);
  CHECK(parse_duration("1m30s")->count() == 90000);
  CHECK(parse_duration("1h")->count() == 3600000);
  CHECK_FALSE(parse_duration("5").ok());
  CHECK(parse_duration("5").error().message.find("needs a unit") != std::string::npos);
  CHECK_FALSE(parse_duration("").ok());
  CHECK_FALSE(parse_duration("5 s").ok());
  CHECK_FALSE(parse_duration("-5s").ok());
  CHECK_FALSE(parse_duration("5days").ok());
  CHECK(format_duration(Duration(90000)) == "90s");
  CHECK(format_duration(Duration(120000)) == "2m");
  CHECK(format_duration(Duration(1500)) == "1500ms");
}
