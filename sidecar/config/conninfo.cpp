// The grammar is libpq 15's (conninfo_uri_parse_options, conninfo_uri_parse_params,
// conninfo_uri_decode, conninfo_parse), step for step, so that where libpq accepts a string
// this does too and reads the same parts from it.
#include "config/conninfo.hpp"

#include <sodium.h>

#include <cctype>
#include <optional>

#include <fmt/format.h>

namespace wgs::config::conninfo {
namespace {

constexpr std::string_view long_prefix = "postgresql://";
constexpr std::string_view short_prefix = "postgres://";
constexpr auto npos = std::string_view::npos;

// What went wrong and where, with 0-based `at` shown 1-based: never the text itself.
Error fault(std::size_t at, std::string_view part, std::string_view what) {
  return make_error(fmt::format("character {} ({}): {}", at + 1, part, what));
}

void wipe(std::string& text) {
  if (!text.empty()) sodium_memzero(text.data(), text.size());
  text.clear();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte a %XX token at `i` stands for; nullopt when it is not two hex digits.
std::optional<int> percent_byte(std::string_view raw, std::size_t i) {
  int const hi = i + 1 < raw.size() ? hex_value(raw[i + 1]) : -1;
  int const lo = i + 2 < raw.size() ? hex_value(raw[i + 2]) : -1;
  if (hi < 0 || lo < 0) return std::nullopt;
  return hi * 16 + lo;
}

// libpq's conninfo_uri_decode; `at` is where `raw` starts in the whole string.
Result<Secret> decode(std::string_view raw, std::size_t at, std::string_view part) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out += raw[i];
      continue;
    }
    auto const byte = percent_byte(raw, i);
    if (!byte || *byte == 0) {
      wipe(out);
      return fault(at + i, part, byte ? "%00 is not allowed" : "'%' is not followed by two hexadecimal digits "
                                                                "(a literal % is written %25)");
    }
    out += static_cast<char>(*byte);
    i += 2;
  }
  auto value = Secret::from(out);
  wipe(out);
  return value;
}

// libpq turns these two into sslmode before looking the keyword up.
void apply_aliases(Setting& setting, bool in_uri) {
  if (in_uri && setting.keyword == "ssl" && setting.value.text() == "true") {
    setting = {"sslmode", Secret::from(std::string_view("require")), setting.position};
  } else if (setting.keyword == "requiressl") {
    bool const on = setting.value.text().starts_with('1');
    setting = {"sslmode", Secret::from(std::string_view(on ? "require" : "prefer")), setting.position};
  }
}

Status add_decoded(std::vector<Setting>& out, std::string keyword, std::string_view raw, std::size_t at,
                   std::string_view part) {
  auto value = decode(raw, at, part);
  if (!value) return value.error();
  if (!value->empty()) out.push_back({std::move(keyword), std::move(*value), at + 1});
  return ok_status();
}

// ---- URIs ----------------------------------------------------------------------------------

struct Uri {
  std::string_view text;
  std::size_t at = 0;  // the next character to read
  std::vector<Setting> settings;
  char stop() const { return at < text.size() ? text[at] : '\0'; }
  std::size_t find_any(std::string_view of) const {
    auto const found = text.find_first_of(of, at);
    return found == npos ? text.size() : found;
  }
};

// "user[:password]@" counts only when an '@' comes before any '/', as in libpq.
Status read_userinfo(Uri& uri) {
  auto const at_sign = uri.find_any("@/");
  if (uri.stop() == '\0' || at_sign == uri.text.size() || uri.text[at_sign] != '@') return ok_status();
  auto const colon = std::min(uri.text.find(':', uri.at), at_sign);
  auto user = add_decoded(uri.settings, "user", uri.text.substr(uri.at, colon - uri.at), uri.at, "the user name");
  if (!user) return user;
  if (colon < at_sign) {
    auto password = add_decoded(uri.settings, "password", uri.text.substr(colon + 1, at_sign - colon - 1), colon + 1,
                                "the password");
    if (!password) return password;
  }
  uri.at = at_sign + 1;
  return ok_status();
}

