// wgsidecar: the ENTRYPOINT that brings a WireGuard tunnel up, proves the path to the
// database, runs the app and keeps the tunnel alive. Each command lives in cli/.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return wgs::cli::run_command(argc, argv); }
