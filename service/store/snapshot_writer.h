// snapshot_writer.h — writes one snapshot object by object.
//
// Why a writer and not a vector: a snapshot of scale L (hundreds of thousands of objects) must
// not be held in memory whole (peak RSS), so the catalog reader streams each object
// straight into the store.
//
// Atomicity (design invariant 6): the snapshot's row is written `complete = 0` and every reader
// of the store sees only complete snapshots; commit()'s last transaction closes the intervals of
// what is gone and sets `complete = 1`. New versions are committed along the way, every
// kCommitEvery of them (at synchronous=NORMAL: until the last transaction they are invisible, so
// losing them to a power cut loses nothing that was visible): SQLite then checkpoints the WAL
// while the read goes on, instead of copying a whole first snapshot (~250 MB at scale L) after
// it (0.5 s of a 2.8 s snapshot). Those checkpoints run on a connection and a thread of their
// own (PASSIVE: they never block the writer), not on the writer's: each one syncs the WAL and the
// database file, and at scale L the writer spent half a second of a first snapshot waiting in
// fdatasync. A writer destroyed without commit() — the read
// failed — deletes what it had committed; a writer that was killed leaves rows that no reader
// sees and that the next writer deletes before it starts. One snapshot writer at a time per
// store: an exclusive flock() on "<store>-snapshot.lock", which the kernel releases when the
// process dies (a second writer waits up to the busy timeout, then gets kLockHeld).
//
// History stays compact: an object whose stored content (fields, volatile fields, hash) did not
// change since the instance's latest snapshot writes nothing; only versions that are new or gone
// touch the file. A new version is one appended row (object_version, docs/store-schema.md); a
// version not seen again gets its interval closed at commit().
//
// Thread-safety: one thread. Ownership: borrows the Store's handle; destroy it before the Store.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "catalog/object.h"
#include "catalog/record.h"
#include "store/open_versions.h"
#include "store/sql.h"
#include "store/store.h"

namespace understudy::store {

class ContentHasher;  // snapshot_writer.cc

class SnapshotWriter {
 public:
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Adds one object as the text the store keeps (the fast path: nothing is serialised here; the
  // fingerprint is computed only for content the instance did not hold). The caller guarantees
  // one object per (kind, match key) — the catalog reader refuses duplicates; Store::save_snapshot
  // checks a vector before it writes.
  [[nodiscard]] Status add(const catalog::ObjectRecord& r);
  // The same for an object as a tree, sealed or not (its fingerprint is used when set).
  [[nodiscard]] Status add(const catalog::ServerObject& o);
  // Makes the snapshot visible. After an error nothing is visible and the writer is spent.
  [[nodiscard]] Result<SnapshotInfo> commit();
  // Commits what is written so far (invisible until commit(), like the intermediate commits)
  // and holds no write transaction until the next add() or commit(). Called before waiting for
  // the instance: a slow instance must not keep the store's other writers (gate evaluations,
  // the audit trail) waiting on SQLite's write lock.
  [[nodiscard]] Status pause();

 private:
  friend class Store;
  SnapshotWriter();
  [[nodiscard]] Status begin(Db& db, const std::string& store_path, const SnapshotMeta& meta);
  // Opens the next write transaction; `relaxed`: an intermediate one (see above).
  [[nodiscard]] Status open_write(bool relaxed);
  // `tree` is the object `r` was made from (add(ServerObject)), for its fingerprint; or null.
  [[nodiscard]] Status add_record(const catalog::ObjectRecord& r, const catalog::ServerObject* tree);
  [[nodiscard]] Status flush();
  [[nodiscard]] Status resume();  // after pause(): opens the next transaction
  void rollback();
  void restore_connection();
  // Commits what is written so far, runs `between` (a pragma that may not run inside a
  // transaction) and opens the next transaction.
  [[nodiscard]] Status commit_so_far(const std::string& between = "");
  // Takes the store's snapshot lock (see above), waiting up to `wait_ms`; unlock() releases it.
  [[nodiscard]] Status lock(int wait_ms);
  [[nodiscard]] Status lock_postgres(int wait_ms);
  void unlock();
  // Deletes what the writers of incomplete snapshots committed (they are not running: we hold
  // the lock). `only` > 0: just that snapshot's rows.
  [[nodiscard]] Status delete_incomplete(int64_t only);

  // New versions wait here and are inserted kBatch rows per statement: with one statement per
  // row, its start and end (cursors opened and closed, the append position looked up again) were
  // a third of an insert at scale L. Ids are assigned by the writer (it holds the write lock), so
  // a version's secret row can be written at once.
  static constexpr size_t kBatch = 32;
  struct Pending {
    int64_t id = 0;
    catalog::Kind kind = catalog::Kind::kLogin;
    std::array<unsigned char, OpenVersions::kIdBytes> content_id{};
    std::array<unsigned char, 32> fingerprint{};
    std::string key, fields, volatile_fields;  // copies: the caller reuses its records
    std::optional<Secret> password_hash;        // its object_secret row, written after the batch
  };

  // Checkpoints on a connection and thread of their own (see snapshot_writer.cc, "checkpointer"):
  // the writer's connection does none while the snapshot is written.
  void start_checkpointer();
  void want_checkpoint();
  void stop_checkpointer();

  Db* db_ = nullptr;
  std::string store_path_;  // for messages
  bool open_txn_ = false;
  bool foreign_keys_were_on_ = false;
  int64_t instance_id_ = 0;
  SnapshotInfo info_;
  std::array<int64_t, std::size(catalog::kAllKinds)> kind_counts_{};  // by Kind value; info_.counts at commit
  OpenVersions open_;               // what the instance held at its latest snapshot
  catalog::ObjectRecord scratch_;   // add(ServerObject)'s record, its buffers reused
  std::unique_ptr<ContentHasher> hasher_;
  std::array<Pending, kBatch> pending_;
  size_t n_pending_ = 0;
  int64_t last_id_ = 0;  // the highest object_version id so far
  // New versions per intermediate commit: ~30 MB of WAL at scale L, a checkpoint's worth.
  static constexpr size_t kCommitEvery = 65536;
  size_t commit_every_ = kCommitEvery;  // SnapshotMeta::commit_every
  size_t since_commit_ = 0;
  bool paused_ = false;          // pause(): no transaction open until the next write
  bool committed_some_ = false;  // rows of this snapshot are committed: a failure must delete them
  bool finished_ = false;        // committed or rolled back
  int64_t first_new_id_ = 0;     // this snapshot's versions have ids from here
  int64_t synchronous_ = 2;      // the connection's setting, restored at the end
  static constexpr int kLockWaitMs = 10000;  // the store's busy timeout
  int lock_fd_ = -1;
  bool pg_locked_ = false;  // the PostgreSQL snapshot lock is held (lock_postgres)
  Stmt ins_ver_, ins_batch_, ins_secret_, close_ver_, fin_snap_;
  int64_t autocheckpoint_ = 1000;  // the connection's wal_autocheckpoint, restored at the end
  std::thread checkpointer_;
  std::mutex ck_mu_;
  std::condition_variable ck_cv_;
  bool ck_wanted_ = false, ck_stop_ = false;
};

}  // namespace understudy::store
