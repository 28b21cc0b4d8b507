#include "health/endpoints.hpp"

#include <exception>

#include "health/render.hpp"
#include "log/log.hpp"

namespace wgs::health {

namespace {

Reply text(int status, std::string body) {
  Reply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

Reply from_snapshot(std::string_view path, Snapshot const& snapshot) {
  if (path == "/readyz") return text(snapshot.ready ? 200 : 503, readyz_body(snapshot));
  Reply reply;
  if (path == "/status") {
    reply.content_type = "application/json";
    reply.body = status_body(snapshot);
  } else {
    reply.content_type = std::string(metrics_content_type);
    reply.body = metrics_text(snapshot);
  }
  return reply;
}

bool is_known(std::string_view path) {
  return path == "/healthz" || path == "/readyz" || path == "/status" || path == "/metrics";
}

}  // namespace

Reply error_reply(int status, std::string_view why) { return text(status, std::string(why) + "\n"); }

Reply respond(std::string_view method, std::string_view target, SnapshotSource const& source) {
  auto const path = target.substr(0, target.find('?'));
  if (!is_known(path)) return error_reply(404, "not found: try /healthz, /readyz, /status or /metrics");
  bool const head = method == "HEAD";
  if (method != "GET" && !head) {
    auto reply = error_reply(405, "method not allowed: use GET or HEAD");
    reply.allow = "GET, HEAD";
    return reply;
  }
  Reply reply = text(200, "ok\n");
  if (path != "/healthz") {
    // The source is the supervisor's code; an exception escaping here would end the
    // event loop, so it becomes a 500 instead.
    try {
      reply = from_snapshot(path, source(path == "/readyz" ? Detail::verdict : Detail::full));
    } catch (std::exception const& e) {
      log::warn("health: building the snapshot for {} failed: {}", path, e.what());
      reply = error_reply(500, "internal error: the snapshot could not be built");
    }
  }
  reply.head = head;
  return reply;
}

}  // namespace wgs::health
