// store.h — the store: snapshots of server-level state and their compact history.
//
// Two backends behind one interface (store/sql.h): a SQLite file (the default: WAL journal,
// created mode 0600) or a PostgreSQL database, named by a "postgresql://USER@HOST:PORT/DB" URL
// (several understudy nodes on one store; docs/deployment.md). Same schema, migrations and
// queries on both. A snapshot is written in one transaction: it is
// visible only once complete, and a failed or interrupted snapshot leaves the previous one as the
// latest (design invariant 6). History is compact: object versions are content-addressed (an
// object whose content did not change is not stored again) and each instance's membership is kept
// as validity intervals, so a snapshot identical to the previous one adds one row.
// Password hashes live in their own table (`object_secret`) that only load_objects() with
// `with_password_hashes` reads — replay is the one caller; no output path asks for them.
//
// Schema and migrations: docs/store-schema.md. Later modules (sync journal, gate evaluations,
// audit log) add their tables through apply_migrations() with their own component name; a store
// whose recorded version of any known component is newer than this binary knows is refused
// (ErrorCode::kDataErr, "store … was written by a newer understudy").
//
// Thread-safety: a Store is used by one thread at a time; several processes may open the same
// store (SQLite locking, busy timeout 10 s; on PostgreSQL an advisory lock serialises writers,
// sql.h). Ownership: the Store owns its connection.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/secret.h"
#include "catalog/object.h"
#include "store/sql.h"

namespace understudy::store {

struct SnapshotInfo {
  int64_t id = 0;
  std::string instance;          // the config name of the instance ("primary")
  std::string taken_at;          // UTC RFC 3339, e.g. "2026-11-27T07:01:02Z" (when reading began)
  std::string run_id;            // the run that took it (log correlation)
  std::string server_name;       // SERVERPROPERTY('ServerName') as read
  int64_t object_count = 0;
  std::map<std::string, int64_t> counts;  // kind_name -> objects of that kind
};

// What the caller knows about a snapshot besides its objects.
struct SnapshotMeta {
  std::string instance;   // REQUIRES: non-empty
  std::string taken_at;   // "" = now
  std::string run_id;
  // Tuning, and small values for tests (snapshot_writer.h): new versions per intermediate commit
  // (0 = the default, 65,536), and how long to wait for another snapshot writer (-1 = 10 s).
  size_t commit_every = 0;
  int lock_wait_ms = -1;
};

// One versioned migration step of one component. Steps run in version order, each in its own
// transaction together with the bump of the recorded version.
struct Migration {
  int version;            // 1, 2, 3 … without gaps
  const char* name;       // short description, recorded
  const char* sql;        // one or more statements (SQLite; translated for PostgreSQL by pg_ddl())
  const char* pg_sql = nullptr;  // PostgreSQL's own text when a translation cannot do (also pg_ddl()'d)
};

struct OpenOptions {
  bool create = true;      // create the file (mode 0600) when missing
  bool read_only = false;  // open without writing (no migrations are run)
  int busy_timeout_ms = 10000;
  // The PostgreSQL store's password (config store_password_env / _file); unused for a file.
  Secret password;
  // Before anything is written: SQLite's quick_check of the whole file (reads every page once;
  // check_integrity()) — unless the file is unchanged since a process that had checked it closed
  // it (check_stamp.h); then only the small tables' full check runs. Such a store stamps the file
  // when it is closed. The service opens further connections without it and checks on a timer.
  bool check_integrity = true;
};

// What Store::open checked (OpenOptions::check_integrity).
enum class OpenCheck {
  kNone,       // read-only, or check_integrity = false
  kFull,       // quick_check of the whole file and the small tables' integrity_check
  kUnchanged,  // the file is as a checked open left it: the small tables' integrity_check only
};

struct LoadOptions {
  std::optional<catalog::Kind> kind;   // only this kind; nullopt = all
  bool with_password_hashes = false;   // replay only; never for output
};

class SnapshotWriter;

class Store {
 public:
  // Opens (or creates) the store at `path` (a file, or a PostgreSQL URL) and brings the core
  // schema up to date. On PostgreSQL "create" means creating the tables in an existing database;
  // without it a database without them is kNotFound.
  // Errors: kIo (cannot open/create), kDataErr (not an understudy store, or written by a newer
  // understudy), kStoreDamaged (opened for writing and the integrity check fails: nothing is
  // written into a damaged file), kUnavailable (the PostgreSQL server cannot be reached),
  // kConfig (a URL with a password), kLockHeld is never returned (the busy timeout waits).
  [[nodiscard]] static Result<std::unique_ptr<Store>> open(const std::string& path, const OpenOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return path_; }
  // Another connection to the same store (same password), e.g. for a second thread.
  [[nodiscard]] Result<std::unique_ptr<Store>> reopen(const OpenOptions& options) const;
  bool postgres() const { return db_->postgres(); }

