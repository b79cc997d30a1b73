// snapshot_writer.h — writes one snapshot object by object, inside one SQLite transaction.
//
// Why a writer and not a vector: a snapshot of scale L (hundreds of thousands of objects) must
// not be held in memory whole (issue 3: peak RSS), so the catalog reader streams each object
// straight into the store. Atomicity is unchanged (design invariant 6): everything happens in
// one write transaction, committed by commit(); a writer destroyed without commit() — the read
// failed, the process was killed — rolls back, and the previous snapshot stays the latest.
// While a writer is open it holds the store's write lock: other writers wait (busy timeout).
//
// History stays compact: an object whose stored content (fields, volatile fields, hash) did not
// change since the instance's latest snapshot writes nothing; only versions that are new or gone
// touch the file.
//
// Thread-safety: one thread. Ownership: borrows the Store's handle; destroy it before the Store.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "catalog/object.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace understudy::store {

class SnapshotWriter {
 public:
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Adds one object, sealed or not (the fingerprint is computed here only for content the store
  // has not seen). The caller guarantees one object per (kind, match key) — the catalog reader
  // refuses duplicates; Store::save_snapshot checks a vector before it writes.
  [[nodiscard]] Status add(const catalog::ServerObject& o);
  // Makes the snapshot visible. After an error nothing is visible and the writer is spent.
  [[nodiscard]] Result<SnapshotInfo> commit();

 private:
  friend class Store;
  SnapshotWriter() = default;
  [[nodiscard]] Status begin(sqlite3* db, const SnapshotMeta& meta);
  void rollback();

  using Digest = std::array<unsigned char, 32>;
  struct Open {
    Digest content_id;
    int64_t version_id;
    bool seen;
  };

  sqlite3* db_ = nullptr;
  bool open_txn_ = false;
  int64_t instance_id_ = 0;
  SnapshotInfo info_;
  // The latest snapshot's versions, sorted by content id: one allocation, binary search (at scale L
  // a hash map of half a million nodes cost more to build than the lookups saved).
  std::vector<Open> open_;
  Stmt find_ver_, ins_ver_, ins_secret_, ins_pres_, close_pres_, fin_snap_;
};

}  // namespace understudy::store
