#include "config/database_settings.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/ranges.h>

#include "config/parameters.hpp"
#include "net/address.hpp"

namespace wgs::config {
namespace {

constexpr std::array<std::string_view, 6> sslmodes = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};
constexpr std::array<std::string_view, 6> session_kinds = {"any",     "read-write", "read-only",
                                                           "primary", "standby",    "prefer-standby"};
constexpr std::array<std::string_view, 3> channel_bindings = {"disable", "prefer", "require"};

SettingValue const* find(Settings const& settings, std::string_view keyword) {
  auto const found = settings.find(keyword);
  return found == settings.end() ? nullptr : &found->second;
}

std::optional<std::string> text_of(Settings const& settings, std::string_view keyword) {
  auto const* value = find(settings, keyword);
  if (value == nullptr) return std::nullopt;
  return std::string(value->text.text());
}

// A problem with a setting, under the variable it came from; never the value itself.
void complain(Problems& problems, SettingValue const& value, std::string_view keyword, std::string_view what) {
  if (!value.position) return problems.add(value.variable, std::string(what));
  problems.add(value.variable, fmt::format("{} (character {}) {}", keyword, *value.position, what));
}

// libpq's parse_comma_separated_list: empty items stay (they mean "the default").
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    auto const comma = text.find(',');
    items.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) return items;
    text.remove_prefix(comma + 1);
  }
}

std::string entry(std::size_t index, std::size_t count) {
  return count == 1 ? std::string() : fmt::format("entry {} of the list ", index + 1);
}

bool is_dns_name(std::string_view host) {
  auto const allowed = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'; };
  return !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), allowed);
}

// What libpq (or the path through the tunnel) could not use as a host.
std::optional<std::string_view> host_problem(std::string_view host) {
  if (host.empty()) return "is empty (libpq would use a local Unix socket, which the tunnel does not reach)";
  if (host.starts_with('/') || host.starts_with('@')) {
    return "is a Unix-socket directory: the checks reach the database through the tunnel, over TCP";
  }
  if (!net::IpAddress::parse(host) && !is_dns_name(host)) return "is not a DNS name or an IP address";
  return std::nullopt;
}

void check_ports(Settings const& settings, std::vector<std::string> const& ports, Problems& problems) {
  for (std::size_t i = 0; i < ports.size(); ++i) {
    if (ports[i].empty()) continue;  // libpq: an empty item is the default port
    auto const port = net::parse_port(ports[i]);
    if (!port) complain(problems, *find(settings, "port"), "port", entry(i, ports.size()) + port.error().message);
  }
}

std::uint16_t port_of(std::vector<std::string> const& ports, std::size_t index) {
  if (ports.empty()) return 5432;
  auto const port = net::parse_port(ports.size() == 1 ? ports[0] : ports[index]);
  return port ? *port : 5432;
}

struct HostLists {
  std::vector<std::string> names, addresses, ports;
  std::size_t count() const { return addresses.empty() ? names.size() : addresses.size(); }
};

HostLists host_lists(Settings const& settings) {
  HostLists lists;
  if (auto host = text_of(settings, "host")) lists.names = split_list(*host);
  if (auto address = text_of(settings, "hostaddr")) lists.addresses = split_list(*address);
  if (auto port = text_of(settings, "port")) lists.ports = split_list(*port);
  return lists;
}

// libpq's rules: one hostaddr per host when both are given; one port, or one per host.
bool lists_match(Settings const& settings, HostLists const& lists, Problems& problems) {
  auto const count = lists.count();
  if (!lists.names.empty() && !lists.addresses.empty() && lists.names.size() != lists.addresses.size()) {
    complain(problems, *find(settings, "hostaddr"), "hostaddr",
             fmt::format("lists {} addresses for {} hosts: libpq needs one hostaddr per host", lists.addresses.size(),
                         lists.names.size()));
    return false;
  }
  if (lists.ports.size() > 1 && lists.ports.size() != count) {
    complain(problems, *find(settings, "port"), "port",
             fmt::format("lists {} ports for {} hosts: give one port, or one per host", lists.ports.size(), count));
    return false;
  }
  return true;
}

DatabaseHost host_at(Settings const& settings, HostLists const& lists, std::size_t i, Problems& problems) {
  auto const count = lists.count();
  DatabaseHost host;
  host.host = lists.names.empty() ? lists.addresses[i] : lists.names[i];
  if (!lists.addresses.empty()) host.hostaddr = lists.addresses[i];
  if (!lists.names.empty()) {
    if (auto problem = host_problem(host.host)) complain(problems, *find(settings, "host"), "host", entry(i, count) + std::string(*problem));
  }
  if (host.hostaddr && !net::IpAddress::parse(*host.hostaddr)) {
    complain(problems, *find(settings, "hostaddr"), "hostaddr",
             entry(i, count) + "is not a numeric IP address (libpq dials hostaddr as it is, without resolving it)");
  }
  host.port = port_of(lists.ports, i);
  return host;
}

