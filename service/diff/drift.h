// drift.h — the snapshot and drift operations that `understudy snapshot`/`diff` and the HTTP
// service share (neither face holds logic the other lacks).
//
//   snapshot():   connect to an instance from the config, read it (catalog/reader.h, one round
//                 trip), store the snapshot atomically. Nothing is written when anything fails.
//   read_live():  the same read without storing (the diff's "live" target).
//   pair_drift(): the latest snapshot of the pair's live primary against the live secondary or
//                 its latest snapshot, restricted to the pair's kinds and include/exclude patterns.
//                 Which instance is primary is read live first (service/roles); kRolesUnknown
//                 when that cannot be told.
//
// Errors: config (kConfig, kNotFound for unknown instances/pairs), connection and SQL errors
// (kUnavailable, kSql, kTempFail), store errors (kIo, kDataErr), kNotFound when the pair's
// primary has no snapshot yet (with a hint naming the command that takes one).
// Thread-safety: reentrant; each call opens its own ODBC connection. Ownership: borrows all
// arguments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "catalog/object.h"
#include "catalog/reader.h"
#include "config/config.h"
#include "diff/diff.h"
#include "store/store.h"

namespace understudy::drift {

// A fresh run id: 16 lower-case hex digits.
std::string new_run_id();

// The reader options a pair implies (kinds, per-kind include/exclude); defaults when `pair` is null.
catalog::ReadOptions read_options(const config::Pair* pair);

[[nodiscard]] Result<std::vector<catalog::ServerObject>> read_live(const config::Config& config,
                                                                   const std::string& instance,
                                                                   const config::Pair* pair);

[[nodiscard]] Result<store::SnapshotInfo> snapshot(const config::Config& config, store::Store& store,
                                                   const std::string& instance, const config::Pair* pair,
                                                   const std::string& run_id);

// A snapshot of the pair's *live* primary: asks both instances who holds the primary role now
// (service/roles) and snapshots that one — after a failover, the configured secondary. Errors:
// kRolesUnknown when the roles cannot be established (nothing is stored), else as snapshot().
[[nodiscard]] Result<store::SnapshotInfo> snapshot_pair(const config::Config& config, store::Store& store,
                                                        const config::Pair& pair, const std::string& run_id);

enum class Against { kLive, kSnapshot };

struct PairDrift {
  std::string pair;
  std::string run_id;
  std::string generated_at;                         // UTC RFC 3339
  store::SnapshotInfo source;                       // the live primary's snapshot
  std::string target_instance;                      // the live secondary
  bool reversed = false;                            // the live roles are the reverse of the configuration
  std::string direction;                            // how the roles were established (roles::Roles::describe)
  std::optional<store::SnapshotInfo> target_snapshot;  // nullopt when compared against live
  diff::Comparison comparison;
};

[[nodiscard]] Result<PairDrift> pair_drift(const config::Config& config, store::Store& store,
                                           const std::string& pair, Against against, const std::string& run_id);

}  // namespace understudy::drift
