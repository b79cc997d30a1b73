#include "http/server.h"

#include <httplib.h>

#include <algorithm>
#include <functional>
#include <map>
#include <regex>

#include "base/time.h"
#include "catalog/label.h"
#include "diff/report.h"
#include "gates/check.h"
#include "gates/cutover.h"
#include "http/connections.h"
#include "http/problem.h"
#include "http/request_target.h"
#include "log/log.h"
#include "report/drift_report.h"

namespace understudy::http {
namespace {

using Params = std::map<std::string, std::string>;

struct Ctx {
  const httplib::Request& req;
  httplib::Response& res;
  Params path;      // path parameters
  Principal who;    // empty name for open routes
};



void send_json(httplib::Response& res, int status, const nlohmann::json& j) {
  res.status = status;
  res.set_content(j.dump(2) + "\n", "application/json");
}

void send_problem(httplib::Response& res, const Problem& p, const std::string& path) {
  res.status = p.status;
  res.set_content(to_json(p, path).dump(2) + "\n", "application/problem+json");
}

bool role_allows(Access a, config::Role r) {
  switch (a) {
    case Access::kOpen: return true;
    case Access::kRunbook: return true;
    case Access::kAuditor: return r == config::Role::kAuditor || r == config::Role::kOperator;
    case Access::kOperator: return r == config::Role::kOperator;
  }
  return false;
}

std::string roles_text(Access a) {
  switch (a) {
    case Access::kOpen: return "anyone";
    case Access::kRunbook: return "runbook, auditor or operator";
    case Access::kAuditor: return "auditor or operator";
    case Access::kOperator: return "operator";
  }
  return "";
}

// ?since= / ?until= : RFC 3339 UTC, normalised to whole seconds in the one format (base/time.h).
Result<std::string> time_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::string();
  auto v = req.get_param_value(name);
  auto t = parse_utc(v);
  if (!t) return fail(ErrorCode::kUsage, std::string(name) + " must be an RFC 3339 UTC time such as 2026-11-27T00:00:00Z");
  return format_utc(*t);
}

Result<int64_t> int_param(const httplib::Request& req, const char* name, int64_t min, int64_t max) {
  auto v = req.get_param_value(name);
  int64_t n = 0;
  if (v.empty() || v.size() > 12 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return fail(ErrorCode::kUsage, std::string(name) + " must be a whole number from " + std::to_string(min) + " to " +
                                       std::to_string(max));
  n = std::stoll(v);
  if (n < min || n > max)
    return fail(ErrorCode::kUsage, std::string(name) + " must be a whole number from " + std::to_string(min) + " to " +
                                       std::to_string(max));
  return n;
}

std::string drift_html(const nlohmann::json& rep) {
  auto e = report::html_escape;
  auto s = [](const nlohmann::json& j, const char* k) {
    return j.contains(k) && !j[k].is_null() ? (j[k].is_string() ? j[k].get<std::string>() : j[k].dump()) : std::string();
  };
  std::string h = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drift — " +
                  e(s(rep, "pair")) +
                  "</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:70em;margin:2em auto;"
                  "padding:0 1em}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3em .6em;"
                  "border-bottom:1px solid #eee}th{background:#f6f6f6}.meta{color:#666}</style></head><body>\n";
  h += "<h1>Drift of pair <code>" + e(s(rep, "pair")) + "</code></h1>\n<p class=\"meta\">";
  for (const char* k : {"run_id", "generated_at"}) h += e(std::string(k)) + ": " + e(s(rep, k)) + ". ";
  h += "</p>\n";
  const nlohmann::json* rows = nullptr;
  if (rep.contains("findings") && rep["findings"].is_array()) rows = &rep["findings"];
  if (!rows || rows->empty()) {
    h += "<p>No drift: the target holds what the primary's snapshot holds.</p>\n";
  } else {
    const std::vector<std::string> cols = {"kind", "key", "category", "severity", "reason"};
    h += "<table><tr>";
    for (const auto& c : cols) h += "<th>" + e(c) + "</th>";
    h += "</tr>\n";
    for (const auto& r : *rows) {
      h += "<tr>";
      for (const auto& c : cols)
        h += "<td>" + e(c == "key" ? catalog::display_key(s(r, "key"), s(r, "name")) : s(r, c.c_str())) + "</td>";
      h += "</tr>\n";
    }
    h += "</table>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace

struct Server::Impl {
  App& app;
  Authenticator auth;

  explicit Impl(App& a) : app(a), auth(a.config().service.tokens) {}

  void problem(Ctx& c, Problem p) { send_problem(c.res, p, c.req.path); }
  void error(Ctx& c, const Error& e, std::string param = {}) { problem(c, problem_from(e, std::move(param))); }

  // Resolves {pair}; false (after answering 404) when unknown.
  const config::Pair* pair_or_404(Ctx& c, const std::string& name, const std::string& param) {
    auto p = app.pair(name);
    if (!p) {
      error(c, p.error(), param);
      return nullptr;
    }
    return *p;
  }

  std::optional<nlohmann::json> body_or_400(Ctx& c) {
    if (c.req.body.empty()) return nlohmann::json::object();
    try {
      auto j = nlohmann::json::parse(c.req.body);
      if (!j.is_object()) {
        problem(c, http::problem(400, "bad-input", "request body must be a JSON object", "body"));
        return std::nullopt;
      }
      return j;
    } catch (const nlohmann::json::parse_error& e) {
      problem(c, http::problem(400, "bad-input", "request body is not valid JSON (byte " + std::to_string(e.byte) + ")",
                               "body"));
      return std::nullopt;
    }
  }

  void dispatch(const httplib::Request& req, httplib::Response& res);  // after the route table

  // ---- handlers ----
  void livez(Ctx& c) { send_json(c.res, 200, {{"status", "alive"}}); }

  void metrics(Ctx& c) {
    c.res.status = 200;
    app.refresh_pair_metrics();
    c.res.set_content(app.metrics().render(), "text/plain; version=0.0.4; charset=utf-8");
  }

  void readyz(Ctx& c) {
    bool store = app.store_ok();
    nlohmann::json j = {{"config", true}, {"store", store}, {"listener", true},
                        {"gates", app.gates().current()->size()}};
    auto reload_error = app.gates().last_error();
    j["gates_reload_error"] = reload_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(reload_error);
    j["status"] = store ? "ready" : "not ready";
    send_json(c.res, store ? 200 : 503, j);
  }

  void list_gates(Ctx& c) {
    auto arr = nlohmann::json::array();
    for (const auto& [name, g] : *app.gates().current()) {
      auto checks = nlohmann::json::array();
      for (const auto& ch : g->checks) checks.push_back(ch->to_json());
      auto ex = nlohmann::json::array();
      for (const auto& e : g->exceptions)
        ex.push_back({{"kind", catalog::kind_name(e.object.kind)}, {"key", e.object.key}, {"reason", e.reason},
                      {"approved_by", e.approved_by}, {"until", e.until}, {"in_force", e.until_unix > app.now()}});
      arr.push_back({{"name", name}, {"description", g->description}, {"pairs", g->pairs},
                     {"max_snapshot_age_seconds", g->max_snapshot_age_seconds ? nlohmann::json(*g->max_snapshot_age_seconds)
                                                                              : nlohmann::json(nullptr)},
                     {"checks", checks}, {"exceptions", ex}});
    }
    send_json(c.res, 200, {{"gates", arr}});
  }

  void gate(Ctx& c) {
    if (!c.req.has_param("pair")) {
      problem(c, http::problem(400, "usage", "query parameter 'pair' is required", "pair"));
      return;
    }
    auto pair_name = c.req.get_param_value("pair");
    if (!valid_name(pair_name)) {
      problem(c, http::problem(400, "usage", "pair is not a valid name", "pair"));
      return;
    }
    std::optional<int64_t> max_age;
    if (c.req.has_param("max_age")) {
      auto n = int_param(c.req, "max_age", 1, 366LL * 24 * 3600);
      if (!n) return error(c, n.error(), "max_age");
      max_age = *n;
    }
    // Parameters of the cutover checks (gates/cutover.h), each validated on its own so the
    // problem names it.
    std::map<std::string, std::string> params;
    for (const char* name : {"state", "max_lag_seconds", "expect"}) {
      if (!c.req.has_param(name)) continue;
      std::map<std::string, std::string> one{{name, c.req.get_param_value(name)}};
      if (auto st = gates::validate_cutover_params(one); !st) return error(c, st.error(), name);
      params.insert(one.begin(), one.end());
    }
    auto g = app.gate(c.path["gate"], "");
    if (!g) return error(c, g.error(), "gate");
    auto pair = pair_or_404(c, pair_name, "pair");
    if (!pair) return;
    auto applies = app.gate(c.path["gate"], pair_name);
    if (!applies) return error(c, applies.error(), "pair");
    auto r = app.evaluate(**g, *pair, max_age, params);
    send_json(c.res, r.verdict == gates::Verdict::kPass ? 200 : 503, gates::to_json(r));
  }

  void reload(Ctx& c) {
    auto st = app.reload_gates(c.who.name);
    if (!st) {
      log::Logger().error("gate reload failed; the last good set stays in force", {{"error", st.error().message}});
      return error(c, st.error(), "gates");
    }
    send_json(c.res, 200, {{"status", "reloaded"}, {"gates", app.gates().current()->size()}});
  }

  void pairs(Ctx& c) {
    auto arr = nlohmann::json::array();
    for (const auto& [name, p] : app.config().pairs) {
      auto kinds = p.kinds.empty() ? nlohmann::json("all") : nlohmann::json(p.kinds);
      arr.push_back({{"name", name}, {"primary", p.primary}, {"secondary", p.secondary}, {"kinds", kinds},
                     {"max_snapshot_age_seconds", p.max_snapshot_age.count()},
                     {"primary_reachable", app.primary_reachable(p.primary)}});
    }
    send_json(c.res, 200, {{"pairs", arr}});
  }

  static nlohmann::json snapshot_json(const store::SnapshotInfo& s) {
    return {{"id", s.id},           {"instance", s.instance},         {"taken_at", s.taken_at},
            {"run_id", s.run_id},   {"server_name", s.server_name},   {"object_count", s.object_count},
            {"counts", s.counts}};
  }

  void list_snapshots(Ctx& c) {
    auto pair = pair_or_404(c, c.path["pair"], "pair");
    if (!pair) return;
    auto list = app.snapshots(*pair);
    if (!list) return error(c, list.error());
    auto arr = nlohmann::json::array();
    for (const auto& s : *list) arr.push_back(snapshot_json(s));
    send_json(c.res, 200, {{"pair", pair->name}, {"instance", pair->primary}, {"snapshots", arr}});
  }

  void take_snapshot(Ctx& c) {
    auto pair = pair_or_404(c, c.path["pair"], "pair");
    if (!pair) return;
    auto body = body_or_400(c);
    if (!body) return;
    if (!body->empty()) {
      problem(c, http::problem(400, "usage", "unknown member '" + body->begin().key() + "'", "/" + body->begin().key()));
      return;
    }
    auto run = app.snapshot(*pair, c.who.name);
    if (!run) return error(c, run.error());
    c.res.set_header("Location", "/v1/runs/" + run->id);
    send_json(c.res, 201, report::to_json(*run));
  }

  std::optional<std::string> format_or_400(Ctx& c, std::initializer_list<const char*> allowed) {
    std::string f = c.req.has_param("format") ? c.req.get_param_value("format") : "json";
    for (auto a : allowed)
      if (f == a) return f;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    problem(c, http::problem(400, "usage", "format must be one of " + list, "format"));
    return std::nullopt;
  }

  void drift(Ctx& c) {
    auto pair = pair_or_404(c, c.path["pair"], "pair");
    if (!pair) return;
    auto format = format_or_400(c, {"json", "csv", "html"});
    if (!format) return;
    auto d = app.drift(*pair);
    if (!d) return error(c, d.error());
    auto j = drift::report_json(*d);
    if (*format == "csv") {
      c.res.status = 200;
      c.res.set_content(drift::report_csv(*d), "text/csv; charset=utf-8; header=present");
    } else if (*format == "html") {
      c.res.status = 200;
      c.res.set_content(drift_html(j), "text/html; charset=utf-8");
    } else {
      send_json(c.res, 200, j);
    }
  }

  void sync(Ctx& c) {
    auto pair = pair_or_404(c, c.path["pair"], "pair");
    if (!pair) return;
    auto body = body_or_400(c);
    if (!body) return;
    App::SyncAsk ask;
    const std::pair<const char*, bool*> members[] = {
        {"apply", &ask.apply}, {"carry_stranded", &ask.carry_stranded}, {"configured_direction", &ask.configured_direction}};
    for (const auto& item : body->items()) {
      // Not a structured binding: clang 14 (the fuzz lane's compiler) cannot capture one in a lambda.
      const std::string k = item.key();
      const auto& v = item.value();
      auto m = std::find_if(std::begin(members), std::end(members), [&](const auto& x) { return k == x.first; });
      if (m == std::end(members)) {
        problem(c, http::problem(400, "usage", "unknown member '" + k + "'", "/" + k,
                                 "the body is {\"apply\", \"carry_stranded\", \"configured_direction\": true|false}"));
        return;
      }
      if (!v.is_boolean()) {
        problem(c, http::problem(400, "usage", k + " must be true or false", "/" + k));
        return;
      }
      *m->second = v.get<bool>();
    }
    auto run = app.sync(*pair, ask, c.who.name);
    if (!run) return error(c, run.error());
    c.res.set_header("Location", "/v1/runs/" + run->id);
    send_json(c.res, 200, report::to_json(*run));
  }

  void activate(Ctx& c) {
    auto pair = pair_or_404(c, c.path["pair"], "pair");
    if (!pair) return;
    auto body = body_or_400(c);
    if (!body) return;
    if (!body->empty()) {
      problem(c, http::problem(400, "usage", "unknown member '" + body->begin().key() + "'", "/" + body->begin().key(),
                               "activate takes no body"));
      return;
    }
    auto rep = app.activate(*pair, c.who.name);
    if (!rep) return error(c, rep.error());
    // 200 when every change was made; 503 (with the same report) when one failed or the
    // secondary could not be read — the roles are not yet true for its jobs.
    send_json(c.res, rep->exit_code() == 0 ? 200 : 503, rep->to_json());
  }

  void run(Ctx& c) {
    auto r = app.run(c.path["id"]);
    if (!r) return error(c, r.error());
    if (!*r) {
      problem(c, http::problem(404, "not-found", "run '" + c.path["id"] + "' does not exist", "id"));
      return;
    }
    send_json(c.res, 200, report::to_json(**r));
  }

  void report(Ctx& c) {
    if (!c.req.has_param("pair")) {
      problem(c, http::problem(400, "usage", "query parameter 'pair' is required", "pair"));
      return;
    }
    auto pair_name = c.req.get_param_value("pair");
    if (!valid_name(pair_name)) {
      problem(c, http::problem(400, "usage", "pair is not a valid name", "pair"));
      return;
    }
    if (!pair_or_404(c, pair_name, "pair")) return;
    auto since = time_param(c.req, "since");
    if (!since) return error(c, since.error(), "since");
    auto until = time_param(c.req, "until");
    if (!until) return error(c, until.error(), "until");
    auto format = format_or_400(c, {"json", "csv", "html"});
    if (!format) return;
    std::string table = c.req.has_param("table") ? c.req.get_param_value("table") : "findings";
    if (std::find(std::begin(report::kCsvTables), std::end(report::kCsvTables), table) == std::end(report::kCsvTables) ||
        (c.req.has_param("table") && *format != "csv")) {
      problem(c, http::problem(400, "usage", "table must be findings or events, and only with format=csv", "table"));
      return;
    }
    auto rep = app.drift_report(pair_name, *since, *until);
    if (!rep) return error(c, rep.error());
    c.res.status = 200;
    if (*format == "csv")
      c.res.set_content(report::to_csv(*rep, table), "text/csv; charset=utf-8; header=present");
    else if (*format == "html")
      c.res.set_content(report::to_html(*rep), "text/html; charset=utf-8");
    else
      send_json(c.res, 200, report::to_json(*rep));
  }

  void audit(Ctx& c) {
    int64_t after = 0, limit = 1000;
    if (c.req.has_param("after")) {
      auto n = int_param(c.req, "after", 0, 1LL << 40);
      if (!n) return error(c, n.error(), "after");
      after = *n;
    }
    if (c.req.has_param("limit")) {
      auto n = int_param(c.req, "limit", 1, 1000);
      if (!n) return error(c, n.error(), "limit");
      limit = *n;
    }
    auto entries = app.audit(after, limit);
    if (!entries) return error(c, entries.error());
    auto arr = nlohmann::json::array();
    for (const auto& e : *entries) arr.push_back(report::to_json(e));
    send_json(c.res, 200, {{"entries", arr}, {"next_after", entries->empty() ? after : entries->back().seq}});
  }
};

namespace {

// The route table: one row per route. docs/api.md documents the same rows (a test compares).
struct Route {
  RouteInfo info;
  std::vector<std::string_view> query;  // allowed query parameters
  void (Server::Impl::*fn)(Ctx&);
};

using I = Server::Impl;
const std::vector<Route> kRoutes = {
    {{"GET", "/livez", Access::kOpen, "liveness: the process answers (no database work)"}, {}, &I::livez},
    {{"GET", "/readyz", Access::kOpen, "readiness: configuration loaded, store open, listener bound"}, {}, &I::readyz},
    {{"GET", "/metrics", Access::kOpen, "Prometheus metrics (text exposition format)"}, {}, &I::metrics},
    {{"GET", "/v1/gates", Access::kRunbook, "the gates in force, with their checks and exceptions"}, {}, &I::list_gates},
    {{"GET", "/v1/gates/{gate}", Access::kRunbook, "evaluate a gate for a pair: 200 pass, 503 fail or unknown"},
     {"pair", "max_age", "state", "max_lag_seconds", "expect"}, &I::gate},
    {{"POST", "/v1/gates/reload", Access::kOperator, "re-read the gate files; keeps the last good set on error"}, {},
     &I::reload},
    {{"GET", "/v1/pairs", Access::kRunbook, "the configured pairs"}, {}, &I::pairs},
    {{"GET", "/v1/pairs/{pair}/snapshots", Access::kAuditor, "snapshots of the pair's two instances (history is per instance), newest first"}, {},
     &I::list_snapshots},
    {{"POST", "/v1/pairs/{pair}/snapshots", Access::kOperator, "take a snapshot of the pair's live primary now"}, {},
     &I::take_snapshot},
    {{"GET", "/v1/pairs/{pair}/drift", Access::kAuditor,
      "drift between the primary's latest snapshot and the live target (json, csv, html)"},
     {"format"}, &I::drift},
    {{"POST", "/v1/pairs/{pair}/sync", Access::kOperator, "plan a sync, or apply it with {\"apply\": true}"}, {},
     &I::sync},
    {{"POST", "/v1/pairs/{pair}/activate", Access::kOperator,
      "after a failover: jobs enabled on the live primary, disabled on the live secondary"}, {}, &I::activate},
    {{"GET", "/v1/runs/{id}", Access::kAuditor, "one run (snapshot or sync) and its result"}, {}, &I::run},
    {{"GET", "/v1/reports/drift", Access::kAuditor, "drift history of a pair: each finding's lifecycle, every evaluation and sync (json, csv, html)"},
     {"pair", "since", "until", "format", "table"}, &I::report},
    {{"GET", "/v1/audit", Access::kAuditor, "the hash-chained audit trail of every change Understudy made"},
     {"after", "limit"}, &I::audit},
};

}  // namespace

std::span<const RouteInfo> routes() {
  static const std::vector<RouteInfo> infos = [] {
    std::vector<RouteInfo> v;
    for (const auto& r : kRoutes) v.push_back(r.info);
    return v;
  }();
  return infos;
}

void Server::Impl::dispatch(const httplib::Request& req, httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  std::string method = req.method == "HEAD" ? "GET" : req.method;
  auto segs = path_segments(req.target);
  Ctx c{req, res, {}, {}};
  std::vector<std::string> allowed;
  const struct Route* found = nullptr;
  for (const auto& r : kRoutes) {
    Params p;
    if (!match_route(r.info.pattern, segs, &p)) continue;
    if (r.info.method == method) {
      found = &r;
      c.path = std::move(p);
      break;
    }
    allowed.emplace_back(r.info.method);
    if (r.info.method == "GET") allowed.emplace_back("HEAD");
  }
  if (!found) {
    if (!allowed.empty()) {
      std::string allow;
      for (const auto& a : allowed) allow += (allow.empty() ? "" : ", ") + a;
      res.set_header("Allow", allow);
      problem(c, http::problem(405, "usage", "method " + req.method + " is not allowed on " + req.path, "method",
                               "allowed: " + allow));
    } else {
      problem(c, http::problem(404, "not-found", "no such route", "path", "see docs/api.md"));
    }
    return;
  }
  if (found->info.access != Access::kOpen) {
    auto outcome = auth.authenticate(req.get_header_value("Authorization"), &c.who);
    if (outcome != AuthOutcome::kOk) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"understudy\"");
      problem(c, http::problem(401, "unauthorized",
                               outcome == AuthOutcome::kNoToken ? "a bearer token is required"
                                                                : "the bearer token is not valid",
                               "Authorization",
                               auth.has_tokens() ? "send Authorization: Bearer <token>"
                                                 : "no tokens are configured: add [[service.tokens]] to the config"));
      return;
    }
    if (!role_allows(found->info.access, c.who.role)) {
      problem(c, http::problem(403, "permission",
                               "token '" + c.who.name + "' has role " + std::string(config::role_name(c.who.role)) +
                                   "; this route needs " + roles_text(found->info.access),
                               "Authorization"));
      return;
    }
  }
  for (const auto& k : query_keys(req.target)) {
    if (std::find(found->query.begin(), found->query.end(), k) == found->query.end()) {
      problem(c, http::problem(400, "usage", "unknown query parameter '" + k + "'", k));
      return;
    }
    if (req.get_param_value_count(k) > 1) {
      problem(c, http::problem(400, "usage", "query parameter '" + k + "' is given more than once", k));
      return;
    }
  }
  for (const auto& [k, v] : c.path) {
    if (!valid_name(v)) {
      problem(c, http::problem(400, "usage", k + " is not a valid name", k,
                               "names are letters, digits, '_', '.' and '-', starting with a letter or digit"));
      return;
    }
  }
  if (found->info.method == "GET" && !req.body.empty()) {
    problem(c, http::problem(400, "usage", "a GET request takes no body", "body"));
    return;
  }
  (this->*found->fn)(c);
}


Server::Server(App& app, Limits limits) : app_(app), governor_(std::make_unique<Governor>(limits)) {}
Server::~Server() { stop(); }

Status Server::bind(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    return fail(ErrorCode::kConfig, "service.listen '" + listen + "' is not host:port");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    return fail(ErrorCode::kConfig, "service.listen '" + listen + "' has no valid port");
  }
  const auto& svc = app_.config().service;
  if (!svc.tls_cert.empty() || !svc.tls_key.empty()) {
    if (svc.tls_cert.empty() || svc.tls_key.empty())
      return fail(ErrorCode::kConfig, "service.tls_cert and service.tls_key must be set together");
    auto ssl = std::make_unique<httplib::SSLServer>(svc.tls_cert.c_str(), svc.tls_key.c_str());
    if (!ssl->is_valid())
      return fail(ErrorCode::kConfig, "cannot load the TLS certificate or key (" + svc.tls_cert + ", " + svc.tls_key + ")");
    server_ = std::move(ssl);
  } else {
    server_ = std::make_unique<GovernedServer>(*governor_);
  }
  auto impl = std::make_shared<Impl>(app_);
  auto handler = [impl, this](const httplib::Request& req, httplib::Response& res) {
    governor_->handling(current_connection(), true);
    // /v1 handlers may wait on live reads; they never take the workers kept for the probes.
    bool v1 = req.path.rfind("/v1/", 0) == 0;
    if (v1 && !governor_->enter_v1()) {
      res.set_header("Cache-Control", "no-store");
      res.set_header("Retry-After", "1");
      send_problem(res,
                   problem(503, "temporary", "too many requests are running; retry shortly", "",
                           "workers are kept free for /livez, /readyz and /metrics"),
                   req.path);
    } else {
      struct Leave {
        Governor* g;
        bool on;
        ~Leave() {
          if (on) g->leave_v1();
        }
      } leave{governor_.get(), v1};
      impl->dispatch(req, res);
    }
    app_.metrics().inc("understudy_http_requests_total", {{"result", std::to_string(res.status)}});
  };
  // Bodies, before httplib reads one (docs/api.md): a POST without Content-Length or chunked
  // encoding has an empty body — httplib would otherwise read until the client closes and answer
  // a bare 400 after its read timeout; a GET (or HEAD, OPTIONS) that carries a body is refused —
  // httplib never reads one, and its bytes would be taken for the next request.
  server_->set_pre_routing_handler([handler, this](const httplib::Request& req, httplib::Response& res) {
    bool chunked = req.has_header("Transfer-Encoding");
    bool length = req.has_header("Content-Length");
    if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE") {
      if (length || chunked) return httplib::Server::HandlerResponse::Unhandled;
      handler(req, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    auto n = req.get_header_value("Content-Length");
    if (!chunked && (!length || n.find_first_not_of('0') == std::string::npos))
      return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("Cache-Control", "no-store");
    res.set_header("Connection", "close");
    close_after_response();  // the unread body must not be parsed as a request
    send_problem(res, problem(400, "usage", "a " + req.method + " request takes no body", "body"), req.path);
    app_.metrics().inc("understudy_http_requests_total", {{"result", "400"}});
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  server_->Put(".*", handler);
  server_->Delete(".*", handler);
  server_->Patch(".*", handler);
  server_->Options(".*", handler);
  server_->set_payload_max_length(kMaxBodyBytes);
  // One worker per poller: runbooks and monitors keep connections open, and a waiting gate
  // request (sharing an evaluation in flight) must not hold up the others. Keep-alive stays on
  // for many requests so pollers do not reconnect every few answers. The pool frees a worker
  // held by an idle or slow connection when a new one waits (connections.h).
  const auto& lim = governor_->limits();
  server_->new_task_queue = [this] { return new GovernedPool(*governor_, governor_->limits().workers); };
  server_->set_keep_alive_max_count(lim.keep_alive_requests);
  server_->set_keep_alive_timeout(lim.idle_seconds);
  server_->set_read_timeout(lim.request_seconds);
  server_->set_write_timeout(lim.write_seconds);
  server_->set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // our own problem or gate body
    Problem p;
    if (res.status == 413)
      p = problem(413, "usage", "request body larger than " + std::to_string(kMaxBodyBytes) + " bytes", "body");
    else
      p = problem(res.status, "usage", "request could not be handled", "");
    res.set_header("Cache-Control", "no-store");
    send_problem(res, p, req.path);
    app_.metrics().inc("understudy_http_requests_total", {{"result", std::to_string(res.status)}});
  });
  server_->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
    send_problem(res, problem(500, "internal", "internal error", ""), req.path);
  });
  server_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    // Path only: query strings are logged without values they might carry; never headers.
    log::Logger().info("http request", {{"method", req.method}, {"path", req.path}, {"status", res.status}});
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0) {
    port_ = 0;
    return fail(ErrorCode::kUnavailable, "cannot listen on " + listen, "is the port in use?");
  }
  return {};
}

void Server::serve() {
  if (server_) server_->listen_after_bind();
}

void Server::stop() {
  if (server_) server_->stop();
}

}  // namespace understudy::http
