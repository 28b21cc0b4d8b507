#include "config/secret_variables.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <sodium.h>

namespace wgs::config {

SecretVariable const* find_secret_variable(std::string_view name) {
  if (name.ends_with("_FILE")) name.remove_suffix(5);
  auto const* found = std::find_if(std::begin(secret_variables), std::end(secret_variables),
                                   [name](SecretVariable const& secret) { return secret.name == name; });
  return found == std::end(secret_variables) ? nullptr : found;
}

void wipe_secrets_from_process_environment() {
  if (environ == nullptr) return;
  char** kept = environ;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view const text(*entry);
    if (find_secret_variable(text.substr(0, text.find('='))) == nullptr) {
      *kept++ = *entry;
      continue;
    }
    // The name goes too: the block then shows NUL bytes where the variable was.
    sodium_memzero(*entry, text.size());
  }
  *kept = nullptr;
}

}  // namespace wgs::config