Result<std::string_view> read_bracketed_host(Uri& uri) {
  auto const open = uri.at;
  auto const close = uri.text.find(']', open + 1);
  if (close == npos) return fault(open, "the host list", "'[' opens an IPv6 address that no ']' closes");
  if (close == open + 1) return fault(open, "the host list", "the IPv6 address between '[' and ']' is empty");
  uri.at = close + 1;
  if (std::string_view(":/?,").find(uri.stop()) == npos && uri.stop() != '\0') {
    return fault(uri.at, "the host list", "only ':', '/', '?' or ',' may follow an IPv6 address's ']'");
  }
  return uri.text.substr(open + 1, close - open - 1);
}

// One "host[:port]" of the list, appended (decoded) to `hosts` and `ports`.
Status read_host(Uri& uri, std::string& hosts, std::string& ports) {
  std::string_view raw;
  bool const bracketed = uri.stop() == '[';
  auto const host_at = uri.at + (bracketed ? 1 : 0);
  if (bracketed) {
    auto inside = read_bracketed_host(uri);
    if (!inside) return inside.error();
    raw = *inside;
  } else {
    auto const end = uri.find_any(":/?,");
    raw = uri.text.substr(uri.at, end - uri.at);
    uri.at = end;
  }
  if (raw.find('@') != npos) {
    return fault(host_at + raw.find('@'), "the host list", "an '@' in a host name: an '@' in the password is written %40");
  }
  auto host = decode(raw, host_at, "the host list");
  if (!host) return host.error();
  hosts += host->text();
  if (uri.stop() != ':') return ok_status();
  auto const port_at = ++uri.at;
  auto const end = uri.find_any("/?,");
  auto port = decode(uri.text.substr(port_at, end - port_at), port_at, "the port list");
  if (!port) return port.error();
  ports += port->text();
  uri.at = end;
  return ok_status();
}

Status read_hosts(Uri& uri) {
  std::string hosts, ports;
  auto const hosts_at = uri.at;
  while (true) {
    if (auto host = read_host(uri, hosts, ports); !host) return host;
    if (uri.stop() != ',') break;
    ++uri.at;
    hosts += ',';
    ports += ',';
  }
  if (!hosts.empty()) uri.settings.push_back({"host", Secret::from(hosts), hosts_at + 1});
  if (!ports.empty()) uri.settings.push_back({"port", Secret::from(ports), hosts_at + 1});
  wipe(hosts);
  wipe(ports);
  return ok_status();
}

Status read_dbname(Uri& uri) {
  if (uri.stop() != '/') return ok_status();
  auto const start = ++uri.at;
  auto const end = uri.find_any("?");
  uri.at = end;
  auto const raw = uri.text.substr(start, end - start);
  // libpq would read "pa/ss@host/db" as host "pa", database "ss@host/db": the password's '/'
  // cut the user-info short. Refused here, pointing at the cure, before anything leaks into a
  // host, port or database name that a message might show.
  if (raw.find('@') != npos) {
    return fault(start + raw.find('@'), "the database name",
                 "an '@' after a '/': if it ends user:password@, write each '/' in the password as %2F "
                 "(and '@' as %40)");
  }
  return add_decoded(uri.settings, "dbname", raw, start, "the database name");
}

Status read_parameter(Uri& uri, std::size_t index) {
  auto const start = uri.at;
  auto const end = uri.find_any("&");
  auto const item = uri.text.substr(start, end - start);
  auto const part = fmt::format("query parameter {}", index);
  auto const equals = item.find('=');
  if (equals == npos) return fault(start, part, "has no '=' between its name and its value");
  if (item.find('=', equals + 1) != npos) {
    return fault(start + item.find('=', equals + 1), part, "has a second '=' (an '=' in a value is written %3D)");
  }
  auto keyword = decode(item.substr(0, equals), start, part);
  if (!keyword) return keyword.error();
  auto value = decode(item.substr(equals + 1), start + equals + 1, part);
  if (!value) return value.error();
  Setting setting{std::string(keyword->text()), std::move(*value), start + 1};
  apply_aliases(setting, true);
  uri.settings.push_back(std::move(setting));
  uri.at = end < uri.text.size() ? end + 1 : end;
  return ok_status();
}

