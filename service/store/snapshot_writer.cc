#include "store/snapshot_writer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "catalog/canonical.h"

namespace understudy::store {

// The content id of an object: SHA-256 over kind, key, fields, volatile fields and password hash
// (NUL-separated; "H" before a hash) — everything that is kept, volatile fields included, so a
// changed modify_date is a new version while an untouched object is stored once. Fed piece by
// piece into one reused context: no concatenated copy (which would also hold the hash).
class ContentHasher {
 public:
  void of(const catalog::ObjectRecord& r, unsigned char (&out)[OpenVersions::kIdBytes]) {
    static constexpr std::string_view kNul("\0", 1);
    for (std::string_view piece : {catalog::kind_name(r.kind), std::string_view(r.key), std::string_view(r.fields),
                                   std::string_view(r.volatile_fields)}) {
      sha_.update(piece);
      sha_.update(kNul);
    }
    if (r.password_hash) {
      sha_.update("H");
      sha_.update(r.password_hash->reveal());
    }
    sha_.finish(out);
  }

 private:
  Sha256 sha_;
};

SnapshotWriter::SnapshotWriter() = default;

Status SnapshotWriter::begin(Db& db, const std::string& store_path, const SnapshotMeta& meta) {
  db_ = &db;
  store_path_ = store_path;
  try {
    hasher_ = std::make_unique<ContentHasher>();
  } catch (const std::exception& e) {
    return fail(ErrorCode::kInternal, std::string("store: ") + e.what());
  }
  if (!db_->postgres()) {
    auto fk = Stmt::prepare(*db_, "PRAGMA foreign_keys");
    if (!fk) return tl::unexpected(fk.error());
    auto row = fk->step();
    if (!row) return tl::unexpected(row.error());
    foreign_keys_were_on_ = *row && fk->int64(0) != 0;
  }
  // Foreign keys are not enforced while the snapshot is written: every row the writer adds refers
  // to the instance row it looked up and to version rows it inserted itself in this transaction,
  // so the rows are consistent by construction, and at scale L the checks were a lookup per row.
  // The pragma is a no-op inside a transaction: it is set before BEGIN and restored after
  // COMMIT or ROLLBACK (restore_connection).
  // SQLite's default 2 MB page cache: schema 2 appends in order, and at scale L a first snapshot
  // took the same time with 2, 32 or 128 MB (2.8-2.9 s) while peak RSS went 167 -> 197 -> 302 MB.
  if (!db_->postgres()) {
    auto sync = Stmt::prepare(*db_, "PRAGMA synchronous");
    if (!sync) return tl::unexpected(sync.error());
    auto row = sync->step();
    if (!row) return tl::unexpected(row.error());
    synchronous_ = *row ? sync->int64(0) : 2;
  }
  if (!db_->postgres()) {
    auto ck = Stmt::prepare(*db_, "PRAGMA wal_autocheckpoint");
    if (!ck) return tl::unexpected(ck.error());
    auto row = ck->step();
    if (!row) return tl::unexpected(row.error());
    autocheckpoint_ = *row ? ck->int64(0) : 1000;
  }
  if (meta.commit_every > 0) commit_every_ = meta.commit_every;
  US_TRY(lock(meta.lock_wait_ms >= 0 ? meta.lock_wait_ms : kLockWaitMs));
  start_checkpointer();
  // Intermediate commits at synchronous=NORMAL (see the header); the last one at the
  // connection's own setting (restore_connection, before commit()'s last transaction).
  // PostgreSQL keeps its foreign keys checked; its intermediate commits skip the wait for the WAL
  // flush (synchronous_commit off, per transaction: open_write).
  if (auto st = db_->postgres() ? open_write(true)
                                : exec(*db_, "PRAGMA foreign_keys = OFF; PRAGMA synchronous = NORMAL; BEGIN IMMEDIATE");
      !st) {
    restore_connection();
    return st;
  }
  open_txn_ = true;
  US_TRY(delete_incomplete(0));  // left by a writer that was killed
  info_.instance = meta.instance;
  info_.taken_at = meta.taken_at;
  info_.run_id = meta.run_id;

  auto ins_inst = Stmt::prepare(*db_, "INSERT INTO instance(name) VALUES (?) ON CONFLICT(name) DO NOTHING");
  if (!ins_inst) return tl::unexpected(ins_inst.error());
  US_TRY(ins_inst->bind(1, meta.instance).run());
  auto get_inst = Stmt::prepare(
      *db_, "SELECT i.id, (SELECT s.object_count FROM snapshot s WHERE s.instance_id = i.id AND s.complete = 1"
           " ORDER BY s.id DESC LIMIT 1)"
           " FROM instance i WHERE i.name = ?");
  if (!get_inst) return tl::unexpected(get_inst.error());
  get_inst->bind(1, meta.instance);
  auto r = get_inst->step();
  if (!r) return tl::unexpected(r.error());
  instance_id_ = get_inst->int64(0);
  open_.reserve(static_cast<size_t>(get_inst->int64(1)));  // the latest snapshot's size: no regrowth

  // The row exists from the start (its id stamps new versions); counts are set by commit().
  auto ins_snap = Stmt::prepare(*db_,
                                "INSERT INTO snapshot(instance_id, taken_at, run_id, server_name, object_count, counts,"
                                " complete) VALUES (?,?,?,'',0,'{}',0) RETURNING id");
  if (!ins_snap) return tl::unexpected(ins_snap.error());
  ins_snap->bind(1, instance_id_).bind(2, info_.taken_at).bind(3, info_.run_id);
  if (auto row = ins_snap->step(); !row || !*row)
    return row ? fail(ErrorCode::kIo, "store: the new snapshot row has no id") : tl::unexpected(row.error());
  info_.id = ins_snap->int64(0);
  ins_snap->reset();

  // What the instance held at its latest snapshot, in id order (OpenVersions' cursor), from the
  // covering index object_version_open alone (~50 bytes a version instead of the whole row).
  auto q = Stmt::prepare(*db_, "SELECT id, content_id FROM object_version WHERE instance_id = ? AND to_snapshot IS NULL"
                              " ORDER BY id");
  if (!q) return tl::unexpected(q.error());
  q->bind(1, instance_id_);
  while (true) {
    auto row = q->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    std::string_view cid = q->blob_view(1);
    if (cid.size() != OpenVersions::kIdBytes)
      return fail(ErrorCode::kDataErr, "store: object version " + std::to_string(q->int64(0)) + " has a bad content id");
    open_.insert(reinterpret_cast<const unsigned char*>(cid.data()), q->int64(0));
  }

  auto max_id = Stmt::prepare(*db_, "SELECT coalesce(max(id), 0) FROM object_version");
  if (!max_id) return tl::unexpected(max_id.error());
  if (auto row = max_id->step(); !row) return tl::unexpected(row.error());
  last_id_ = max_id->int64(0);
  first_new_id_ = last_id_ + 1;

  std::string insert = "INSERT INTO object_version(id, instance_id, from_snapshot, content_id, kind, key, fingerprint,"
                       " fields, volatile_fields) VALUES (?,?,?,?,?,?,?,?,?)";
  std::string insert_batch = insert;
  for (size_t i = 1; i < kBatch; ++i) insert_batch += ",(?,?,?,?,?,?,?,?,?)";
  struct Prep {
    Stmt* stmt;
    const char* sql;
  };
  for (auto [stmt, sql] : {
           Prep{&ins_ver_, insert.c_str()},
           Prep{&ins_batch_, insert_batch.c_str()},
           Prep{&ins_secret_, "INSERT INTO object_secret(version_id, password_hash) VALUES (?,?)"},
           Prep{&close_ver_, "UPDATE object_version SET to_snapshot = ? WHERE id = ?"},
           Prep{&fin_snap_,
                "UPDATE snapshot SET server_name = ?, object_count = ?, counts = ?, complete = 1 WHERE id = ?"},
       }) {
    auto p = Stmt::prepare(*db_, sql);
    if (!p) return tl::unexpected(p.error());
    *stmt = std::move(*p);
  }
  return {};
}

Status SnapshotWriter::add(const catalog::ServerObject& o) {
  scratch_.clear();
  scratch_.kind = o.kind;
  scratch_.key = o.key;
  catalog::append_json_text(o.fields, scratch_.fields);
  catalog::append_json_text(o.volatile_fields, scratch_.volatile_fields);
  scratch_.password_hash = o.password_hash;
  // scratch_.canonical stays empty: the fingerprint comes from `o` (add_record).
  Status st = add_record(scratch_, &o);
  scratch_.password_hash.reset();
  return st;
}

Status SnapshotWriter::add(const catalog::ObjectRecord& r) { return add_record(r, nullptr); }

Status SnapshotWriter::pause() {
  if (!open_txn_) return fail(ErrorCode::kInternal, "store: snapshot writer used after commit or failure");
  if (paused_) return {};
  Status st = [&]() -> Status {
    US_TRY(flush());
    for (auto* s : {&ins_ver_, &ins_batch_, &ins_secret_, &close_ver_, &fin_snap_}) s->reset();
    US_TRY(exec(*db_, "COMMIT"));
    committed_some_ = true;
    since_commit_ = 0;
    paused_ = true;
    want_checkpoint();
    return {};
  }();
  if (!st) rollback();
  return st;
}

Status SnapshotWriter::resume() {
  if (!paused_) return {};
  if (auto st = open_write(true); !st) {
    paused_ = false;
    open_txn_ = false;  // nothing open to roll back; rollback() deletes what was committed
    rollback();
    return st;
  }
  paused_ = false;
  return {};
}

Status SnapshotWriter::add_record(const catalog::ObjectRecord& r, const catalog::ServerObject* tree) {
  if (!open_txn_) return fail(ErrorCode::kInternal, "store: snapshot writer used after commit or failure");
  US_TRY(resume());
  Status st = [&]() -> Status {
    info_.object_count++;
    kind_counts_[static_cast<size_t>(r.kind)]++;
    if (r.kind == catalog::Kind::kInstance) {
      auto fields = nlohmann::json::parse(r.fields, nullptr, false);
      auto it = fields.is_object() ? fields.find("server_name") : fields.end();
      if (it != fields.end() && it->is_string()) info_.server_name = it->get<std::string>();
    }
    unsigned char cid[OpenVersions::kIdBytes];
    try {
      hasher_->of(r, cid);
    } catch (const std::exception& e) {
      return fail(ErrorCode::kInternal, std::string("store: ") + e.what());
    }
    if (open_.take(cid)) return {};  // unchanged since the latest snapshot
    // New content (or content the instance held before and lost): only now is the fingerprint needed.
    std::string fp_hex = tree ? (tree->fingerprint.empty() ? tree->compute_fingerprint() : tree->fingerprint)
                              : r.fingerprint_or_compute();
    Pending& p = pending_[n_pending_++];
    p.id = ++last_id_;
    p.kind = r.kind;
    std::memcpy(p.content_id.data(), cid, sizeof cid);
    p.fingerprint = catalog::fingerprint_bytes(fp_hex);
    p.key.assign(r.key);
    p.fields.assign(r.fields);
    p.volatile_fields.assign(r.volatile_fields);
    // Written after its version row (flush), in the same transaction.
    if (r.password_hash) p.password_hash = *r.password_hash;
    else p.password_hash.reset();
    return n_pending_ == kBatch ? flush() : Status{};
  }();
  if (!st) rollback();
  return st;
}

Status SnapshotWriter::flush() {
  // A full batch in one statement, a remainder (at commit) row by row. Bound without copies: the
  // pending rows stay put until run() returns.
  Stmt& st = n_pending_ == kBatch ? ins_batch_ : ins_ver_;
  auto as_text = [](const auto& bytes) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  int at = 0;
  for (size_t i = 0; i < n_pending_; ++i) {
    const Pending& p = pending_[i];
    st.bind(at + 1, p.id).bind(at + 2, instance_id_).bind(at + 3, info_.id);
    st.bind_blob_ref(at + 4, as_text(p.content_id)).bind_ref(at + 5, catalog::kind_name(p.kind));
    st.bind_ref(at + 6, p.key).bind_blob_ref(at + 7, as_text(p.fingerprint));
    st.bind_ref(at + 8, p.fields).bind_ref(at + 9, p.volatile_fields);
    if (&st == &ins_batch_) {
      at += 9;
    } else {
      US_TRY(st.run());
    }
  }
  if (&st == &ins_batch_) US_TRY(st.run());
  for (size_t i = 0; i < n_pending_; ++i) {
    if (!pending_[i].password_hash) continue;
    ins_secret_.bind(1, pending_[i].id).bind_ref(2, pending_[i].password_hash->reveal());
    US_TRY(ins_secret_.run());
    pending_[i].password_hash.reset();
  }
  since_commit_ += n_pending_;
  n_pending_ = 0;
  if (since_commit_ >= commit_every_) {
    since_commit_ = 0;
    US_TRY(commit_so_far());
  }
  return {};
}

Status SnapshotWriter::commit_so_far(const std::string& between) {
  for (auto* s : {&ins_ver_, &ins_batch_, &ins_secret_, &close_ver_, &fin_snap_}) s->reset();
  US_TRY(exec(*db_, "COMMIT"));
  committed_some_ = true;
  want_checkpoint();
  if (!between.empty() && !db_->postgres()) {
    if (auto st = exec(*db_, between); !st) {
      open_txn_ = false;
      return st;
    }
  }
  // `between` set: the last transaction, at the connection's own durability.
  if (auto st = open_write(between.empty()); !st) {
    open_txn_ = false;
    return st;
  }
  return {};
}

Status SnapshotWriter::open_write(bool relaxed) {
  if (!db_->postgres()) return exec(*db_, "BEGIN IMMEDIATE");
  US_TRY(db_->begin_write());
  return relaxed ? exec(*db_, "SET LOCAL synchronous_commit = off") : Status{};
}

Status SnapshotWriter::lock(int wait_ms) {
  if (db_->postgres()) return lock_postgres(wait_ms);
  const char* db_path = sqlite3_db_filename(db_->sqlite(), "main");
  if (!db_path || !*db_path) return {};  // an in-memory store has no other writer
  std::string path = std::string(db_path) + "-snapshot.lock";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) return fail(ErrorCode::kIo, "cannot open " + path + ": " + std::strerror(errno));
  for (int waited = 0;; waited += 50) {
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) == 0) return {};
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int err = errno;
      unlock();
      return fail(ErrorCode::kIo, "cannot lock " + path + ": " + std::strerror(err));
    }
    if (waited >= wait_ms) {
      unlock();
      return fail(ErrorCode::kLockHeld, "store " + std::string(db_path) + ": another snapshot is being written to it",
                  "run this one when that one has finished (it holds " + path + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// PostgreSQL: a session-scoped advisory lock, which the server releases when the connection ends
// (the process died, or its node lost the network).
Status SnapshotWriter::lock_postgres(int wait_ms) {
  auto q = Stmt::prepare(*db_, "SELECT pg_try_advisory_lock(1970491248)");  // 0x75735370 "usSp"
  if (!q) return tl::unexpected(q.error());
  for (int waited = 0;; waited += 50) {
    auto row = q->step();
    if (!row) return tl::unexpected(row.error());
    bool got = *row && q->int64(0) == 1;
    q->reset();
    if (got) {
      pg_locked_ = true;
      return {};
    }
    if (waited >= wait_ms)
      return fail(ErrorCode::kLockHeld, "store " + store_path_ + ": another snapshot is being written to it",
                  "run this one when that one has finished (another understudy process holds the store's snapshot "
                  "lock, pg_locks shows it)");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void SnapshotWriter::unlock() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  lock_fd_ = -1;
  if (pg_locked_ && db_) (void)exec(*db_, "SELECT pg_advisory_unlock(1970491248)");
  pg_locked_ = false;
}

Status SnapshotWriter::delete_incomplete(int64_t only) {
  std::string which;
  if (only > 0) {
    // This writer's own rows: the newest ids, found by rowid.
    which = " WHERE id >= " + std::to_string(first_new_id_) + " AND from_snapshot = " + std::to_string(only);
  } else {
    auto any = Stmt::prepare(*db_, "SELECT EXISTS (SELECT 1 FROM snapshot WHERE complete = 0)");
    if (!any) return tl::unexpected(any.error());
    auto row = any->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row || any->int64(0) == 0) return {};
    which = " WHERE from_snapshot IN (SELECT id FROM snapshot WHERE complete = 0)";
  }
  US_TRY(exec(*db_, "DELETE FROM object_secret WHERE version_id IN (SELECT id FROM object_version" + which + ")"));
  US_TRY(exec(*db_, "DELETE FROM object_version" + which));
  return exec(*db_, only > 0 ? "DELETE FROM snapshot WHERE id = " + std::to_string(only)
                            : std::string("DELETE FROM snapshot WHERE complete = 0"));
}

Result<SnapshotInfo> SnapshotWriter::commit() {
  if (!open_txn_) return fail(ErrorCode::kInternal, "store: snapshot writer used after commit or failure");
  US_TRY(resume());
  Status st = [&]() -> Status {
    US_TRY(flush());
    // The new versions committed, the transaction that makes the snapshot visible — the only one
    // that must survive a power cut — runs at the connection's own durability.
    US_TRY(commit_so_far("PRAGMA synchronous = " + std::to_string(synchronous_)));
    // Gone or changed: the version's interval ends here. In id order, so the moved entries of
    // object_version_open are appended in order too.
    for (int64_t id : open_.unseen()) {
      close_ver_.bind(1, info_.id).bind(2, id);
      US_TRY(close_ver_.run());
    }
    for (catalog::Kind k : catalog::kAllKinds)
      if (int64_t n = kind_counts_[static_cast<size_t>(k)]) info_.counts[std::string(catalog::kind_name(k))] = n;
    nlohmann::json counts(info_.counts);
    fin_snap_.bind(1, info_.server_name).bind(2, info_.object_count).bind(3, counts.dump()).bind(4, info_.id);
    US_TRY(fin_snap_.run());
    return exec(*db_, "COMMIT");
  }();
  if (!st) {
    rollback();
    return tl::unexpected(st.error());
  }
  open_txn_ = false;
  finished_ = true;
  open_.clear();
  restore_connection();  // committed: a failure here changes nothing stored
  unlock();
  return info_;
}

// The checkpointer: PASSIVE checkpoints after each intermediate commit, on a connection of its
// own (SQLite lets a checkpoint run beside a writer; a passive one copies what no reader still
// needs and never waits). Its syncs (WAL before, database file after) keep their durability —
// only the waiting moves off the writer's thread. Best effort: a checkpoint that cannot run now
// (busy) is left to the next one, or to the writer's connection once the snapshot is written.
void SnapshotWriter::start_checkpointer() {
  if (db_->postgres()) return;  // the server checkpoints
  const char* path = sqlite3_db_filename(db_->sqlite(), "main");
  if (!path || !*path) return;  // in memory: no WAL
  if (!exec(*db_, "PRAGMA wal_autocheckpoint = 0")) return;  // the writer's connection checkpoints then
  checkpointer_ = std::thread([this, file = std::string(path)] {
    sqlite3* ck = nullptr;
    // A fresh connection knows the file is in WAL mode only once it has read it.
    if (sqlite3_open_v2(file.c_str(), &ck, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK ||
        sqlite3_exec(ck, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlite3_close(ck);
      ck = nullptr;
    }
    std::unique_lock lock(ck_mu_);
    while (true) {
      ck_cv_.wait(lock, [&] { return ck_wanted_ || ck_stop_; });
      if (ck_stop_) break;
      ck_wanted_ = false;
      lock.unlock();
      if (ck) (void)sqlite3_wal_checkpoint_v2(ck, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
    }
    lock.unlock();
    if (ck) sqlite3_close(ck);
  });
}

void SnapshotWriter::want_checkpoint() {
  if (!checkpointer_.joinable()) return;
  std::lock_guard lock(ck_mu_);
  ck_wanted_ = true;
  ck_cv_.notify_one();
}

void SnapshotWriter::stop_checkpointer() {
  if (!checkpointer_.joinable()) return;
  {
    std::lock_guard lock(ck_mu_);
    ck_stop_ = true;
    ck_cv_.notify_one();
  }
  checkpointer_.join();
  (void)exec(*db_, "PRAGMA wal_autocheckpoint = " + std::to_string(autocheckpoint_));
}

void SnapshotWriter::restore_connection() {
  stop_checkpointer();
  if (db_->postgres()) return;  // SET LOCAL: nothing outlived its transaction
  (void)exec(*db_, "PRAGMA synchronous = " + std::to_string(synchronous_));
  if (foreign_keys_were_on_) (void)exec(*db_, "PRAGMA foreign_keys = ON");
}

void SnapshotWriter::rollback() {
  if (finished_ || !db_) return;
  finished_ = true;
  // Statements are reset first so that ROLLBACK is not refused by a pending read.
  for (auto* s : {&ins_ver_, &ins_batch_, &ins_secret_, &close_ver_, &fin_snap_}) s->reset();
  n_pending_ = 0;
  if ((open_txn_ && !paused_) || db_->in_transaction()) (void)exec(*db_, "ROLLBACK");
  open_txn_ = false;
  // What this writer committed along the way; what cannot be deleted now (the disk is full, the
  // PostgreSQL server is gone …) stays invisible, and the next writer deletes it.
  if (committed_some_ && open_write(false)) {
    if (delete_incomplete(info_.id))
      (void)exec(*db_, "COMMIT");
    else
      (void)exec(*db_, "ROLLBACK");
  }
  restore_connection();
  unlock();
}

SnapshotWriter::~SnapshotWriter() {
  rollback();
  unlock();
}

}  // namespace understudy::store