  // Writes a complete snapshot atomically. Objects must have been sealed (fingerprint set); the
  // store does not re-seal. Duplicate (kind, match key) pairs are refused (kInternal).
  [[nodiscard]] Result<SnapshotInfo> save_snapshot(const SnapshotMeta& meta, std::span<const catalog::ServerObject> objects);
  // Starts a snapshot written object by object (snapshot_writer.h): the streaming form of
  // save_snapshot, for reads too large to hold. Takes the write lock until commit or destruction.
  [[nodiscard]] Result<std::unique_ptr<SnapshotWriter>> begin_snapshot(const SnapshotMeta& meta);

  // Snapshots, newest first; only those of `instance` when given.
  [[nodiscard]] Result<std::vector<SnapshotInfo>> list_snapshots(const std::optional<std::string>& instance = std::nullopt);
  // kNotFound when no snapshot has this id.
  [[nodiscard]] Result<SnapshotInfo> get_snapshot(int64_t id);
  // The latest complete snapshot of `instance`, or nullopt when it has none.
  [[nodiscard]] Result<std::optional<SnapshotInfo>> latest_snapshot(const std::string& instance);

  // The objects of a snapshot in stable order (kind order, then match key). kNotFound for a bad id.
  [[nodiscard]] Result<std::vector<catalog::ServerObject>> load_objects(int64_t snapshot_id, const LoadOptions& options = {});

  // The snapshot's objects in their light form (catalog::ObjectDigest, handle = version id), in
  // stable order — what a diff of sets too large to load whole starts from. kNotFound for a bad id.
  [[nodiscard]] Result<std::vector<catalog::ObjectDigest>> load_digests(int64_t snapshot_id);
  // Whole objects by version id (an ObjectDigest's handle), in the order of `ids`. kNotFound
  // when one does not exist. Password hashes only with `with_password_hashes` (replay, diff).
  [[nodiscard]] Result<std::vector<catalog::ServerObject>> load_versions(std::span<const int64_t> ids,
                                                                         bool with_password_hashes);

  // Brings `component`'s tables up to date (idempotent). The core component is "snapshot".
  // Errors: kDataErr when the store records a newer version of `component` than `migrations` has.
  [[nodiscard]] Status apply_migrations(const std::string& component, std::span<const Migration> migrations);
  // The recorded schema version of `component` (0 when it has none).
  [[nodiscard]] Result<int> schema_version(const std::string& component);

  // Runs `fn` inside one write transaction (Db::begin_write … COMMIT; ROLLBACK when fn fails).
  // For modules that keep their own tables here (journal, gate evaluations, audit).
  [[nodiscard]] Status in_transaction(const std::function<Status(Db&)>& fn);
  // The whole file: SQLite's quick_check (page structure, free lists; every page read once),
  // plus the full integrity_check of the small tables `instance` and `snapshot` (their indexes
  // against their rows). With `table`: the full integrity_check of that table and its indexes.
  // kStoreDamaged naming the first problems found. On PostgreSQL: a query that reads the tables'
  // catalog (the server checks its own pages: data checksums, docs/deployment.md).
  [[nodiscard]] Status check_integrity(const std::string& table = "");

  // What open() checked.
  OpenCheck open_check() const { return open_check_; }

  // The connection, for those modules. Owned by the Store.
  Db& db() const { return *db_; }

 private:
  Store() = default;
  Result<int64_t> instance_of(int64_t snapshot_id);
  // The small tables' full integrity_check (check_integrity() without the quick_check).
  [[nodiscard]] Status check_small_tables();
  // `e` as "store … is damaged: …" when it is kStoreDamaged (the stamp is dropped), else `e`.
  Error damaged_store(const Error& e);
  [[nodiscard]] Status open_sqlite(const OpenOptions& options);
  [[nodiscard]] Status open_postgres(const OpenOptions& options);
  // The schema checks of a read-only open (no migration runs).
  [[nodiscard]] Status check_read_only_schema();
  std::unique_ptr<Db> db_;
  std::string path_;
  Secret password_;
  OpenCheck open_check_ = OpenCheck::kNone;
};

// The core ("snapshot") component's migrations, for docs and tests.
std::span<const Migration> core_migrations();

}  // namespace understudy::store
