#include "gates/verdict.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iterator>

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
int kind_rank(catalog::Kind k) {
  auto it = std::find(std::begin(catalog::kAllKinds), std::end(catalog::kAllKinds), k);
  return static_cast<int>(it - std::begin(catalog::kAllKinds));
}
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

std::string format_rfc3339(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<int64_t> parse_rfc3339_utc(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (s.size() < 20 || s.back() != 'Z') return std::nullopt;
  auto digits = [&](size_t pos, size_t n, int& out) {
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, se;
  if (!digits(0, 4, y) || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d) ||
      (s[10] != 'T' && s[10] != 't') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' ||
      !digits(17, 2, se))
    return std::nullopt;
  if (s.size() > 20) {
    if (s[19] != '.' || s.size() < 22) return std::nullopt;
    for (size_t i = 20; i + 1 < s.size(); ++i)
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 ||
      se > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  return static_cast<int64_t>(timegm(&tm));
}

nlohmann::json to_json(const GateResult& r) {
  nlohmann::json j;
  j["gate"] = r.gate;
  j["pair"] = r.pair;
  j["status"] = verdict_name(r.verdict);
  j["reason"] = r.reason;
  j["checked_at"] = format_rfc3339(r.checked_at);
  nlohmann::json snap = nullptr;
  if (r.primary_snapshot_id) {
    snap = {{"id", *r.primary_snapshot_id},
            {"taken_at", r.primary_snapshot_taken_at ? nlohmann::json(format_rfc3339(*r.primary_snapshot_taken_at))
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
