#include "store/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <unordered_map>
#include <unordered_set>

#include "base/time.h"
#include "base/sha256.h"
#include "catalog/canonical.h"
#include "store/check_stamp.h"
#include "store/snapshot_writer.h"
#include "store/sql.h"

namespace understudy::store {

namespace {

constexpr const char* kCoreComponent = "snapshot";

Status bootstrap(Db& db) {
  return exec(db,
              "CREATE TABLE IF NOT EXISTS schema_migrations ("
              " component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
              " applied_at TEXT NOT NULL, PRIMARY KEY (component, version))");
}

Result<SnapshotInfo> read_info(Stmt& st) {
  SnapshotInfo info;
  info.id = st.int64(0);
  info.instance = st.text(1);
  info.taken_at = st.text(2);
  info.run_id = st.text(3);
  info.server_name = st.text(4);
  info.object_count = st.int64(5);
  try {
    auto counts = nlohmann::json::parse(st.text(6));
    for (auto it = counts.begin(); it != counts.end(); ++it) info.counts[it.key()] = it.value().get<int64_t>();
  } catch (const std::exception& e) {
    return fail(ErrorCode::kDataErr, "store: snapshot " + std::to_string(info.id) + " has bad counts: " + e.what());
  }
  return info;
}

// One object from a row of (kind, key, fingerprint, fields, volatile_fields, password_hash|NULL).
Result<catalog::ServerObject> decode_object(Stmt& st, const std::string& where) {
  catalog::ServerObject o;
  auto kind = catalog::kind_from_name(st.text_view(0));
  if (!kind) return fail(ErrorCode::kDataErr, "store: unknown kind " + st.text(0) + " in " + where);
  o.kind = *kind;
  o.key = st.text(1);
  std::string_view fp = st.blob_view(2);
  o.fingerprint = hex_of(reinterpret_cast<const unsigned char*>(fp.data()), fp.size());
  try {
    o.fields = nlohmann::json::parse(st.text_view(3));
    o.volatile_fields = nlohmann::json::parse(st.text_view(4));
  } catch (const std::exception& e) {
    return fail(ErrorCode::kDataErr, "store: bad object in " + where + ": " + e.what());
  }
  if (!st.is_null(5)) o.password_hash = Secret(st.text(5));
  return o;
}

// understudy_unhex(TEXT): the bytes a hex text spells, NULL when it is not hex. Migration 2 turns
// v1's hex fingerprints into blobs with it (SQLite 3.40, Debian bookworm's, has no unhex()).
void sql_unhex(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* p = sqlite3_value_text(argv[0]);
  std::string_view hex = p ? std::string_view(reinterpret_cast<const char*>(p),
                                              static_cast<size_t>(sqlite3_value_bytes(argv[0])))
                           : std::string_view();
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (!p || hex.size() % 2 != 0) return sqlite3_result_null(ctx);
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return sqlite3_result_null(ctx);
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  sqlite3_result_blob(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}

// The version rows of instance ?1 that make up its snapshot ?2 (docs/store-schema.md).
constexpr const char* kInSnapshot =
    " WHERE v.instance_id = ?1 AND v.from_snapshot <= ?2 AND (v.to_snapshot IS NULL OR v.to_snapshot > ?2)";

Error snapshot_not_found(int64_t id) {
  return Error(ErrorCode::kNotFound, "snapshot " + std::to_string(id) + " does not exist",
               "`understudy snapshots list` shows the snapshots");
}

constexpr const char* kInfoSelect =
    "SELECT s.id, i.name, s.taken_at, s.run_id, s.server_name, s.object_count, s.counts"
    " FROM snapshot s JOIN instance i ON i.id = s.instance_id WHERE s.complete = 1 ";

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::string& path, const OpenOptions& options) {
  std::unique_ptr<Store> s(new Store());
  s->path_ = path;
  s->password_ = options.password;
  US_TRY(is_postgres_url(path) ? s->open_postgres(options) : s->open_sqlite(options));
  return s;
}

Result<std::unique_ptr<Store>> Store::reopen(const OpenOptions& options) const {
  OpenOptions o = options;
  o.password = password_;
  return open(path_, o);
}

Status Store::open_sqlite(const OpenOptions& options) {
  const std::string& path = path_;
  struct stat sb {};
  bool exists = ::stat(path.c_str(), &sb) == 0;
  if (!exists) {
    if (!options.create || options.read_only)
      return fail(ErrorCode::kNotFound, "store " + path + " does not exist",
                  "run `understudy snapshot` first, or check the store setting");
    // Created here, mode 0600, before SQLite sees it: SQLite gives the -wal/-shm files the same mode.
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
      return fail(ErrorCode::kIo, "cannot create store " + path + ": " + std::strerror(errno));
    if (fd >= 0) ::close(fd);
  }
  int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  db_ = std::make_unique<Db>(handle);
  if (rc != SQLITE_OK) return fail(ErrorCode::kIo, "cannot open store " + path + ": " + sqlite3_errmsg(handle));
  sqlite3_busy_timeout(handle, options.busy_timeout_ms);
  sqlite3_extended_result_codes(handle, 1);

  // Probe: a file that is not a SQLite database fails here.
  {
    auto probe = Stmt::prepare(*db_, "SELECT count(*) FROM sqlite_master");
    if (!probe || !probe->step())
      return fail(ErrorCode::kDataErr, "store " + path + " is not an understudy store: " + sqlite3_errmsg(handle),
                  "point the store setting at another file");
  }

  if (!options.read_only && options.check_integrity) {
    // As a checked open left it: the small tables only (check_stamp.h).
    bool unchanged = exists && unchanged_since_check(path);
    US_TRY(unchanged ? check_small_tables() : check_integrity());
    open_check_ = unchanged ? OpenCheck::kUnchanged : OpenCheck::kFull;
  }
  if (options.read_only) return check_read_only_schema();
  if (sqlite3_create_function(handle, "understudy_unhex", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, sql_unhex,
                              nullptr, nullptr) != SQLITE_OK)
    return tl::unexpected(sqlite_error(handle, "store " + path));
  // A new store gets 16 KB pages (SQLite's default is 4 KB; the size is fixed once the file has
  // content, and a WAL store keeps it): a snapshot of scale L writes ~250 MB of object text,
  // and with 4 times fewer pages its first snapshot cost 0.5 s less CPU (less B-tree and WAL
  // bookkeeping, half the checkpoint time) for a 5% smaller file. A no-op on an existing store.
  US_TRY(db_->exec("PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON"));
  US_TRY(in_transaction([](Db& db) { return bootstrap(db); }));
  return apply_migrations(kCoreComponent, core_migrations());
}

Status Store::open_postgres(const OpenOptions& options) {
  US_TRY(refuse_password_in_url(path_));  // before the URL appears in any message
  auto db = Db::connect_postgres(path_, options.password, options.busy_timeout_ms);
  if (!db) {
    Error e = db.error();
    e.message = "store " + path_ + ": " + e.message;
    return tl::unexpected(e);
  }
  db_ = std::move(*db);
  auto v = schema_version(kCoreComponent);
  if (!v) return tl::unexpected(v.error());
  if (*v == 0 && (!options.create || options.read_only))
    return fail(ErrorCode::kNotFound, "store " + path_ + " has no understudy tables yet",
                "run `understudy snapshot` first (it creates them), or check the store setting");
  if (options.read_only) return check_read_only_schema();
  US_TRY(in_transaction([](Db& db) { return bootstrap(db); }));
  return apply_migrations(kCoreComponent, core_migrations());
}

Status Store::check_read_only_schema() {
  auto v = schema_version(kCoreComponent);
  if (!v) return tl::unexpected(v.error());
  int known = static_cast<int>(core_migrations().size());
  if (*v > known)
    return fail(ErrorCode::kDataErr,
                "store " + path_ + " was written by a newer understudy (schema " + kCoreComponent + " version " +
                    std::to_string(*v) + ", this build knows " + std::to_string(known) + ")",
                "upgrade understudy, or point the store setting at another file");
  // Read-only opens run no migration, and this build's queries need its schema.
  if (*v > 0 && *v < known)
    return fail(ErrorCode::kDataErr,
                "store " + path_ + " has an older schema (" + kCoreComponent + " version " + std::to_string(*v) +
                    ", this build reads " + std::to_string(known) + ")",
                "open it once read-write (`understudy snapshots list` upgrades it)");
  return {};
}

Store::~Store() {
  if (!db_) return;
  // Only a connection that is really closed (no statement left open) leaves the file as it is.
  if (db_->close() && open_check_ != OpenCheck::kNone) stamp_checked(path_);
}

Error Store::damaged_store(const Error& e) {
  if (e.code != ErrorCode::kStoreDamaged) return e;
  note_damaged(path_);
  return Error(ErrorCode::kStoreDamaged, "store " + path_ + " is damaged: " + sqlite3_errmsg(db_->sqlite()), kDamagedHint);
}

Status Store::check_integrity(const std::string& table) {
  if (db_->postgres()) {
    // The server keeps its pages sound itself; what is checked here is that the store answers.
    auto v = schema_version(kCoreComponent);
    if (!v) return tl::unexpected(v.error());
    return {};
  }
  auto damaged = [&](const Error& e) -> Status { return tl::unexpected(damaged_store(e)); };
  auto run = [&](const std::string& sql) -> Status {
    auto st = Stmt::prepare(*db_, sql);
    if (!st) return damaged(st.error());
    std::string problems;
    int found = 0;
    while (true) {
      auto row = st->step();
      if (!row) return damaged(row.error());
      if (!*row) break;
      std::string line = st->text(0);
      if (line == "ok") return {};
      if (line.rfind("*** in database", 0) == 0) continue;
      if (++found <= 3) problems += (problems.empty() ? "" : "; ") + line;
    }
    if (found == 0) return {};
    note_damaged(path_);
    return fail(ErrorCode::kStoreDamaged,
                "store " + path_ + " is damaged: " + problems +
                    (found > 3 ? " (and " + std::to_string(found - 3) + " more)" : ""),
                kDamagedHint);
  };
  auto quoted = [](const std::string& name) {
    std::string q = "\"";
    for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  if (!table.empty()) return run("PRAGMA integrity_check(" + quoted(table) + ")");
  US_TRY(run("PRAGMA quick_check"));
  return check_small_tables();
}

Status Store::check_small_tables() {
  // quick_check does not compare indexes with their tables: a page of `snapshot` that lost its
  // rows reads as an empty table while its index still names them. The small tables get the
  // full check (a new store has none of them yet).
  for (const char* small : {"instance", "snapshot"}) {
    auto has = Stmt::prepare(*db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    if (!has) return tl::unexpected(damaged_store(has.error()));
    has->bind(1, std::string_view(small));
    auto row = has->step();
    if (!row) return tl::unexpected(damaged_store(row.error()));
    if (*row) US_TRY(check_integrity(small));
  }
  return {};
}

Result<int> Store::schema_version(const std::string& component) {
  auto st = Stmt::prepare(*db_, db_->postgres()
                                    ? "SELECT 1 WHERE to_regclass('schema_migrations') IS NOT NULL"
                                    : "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!st) return tl::unexpected(st.error());
  auto has = st->step();
  if (!has) return tl::unexpected(has.error());
  if (!*has) return 0;
  auto q = Stmt::prepare(*db_, "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE component = ?");
  if (!q) return tl::unexpected(q.error());
  q->bind(1, component);
  auto row = q->step();
  if (!row) return tl::unexpected(row.error());
  return static_cast<int>(q->int64(0));
}

Status Store::apply_migrations(const std::string& component, std::span<const Migration> migrations) {
  return in_transaction([&](Db& db) -> Status {
    auto cur = schema_version(component);
    if (!cur) return tl::unexpected(cur.error());
    int known = migrations.empty() ? 0 : migrations.back().version;
    if (*cur > known)
      return fail(ErrorCode::kDataErr,
                  "store " + path_ + " was written by a newer understudy (schema " + component + " version " +
                      std::to_string(*cur) + ", this build knows " + std::to_string(known) + ")",
                  "upgrade understudy, or point the store setting at another file");
    for (const auto& m : migrations) {
      if (m.version <= *cur) continue;
      US_TRY(exec(db, db.postgres() ? pg_ddl(m.pg_sql ? m.pg_sql : m.sql) : std::string(m.sql)));
      auto ins = Stmt::prepare(db, "INSERT INTO schema_migrations(component, version, name, applied_at) VALUES (?,?,?,?)");
      if (!ins) return tl::unexpected(ins.error());
      ins->bind(1, component).bind(2, int64_t{m.version}).bind(3, std::string_view(m.name)).bind(4, utc_now());
      US_TRY(ins->run());
    }
    return {};
  });
}

Status Store::in_transaction(const std::function<Status(Db&)>& fn) {
  if (auto b = db_->begin_write(); !b) {
    if (db_->in_transaction()) (void)db_->exec("ROLLBACK");
    return b;
  }
  Status st;
  try {
    st = fn(*db_);
  } catch (const std::exception& e) {
    st = fail(ErrorCode::kInternal, std::string("store: ") + e.what());
  }
  if (!st) {
    (void)db_->exec("ROLLBACK");
    return st;
  }
  auto c = db_->exec("COMMIT");
  if (!c) {
    if (db_->in_transaction()) (void)db_->exec("ROLLBACK");
    return c;
  }
  return {};
}

Result<SnapshotInfo> Store::save_snapshot(const SnapshotMeta& meta, std::span<const catalog::ServerObject> objects) {
  {
    std::unordered_set<std::string> seen;
    for (const auto& o : objects)
      if (!seen.insert(std::string(catalog::kind_name(o.kind)) + '\0' + o.match_key()).second)
        return fail(ErrorCode::kInternal, "store: duplicate " + std::string(catalog::kind_name(o.kind)) + " " + o.key);
  }
  auto w = begin_snapshot(meta);
  if (!w) return tl::unexpected(w.error());
  for (const auto& o : objects) US_TRY((*w)->add(o));
  return (*w)->commit();
}

Result<std::unique_ptr<SnapshotWriter>> Store::begin_snapshot(const SnapshotMeta& meta) {
  if (meta.instance.empty()) return fail(ErrorCode::kInternal, "store: snapshot without an instance name");
  std::unique_ptr<SnapshotWriter> w(new SnapshotWriter());
  SnapshotMeta m = meta;
  if (m.taken_at.empty()) m.taken_at = utc_now();
  US_TRY(w->begin(*db_, path_, m));
  return w;
}

Result<std::vector<SnapshotInfo>> Store::list_snapshots(const std::optional<std::string>& instance) {
  std::string sql = std::string(kInfoSelect) + (instance ? "AND i.name = ? " : "") + "ORDER BY s.id DESC";
  auto st = Stmt::prepare(*db_, sql);
  if (!st) return tl::unexpected(st.error());
  if (instance) st->bind(1, *instance);
  std::vector<SnapshotInfo> out;
  while (true) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    auto info = read_info(*st);
    if (!info) return tl::unexpected(info.error());
    out.push_back(std::move(*info));
  }
  return out;
}

Result<SnapshotInfo> Store::get_snapshot(int64_t id) {
  auto st = Stmt::prepare(*db_, std::string(kInfoSelect) + "AND s.id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row)
    return tl::unexpected(snapshot_not_found(id));
  return read_info(*st);
}

Result<std::optional<SnapshotInfo>> Store::latest_snapshot(const std::string& instance) {
  auto st = Stmt::prepare(*db_, std::string(kInfoSelect) + "AND i.name = ? ORDER BY s.id DESC LIMIT 1");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, instance);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<SnapshotInfo>{};
  auto info = read_info(*st);
  if (!info) return tl::unexpected(info.error());
  return std::optional<SnapshotInfo>(std::move(*info));
}

Result<std::vector<catalog::ServerObject>> Store::load_objects(int64_t snapshot_id, const LoadOptions& options) {
  auto found = instance_of(snapshot_id);
  if (!found) return tl::unexpected(found.error());
  int64_t instance_id = *found;

  std::string sql =
      "SELECT v.kind, v.key, v.fingerprint, v.fields, v.volatile_fields";
  sql += options.with_password_hashes ? ", s.password_hash" : ", NULL";
  sql += " FROM object_version v";
  if (options.with_password_hashes) sql += " LEFT JOIN object_secret s ON s.version_id = v.id";
  sql += kInSnapshot;
  if (options.kind) sql += " AND v.kind = ?3";
  auto st = Stmt::prepare(*db_, sql);
  if (!st) return tl::unexpected(st.error());
  st->bind(1, instance_id).bind(2, snapshot_id);
  if (options.kind) st->bind(3, catalog::kind_name(*options.kind));

  std::vector<catalog::ServerObject> out;
  while (true) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    auto o = decode_object(*st, "snapshot " + std::to_string(snapshot_id));
    if (!o) return tl::unexpected(o.error());
    out.push_back(std::move(*o));
  }
  catalog::sort_objects(out);
  return out;
}

Result<int64_t> Store::instance_of(int64_t snapshot_id) {
  auto q = Stmt::prepare(*db_, "SELECT instance_id FROM snapshot WHERE id = ? AND complete = 1");
  if (!q) return tl::unexpected(q.error());
  q->bind(1, snapshot_id);
  auto found = q->step();
  if (!found) return tl::unexpected(found.error());
  if (!*found)
    return tl::unexpected(snapshot_not_found(snapshot_id));
  return q->int64(0);
}

Result<std::vector<catalog::ObjectDigest>> Store::load_digests(int64_t snapshot_id) {
  auto instance_id = instance_of(snapshot_id);
  if (!instance_id) return tl::unexpected(instance_id.error());
  auto st = Stmt::prepare(*db_, std::string("SELECT v.id, v.kind, v.key, v.fingerprint FROM object_version v") +
                                  kInSnapshot);
  if (!st) return tl::unexpected(st.error());
  st->bind(1, *instance_id).bind(2, snapshot_id);
  std::vector<catalog::ObjectDigest> out;
  std::string last_kind_text;
  catalog::Kind last_kind = catalog::Kind::kInstance;
  while (true) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    catalog::ObjectDigest d;
    d.handle = st->int64(0);
    std::string_view kind_text = st->text_view(1);
    if (kind_text != last_kind_text) {  // rows of one kind mostly come together: look the name up once
      auto kind = catalog::kind_from_name(kind_text);
      if (!kind)
        return fail(ErrorCode::kDataErr,
                    "store: unknown kind " + std::string(kind_text) + " in snapshot " + std::to_string(snapshot_id));
      last_kind = *kind;
      last_kind_text.assign(kind_text);
    }
    d.kind = last_kind;
    d.match_key = catalog::fold_name(st->text_view(2));  // not stored: folding is cheaper than reading it
    std::string_view fp = st->blob_view(3);
    if (fp.size() != d.fingerprint.size())
      return fail(ErrorCode::kDataErr, "store: object version " + std::to_string(d.handle) + " has a bad fingerprint");
    std::memcpy(d.fingerprint.data(), fp.data(), fp.size());
    out.push_back(std::move(d));
  }
  catalog::sort_digests(out);
  return out;
}

Result<std::vector<catalog::ServerObject>> Store::load_versions(std::span<const int64_t> ids, bool with_password_hashes) {
  std::string sql = "SELECT v.kind, v.key, v.fingerprint, v.fields, v.volatile_fields";
  sql += with_password_hashes ? ", s.password_hash FROM object_version v LEFT JOIN object_secret s ON s.version_id = v.id"
                              : ", NULL FROM object_version v";
  sql += " WHERE v.id = ?";
  auto st = Stmt::prepare(*db_, sql);
  if (!st) return tl::unexpected(st.error());
  std::vector<catalog::ServerObject> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    st->bind(1, id);
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(ErrorCode::kNotFound, "store: object version " + std::to_string(id) + " does not exist");
    auto o = decode_object(*st, "object version " + std::to_string(id));
    st->reset();
    if (!o) return tl::unexpected(o.error());
    out.push_back(std::move(*o));
  }
  return out;
}

}  // namespace understudy::store
