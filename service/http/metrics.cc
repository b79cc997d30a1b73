#include "http/metrics.h"

#include <cstdio>
#include <stdexcept>

namespace understudy::http {

Metrics::Metrics() {
  define("understudy_snapshot_runs_total", Type::kCounter, "Snapshots of primaries taken, by result.");
  define("understudy_snapshot_duration_seconds", Type::kSummary, "Time to read and store one snapshot.");
  define("understudy_snapshot_last_success_timestamp_seconds", Type::kGauge,
         "Unix time of the last successful snapshot of any primary.");
  define("understudy_drift_objects", Type::kGauge, "Drift findings per kind at the last gate evaluation.");
  define("understudy_gate_checks_total", Type::kCounter, "Gate answers given, per gate and result.");
  define("understudy_gate_evaluations_total", Type::kCounter,
         "Gate evaluations actually run (answers shared by concurrent requests count once).");
  define("understudy_gate_evaluation_duration_seconds", Type::kSummary, "Time of one gate evaluation.");
  define("understudy_sync_actions_total", Type::kCounter, "Sync actions, per result.");
  define("understudy_http_requests_total", Type::kCounter, "HTTP requests answered, per status code.");
  define("understudy_gates_reload_total", Type::kCounter, "Gate set reloads, per result.");
  define("understudy_audit_head_seq", Type::kGauge, "Sequence number of the last audit entry (0: none).");
  define("understudy_audit_head_hash_prefix", Type::kGauge,
         "The last audit entry's hash: its first 13 hex digits as a number (pin the whole hash from the log).");
  define("understudy_store_integrity_checks_total", Type::kCounter, "Integrity checks of the store, per result.");
  // Per pair and instance (configured names: bounded), from the store at each scrape (ops/status.h),
  // so runs of the CLI count as much as the service's.
  define("understudy_primary_snapshot_age_seconds", Type::kGauge,
         "Age of the latest snapshot of the pair's primary (absent: none yet).");
  define("understudy_open_findings", Type::kGauge,
         "Distinct findings by kind in the latest answer of each gate of the pair.");
  define("understudy_gate_last_result", Type::kGauge,
         "1 for the latest answer of the gate for the pair (result pass, fail or unknown), 0 for the others.");
  define("understudy_gate_last_evaluation_timestamp_seconds", Type::kGauge,
         "Unix time of the latest answer of the gate for the pair.");
  define("understudy_sync_last_result", Type::kGauge,
         "1 for the result of the pair's latest sync (succeeded or failed), 0 for the other.");
  define("understudy_sync_last_timestamp_seconds", Type::kGauge, "Unix time the pair's latest sync finished.");
}

void Metrics::define(std::string name, Type type, std::string help) {
  families_.emplace(std::move(name), Family{type, std::move(help), {}});
}

std::string Metrics::label_text(const Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (k != "kind" && k != "gate" && k != "result" && k != "pair" && k != "instance")
      throw std::logic_error("metrics: label not allowed: " + k);
    out += out.empty() ? "{" : ",";
    out += k + "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += "\"";
  }
  if (!out.empty()) out += "}";
  return out;
}

void Metrics::inc(std::string_view name, const Labels& labels, double by) {
  auto lt = label_text(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) throw std::logic_error("metrics: undefined " + std::string(name));
  it->second.series[lt] += by;
}

void Metrics::set(std::string_view name, const Labels& labels, double value) {
  auto lt = label_text(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) throw std::logic_error("metrics: undefined " + std::string(name));
  it->second.series[lt] = value;
}

void Metrics::observe(std::string_view name, const Labels& labels, double value) {
  auto lt = label_text(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) throw std::logic_error("metrics: undefined " + std::string(name));
  it->second.series["_sum" + lt] += value;
  it->second.series["_count" + lt] += 1;
}

double Metrics::value(std::string_view name, const Labels& labels) const {
  auto lt = label_text(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(lt);
  return s == it->second.series.end() ? 0 : s->second;
}

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  char num[64];
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::kCounter ? "counter" : f.type == Type::kGauge ? "gauge" : "summary";
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& [labels, v] : f.series) {
      std::snprintf(num, sizeof num, "%.17g", v);
      if (f.type == Type::kSummary) {
        bool sum = labels.rfind("_sum", 0) == 0;
        out += name + (sum ? "_sum" : "_count") + labels.substr(sum ? 4 : 6) + " " + num + "\n";
      } else {
        out += name + labels + " " + num + "\n";
      }
    }
  }
  return out;
}

}  // namespace understudy::http
