// lifecycle.h — each drift finding's life, from the gate evaluations and syncs of a window.
//
// A finding is (gate, kind, key, problem). It opens at the first evaluation of its gate that lists
// it, stays open while evaluations list it, and is resolved by the first later evaluation of the
// same gate that answered pass or fail without it. An `unknown` evaluation resolves nothing: it
// could not tell. A finding listed again after that opens a new life. "Resolved by" names the last
// applied sync (CLI or service) between the finding's last sighting and its resolution that
// applied a change to the same object — or nobody, when none did (the object was changed outside
// Understudy, or a gate exception now waives it).
//
// The open-findings series counts, after each evaluation, the findings open across all gates;
// each applied sync adds a point with the number of changes it applied.
//
// Thread-safety: pure functions over plain values.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace understudy::report {

// What lifecycles are built from: the stored evaluation bodies (gates::to_json) and sync runs.
struct EvaluationInput {
  std::string id;                 // "eval-N"
  nlohmann::json body;
};
struct SyncInput {
  std::string run_id;
  std::string actor;              // "cli:<user>", a token's name, "scheduler"
  std::string time;               // finished (or started) at, RFC 3339 UTC
  bool applied = false;           // --apply, not a plan
  nlohmann::json actions;         // [{kind, key, outcome, …}]
};

struct FindingLife {
  std::string gate, kind, key, name, problem;
  std::string first_seen, last_seen;  // RFC 3339 UTC
  int evaluations = 0;                // evaluations that listed it
  std::string status;                 // "open" | "resolved"
  std::string resolved_at;            // the evaluation that no longer listed it
  std::string resolved_in;            // its id
  std::string resolved_by_run;        // the sync that changed the object before that; "" when none did
  std::string resolved_by;            // that sync's actor
  std::string detail;                 // as last seen: reason, changed fields
};

struct ChartPoint {
  std::string time;
  int open = 0;        // findings open after this point
  int applied = 0;     // changes applied by a sync at this point (0 for an evaluation)
};

struct Lifecycles {
  std::vector<FindingLife> findings;  // open ones first, then by first_seen, gate, kind, key, problem
  std::vector<ChartPoint> series;     // time order
};

// `evaluations` and `syncs` oldest first. `detail_of(fields)` renders a failure's fields.
Lifecycles lifecycles(const std::vector<EvaluationInput>& evaluations, const std::vector<SyncInput>& syncs,
                      std::string (*detail_of)(const nlohmann::json& fields));

}  // namespace understudy::report