Status read_query(Uri& uri) {
  if (uri.stop() != '?') return ok_status();
  ++uri.at;
  for (std::size_t index = 1; uri.at < uri.text.size(); ++index) {
    if (auto parameter = read_parameter(uri, index); !parameter) return parameter;
  }
  return ok_status();
}

Result<std::vector<Setting>> parse_uri(std::string_view text, std::size_t prefix) {
  Uri uri{text, prefix, {}};
  for (auto step : {read_userinfo, read_hosts, read_dbname, read_query}) {
    if (auto done = step(uri); !done) return done.error();
  }
  return std::move(uri.settings);
}

// ---- keyword=value -------------------------------------------------------------------------

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

struct Words {
  std::string_view text;
  std::size_t at = 0;
  void skip_spaces() {
    while (at < text.size() && is_space(text[at])) ++at;
  }
};

// A value as libpq reads it: up to a blank, or between single quotes; a backslash escapes.
Result<Secret> read_value(Words& words, std::string_view part) {
  std::string value;
  bool const quoted = words.at < words.text.size() && words.text[words.at] == '\'';
  auto const quote_at = words.at;
  if (quoted) ++words.at;
  while (true) {
    if (words.at >= words.text.size()) {
      if (!quoted) break;
      wipe(value);
      return fault(quote_at, part, "a value opened with ' is never closed");
    }
    char c = words.text[words.at++];
    if (!quoted && is_space(c)) break;
    if (quoted && c == '\'') break;
    if (c == '\\' && words.at < words.text.size()) c = words.text[words.at++];
    else if (c == '\\') continue;
    value += c;
  }
  auto secret = Secret::from(value);
  wipe(value);
  return secret;
}

Status read_word(Words& words, std::size_t index, std::vector<Setting>& out) {
  auto const start = words.at;
  auto const part = fmt::format("setting {}", index);
  while (words.at < words.text.size() && words.text[words.at] != '=' && !is_space(words.text[words.at])) ++words.at;
  auto const name = words.text.substr(start, words.at - start);
  words.skip_spaces();
  if (words.at >= words.text.size() || words.text[words.at] != '=') {
    return fault(start, part, "has no '=' after its name");
  }
  ++words.at;
  words.skip_spaces();
  auto value = read_value(words, part);
  if (!value) return value.error();
  Setting setting{std::string(name), std::move(*value), start + 1};
  apply_aliases(setting, false);
  out.push_back(std::move(setting));
  return ok_status();
}

Result<std::vector<Setting>> parse_words(std::string_view text) {
  Words words{text};
  std::vector<Setting> out;
  for (std::size_t index = 1;; ++index) {
    words.skip_spaces();
    if (words.at >= text.size()) break;
    if (auto word = read_word(words, index, out); !word) return word.error();
  }
  return out;
}

std::size_t prefix_length(std::string_view text) {
  if (text.starts_with(long_prefix)) return long_prefix.size();
  if (text.starts_with(short_prefix)) return short_prefix.size();
  return 0;
}

}  // namespace

Result<std::vector<Setting>> parse(std::string_view text) {
  if (auto const prefix = prefix_length(text)) return parse_uri(text, prefix);
  auto const scheme = text.find("://");
  if (scheme != npos && text.substr(0, scheme).find_first_of("= '") == npos) {
    return fault(scheme, "the scheme", "a connection URL starts with postgresql:// or postgres://");
  }
  if (text.find('=') == npos) {
    return make_error("is neither a postgresql:// URL nor keyword=value settings "
                      "(postgresql://user:password@host:5432/dbname?sslmode=verify-full)");
  }
  return parse_words(text);
}

}  // namespace wgs::config::conninfo
