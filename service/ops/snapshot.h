// snapshot.h — the snapshot operation: read an instance live and store what it holds.
//
//   take_snapshot(): connect to a configured instance, read its catalog (catalog/reader.h, one
//                    round trip) and store it as one snapshot, atomically: nothing is stored when
//                    anything fails. Records nothing else; the service's scheduler calls it.
//   take_pair_snapshot(): the same of the pair's live primary (service/roles).
//   snapshot():      a snapshot on request (of the pair's live primary when a pair is given) — `understudy snapshot` and
//                    POST /v1/pairs/{pair}/snapshot alike: take_snapshot(), then a run row (type
//                    "snapshot") and an audit entry naming who asked. A failed snapshot is
//                    recorded as a failed run and its error returned.
//
// Errors: config (kConfig, kNotFound for unknown instances), connection and SQL errors
// (kUnavailable, kSql, kTempFail), store errors (kIo, kDataErr, kLockHeld).
// Thread-safety: reentrant; each call opens its own ODBC connection and store connection.
#pragma once

#include <string>

#include "base/result.h"
#include "config/config.h"
#include "ops/context.h"
#include "report/records.h"
#include "store/store.h"

namespace understudy::ops {

// `pair` selects kinds and names (its include/exclude patterns); null: everything. The store
// work is done on a store connection of its own (Context::own_store), never on the shared one.
[[nodiscard]] Result<store::SnapshotInfo> take_snapshot(Context& ctx, const std::string& instance,
                                                        const config::Pair* pair, const std::string& run_id);
// The same into `store`, a connection the caller holds.
[[nodiscard]] Result<store::SnapshotInfo> take_snapshot_into(Context& ctx, store::Store& store,
                                                             const std::string& instance, const config::Pair* pair,
                                                             const std::string& run_id);

// A snapshot of the pair's *live* primary: asks both instances who holds the primary role now
// (service/roles) and snapshots that one — after a failover, the configured secondary. Errors:
// kRolesUnknown when the roles cannot be established (nothing is stored), else as take_snapshot().
[[nodiscard]] Result<store::SnapshotInfo> take_pair_snapshot(Context& ctx, const config::Pair& pair,
                                                             const std::string& run_id);

struct SnapshotRun {
  report::Run run;
  store::SnapshotInfo info;
};
[[nodiscard]] Result<SnapshotRun> snapshot(Context& ctx, const std::string& instance, const config::Pair* pair,
                                           const std::string& actor);

}  // namespace understudy::ops
