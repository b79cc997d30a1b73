// check.h — check types: the extension point of gates.
//
// A gate file lists checks as {"type": "...", ...}. Each type is one row of the registry
// (check_types()): its name, a parser that validates the JSON and names the JSON pointer of the
// first error, and a Check that evaluates against an EvalContext. Built in: `no_drift`,
// `required_objects`. The cutover types (replication, landing, orphaned_users, freshness) are added
// as new rows plus the inputs they declare in needs(); nothing else changes.
//
// Contract of Check::run: it is called only when every input it declared in needs() is present
// and fresh (evaluate.h turns missing or stale inputs into unknown before calling); it never
// throws; it returns pass, fail with failures, or unknown with a reason.
// Thread-safety: Checks are immutable after parsing; run() is const and may be called from
// many threads at once.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "gates/verdict.h"

namespace understudy::gates {

struct EvalContext;  // evaluate.h

// Inputs a check needs; the evaluator gathers only what the gate's checks ask for.
enum Need : unsigned {
  kNeedPrimarySnapshot = 1u << 0,  // latest complete snapshot of the pair's primary, within max age
  kNeedTarget = 1u << 1,           // live read of the target's server-level objects
  // Cutover checks (cutover.h). Each check turns a missing or failed input into unknown itself.
  kNeedPrimaryAnyAge = 1u << 2,    // the latest primary snapshot whatever its age (freshness judges it)
  kNeedPrimaryProbe = 1u << 3,     // a live probe of the primary: sets EvalInput::primary_reachable
  kNeedReplication = 1u << 4,      // EvalInput::ha — HA state of the target
  kNeedLanding = 1u << 5,          // EvalInput::landing — who answers behind the listeners
  kNeedDatabaseUsers = 1u << 6,    // EvalInput::users — orphaned database users on the target
  kNeedTsql = 1u << 7,             // EvalInput::tsql — the batches of `tsql` checks (gather_tsql)
  kNeedJobs = 1u << 8,             // EvalInput::jobs — where Agent jobs are enabled
};

class Check {
 public:
  virtual ~Check() = default;
  virtual std::string_view type() const = 0;
  virtual unsigned needs() const = 0;
  virtual CheckOutcome run(const EvalContext& ctx) const = 0;
  // The check as the gate file spells it (normalised), for GET /v1/gates and reports.
  virtual nlohmann::json to_json() const = 0;
};

// Parses one check object found at JSON `pointer` (e.g. "/checks/0"). Errors are kDataErr with
// the message "<pointer>: <what>"; the loader prefixes the file name.
using CheckParser = Result<std::shared_ptr<const Check>> (*)(const nlohmann::json& value,
                                                              const std::string& pointer);

struct CheckType {
  std::string_view name;
  std::string_view summary;  // one line for docs/gates.md
  CheckParser parse;
};

std::span<const CheckType> check_types();
[[nodiscard]] Result<std::shared_ptr<const Check>> parse_check(const nlohmann::json& value,
                                                               const std::string& pointer);

}  // namespace understudy::gates
