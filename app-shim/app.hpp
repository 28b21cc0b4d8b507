#pragma once
// The two things contacts-api does: serve the API, or seed the database.
#include <span>

#include "environment.hpp"

namespace contacts {

// Serves until SIGTERM or SIGINT; returns the exit code.
int run_server(Environment const& env);

// `contacts-api seed [N]`: N (default 500) contacts in one transaction.
int run_seed(Environment const& env, std::span<char const* const> args);

char const* version();

}  // namespace contacts
