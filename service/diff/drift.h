// drift.h — a pair's drift as one value: which snapshots were compared, when, which way the live
// roles ran, and the comparison (diff.h). ops/diff.h produces it; diff/report.h renders it as a
// table, JSON and CSV.
// Thread-safety: a plain value.
#pragma once

#include <optional>
#include <string>

#include "diff/diff.h"
#include "store/store.h"

namespace understudy::drift {

enum class Against { kLive, kSnapshot };

struct PairDrift {
  std::string pair;
  std::string run_id;
  std::string generated_at;                         // UTC RFC 3339 (base/time.h)
  store::SnapshotInfo source;                       // the live primary's snapshot
  std::string target_instance;                      // the live secondary
  bool reversed = false;                            // the live roles are the reverse of the configuration
  std::string direction;                            // how the roles were established (roles::Roles::describe)
  std::optional<store::SnapshotInfo> target_snapshot;  // nullopt when compared against live
  diff::Comparison comparison;
};

}  // namespace understudy::drift
