// status.h — what is known now about a pair, from the store, whoever recorded it (the service, a
// cron job's CLI run, another process): the primary's latest snapshot, the latest answer of each
// gate with the findings it listed, the latest sync. The service's /metrics reads it at each
// scrape (http/app.h), so an alert sees CLI runs too.
// Thread-safety: as Context. Errors: the store's (kIo, kDataErr).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ops/context.h"
#include "report/records.h"
#include "store/store.h"

namespace understudy::ops {

struct GateStatus {
  std::string gate;
  std::string status;      // pass | fail | unknown
  std::string checked_at;  // RFC 3339 UTC
};

struct PairStatus {
  std::string pair;
  std::string primary;                          // the configured instance name
  std::optional<store::SnapshotInfo> primary_snapshot;
  std::vector<GateStatus> gates;                // latest answer of each gate evaluated for the pair
  std::map<std::string, int> open_findings;     // by kind: distinct (kind, key, problem) in those answers
  std::optional<report::Run> last_sync;         // plan or apply
};

[[nodiscard]] Result<PairStatus> pair_status(Context& ctx, const config::Pair& pair);

}  // namespace understudy::ops
