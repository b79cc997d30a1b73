// activation.h — the `activate` operation as both faces call it, and how a sync or a
// gate finds "the primary's last snapshot" for Agent jobs.
//
// Which instance's jobs say what is meant to run: the instance activated last — the newest
// `activate` entry of the pair in the audit trail (written by `activate` and by a sync's
// activation step) — or, before any activation, the pair's configured primary. Its snapshot of
// intent: the newest snapshot of that instance taken after the activation, else the snapshot the
// activation used. So right after a failover (activated or not yet), the old primary's snapshot
// from before the failover says which jobs run; once the new primary is activated and snapshotted
// again, its own snapshots do (with any job changed on it since).
//
// A role change is *detected* when the live primary is not the instance activated last; then
// `activate` (and a sync, as its first step) enables on the live primary the jobs enabled in that
// snapshot and disables them on the live secondary, and records an `activate` audit entry naming
// the new primary — which ends the detection.
//
// Thread-safety: one call at a time per Store. Ownership: borrows its arguments.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "config/config.h"
#include "replay/activate.h"
#include "store/store.h"

namespace understudy::report {

struct JobsPrimary {
  std::string instance;                 // configured instance name
  std::optional<int64_t> snapshot_id;   // the snapshot the last activation used
  std::string activated_at;             // "" before any activation
};

// The instance activated last (or the configured primary).
[[nodiscard]] Result<JobsPrimary> jobs_primary(store::Store& store, const config::Pair& pair);
// Its snapshot of intent. kNotFound (with the command that takes one) when there is none.
[[nodiscard]] Result<store::SnapshotInfo> intent_snapshot(store::Store& store, const config::Pair& pair);

// The activation a sync runs first: set when the live primary is not the instance activated last.
[[nodiscard]] Result<std::optional<replay::ActivationRequest>> activation_due(const config::Config& config,
                                                                              store::Store& store,
                                                                              const config::Pair& pair);

// `understudy activate` / POST /v1/pairs/{pair}/activate: live roles, intent snapshot, activation,
// and the audit entry (action "activate", by `actor`) whenever it was applied.
[[nodiscard]] Result<replay::ActivateReport> activate_pair(const config::Config& config, store::Store& store,
                                                           const config::Pair& pair, const std::string& actor);

// Appends the `activate` audit entry of an applied activation.
[[nodiscard]] Status record_activation(store::Store& store, const std::string& pair, const std::string& actor,
                                       const std::string& run_id, const replay::ActivateReport& report);

}  // namespace understudy::report
