// verdict.h — the values a gate evaluation produces (design invariant 5: three-valued gates).
//
// A check and a gate end in pass, fail or unknown. Every error, timeout or stale input is
// unknown; only pass maps to HTTP 2xx / exit 0. Failures name the object (kind, key), what is
// wrong (problem) and the compared facts (fields: field names and booleans, never values of
// secrets). Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/object.h"

namespace understudy::gates {

enum class Verdict { kPass, kFail, kUnknown };
std::string_view verdict_name(Verdict v);  // "pass" | "fail" | "unknown"

// Problems a failure can report. The drift categories of diff (missing, extra, different,
// sid_mismatch, incompatible) plus the ones only a gate can see.
inline constexpr std::string_view kDriftProblems[] = {"missing", "extra", "different", "sid_mismatch",
                                                      "incompatible"};
inline constexpr std::string_view kProblemAbsentOnPrimary = "absent_on_primary";

struct Failure {
  catalog::Kind kind = catalog::Kind::kLogin;
  std::string key;
  std::string problem;
  nlohmann::json fields = nlohmann::json::object();
  // Set by checks whose failures are not about a server-level object ("database",
  // "database_user", "listener", "snapshot"); it then names the failure's kind instead of `kind`.
  std::string subject;
};
// The kind a failure is reported under: `subject` when set, else catalog::kind_name(kind).
std::string_view failure_kind(const Failure& f);
// Order of failures in every output: kind in dependency order, then folded key, then problem.
bool failure_less(const Failure& a, const Failure& b);
nlohmann::json to_json(const Failure& f);

// A failure that an unexpired exception of the gate waived.
struct Waived {
  Failure failure;
  std::string reason;
  std::string approved_by;
  std::string until;
};

struct CheckOutcome {
  std::string type;  // check type, e.g. "no_drift"
  Verdict verdict = Verdict::kUnknown;
  std::string reason;
  std::vector<Failure> failures;  // sorted
  // What the check looked at, for the reader of the body (cutover checks: every database with its
  // state, health and lag; the instance each listener reached; the snapshot's age). null = none.
  nlohmann::json details = nullptr;
};

// What GET /v1/gates/{gate} answers and `understudy gate` prints (docs/api.md, "gate body").
struct GateResult {
  std::string gate;
  std::string pair;
  Verdict verdict = Verdict::kUnknown;
  std::string reason;
  int64_t checked_at = 0;  // unix seconds, rendered RFC 3339 UTC
  std::optional<std::string> primary_snapshot_id;
  std::optional<int64_t> primary_snapshot_taken_at;
  std::optional<int64_t> primary_snapshot_age_seconds;
  int64_t max_age_seconds = 0;
  bool primary_reachable = false;
  std::string primary_instance;
  std::string target_instance;
  std::string direction;  // how the roles were established, and what is compared with what
  std::vector<CheckOutcome> checks;
  std::vector<Failure> failures;  // union of the checks' failures minus waived, sorted, unique
  std::vector<Waived> waived;
};
nlohmann::json to_json(const GateResult& r);

}  // namespace understudy::gates
