// A small command-line front to sidecar/netlink, so shell tests can drive the real code
// against a real kernel in their own network namespace and compare with `ip -j`.
// Errors print "error CODE: message" on stdout and exit 1. Keys come only on stdin.
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "keys/keys.hpp"
#include "netlink/events.hpp"
#include "wireguard/kernel/client.hpp"
#include "netlink/rtnl.hpp"

using namespace wgs;
using namespace wgs::netlink;
using Args = std::vector<std::string>;

namespace {

int fail(Error const& error) {
  fmt::print("error {}: {}\n", error.code, error.message);
  return 1;
}

int done(Status const& status) {
  if (!status) return fail(status.error());
  fmt::print("ok\n");
  return 0;
}

Result<int> index_of(Socket& socket, std::string const& name) {
  auto const index = rtnl::find_link(socket, name);
  if (!index) return index.error();
  if (!*index) return make_error(fmt::format("no link named {}", name), ENODEV);
  return **index;
}

net::Prefix prefix_arg(std::string const& text) {
  auto prefix = net::Prefix::parse(text);
  if (!prefix) throw std::runtime_error(prefix.error().message);
  return *prefix;
}

// Runs `action` with a route socket and the index of link args[1].
int with_link(Args const& args, std::function<int(Socket&, int)> const& action) {
  auto socket = rtnl::open();
  if (!socket) return fail(socket.error());
  auto const index = index_of(*socket, args.at(1));
  if (!index) return fail(index.error());
  return action(*socket, *index);
}

int on_link(Args const& args, std::function<Status(Socket&, int)> const& action) {
  return with_link(args, [&](Socket& socket, int index) { return done(action(socket, index)); });
}

int show_link(Socket& socket, std::string const& name) {
  auto const link = rtnl::get_link(socket, name);
  if (!link) return fail(link.error());
  if (!*link) return fmt::print("absent\n"), 0;
  auto const& info = **link;
  fmt::print("index={} name={} kind={} mtu={} up={} operstate={}\n", info.index, info.name,
             info.kind.empty() ? "-" : info.kind, info.mtu, info.is_up() ? 1 : 0, info.operstate);
  return 0;
}

int list_addresses(Socket& socket, int index) {
  auto const addresses = rtnl::list_addresses(socket, index);
  if (!addresses) return fail(addresses.error());
  for (auto const& address : *addresses) fmt::print("{}\n", address.to_string());
  return 0;
}

int list_routes(Socket& socket, int index) {
  auto const routes = rtnl::list_routes(socket, index);
  if (!routes) return fail(routes.error());
  for (auto const& route : *routes) {
    fmt::print("{} protocol={} scope={} table={}\n", route.destination.to_string(), route.protocol, route.scope,
               route.table);
  }
  return 0;
}

int route_get(std::string const& destination) {
  auto socket = rtnl::open();
  if (!socket) return fail(socket.error());
  auto const ip = net::IpAddress::parse(destination);
  if (!ip) return fail(make_error("not an IP address", EINVAL));
  auto const route = rtnl::lookup_route(*socket, *ip);
  if (!route) return fail(route.error());
  fmt::print("oif={} mtu={}\n", route->oif, route->mtu ? std::to_string(*route->mtu) : "none");
  return 0;
}

int tunnel_mtu(Args const& args) {
  auto socket = rtnl::open();
  if (!socket) return fail(socket.error());
  std::vector<net::IpAddress> endpoints;
  for (std::size_t i = 1; i < args.size(); ++i) {
    auto const ip = net::IpAddress::parse(args[i]);
    if (!ip) return fail(make_error(fmt::format("argument {} is not an IP address", i), EINVAL));
    endpoints.push_back(*ip);
  }
  auto const mtu = rtnl::tunnel_mtu(*socket, endpoints);
  if (!mtu) return fail(mtu.error());
  fmt::print("{}\n", *mtu);
  return 0;
}

std::string describe(Event const& event) {
  return fmt::format("{} ifindex={} prefix={} name={} table={}", to_string(event.kind), event.ifindex,
                     event.prefix ? event.prefix->to_string() : "-", event.ifname.empty() ? "-" : event.ifname,
                     event.table);
}

// watch SECONDS KIND [PREFIX]: prints "ready", then every event, until one of KIND (with
// PREFIX, if given) arrives (exit 0) or the deadline passes (exit 1).
int watch(Args const& args) {
  auto subscription = EventSubscription::open();
  if (!subscription) return fail(subscription.error());
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::stoi(args.at(1)));
  std::string const wanted_prefix = args.size() > 3 ? args[3] : "";
  fmt::print("ready\n");
  std::fflush(stdout);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd entry{subscription->fd(), POLLIN, 0};
    ::poll(&entry, 1, 200);
    auto const events = subscription->read_pending();
    if (!events) return fail(events.error());
    for (auto const& event : *events) {
      fmt::print("{}\n", describe(event));
      std::fflush(stdout);
      bool const prefix_matches = wanted_prefix.empty() || (event.prefix && event.prefix->to_string() == wanted_prefix);
      if (to_string(event.kind) == args.at(2) && prefix_matches) return 0;
    }
  }
  fmt::print("timeout waiting for {}\n", args.at(2));
  return 1;
}

