// sync.h — `understudy sync`: plan (and with apply, execute) the replay of a pair, then prove it.
//
//   0. the roles: both instances are asked who is primary now (service/roles); the run goes from
//      the live primary to the live secondary (the reverse of the configuration after a
//      failover, and the plan says so); kRolesUnknown (exit 5) when that cannot be told
//   1. the source: a stored snapshot of the pair's live primary (the latest, or `snapshot`), or a
//      live read of it when asked or when the store has none; password hashes included
//   2. the target: read live (the diff needs the truth, not a snapshot)
//   3. diff → plan (secrets as placeholders; "blocked: secret unknown" when the config names no
//      source for one); the plan and every action's outcome go to the journal
//   0. after a role change (SyncRequest::activation): the jobs' activation (activate.h) — enabled
//      on the live primary, disabled on the live secondary — planned, or applied first
//   4. apply: the per-pair lock, execute (executor.h), then re-read the target and diff again:
//      `converged` when the run finished and the re-read shows no finding but those the user chose
//      to keep — extras without --prune, objects left out by the pair's or the run's selection, and
//      incompatible objects an unexpired gate exception of the pair accepts (`accepted`). An
//      incompatible, blocked or failed object is not converged (when no batch reached the target,
//      step 2's read is the proof and is not repeated)
// Secrets are resolved from the config's sources only when an action is executed.
// Exit codes (SyncReport::exit_code): plan only — 0 nothing to do, 1 drift to replay; apply —
// 0 converged, 4 (kPartial) not converged, 69 target lost mid-run. Text, JSON, journal row, audit
// detail and exit code all derive from the one `converged` verdict.
// Thread-safety: one call at a time per Store. Ownership: borrows config and store.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/progress.h"
#include "base/result.h"
#include "config/config.h"
#include "replay/activate.h"
#include "replay/executor.h"
#include "replay/plan.h"
#include "store/store.h"

namespace understudy::replay {

// An incompatible object the pair's gates accept: an unexpired exception of a gate that applies
// to the pair (docs/gates.md). Such an object, left missing, does not keep the sync from converging.
struct AcceptedException {
  catalog::Kind kind = catalog::Kind::kLogin;
  std::string key;   // matched with catalog::fold_name
  std::string note;  // "gate G, approved by X until T" — shown next to the object
};

struct SyncRequest {
  std::string pair;
  PlanOptions options;
  bool apply = false;
  bool stop_on_error = false;
  std::string who;                  // journal: who ran it; "" = the OS user
  std::optional<int64_t> snapshot;  // source snapshot id; nullopt = latest of the primary
  bool live_source = false;         // read the primary live instead of a snapshot
  // Carry the objects stranded on the live secondary (stranded.h) to the live primary: the one
  // sync that writes to the primary, on purpose; creates and alters only.
  bool carry_stranded = false;
  // The pair shows no HA group any more although its last applied sync followed one (a one-way
  // MI link cutover, a removed failover group): run the configured direction anyway, once, on
  // the operator's word. Without it such a sync is refused (kRolesUnknown).
  bool configured_direction = false;
  // Set by the caller when the roles changed since the last activation (report/activation.h): the
  // sync activates the jobs first (activate.h), planned or applied with the rest.
  std::optional<ActivationRequest> activation;
  std::vector<AcceptedException> accepted;  // gate exceptions of the pair (see above)
  // The audit trail, with the caller's actor. An apply calls it with "sync.apply.abandoned" for
  // each apply run of the pair a killed process left `running` (closed as `abandoned` first),
  // "sync.apply.start" once the plan is journaled and before the first write to the target (an
  // error stops the run there), and "sync.apply" with SyncReport::audit_detail() when the run
  // ends. nullptr: nothing is audited.
  std::function<Status(const std::string& action, const std::string& run_id, const nlohmann::json& detail)> audit;
  ProgressSink progress;            // actions done of the plan's, while applying (base/progress.h)
};

struct SyncReport {
  std::string run_id;
  Plan plan;
  bool applied = false;
  Execution execution;
  bool converged = false;
  std::vector<Action> leftover;  // after apply: what the re-diff still finds (only kept items when converged)
  std::optional<ActivateReport> activation;  // the first step after a role change
  std::vector<AcceptedException> accepted;  // from the request: how kept incompatible objects are shown

  // Whether a leftover action is one the user chose to keep (see step 4); its note when accepted
  // by a gate exception.
  bool kept(const Action& a) const;
  const AcceptedException* acceptance(const Action& a) const;

  int exit_code() const;
  std::string to_text() const;  // the plan (dry run) or the outcome of each action + the verdict
  nlohmann::json to_json() const;
  // What the audit trail records of an applied sync: target, converged, and each action that
  // changed (or tried to change) the target — never T-SQL, never a secret. Shared by the CLI and
  // HTTP faces so both audit the same facts.
  nlohmann::json audit_detail() const;
};

[[nodiscard]] Result<SyncReport> sync(const config::Config& config, store::Store& store, const SyncRequest& request);

// The plan a `script` command writes: steps 1–3 without journal or lock.
[[nodiscard]] Result<Plan> plan_pair(const config::Config& config, store::Store& store, const SyncRequest& request);

}  // namespace understudy::replay
