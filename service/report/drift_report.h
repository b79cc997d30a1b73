// drift_report.h — the auditors' drift history of one pair: every gate evaluation, every sync
// and what it changed, as rows. JSON, CSV and HTML are rendered from the same rows (so they
// cannot disagree); the columns are specified in docs/reports.md (version 1).
//
// A row per failure of an evaluation (a passing or unknown evaluation without failures is one row
// with empty kind/key/problem); a row per action of a sync. Values never include a secret:
// failures carry field names and booleans, sync actions their operation and outcome.
// Thread-safety: pure renderers; collect() reads the store from the calling thread.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "gates/gate.h"
#include "store/store.h"

namespace understudy::report {

inline constexpr int kDriftReportVersion = 1;

struct DriftRow {
  std::string time;          // RFC 3339 UTC
  std::string event;         // "gate_evaluation" | "sync_plan" | "sync_apply" | "drift_check"
  std::string run_id;        // evaluation id ("eval-12") or run id
  std::string gate;          // gate name (evaluations)
  std::string status;        // pass | fail | unknown (evaluations); applied | failed | blocked | planned (sync)
  std::string primary_snapshot;
  std::string target_instance;
  std::string kind;
  std::string key;
  std::string problem;       // failure problem, or sync operation
  std::string detail;        // one line: reason, changed fields
  std::string direction;     // how the roles were established: "roles read live (…): primary …, secondary …"
};
// Column names, in order (CSV header, JSON row keys, HTML table heads).
const std::vector<std::string>& drift_columns();

struct ExceptionInForce {
  std::string gate;
  gates::GateException exception;
};

struct DriftReport {
  int version = kDriftReportVersion;
  std::string pair;
  std::string since, until;  // as asked ("" = open)
  std::string generated_at;
  std::string report_id;
  std::vector<DriftRow> rows;  // time order
  std::vector<ExceptionInForce> exceptions;
};

[[nodiscard]] Result<DriftReport> collect(store::Store& store, const std::string& pair, const std::string& since,
                                          const std::string& until);

nlohmann::json to_json(const DriftReport& r);
std::string to_csv(const DriftReport& r);
std::string to_html(const DriftReport& r);

// HTML text escaping (&, <, >, ", ').
std::string html_escape(const std::string& s);

}  // namespace understudy::report
