#include "text/json.hpp"

namespace wgs::text {

std::string json_text(nlohmann::json const& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string json_text(nlohmann::ordered_json const& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace wgs::text
