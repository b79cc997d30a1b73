#include "gates/verdict.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iterator>

#include "catalog/canonical.h"
#include "base/time.h"

namespace understudy::gates {

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "pass";
    case Verdict::kFail: return "fail";
    case Verdict::kUnknown: return "unknown";
  }
  return "unknown";
}

namespace {
int kind_rank(catalog::Kind k) { return static_cast<int>(catalog::kind_order(k)); }
}  // namespace

std::string_view failure_kind(const Failure& f) {
  return f.subject.empty() ? catalog::kind_name(f.kind) : std::string_view(f.subject);
}

bool failure_less(const Failure& a, const Failure& b) {
  // Object failures first (kind in dependency order), then the other subjects by name.
  if (a.subject.empty() != b.subject.empty()) return a.subject.empty();
  if (a.subject != b.subject) return a.subject < b.subject;
  if (a.kind != b.kind) return kind_rank(a.kind) < kind_rank(b.kind);
  auto ka = catalog::fold_name(a.key), kb = catalog::fold_name(b.key);
  if (ka != kb) return ka < kb;
  if (a.key != b.key) return a.key < b.key;
  return a.problem < b.problem;
}

nlohmann::json to_json(const Failure& f) {
  return {{"kind", failure_kind(f)}, {"key", f.key}, {"problem", f.problem}, {"fields", f.fields}};
}

nlohmann::json to_json(const GateResult& r) {
  nlohmann::json j;
  j["gate"] = r.gate;
  j["pair"] = r.pair;
  j["status"] = verdict_name(r.verdict);
  j["reason"] = r.reason;
  j["checked_at"] = format_utc(r.checked_at);
  nlohmann::json snap = nullptr;
  if (r.primary_snapshot_id) {
    snap = {{"id", *r.primary_snapshot_id},
            {"taken_at", r.primary_snapshot_taken_at ? nlohmann::json(format_utc(*r.primary_snapshot_taken_at))
                                                     : nlohmann::json(nullptr)},
            {"age_seconds", r.primary_snapshot_age_seconds ? nlohmann::json(*r.primary_snapshot_age_seconds)
                                                           : nlohmann::json(nullptr)}};
  }
  j["primary_snapshot"] = snap;
  j["max_age_seconds"] = r.max_age_seconds;
  j["primary_reachable"] = r.primary_reachable;
  j["primary_instance"] = r.primary_instance;
  j["direction"] = r.direction;
  j["target_instance"] = r.target_instance;
  auto checks = nlohmann::json::array();
  for (const auto& c : r.checks) {
    nlohmann::json cj = {{"type", c.type}, {"status", verdict_name(c.verdict)}, {"reason", c.reason},
                         {"failures", c.failures.size()}};
    if (!c.details.is_null()) cj["details"] = c.details;
    checks.push_back(std::move(cj));
  }
  j["checks"] = checks;
  auto failures = nlohmann::json::array();
  for (const auto& f : r.failures) failures.push_back(to_json(f));
  j["failures"] = failures;
  auto waived = nlohmann::json::array();
  for (const auto& w : r.waived) {
    auto e = to_json(w.failure);
    e["exception"] = {{"reason", w.reason}, {"approved_by", w.approved_by}, {"until", w.until}};
    waived.push_back(e);
  }
  j["waived"] = waived;
  return j;
}

}  // namespace understudy::gates
