#pragma once
// Secrets from files, as containers mount them (Docker and Kubernetes secrets, a Fly
// [[files]] entry): every secret variable NAME also accepts NAME_FILE=/path, as the official
// postgres image does.
// Every variable of config/secret_variables.hpp accepts NAME_FILE.
#include "config/environment.hpp"
#include "config/problems.hpp"

namespace wgs::config {

// The environment with each NAME_FILE's content as NAME, trailing newlines stripped. Later
// problems with that content are reported under NAME_FILE; a file that cannot be used is
// reported once, and nothing that follows from its absence is.
Environment with_secret_files(Environment env, Problems& problems);

}  // namespace wgs::config
