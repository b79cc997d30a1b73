#include "report/drift_report.h"

#include <algorithm>
#include <ctime>
#include <map>

#include "base/time.h"
#include "base/run_id.h"
#include "diff/drift.h"
#include "gates/verdict.h"
#include "base/csv.h"
#include "catalog/label.h"
#include "report/records.h"

namespace understudy::report {

const std::vector<std::string>& drift_columns() {
  static const std::vector<std::string> cols = {"time",   "event",      "run_id", "gate",      "status",
                                                "primary_snapshot", "target_instance", "kind", "key",
                                                "name", "problem", "detail", "direction"};
  return cols;
}

const std::vector<std::string>& finding_columns() {
  static const std::vector<std::string> cols = {"status",      "gate",        "kind",           "key",
                                                "name",        "problem",     "first_seen",     "last_seen",
                                                "evaluations", "resolved_at", "resolved_in",    "resolved_by_run",
                                                "resolved_by", "detail"};
  return cols;
}

namespace {

std::vector<std::string> finding_cells(const FindingLife& f) {
  return {f.status,      f.gate,        f.kind,        f.key,           f.name,        f.problem, f.first_seen,
          f.last_seen,   std::to_string(f.evaluations), f.resolved_at, f.resolved_in, f.resolved_by_run,
          f.resolved_by, f.detail};
}

std::vector<std::string> cells(const DriftRow& r) {
  return {r.time, r.event, r.run_id, r.gate, r.status, r.primary_snapshot, r.target_instance,
          r.kind, r.key,   r.name, r.problem, r.detail, r.direction};
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
  std::vector<EvaluationInput> eval_inputs;
  std::vector<SyncInput> sync_inputs;
  for (const auto& e : *evals) {
    eval_inputs.push_back({"eval-" + std::to_string(e.id), e.body});
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
      if (f.contains("fields") && f["fields"].is_object()) r.name = str(f["fields"], "name");
      r.problem = str(f, "problem");
      r.detail = failure_detail(f.value("fields", nlohmann::json::object()));
      by_time.emplace(r.time, r);
    }
  }
  auto syncs = list_runs(store, pair, "sync", since, until);
  if (!syncs) return tl::unexpected(syncs.error());
  for (const auto& s : *syncs) {
    bool applied = s.result.value("apply", false);
    sync_inputs.push_back({s.id, s.actor, s.finished_at.empty() ? s.started_at : s.finished_at, applied,
                           s.result.contains("actions") ? s.result["actions"] : nlohmann::json::array()});
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
      r.name = str(a, "name");
      r.problem = str(a, "op");
      r.detail = str(a, "reason");
      by_time.emplace(r.time, r);
    }
  }
  for (auto& [t, r] : by_time) rep.rows.push_back(std::move(r));
  std::stable_sort(sync_inputs.begin(), sync_inputs.end(),
                   [](const SyncInput& a, const SyncInput& b) { return a.time < b.time; });
  rep.life = lifecycles(eval_inputs, sync_inputs, failure_detail);
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
  auto findings = nlohmann::json::array();
  for (const auto& f : r.life.findings) {
    auto c = finding_cells(f);
    nlohmann::json o = nlohmann::json::object();
    for (size_t i = 0; i < c.size(); ++i) o[finding_columns()[i]] = c[i];
    o["evaluations"] = f.evaluations;
    findings.push_back(std::move(o));
  }
  j["findings"] = std::move(findings);
  auto series = nlohmann::json::array();
  for (const auto& p : r.life.series) series.push_back({{"time", p.time}, {"open", p.open}, {"applied", p.applied}});
  j["chart"] = std::move(series);
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

std::string to_csv(const DriftReport& r, std::string_view table) {
  // Provenance first as a comment-free header row is what RFC 4180 tools expect: the report id
  // and generation time are columns of every row instead.
  const bool events = table == "events";
  auto cols = events ? drift_columns() : finding_columns();
  cols.insert(cols.begin(), {"report_id", "generated_at", "pair"});
  std::string out = csv_line(cols);
  auto line = [&](std::vector<std::string> c) {
    c.insert(c.begin(), {r.report_id, r.generated_at, r.pair});
    out += csv_line(c);
  };
  if (events)
    for (const auto& row : r.rows) line(cells(row));
  else
    for (const auto& f : r.life.findings) line(finding_cells(f));
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

namespace {

// The chart: open findings after each evaluation (a line) and changes applied by each sync (bars),
// on one time axis, as inline SVG — no script, nothing fetched.
std::string chart_svg(const Lifecycles& life) {
  constexpr double kW = 720, kH = 220, kLeft = 44, kRight = 12, kTop = 14, kBottom = 34;
  std::vector<std::pair<int64_t, const ChartPoint*>> pts;
  for (const auto& p : life.series)
    if (auto t = parse_utc(p.time)) pts.push_back({*t, &p});
  std::string svg = "<svg id=\"chart-svg\" xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"220\" "
                    "viewBox=\"0 0 720 220\" role=\"img\" aria-labelledby=\"chart-title\">"
                    "<title id=\"chart-title\">Open findings and changes applied over time</title>";
  if (pts.empty()) return svg + "<text x=\"360\" y=\"110\" text-anchor=\"middle\">no evaluation or sync in this window</text></svg>";
  int64_t t0 = pts.front().first, t1 = pts.back().first;
  int top = 1;
  for (const auto& [t, p] : pts) top = std::max({top, p->open, p->applied});
  auto x = [&](int64_t t) {
    return t1 == t0 ? kLeft + (kW - kLeft - kRight) / 2
                    : kLeft + (kW - kLeft - kRight) * static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
  };
  auto y = [&](int v) { return kTop + (kH - kTop - kBottom) * (1.0 - static_cast<double>(v) / top); };
  auto num = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return std::string(b);
  };
  // Axes, with the largest value and the window's first and last times.
  svg += "<g stroke=\"#999\" stroke-width=\"1\"><line x1=\"" + num(kLeft) + "\" y1=\"" + num(kTop) + "\" x2=\"" +
         num(kLeft) + "\" y2=\"" + num(kH - kBottom) + "\"/><line x1=\"" + num(kLeft) + "\" y1=\"" + num(kH - kBottom) +
         "\" x2=\"" + num(kW - kRight) + "\" y2=\"" + num(kH - kBottom) + "\"/></g>";
  svg += "<g font-size=\"11\" fill=\"#555\"><text x=\"" + num(kLeft - 6) + "\" y=\"" + num(kTop + 4) +
         "\" text-anchor=\"end\">" + std::to_string(top) + "</text><text x=\"" + num(kLeft - 6) + "\" y=\"" +
         num(kH - kBottom) + "\" text-anchor=\"end\">0</text><text x=\"" + num(kLeft) + "\" y=\"" + num(kH - 16) +
         "\">" + html_escape(pts.front().second->time) + "</text><text x=\"" + num(kW - kRight) + "\" y=\"" +
         num(kH - 16) + "\" text-anchor=\"end\">" + html_escape(pts.back().second->time) + "</text></g>";
  svg += "<g class=\"applied\" fill=\"#11772d\">";
  for (const auto& [t, p] : pts)
    if (p->applied > 0)
      svg += "<rect x=\"" + num(x(t) - 3) + "\" y=\"" + num(y(p->applied)) + "\" width=\"6\" height=\"" +
             num(kH - kBottom - y(p->applied)) + "\"><title>" + html_escape(p->time) + ": " + std::to_string(p->applied) +
             " change(s) applied</title></rect>";
  svg += "</g><polyline class=\"open\" fill=\"none\" stroke=\"#b3261e\" stroke-width=\"2\" points=\"";
  for (const auto& [t, p] : pts) svg += num(x(t)) + "," + num(y(p->open)) + " ";
  svg += "\"/><g class=\"open-points\" fill=\"#b3261e\">";
  for (const auto& [t, p] : pts)
    if (p->applied == 0)
      svg += "<circle cx=\"" + num(x(t)) + "\" cy=\"" + num(y(p->open)) + "\" r=\"3\"><title>" + html_escape(p->time) +
             ": " + std::to_string(p->open) + " open finding(s)</title></circle>";
  svg += "</g><g font-size=\"11\"><rect x=\"" + num(kW - 250) + "\" y=\"2\" width=\"10\" height=\"3\" fill=\"#b3261e\"/>"
         "<text x=\"" + num(kW - 236) + "\" y=\"8\">open findings</text><rect x=\"" + num(kW - 140) +
         "\" y=\"0\" width=\"6\" height=\"9\" fill=\"#11772d\"/><text x=\"" + num(kW - 130) +
         "\" y=\"8\">changes applied</text></g></svg>";
  return svg;
}

}  // namespace

std::string to_html(const DriftReport& r) {
  auto e = html_escape;
  std::map<std::string, int> status_counts;
  std::map<std::string, std::string> last_by_gate;  // gate -> "status at time"
  for (const auto& row : r.rows)
    if (row.event == "gate_evaluation") last_by_gate[row.gate] = row.status + " at " + row.time;  // rows are in time order
  std::map<std::string, std::string> seen_eval;
  for (const auto& row : r.rows)
    if (row.event == "gate_evaluation") seen_eval[row.run_id] = row.status;
  for (const auto& [id, st] : seen_eval) status_counts[st]++;
  int sync_actions = 0;
  for (const auto& row : r.rows)
    if (row.event == "sync_apply" && row.status == "applied") ++sync_actions;
  int open = 0, resolved = 0;
  for (const auto& f : r.life.findings) (f.status == "open" ? open : resolved)++;

  std::string h;
  h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  h += "<title>Drift report — " + e(r.pair) + "</title>\n";
  h += "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:90em;margin:2em auto;padding:0 1em;color:#222}"
       "h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}"
       "table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{text-align:left;padding:.3em .6em;"
       "border-bottom:1px solid #eee;vertical-align:top}th{background:#f6f6f6}.meta{color:#666}"
       ".pass,.resolved,.applied{color:#11772d}.fail,.open,.failed{color:#b3261e}.unknown{color:#8a5a00}"
       ".cards{display:flex;flex-wrap:wrap;gap:1em}"
       ".card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em}.card b{font-size:1.4em;display:block}"
       "code{font-size:.95em}td.seen{white-space:nowrap;font-size:.9em}td.detail{font-size:.85em;min-width:16em}</style></head><body>\n";
  h += "<h1>Drift report: pair <code>" + e(r.pair) + "</code></h1>\n";
  h += "<p class=\"meta\">Report " + e(r.report_id) + ", generated " + e(r.generated_at) + "; window " +
       e(r.since.empty() ? "beginning" : r.since) + " to " + e(r.until.empty() ? "now" : r.until) +
       ". Format version " + std::to_string(r.version) + ".</p>\n";
  h += "<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cards\">";
  h += "<div class=\"card open\"><b>" + std::to_string(open) + "</b>findings open</div>";
  h += "<div class=\"card resolved\"><b>" + std::to_string(resolved) + "</b>findings resolved</div>";
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
  h += "</section>\n<section id=\"chart\"><h2>Open findings and changes applied</h2>\n" + chart_svg(r.life) +
       "\n</section>\n";
  h += "<section id=\"findings\"><h2>Findings</h2>\n";
  if (r.life.findings.empty()) {
    h += "<p>No gate evaluation in this window listed a finding.</p>\n";
  } else {
    h += "<table><tr><th>Status</th><th>Gate</th><th>Object</th><th>Problem</th><th>Seen</th><th>Resolved</th>"
         "<th>Detail</th></tr>\n";
    for (const auto& f : r.life.findings) {
      std::string resolved;
      if (f.status == "resolved")
        resolved = e(f.resolved_at) + "<br>" +
                   (f.resolved_by_run.empty() ? std::string("no sync changed it")
                                              : "by sync <code>" + e(f.resolved_by_run) + "</code> (" + e(f.resolved_by) + ")");
      h += "<tr class=\"finding\"><td class=\"" + e(f.status) + "\">" + e(f.status) + "</td><td><code>" + e(f.gate) +
           "</code></td><td>" + e(f.kind) + " <code>" + e(catalog::display_key(f.key, f.name)) + "</code></td><td>" +
           e(f.problem) + "</td><td class=\"seen\">" + e(f.first_seen) +
           (f.last_seen != f.first_seen ? "<br>to " + e(f.last_seen) : std::string()) + "<br>" +
           std::to_string(f.evaluations) + (f.evaluations == 1 ? " evaluation" : " evaluations") + "</td><td class=\"seen\">" +
           resolved + "</td><td class=\"detail\">" + e(f.detail) + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  h += "</section>\n<section id=\"changes\"><h2>Changes made by sync</h2>\n";
  bool any = false;
  for (const auto& row : r.rows) {
    if (row.event != "sync_apply" || row.kind.empty()) continue;
    if (!any)
      h += "<table><tr><th>Time</th><th>Run</th><th>Object</th><th>Action</th><th>Outcome</th><th>Detail</th></tr>\n";
    any = true;
    h += "<tr class=\"change\"><td>" + e(row.time) + "</td><td><code>" + e(row.run_id) + "</code></td><td>" + e(row.kind) +
         " <code>" + e(catalog::display_key(row.key, row.name)) + "</code></td><td>" + e(row.problem) +
         "</td><td class=\"" + e(row.status) + "\">" + e(row.status) + "</td><td>" + e(row.detail) + "</td></tr>\n";
  }
  h += any ? "</table>\n" : "<p>No sync applied a change in this window.</p>\n";
  h += "</section>\n<h2>Exceptions in force</h2>\n";
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
  h += "<p class=\"meta\">The same findings are available as JSON and CSV (add <code>format=json</code> or "
       "<code>format=csv</code> to this address); every evaluation and sync action as event rows in the JSON "
       "(<code>rows</code>) and with <code>format=csv&amp;table=events</code>.</p>\n</body></html>\n";
  return h;
}

}  // namespace understudy::report
