// activate.h — `understudy activate --pair P` and POST /v1/pairs/{pair}/activate:
// makes the live roles true for Agent jobs, which SQL Server does not replicate.
//
// After a failover the new primary holds the jobs the way they were replayed onto it as the
// secondary — disabled (jobs_on_secondary = "disabled") — and the old primary still has them
// enabled. Activation:
//   1. reads the live roles (which instance reports PRIMARY now);
//   2. takes "the primary's last snapshot" — the snapshot that says which jobs are meant to run,
//      chosen by the caller (report/activation.h: the last snapshot of the instance that was
//      activated last, i.e. of the old primary right after a failover);
//   3. enables on the live primary every job enabled in that snapshot and disabled there;
//   4. with jobs_on_secondary = "disabled", disables on the live secondary every job of that
//      snapshot that is enabled there. A dark secondary is skipped and said so (the next sync
//      disables them when it returns; the jobs_active gate check fails meanwhile).
// Each change is one `EXEC msdb.dbo.sp_update_job @job_name = …, @enabled = 0|1` through
// service/tsql; a job the snapshot names but the instance lacks is reported, not created (sync
// creates it). Idempotent: a second run changes nothing. Writing to the live primary is the point
// of this command and happens only here and in a sync's activation step (sync.h).
//
// Errors: the live primary unreachable (kUnavailable), store errors. A change that fails is
// recorded with its error (exit 4), the others still run.
// Thread-safety: reentrant; each call opens its own connections. Ownership: borrows its arguments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "config/config.h"
#include "roles/roles.h"
#include "store/store.h"

namespace understudy::replay {

// The direction of one run, as the instances report it now.
struct LiveDirection {
  std::string primary;    // configured instance names
  std::string secondary;
  bool reversed = false;  // the live primary is the pair's configured secondary
  std::string describe;   // one line: where the roles came from
};

// Reads the live roles of `pair` (roles::establish: both instances asked; the configured direction
// when neither shows an HA group). kRolesUnknown (split brain, neither answers, …): nothing is written.
[[nodiscard]] Result<LiveDirection> live_direction(const config::Config& config, const config::Pair& pair);
// The same from roles already established.
LiveDirection live_direction_of(const roles::Roles& roles);

struct JobActivation {
  std::string instance;  // configured instance name
  std::string job;
  bool enable = false;   // true: enabled on the live primary; false: disabled on the live secondary
  std::string outcome;   // "planned", "done", "failed: …", "missing on the instance"
};

struct ActivationPlan {
  LiveDirection roles;
  int64_t snapshot_id = 0;
  std::string snapshot_instance;  // configured name of the instance it was taken of
  std::string snapshot_taken_at;
  std::vector<JobActivation> changes;  // enable on the primary first, then disable on the secondary
  std::vector<std::string> notes;      // jobs missing on an instance, a dark secondary …
  bool secondary_reachable = true;
};

struct ActivateReport {
  ActivationPlan plan;
  bool applied = false;
  int exit_code() const;  // 0 every change done (or nothing to do); 4 a change failed or the secondary was dark
  std::string to_text() const;
  nlohmann::json to_json() const;
};

// What to activate from: the live roles and the snapshot of intent.
struct ActivationRequest {
  LiveDirection roles;
  store::SnapshotInfo snapshot;
};

// The live reads and the changes; no write.
[[nodiscard]] Result<ActivationPlan> plan_activation(const config::Config& config, store::Store& store,
                                                     const config::Pair& pair, const ActivationRequest& request);

// Plans, then (with `apply`) executes each change.
[[nodiscard]] Result<ActivateReport> activate(const config::Config& config, store::Store& store,
                                              const config::Pair& pair, const ActivationRequest& request,
                                              bool apply = true);

// Executes the plan's changes in order, setting each outcome. Returns false when one failed.
bool execute_activation(const config::Config& config, ActivationPlan& plan);

}  // namespace understudy::replay
