// /metrics in the Prometheus text exposition format 0.0.4: every family once, HELP and
// TYPE before its samples, label values escaped.
#include <cmath>
#include <initializer_list>
#include <utility>

#include <fmt/format.h>

#include "health/render.hpp"

namespace wgs::health {

namespace {

using Label = std::pair<std::string_view, std::string_view>;

class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
    write_series(name, labels);
    text_ += format_value(value);
    text_ += '\n';
  }
  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value) {
    write_series(name, labels);
    text_ += fmt::format("{}\n", value);
  }
  std::string take() { return std::move(text_); }

 private:
  void write_series(std::string_view name, std::initializer_list<Label> labels) {
    text_ += name;
    if (labels.size() != 0) {
      char separator = '{';
      for (auto const& [key, value] : labels) {
        text_ += fmt::format("{}{}=\"{}\"", separator, key, escape_label_value(value));
        separator = ',';
      }
      text_ += '}';
    }
    text_ += ' ';
  }
  // The format spells the special values its own way (Go's ParseFloat).
  static std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", value);
  }

  std::string text_;
};

std::uint64_t flag(bool value) { return value ? 1 : 0; }

void tunnel_metrics(Exposition& out, TunnelState const& tunnel) {
  out.family("wgsidecar_tunnel_state", "gauge", "The tunnel's state: 1 for the current one, 0 for the others.");
  bool known = false;
  for (auto state : tunnel_states) {
    known = known || state == tunnel.state;
    out.sample("wgsidecar_tunnel_state", {{"state", state}}, flag(state == tunnel.state));
  }
  if (!known) out.sample("wgsidecar_tunnel_state", {{"state", tunnel.state}}, flag(true));

  if (tunnel.handshake_age_seconds) {
    out.family("wgsidecar_handshake_age_seconds", "gauge", "Seconds since the latest handshake with the hub.");
    out.sample("wgsidecar_handshake_age_seconds", {}, *tunnel.handshake_age_seconds);
  }
  out.family("wgsidecar_rx_bytes_total", "counter", "Bytes received from the hub (restarts when the interface is re-created).");
  out.sample("wgsidecar_rx_bytes_total", {}, tunnel.rx_bytes);
  out.family("wgsidecar_tx_bytes_total", "counter", "Bytes sent to the hub (restarts when the interface is re-created).");
  out.sample("wgsidecar_tx_bytes_total", {}, tunnel.tx_bytes);
}

void recovery_metrics(Exposition& out, std::map<std::string, std::uint64_t> const& by_step) {
  out.family("wgsidecar_recoveries_total", "counter", "Recovery steps taken by the monitor, successful or not.");
  auto counts = by_step;
  for (auto step : recovery_steps) counts.try_emplace(std::string(step), 0);
  for (auto const& [step, count] : counts) out.sample("wgsidecar_recoveries_total", {{"step", step}}, count);
}

// Skipped stages measured nothing, so they have no sample rather than a misleading 0.
void check_metrics(Exposition& out, checks::Report const& report) {
  auto const measured = [](checks::StageResult const& stage) { return stage.status != checks::Status::skip; };
  // Seconds, Prometheus's base unit, so rate() and dashboards need no conversion.
  out.family("wgsidecar_check_duration_seconds", "gauge", "Duration of each stage of the latest gating check, in seconds.");
  for (auto const& stage : report.stages) {
    if (!measured(stage)) continue;
    out.sample("wgsidecar_check_duration_seconds",
               {{"target", stage.target}, {"stage", checks::stage_name(stage.stage)}}, stage.ms / 1000.0);
  }
  out.family("wgsidecar_check_ok", "gauge", "Whether each stage of the latest gating check passed (1) or failed (0).");
  for (auto const& stage : report.stages) {
    if (!measured(stage)) continue;
    out.sample("wgsidecar_check_ok", {{"target", stage.target}, {"stage", checks::stage_name(stage.stage)}},
               flag(stage.status == checks::Status::ok));
  }
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string metrics_text(Snapshot const& snapshot) {
  Exposition out;
  out.family("wgsidecar_up", "gauge", "1 while the supervisor answers.");
  out.sample("wgsidecar_up", {}, flag(true));
  out.family("wgsidecar_ready", "gauge", "1 when the tunnel is fresh and the gating checks pass (/readyz).");
  out.sample("wgsidecar_ready", {}, flag(snapshot.ready));
  tunnel_metrics(out, snapshot.tunnel);
  recovery_metrics(out, snapshot.recoveries_by_step);
  if (snapshot.last_check) check_metrics(out, *snapshot.last_check);
  if (snapshot.last_check_age_seconds) {
    out.family("wgsidecar_check_age_seconds", "gauge", "Seconds since the latest gating check (/readyz answers from it).");
    out.sample("wgsidecar_check_age_seconds", {}, *snapshot.last_check_age_seconds);
  }
  if (!snapshot.database_logins.empty()) {
    out.family("wgsidecar_database_logins_total", "counter",
               "Database logins the gating checks made (each forks a backend and runs SCRAM on the server).");
  }
  for (auto const& [target, count] : snapshot.database_logins) {
    out.sample("wgsidecar_database_logins_total", {{"target", target}}, count);
  }
  out.family("wgsidecar_app_restarts_total", "counter", "Times the app was restarted (SIDECAR_APP_RESTART=on-failure).");
  out.sample("wgsidecar_app_restarts_total", {}, snapshot.app_restart_count);
  out.family("wgsidecar_uptime_seconds", "gauge", "Seconds since the supervisor started.");
  out.sample("wgsidecar_uptime_seconds", {}, snapshot.uptime_seconds);
  return out.take();
}

}  // namespace wgs::health
