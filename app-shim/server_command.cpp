// `contacts-api` with no command: the HTTP server. Handlers run on a worker pool because
// libpq blocks; sockets live on one I/O thread.
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <boost/asio/signal_set.hpp>

#include "app.hpp"
#include "app_config.hpp"
#include "contacts_repo.hpp"
#include "exit_codes.hpp"
#include "handlers.hpp"
#include "http_server.hpp"
#include "log.hpp"
#include "router.hpp"

namespace contacts {
namespace {

namespace asio = boost::asio;

// Fly stops a Machine 5 s after the stop signal (kill_timeout); wgsidecar forwards the
// signal and needs a moment after the app exits to take the tunnel down.
constexpr auto shutdown_budget = std::chrono::seconds(3);
constexpr std::size_t worker_threads = 8;

api::ServiceInfo service_info(Settings const& settings) {
  api::ServiceInfo info{version(), settings.region, settings.database.primary.host, std::nullopt};
  if (settings.database.replica) info.replica_host = settings.database.replica->host;
  return info;
}

Status listen(http::Server& server, Settings const& settings) {
  auto status = server.listen(settings.listen_address, settings.port);
  // A container without IPv6 cannot bind "::"; the default then means IPv4's any address.
  if (!status && !settings.listen_address_given) status = server.listen(asio::ip::address_v4::any(), settings.port);
  return status;
}

// Runs IO until SIGTERM/SIGINT, then until the requests in progress are answered or the
// budget is spent. True when everything finished.
bool serve_until_signal(asio::io_context& io, http::Server& server) {
  asio::signal_set signals(io, SIGINT, SIGTERM);
  bool stop_requested = false;
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    stop_requested = true;
    log::info("received {}: finishing requests in progress, then exiting", ::strsignal(signal));
    server.stop();
  });
  while (!stop_requested && io.run_one() > 0) {
  }
  // Give the signals back their default action: a second one ends the process at once.
  signals.clear();
  auto const deadline = std::chrono::steady_clock::now() + shutdown_budget;
  while (!io.stopped() && std::chrono::steady_clock::now() < deadline) io.run_one_until(deadline);
  return io.stopped();
}

}  // namespace

int run_server(Environment const& env) {
  auto settings = settings_from_env(env);
  if (!settings) {
    log::error("configuration: {}", settings.error().message);
    return exit_code::config;
  }
  log::info("Initializing Contacts API {}: {}{}", version(), settings->database.primary.describe(),
            settings->database.replica ? ", reads from " + settings->database.replica->describe() : "");
  db::Databases databases(settings->database);
  ContactsRepo repo(databases);
  api::Api api(repo, databases, service_info(*settings));
  api::Router router(api);
  databases.schema().start_retrying(databases.primary());

  asio::io_context io(1);
  asio::thread_pool workers(worker_threads);
  http::Server server(io, workers, [&router](api::Request const& request) { return router.handle(request); });
  if (auto listening = listen(server, *settings); !listening) {
    log::error("{}", listening.error().message);
    return exit_code::os_error;
  }
  log::info("Server starting on port {}", settings->port);
  if (!serve_until_signal(io, server)) {
    // Handlers still blocked on the database would hold up an orderly exit past the
    // platform's kill timeout; the answers they would give can no longer be delivered.
    log::warn("requests still running after {}s: exiting without them", shutdown_budget.count());
    std::_Exit(exit_code::ok);
  }
  workers.join();
  log::info("stopped");
  return exit_code::ok;
}

}  // namespace contacts
