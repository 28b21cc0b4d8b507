#pragma once
// Requests and responses as the endpoint code sees them, free of the HTTP library so the
// routing and handlers can be tested without a socket.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.hpp"

namespace contacts::api {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, still percent-encoded
  std::string body;
};

struct Response {
  unsigned status = 200;
  std::string body;  // JSON, or empty
  std::vector<std::pair<std::string, std::string>> headers;
};

Response json_response(unsigned status, nlohmann::json const& body);
// {"error": MESSAGE}
Response error_response(unsigned status, std::string_view message);
// The status that fits ERROR's kind. Details of server-side failures are logged, and the
// client gets a generic message.
Response error_response(Error const& error);

}  // namespace contacts::api
