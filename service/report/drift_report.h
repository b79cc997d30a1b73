// drift_report.h — the auditors' drift history of one pair: each finding's lifecycle (first seen,
// last seen, resolved at and by which sync run; report/lifecycle.h), the series of open findings
// and applied changes behind the chart, and every gate evaluation and sync as event rows. JSON, CSV
// and HTML are rendered from the same values (so they cannot disagree); docs/reports.md specifies
// them (version 2).
//
// Event rows: one per failure of an evaluation (a passing or unknown evaluation without failures
// is one row with empty kind/key/problem); one per action of a sync. Values never include a
// secret: failures carry field names and booleans, sync actions their operation and outcome.
// Thread-safety: pure renderers; collect() reads the store from the calling thread.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "gates/gate.h"
#include "report/lifecycle.h"
#include "store/store.h"

namespace understudy::report {

inline constexpr int kDriftReportVersion = 2;

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
  std::string name;          // where the key is not the name (an Agent schedule's uid): its name
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
  Lifecycles life;             // findings' lifecycles and the chart's series
  std::vector<ExceptionInForce> exceptions;
};

[[nodiscard]] Result<DriftReport> collect(store::Store& store, const std::string& pair, const std::string& since,
                                          const std::string& until);

nlohmann::json to_json(const DriftReport& r);
// `table`: "findings" (the lifecycles, one line each) or "events" (the event rows).
inline constexpr const char* kCsvTables[] = {"findings", "events"};
std::string to_csv(const DriftReport& r, std::string_view table = "findings");
// Column names of the findings table, in order (CSV header, JSON keys).
const std::vector<std::string>& finding_columns();
std::string to_html(const DriftReport& r);

// HTML text escaping (&, <, >, ", ').
std::string html_escape(const std::string& s);

}  // namespace understudy::report