std::vector<DatabaseHost> hosts_of(Settings const& settings, Problems& problems) {
  auto const lists = host_lists(settings);
  std::vector<DatabaseHost> hosts;
  if (!lists_match(settings, lists, problems)) return hosts;
  check_ports(settings, lists.ports, problems);
  for (std::size_t i = 0; i < lists.count(); ++i) hosts.push_back(host_at(settings, lists, i, problems));
  return hosts;
}

template <std::size_t N>
void check_choice(Settings const& settings, std::string_view keyword, std::array<std::string_view, N> const& allowed,
                  Problems& problems) {
  auto const* value = find(settings, keyword);
  if (value == nullptr || std::find(allowed.begin(), allowed.end(), value->text.text()) != allowed.end()) return;
  complain(problems, *value, keyword, fmt::format("must be one of {}", fmt::join(allowed, ", ")));
}

void check_readable(SettingValue const& value, std::string_view keyword, std::string const& path, Problems& problems) {
  if (::access(path.c_str(), R_OK) == 0) return;
  complain(problems, value, keyword, fmt::format("{} cannot be read: {}", path, std::strerror(errno)));
}

void check_tls(Settings const& settings, Database const& db, Problems& problems) {
  check_choice(settings, "sslmode", sslmodes, problems);
  bool const verifies = db.sslmode == "verify-ca" || db.sslmode == "verify-full";
  if (verifies && !db.sslrootcert) {
    complain(problems, *find(settings, "sslmode"), "sslmode",
             fmt::format("is {}, which needs sslrootcert (PGSSLROOTCERT): the CA bundle to verify the server, e.g. "
                         "the RDS global bundle",
                         db.sslmode));
  }
  if (db.sslrootcert) check_readable(*find(settings, "sslrootcert"), "sslrootcert", *db.sslrootcert, problems);
}

// libpq reads the password file only when no password is given, and ignores a file that
// others may read (with a warning on stderr that a container's logs would show).
void check_passfile(Settings const& settings, Database const& db, Problems& problems) {
  if (!db.passfile || !db.password.empty()) return;
  auto const& value = *find(settings, "passfile");
  struct stat info {};
  if (::stat(db.passfile->c_str(), &info) != 0 || ::access(db.passfile->c_str(), R_OK) != 0) {
    return check_readable(value, "passfile", *db.passfile, problems);
  }
  if (!S_ISREG(info.st_mode)) return complain(problems, value, "passfile", "is not a regular file");
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    complain(problems, value, "passfile",
             "has group or world access, and libpq ignores such a file: chmod 600 it");
  }
}

void take_libpq_settings(Settings const& settings, Database& db) {
  for (auto const& [keyword, value] : settings) {
    if (parameters::classify(keyword).use == parameters::Use::passed_on) {
      db.libpq_settings.emplace_back(keyword, std::string(value.text.text()));
    }
  }
}

}  // namespace

void put(Settings& settings, std::string keyword, std::string_view text, std::string variable) {
  settings.insert_or_assign(std::move(keyword), SettingValue{Secret::from(text), std::move(variable), std::nullopt});
}

Database to_database(Settings const& settings, std::string target, std::string source, Problems& problems) {
  Database db;
  db.target = std::move(target);
  db.source = std::move(source);
  db.hosts = hosts_of(settings, problems);
  db.user = text_of(settings, "user").value_or("postgres");
  if (auto const* password = find(settings, "password")) db.password = password->text.clone();
  if (auto const* password = find(settings, "sslpassword")) db.sslpassword = password->text.clone();
  db.passfile = text_of(settings, "passfile");
  db.dbname = text_of(settings, "dbname").value_or(db.user);  // libpq's default
  db.sslmode = text_of(settings, "sslmode").value_or("require");
  db.sslrootcert = text_of(settings, "sslrootcert");
  db.target_session_attrs = text_of(settings, "target_session_attrs").value_or("any");
  take_libpq_settings(settings, db);
  check_tls(settings, db, problems);
  check_passfile(settings, db, problems);
  check_choice(settings, "target_session_attrs", session_kinds, problems);
  check_choice(settings, "channel_binding", channel_bindings, problems);
  return db;
}

}  // namespace wgs::config