int wireguard_family() {
  auto socket = Socket::open(NETLINK_GENERIC);
  if (!socket) return fail(socket.error());
  auto const family = wireguard::kernel::resolve_family(*socket);
  if (!family) return fail(family.error());
  fmt::print("family={}\n", *family);
  return 0;
}

}  // namespace

int run_wireguard_command(Args const& args);  // netlink_driver_wg.cpp

namespace {

using Command = std::function<int(Args const&)>;

std::map<std::string, Command> commands() {
  return {
      {"create", [](Args const& a) {
         auto socket = rtnl::open();
         return socket ? done(rtnl::create_link(*socket, a.at(1), a.at(2))) : fail(socket.error());
       }},
      {"delete", [](Args const& a) { return on_link(a, [](Socket& s, int i) { return rtnl::delete_link(s, i); }); }},
      {"index", [](Args const& a) {
         auto socket = rtnl::open();
         if (!socket) return fail(socket.error());
         auto const index = rtnl::find_link(*socket, a.at(1));
         if (!index) return fail(index.error());
         fmt::print("{}\n", *index ? std::to_string(**index) : "absent");
         return 0;
       }},
      {"link", [](Args const& a) {
         auto socket = rtnl::open();
         return socket ? show_link(*socket, a.at(1)) : fail(socket.error());
       }},
      {"set-mtu", [](Args const& a) {
         auto const mtu = static_cast<std::uint32_t>(std::stoul(a.at(2)));
         return on_link(a, [mtu](Socket& s, int i) { return rtnl::set_mtu(s, i, mtu); });
       }},
      {"up", [](Args const& a) { return on_link(a, [](Socket& s, int i) { return rtnl::set_up(s, i, true); }); }},
      {"down", [](Args const& a) { return on_link(a, [](Socket& s, int i) { return rtnl::set_up(s, i, false); }); }},
      {"add-address", [](Args const& a) {
         auto const p = prefix_arg(a.at(2));
         return on_link(a, [p](Socket& s, int i) { return rtnl::add_address(s, i, p); });
       }},
      {"add-route", [](Args const& a) {
         auto const p = prefix_arg(a.at(2));
         return on_link(a, [p](Socket& s, int i) { return rtnl::add_route(s, i, p); });
       }},
      {"delete-route", [](Args const& a) {
         auto const p = prefix_arg(a.at(2));
         return on_link(a, [p](Socket& s, int i) { return rtnl::delete_route(s, i, p); });
       }},
      {"addresses", [](Args const& a) { return with_link(a, list_addresses); }},
      {"routes", [](Args const& a) { return with_link(a, list_routes); }},
      {"route-get", [](Args const& a) { return route_get(a.at(1)); }},
      {"tunnel-mtu", tunnel_mtu},
      {"watch", watch},
      {"wg-family", [](Args const&) { return wireguard_family(); }},
  };
}

}  // namespace

int main(int argc, char** argv) {
  Args const args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "usage: netlink_driver COMMAND ARGS... (see the source for the list)\n";
    return 2;
  }
  try {
    auto const table = commands();
    auto const command = table.find(args[0]);
    if (command == table.end()) return run_wireguard_command(args);
    return command->second(args);
  } catch (std::exception const& e) {
    std::cerr << "netlink_driver: bad arguments: " << e.what() << "\n";
    return 2;
  }
}
