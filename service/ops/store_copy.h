// store_copy.h — `understudy store copy`: moves a whole store to another one, SQLite or
// PostgreSQL either side (a node's file onto the shared PostgreSQL store, or back).
//
// What is copied: every row of every table this build knows — snapshots and their object
// versions and secrets, the sync journal, runs, gate evaluations and the audit trail — with its
// ids, so the audit chain's hashes still hold and snapshot ids in runs and plans still point at
// the same snapshots. Not copied: sync_lock (a lock belongs to a run of the old store) and
// schema_migrations (the target records its own migrations, to the same versions).
//
// Safety: the source is opened read-only and must be at this build's schema versions (an older
// store is upgraded by opening it once read-write; a newer one is refused). The target must be
// empty — no row in any of those tables — or nothing is written (kDataErr naming what it holds).
// The copy is one transaction on the target: counts of every table are compared with the source,
// and the audit chain is verified (the same entries and head as the source's), before it is
// committed; on any difference or error nothing of it is kept (the target keeps only its empty
// tables). On PostgreSQL the identity sequences are moved past the copied ids.
//
// Thread-safety: reentrant; opens its own connections. Errors: the stores' (kNotFound,
// kUnavailable, kDataErr, kIo), kDataErr for a non-empty target or a failed verification.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/secret.h"

namespace understudy::ops {

struct StoreCopyReport {
  std::vector<std::pair<std::string, int64_t>> rows;  // table -> rows copied, in copy order
  int64_t audit_entries = 0;
  std::string audit_head;  // the last entry's hash ("" when none)
};

// `from_password` / `to_password`: for a PostgreSQL URL (empty: libpq's own sources).
[[nodiscard]] Result<StoreCopyReport> copy_store(const std::string& from, const Secret& from_password,
                                                 const std::string& to, const Secret& to_password);

}  // namespace understudy::ops
