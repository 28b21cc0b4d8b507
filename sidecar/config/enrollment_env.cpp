// SIDECAR_ENROLL, SIDECAR_ENROLL_TOKEN, SIDECAR_ENROLL_PORT: how this machine gets its own
// WireGuard identity from a hub that runs `wgsidecar hub`.
#include "config/fields.hpp"
#include "config/load.hpp"

namespace wgs::config {

Enrollment read_enrollment(Environment const& env, Problems& problems) {
  Enrollment enrollment;
  auto const mode = setting(env, "SIDECAR_ENROLL", problems);
  if (mode) {
    if (*mode == "off") enrollment.mode = EnrollMode::off;
    else if (*mode == "required") enrollment.mode = EnrollMode::required;
    else if (*mode != "auto") problems.add("SIDECAR_ENROLL", "must be auto, off or required");
  }
  if (auto token = setting(env, "SIDECAR_ENROLL_TOKEN", problems)) {
    enrollment.token = fields::secret_key(problems, "SIDECAR_ENROLL_TOKEN", *token);
    if (enrollment.mode == EnrollMode::off) {
      problems.add("SIDECAR_ENROLL_TOKEN", "is set while SIDECAR_ENROLL=off; a token is only for enrolling");
    }
    enrollment.mode = EnrollMode::required;  // there is no key of our own to fall back on
  }
  if (auto port = setting(env, "SIDECAR_ENROLL_PORT", problems)) enrollment.port = fields::port(problems, "SIDECAR_ENROLL_PORT", *port);
  return enrollment;
}

}  // namespace wgs::config
