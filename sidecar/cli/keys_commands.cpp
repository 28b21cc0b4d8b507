// genkey, genpsk, pubkey: interchangeable with `wg genkey`, `wg genpsk`, `wg pubkey`.
#include <unistd.h>

#include <cstdio>

#include "cli/cli.hpp"
#include "config/fields.hpp"
#include "keys/keys.hpp"
#include "util/exit_codes.hpp"

namespace wgs::cli {
namespace {

void print_key(std::span<std::uint8_t const> key) { std::fputs((keys::encode(key) + "\n").c_str(), stdout); }

// Reads at most a little more than a key from stdin, into guarded memory.
Secret read_stdin_key() {
  Secret buffer(128);
  std::size_t length = 0;
  while (length < buffer.size()) {
    auto const got = ::read(STDIN_FILENO, buffer.bytes().data() + length, buffer.size() - length);
    if (got <= 0) break;
    length += static_cast<std::size_t>(got);
  }
  return Secret::from(config::fields::trim(buffer.text().substr(0, length)));
}

}  // namespace

int genkey_command(Invocation const& invocation) {
  if (!only_flags(invocation, {})) return exit_code::usage;
  auto const key = keys::generate_private();
  print_key(key.bytes());
  return exit_code::ok;
}

int genpsk_command(Invocation const& invocation) {
  if (!only_flags(invocation, {})) return exit_code::usage;
  auto const key = keys::generate_preshared();
  print_key(key.bytes());
  return exit_code::ok;
}

int pubkey_command(Invocation const& invocation) {
  if (!only_flags(invocation, {})) return exit_code::usage;
  auto const text = read_stdin_key();
  auto key = keys::decode_secret(text.text());
  if (!key) {
    std::fprintf(stderr, "wgsidecar pubkey: the private key on standard input %s\n", key.error().message.c_str());
    return exit_code::failure;
  }
  print_key(keys::derive_public(*key));
  return exit_code::ok;
}

}  // namespace wgs::cli
