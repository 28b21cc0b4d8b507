#include "api_types.hpp"

#include "log.hpp"

namespace contacts::api {

Response json_response(unsigned status, nlohmann::json const& body) {
  // Replace rather than throw should a non-UTF-8 byte ever reach a JSON string.
  return Response{status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {}};
}

Response error_response(unsigned status, std::string_view message) {
  return json_response(status, {{"error", message}});
}

Response error_response(Error const& error) {
  switch (error.kind) {
    case ErrorKind::bad_input: return error_response(400, error.message);
    case ErrorKind::not_found: return error_response(404, error.message);
    case ErrorKind::unavailable:
      log::warn("{}", error.message);
      return error_response(503, "database unavailable");
    case ErrorKind::internal: break;
  }
  log::error("{}", error.message);
  return error_response(500, "internal error");
}

}  // namespace contacts::api
