#include "report/drift_report.h"

#include <ctime>
#include <map>

#include "base/time.h"
#include "base/run_id.h"
#include "diff/drift.h"
#include "gates/verdict.h"
#include "base/csv.h"
#include "report/records.h"

namespace understudy::report {

const std::vector<std::string>& drift_columns() {
  static const std::vector<std::string> cols = {"time",   "event",      "run_id", "gate",      "status",
                                                "primary_snapshot", "target_instance", "kind", "key",
                                                "problem", "detail", "direction"};
  return cols;
}

namespace {

std::vector<std::string> cells(const DriftRow& r) {
  return {r.time, r.event, r.run_id, r.gate, r.status, r.primary_snapshot, r.target_instance,
          r.kind, r.key,   r.problem, r.detail, r.direction};
}

std::string str(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

std::string failure_detail(const nlohmann::json& fields) {
  std::string d;
  if (fields.contains("reason") && fields["reason"].is_string()) d = fields["reason"].get<std::string>();
  if (fields.contains("changes") && fields["changes"].is_array()) {
    std::string names;
    for (const auto& c : fields["changes"]) names += (names.empty() ? "" : ", ") + str(c, "field");
    if (!names.empty()) d += (d.empty() ? "" : "; ") + std::string("changed: ") + names;
  }
  for (const char* b : {"sid_matches", "password_hash_matches"})
    if (fields.contains(b) && fields[b].is_boolean())
      d += (d.empty() ? "" : "; ") + std::string(b) + "=" + (fields[b].get<bool>() ? "true" : "false");
  return d;
}

}  // namespace

Result<DriftReport> collect(store::Store& store, const std::string& pair, const std::string& since,
                            const std::string& until) {
  DriftReport rep;
  rep.pair = pair;
  rep.since = since;
  rep.until = until;
  rep.generated_at = format_utc(static_cast<int64_t>(std::time(nullptr)));
  rep.report_id = new_run_id();
  auto evals = list_evaluations(store, pair, since, until);
  if (!evals) return tl::unexpected(evals.error());
  std::multimap<std::string, DriftRow> by_time;
  for (const auto& e : *evals) {
    const auto& b = e.body;
    DriftRow base;
    base.time = str(b, "checked_at");
    base.event = "gate_evaluation";
    base.run_id = "eval-" + std::to_string(e.id);
    base.gate = str(b, "gate");
    base.status = str(b, "status");
    if (b.contains("primary_snapshot") && b["primary_snapshot"].is_object())
      base.primary_snapshot = str(b["primary_snapshot"], "id");
    base.target_instance = str(b, "target_instance");
    base.direction = str(b, "direction");
    const auto& failures = b.contains("failures") ? b["failures"] : nlohmann::json::array();
    if (failures.empty()) {
      DriftRow r = base;
      r.detail = str(b, "reason");
      by_time.emplace(r.time, r);
    }
    for (const auto& f : failures) {
      DriftRow r = base;
      r.kind = str(f, "kind");
      r.key = str(f, "key");
      r.problem = str(f, "problem");
      r.detail = failure_detail(f.value("fields", nlohmann::json::object()));
      by_time.emplace(r.time, r);
    }
  }
  auto syncs = list_runs(store, pair, "sync", since, until);
  if (!syncs) return tl::unexpected(syncs.error());
  for (const auto& s : *syncs) {
    bool applied = s.result.value("apply", false);
    DriftRow base;
    base.time = s.finished_at.empty() ? s.started_at : s.finished_at;
    base.event = applied ? "sync_apply" : "sync_plan";
    base.run_id = s.id;
    base.primary_snapshot = s.result.contains("source_snapshot") && !s.result["source_snapshot"].is_null()
                                ? s.result["source_snapshot"].dump()
                                : "";
    base.target_instance = str(s.result, "target");
    base.direction = str(s.result, "direction");
    const auto& actions = s.result.contains("actions") ? s.result["actions"] : nlohmann::json::array();
    if (actions.empty()) {
      DriftRow r = base;
      r.status = s.status;
      r.detail = "nothing to do";
      by_time.emplace(r.time, r);
    }
    for (const auto& a : actions) {
      DriftRow r = base;
      r.status = str(a, "outcome");
      r.kind = str(a, "kind");
      r.key = str(a, "key");
      r.problem = str(a, "op");
      r.detail = str(a, "reason");
      by_time.emplace(r.time, r);
    }
  }
  for (auto& [t, r] : by_time) rep.rows.push_back(std::move(r));
  return rep;
}

nlohmann::json to_json(const DriftReport& r) {
  nlohmann::json j;
  j["report_version"] = r.version;
  j["report_id"] = r.report_id;
  j["generated_at"] = r.generated_at;
  j["pair"] = r.pair;
  j["since"] = r.since.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.since);
  j["until"] = r.until.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.until);
  j["columns"] = drift_columns();
  auto rows = nlohmann::json::array();
  for (const auto& row : r.rows) {
    auto c = cells(row);
    nlohmann::json o = nlohmann::json::object();
    for (size_t i = 0; i < c.size(); ++i) o[drift_columns()[i]] = c[i];
    rows.push_back(o);
  }
  j["rows"] = rows;
  auto ex = nlohmann::json::array();
  for (const auto& e : r.exceptions)
    ex.push_back({{"gate", e.gate},
                  {"kind", catalog::kind_name(e.exception.object.kind)},
                  {"key", e.exception.object.key},
                  {"reason", e.exception.reason},
                  {"approved_by", e.exception.approved_by},
                  {"until", e.exception.until}});
  j["exceptions_in_force"] = ex;
  return j;
}

