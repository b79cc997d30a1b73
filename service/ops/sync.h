// sync.h — the sync operation: plan (and with `apply`, execute and prove) the replay of a pair
// (replay/sync.h), recorded the same way whoever started it. `understudy sync` and
// POST /v1/pairs/{pair}/sync both call it, so the CLI's nightly syncs are in the drift report
// (report/drift_report.h reads the run rows) and in the audit trail like the service's.
//
// Records: one run row (type "sync": each action with its outcome, the summary, converged, the
// exit code) for plans and applies alike, a failed run row when the sync could not start or
// stopped with an error, and for an apply the audit entries replay::sync writes through it
// ("sync.apply.abandoned" for runs a killed process left, "sync.apply.start" before the first
// write, "sync.apply" with replay::SyncReport::audit_detail at the end: never T-SQL, never a
// secret) and, after a role change, the jobs' activation ("activate", report/activation.h).
// The unexpired exceptions of the pair's gates are accepted (replay::SyncRequest::accepted).
//
// Errors: kLockHeld when a sync of the pair runs in this process (or, from replay::sync, in
// another one); replay::sync's errors otherwise; store errors while recording (kIo).
// Thread-safety: as Context; the target is read and written on a store connection of the sync's
// own (Context::own_store), the shared store is held only to record.
#pragma once

#include <string>

#include "base/result.h"
#include "gates/loader.h"
#include "ops/context.h"
#include "replay/sync.h"
#include "report/records.h"

namespace understudy::ops {

struct SyncRun {
  report::Run run;           // as recorded
  replay::SyncReport report;  // what the faces print
};

// `actor`: who asked (a token name, "cli:<user>"), for the run row and the audit entries.
// `gates`: the loaded gate set, whose exceptions for the pair are accepted.
[[nodiscard]] Result<SyncRun> sync(Context& ctx, const gates::GateSet& gates, const replay::SyncRequest& request,
                                   const std::string& actor);

// The run row of a sync report (exposed for tests and for faces that show a run).
report::Run sync_run(const replay::SyncReport& report, bool apply);

}  // namespace understudy::ops
