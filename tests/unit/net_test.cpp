#include <doctest/doctest.h>

#include <sys/socket.h>

#include <vector>

#include <fmt/format.h>

#include "net/address.hpp"
#include "net/prefix_cover.hpp"

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

TEST_CASE("prefixes that add up to a whole family") {
  auto const parse_all = [](std::vector<char const*> const& texts) {
    std::vector<net::Prefix> out;
    for (auto const* text : texts) out.push_back(*net::Prefix::parse(text));
    return out;
  };
  std::vector<net::Prefix> every_slash8;
  for (int i = 0; i < 256; ++i) every_slash8.push_back(*net::Prefix::parse(fmt::format("{}.0.0.0/8", 255 - i)));
  CHECK(net::covers_family(every_slash8, AF_INET));
  every_slash8.erase(every_slash8.begin() + 100);
  CHECK_FALSE(net::covers_family(every_slash8, AF_INET));
  CHECK(net::covers_family(parse_all({"0.0.0.0/0"}), AF_INET));
  CHECK_FALSE(net::covers_family(parse_all({"0.0.0.0/0"}), AF_INET6));
  CHECK(net::covers_family(parse_all({"::/0"}), AF_INET6));
  CHECK(net::covers_family(parse_all({"::/1", "8000::/2", "c000::/2"}), AF_INET6));
  CHECK_FALSE(net::covers_family(parse_all({"::/1", "c000::/2"}), AF_INET6));
  CHECK(net::covers_family(parse_all({"0.0.0.0/1", "0.0.0.0/2", "128.0.0.0/1", "255.255.255.255/32"}), AF_INET));
  CHECK_FALSE(net::covers_family(parse_all({"0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4"}), AF_INET));
  CHECK_FALSE(net::covers_family(parse_all({"0.0.0.0/1", "128.0.0.0/1"}), AF_INET6));
  CHECK_FALSE(net::covers_family({}, AF_INET));
}