std::string to_csv(const DriftReport& r) {
  // Provenance first as a comment-free header row is what RFC 4180 tools expect: the report id
  // and generation time are columns of every row instead.
  auto cols = drift_columns();
  cols.insert(cols.begin(), {"report_id", "generated_at", "pair"});
  std::string out = csv_line(cols);
  for (const auto& row : r.rows) {
    auto c = cells(row);
    c.insert(c.begin(), {r.report_id, r.generated_at, r.pair});
    out += csv_line(c);
  }
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string to_html(const DriftReport& r) {
  auto e = html_escape;
  std::map<std::string, int> status_counts;
  std::map<std::string, std::string> last_by_gate;  // gate -> "status at time"
  std::map<std::string, std::vector<const DriftRow*>> by_kind;
  for (const auto& row : r.rows) {
    if (row.event == "gate_evaluation") last_by_gate[row.gate] = row.status + " at " + row.time;  // rows are in time order
    if (!row.kind.empty()) by_kind[row.kind].push_back(&row);
  }
  std::map<std::string, std::string> seen_eval;
  for (const auto& row : r.rows)
    if (row.event == "gate_evaluation") seen_eval[row.run_id] = row.status;
  for (const auto& [id, st] : seen_eval) status_counts[st]++;
  int sync_actions = 0;
  for (const auto& row : r.rows)
    if (row.event == "sync_apply" && !row.kind.empty()) ++sync_actions;

  std::string h;
  h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  h += "<title>Drift report — " + e(r.pair) + "</title>\n";
  h += "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}"
       "h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}"
       "table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{text-align:left;padding:.3em .6em;"
       "border-bottom:1px solid #eee;vertical-align:top}th{background:#f6f6f6}.meta{color:#666}"
       ".pass{color:#11772d}.fail{color:#b3261e}.unknown{color:#8a5a00}.cards{display:flex;gap:1em}"
       ".card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em}.card b{font-size:1.4em;display:block}"
       "code{font-size:.95em}</style></head><body>\n";
  h += "<h1>Drift report: pair <code>" + e(r.pair) + "</code></h1>\n";
  h += "<p class=\"meta\">Report " + e(r.report_id) + ", generated " + e(r.generated_at) + "; window " +
       e(r.since.empty() ? "beginning" : r.since) + " to " + e(r.until.empty() ? "now" : r.until) +
       ". Format version " + std::to_string(r.version) + ".</p>\n";
  h += "<h2>Summary</h2>\n<div class=\"cards\">";
  for (const char* s : {"pass", "fail", "unknown"})
    h += "<div class=\"card " + std::string(s) + "\"><b>" + std::to_string(status_counts[s]) + "</b>gate evaluations " +
         s + "</div>";
  h += "<div class=\"card\"><b>" + std::to_string(sync_actions) + "</b>changes applied by sync</div></div>\n";
  if (!last_by_gate.empty()) {
    h += "<table><tr><th>Gate</th><th>Last answer</th></tr>\n";
    for (const auto& [g, s] : last_by_gate) {
      auto status = s.substr(0, s.find(' '));
      h += "<tr><td><code>" + e(g) + "</code></td><td class=\"" + e(status) + "\">" + e(s) + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  h += "<h2>Findings and changes by kind</h2>\n";
  if (by_kind.empty()) h += "<p>No drift was found and nothing was changed in this window.</p>\n";
  for (const auto& [kind, rows] : by_kind) {
    h += "<h3>" + e(kind) + " (" + std::to_string(rows.size()) + ")</h3>\n";
    h += "<table><tr><th>Time</th><th>Event</th><th>Gate</th><th>Object</th><th>Problem / action</th>"
         "<th>Status</th><th>Detail</th></tr>\n";
    for (const auto* row : rows)
      h += "<tr><td>" + e(row->time) + "</td><td>" + e(row->event) + "</td><td>" + e(row->gate) + "</td><td><code>" +
           e(row->key) + "</code></td><td>" + e(row->problem) + "</td><td class=\"" + e(row->status) + "\">" +
           e(row->status) + "</td><td>" + e(row->detail) + "</td></tr>\n";
    h += "</table>\n";
  }
  h += "<h2>Exceptions in force</h2>\n";
  if (r.exceptions.empty()) {
    h += "<p>No exceptions are in force.</p>\n";
  } else {
    h += "<table><tr><th>Gate</th><th>Object</th><th>Reason</th><th>Approved by</th><th>Until</th></tr>\n";
    for (const auto& x : r.exceptions)
      h += "<tr><td><code>" + e(x.gate) + "</code></td><td>" + e(std::string(catalog::kind_name(x.exception.object.kind))) +
           " <code>" + e(x.exception.object.key) + "</code></td><td>" + e(x.exception.reason) + "</td><td>" +
           e(x.exception.approved_by) + "</td><td>" + e(x.exception.until) + "</td></tr>\n";
    h += "</table>\n";
  }
  h += "<p class=\"meta\">The same rows are available as JSON and CSV: add <code>format=json</code> or "
       "<code>format=csv</code> to this address.</p>\n</body></html>\n";
  return h;
}

}  // namespace understudy::report
