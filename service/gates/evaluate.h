// evaluate.h — evaluates a gate against the inputs of one pair: a pure function of values.
//
// The caller (gates/runner.h in the service, `understudy gate` on the command line) gathers the
// inputs the gate's checks need — the latest primary snapshot from the store, the live state of
// the target — and hands them over as values or as the error that prevented reading them.
// evaluate() then decides, per check:
//   - an input the check needs is an error (no snapshot, target unreachable) → unknown, reason;
//   - the primary snapshot is older than the allowed age → unknown, reason names age and bound;
//   - otherwise the check's own verdict.
// The gate is unknown when any check is unknown (it cannot tell), else fail when any failure is
// left after exceptions, else pass. Never throws.
// Thread-safety: pure; safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "catalog/object.h"
#include "gates/cutover.h"
#include "gates/gate.h"
#include "gates/verdict.h"

namespace understudy::gates {

struct PrimarySnapshot {
  std::string id;
  std::string instance;  // server name of the primary when the snapshot was taken
  int64_t taken_at = 0;  // unix seconds
  std::vector<catalog::ServerObject> objects;
};

struct TargetState {
  std::string instance;  // @@SERVERNAME of the target that answered
  std::vector<catalog::ServerObject> objects;
};

// One drift finding as gates see it (built from diff's findings by the caller: drift.h).
struct Drift {
  catalog::Kind kind = catalog::Kind::kLogin;
  std::string key;
  std::string problem;  // one of kDriftProblems
  nlohmann::json fields = nlohmann::json::object();
};

// Where the pair's Agent jobs are enabled (check_jobs_active.cc). Job names are folded
// (catalog::fold_name) in the live maps, as spelled in the snapshot's.
struct JobsState {
  std::string primary, secondary;  // configured instance names, in their live roles
  bool disabled_on_secondary = true;  // the pair's jobs_on_secondary
  int64_t snapshot_id = 0;            // the primary's last snapshot (diff/expectation.h)
  std::string snapshot_instance;
  std::map<std::string, bool> in_snapshot;            // job -> enabled there
  Result<std::map<std::string, bool>> on_primary = std::map<std::string, bool>();
  Result<std::map<std::string, bool>> on_secondary = std::map<std::string, bool>();
};

struct EvalInput {
  std::string pair;
  // The pair's roles as read live before the evaluation (service/roles). When they cannot be
  // established every check is unknown with this error's message; `direction` says how they
  // were established and what the gate compares (docs/gates.md "Roles").
  std::optional<Error> roles_error;
  std::string direction;
  int64_t now = 0;                         // unix seconds (clock seam)
  std::optional<int64_t> max_age_seconds;  // ?max_age= override; else the gate's own bound
  int64_t pair_max_age_seconds = 3600;     // the pair's bound, when the gate sets none
  bool primary_reachable = false;          // did the last attempt to reach the primary succeed
  std::string primary_instance;            // configured name of the primary (when no snapshot)
  // Present when the gate needs them; an Error explains why not.
  std::optional<Result<PrimarySnapshot>> primary;
  std::optional<Result<TargetState>> target;
  // Drift between primary snapshot and target, when both are present (the caller runs diff).
  std::vector<Drift> drift;
  // Request parameters of the checks (?state=, ?max_lag_seconds=, ?expect=; cutover.h), already
  // validated by validate_cutover_params. A parameter overrides the check's value in the file.
  std::map<std::string, std::string> params;
  // Cutover inputs (cutover.h), present when a check declared the matching kNeed… bit.
  std::optional<Result<HaState>> ha;
  std::optional<Result<Landing>> landing;
  std::optional<Result<DatabaseUsers>> users;
  // `tsql` checks (check_tsql.cc): what each batch did, by tsql_input_key(); absent = not run.
  std::map<std::string, Result<TsqlRun>> tsql;
  std::optional<Result<JobsState>> jobs;  // kNeedJobs
};

// What checks see: every input they declared is present and fresh.
struct EvalContext {
  const Gate& gate;
  const EvalInput& input;
  const PrimarySnapshot* primary = nullptr;
  const TargetState* target = nullptr;
};

// The union of the checks' needs (kNeed… bits).
unsigned gate_needs(const Gate& gate);

GateResult evaluate(const Gate& gate, const EvalInput& input);

}  // namespace understudy::gates
