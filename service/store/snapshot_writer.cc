#include "store/snapshot_writer.h"

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "catalog/canonical.h"

namespace understudy::store {

namespace {

// JSON text of a field set; invalid UTF-8 (a lone surrogate read from a hostile name) is replaced
// rather than failing the snapshot.
std::string dump(const nlohmann::json& j) {
  std::string out;
  out.reserve(512);
  catalog::append_json_text(j, out);
  return out;
}

// Identity of one stored object version: everything that is kept, volatile fields included, so
// a changed modify_date is a new version while an untouched object is stored once.
std::string content_id(const catalog::ServerObject& o, const std::string& fields, const std::string& volatile_fields) {
  std::string data;
  data.reserve(o.key.size() + fields.size() + volatile_fields.size() + 200);
  data.append(catalog::kind_name(o.kind));
  data.push_back('\0');
  data.append(o.key);
  data.push_back('\0');
  data.append(fields);
  data.push_back('\0');
  data.append(volatile_fields);
  data.push_back('\0');
  if (o.password_hash) {
    data.push_back('H');
    data.append(o.password_hash->reveal());
  }
  std::string raw = catalog::sha256_raw(data);
  for (auto& c : data) reinterpret_cast<volatile char&>(c) = 0;
  return raw;
}

}  // namespace

Status SnapshotWriter::begin(sqlite3* db, const SnapshotMeta& meta) {
  db_ = db;
  // A first snapshot of scale L inserts ~500,000 rows into three B-trees keyed by hashes (random
  // order): with SQLite's 2 MB default page cache that thrashes. 32 MB for the write, then back.
  US_TRY(exec(db_, "PRAGMA cache_size = -32768"));
  US_TRY(exec(db_, "BEGIN IMMEDIATE"));
  open_txn_ = true;
  info_.instance = meta.instance;
  info_.taken_at = meta.taken_at;
  info_.run_id = meta.run_id;

  auto ins_inst = Stmt::prepare(db_, "INSERT INTO instance(name) VALUES (?) ON CONFLICT(name) DO NOTHING");
  if (!ins_inst) return tl::unexpected(ins_inst.error());
  US_TRY(ins_inst->bind(1, meta.instance).run());
  auto get_inst = Stmt::prepare(db_, "SELECT id FROM instance WHERE name = ?");
  if (!get_inst) return tl::unexpected(get_inst.error());
  get_inst->bind(1, meta.instance);
  auto r = get_inst->step();
  if (!r) return tl::unexpected(r.error());
  instance_id_ = get_inst->int64(0);

  // The row exists from the start (its id stamps presence rows); counts are set by commit().
  auto ins_snap = Stmt::prepare(db_,
                                "INSERT INTO snapshot(instance_id, taken_at, run_id, server_name, object_count, counts)"
                                " VALUES (?,?,?,'',0,'{}')");
  if (!ins_snap) return tl::unexpected(ins_snap.error());
  US_TRY(ins_snap->bind(1, instance_id_).bind(2, info_.taken_at).bind(3, info_.run_id).run());
  info_.id = sqlite3_last_insert_rowid(db_);

  // What the instance held at its latest snapshot: content id -> version id.
  auto q = Stmt::prepare(db_,
                         "SELECT p.version_id, v.content_id FROM object_presence p"
                         " JOIN object_version v ON v.id = p.version_id"
                         " WHERE p.instance_id = ? AND p.to_snapshot IS NULL");
  if (!q) return tl::unexpected(q.error());
  q->bind(1, instance_id_);
  while (true) {
    auto row = q->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    std::string cid = q->blob(1);
    Digest d{};
    if (cid.size() != d.size())
      return fail(ErrorCode::kDataErr, "store: object version " + std::to_string(q->int64(0)) + " has a bad content id");
    std::memcpy(d.data(), cid.data(), d.size());
    open_.push_back({d, q->int64(0), false});
  }
  std::sort(open_.begin(), open_.end(), [](const Open& a, const Open& b) { return a.content_id < b.content_id; });

  struct Prep {
    Stmt* stmt;
    const char* sql;
  };
  for (auto [stmt, sql] : {
           Prep{&find_ver_, "SELECT id FROM object_version WHERE content_id = ?"},
           Prep{&ins_ver_,
                "INSERT INTO object_version(content_id, kind, key, match_key, fingerprint, fields, volatile_fields)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(content_id) DO NOTHING"},
           Prep{&ins_secret_, "INSERT INTO object_secret(version_id, password_hash) VALUES (?,?)"},
           Prep{&ins_pres_,
                "INSERT INTO object_presence(instance_id, version_id, from_snapshot, to_snapshot) VALUES (?,?,?,NULL)"},
           Prep{&close_pres_,
                "UPDATE object_presence SET to_snapshot = ?"
                " WHERE instance_id = ? AND version_id = ? AND to_snapshot IS NULL"},
           Prep{&fin_snap_, "UPDATE snapshot SET server_name = ?, object_count = ?, counts = ? WHERE id = ?"},
       }) {
    auto p = Stmt::prepare(db_, sql);
    if (!p) return tl::unexpected(p.error());
    *stmt = std::move(*p);
  }
  return {};
}

Status SnapshotWriter::add(const catalog::ServerObject& o) {
  if (!open_txn_) return fail(ErrorCode::kInternal, "store: snapshot writer used after commit or failure");
  Status st = [&]() -> Status {
    info_.object_count++;
    info_.counts[std::string(catalog::kind_name(o.kind))]++;
    if (o.kind == catalog::Kind::kInstance) {
      auto it = o.fields.find("server_name");
      if (it != o.fields.end() && it->is_string()) info_.server_name = it->get<std::string>();
    }
    std::string fields = dump(o.fields);
    std::string vol = dump(o.volatile_fields);
    std::string cid = content_id(o, fields, vol);
    Digest d{};
    std::memcpy(d.data(), cid.data(), d.size());
    auto it = std::lower_bound(open_.begin(), open_.end(), d,
                               [](const Open& o, const Digest& x) { return o.content_id < x; });
    if (it != open_.end() && it->content_id == d && !it->seen) {  // unchanged since the latest snapshot
      it->seen = true;
      return {};
    }
    // New content (or content seen in an older snapshot): only now is the fingerprint needed.
    ins_ver_.bind_blob(1, cid).bind(2, catalog::kind_name(o.kind)).bind(3, o.key).bind(4, o.match_key());
    ins_ver_.bind(5, o.fingerprint.empty() ? o.compute_fingerprint() : o.fingerprint).bind(6, fields).bind(7, vol);
    US_TRY(ins_ver_.run());
    int64_t vid = 0;
    if (sqlite3_changes(db_) == 1) {
      vid = sqlite3_last_insert_rowid(db_);
      if (o.password_hash) {
        ins_secret_.bind(1, vid).bind(2, o.password_hash->reveal());
        US_TRY(ins_secret_.run());
      }
    } else {  // stored before: reuse that version
      find_ver_.bind_blob(1, cid);
      auto found = find_ver_.step();
      if (!found) return tl::unexpected(found.error());
      if (!*found) return fail(ErrorCode::kInternal, "store: object version vanished during a snapshot");
      vid = find_ver_.int64(0);
      find_ver_.reset();
    }
    ins_pres_.bind(1, instance_id_).bind(2, vid).bind(3, info_.id);
    return ins_pres_.run();
  }();
  if (!st) rollback();
  return st;
}

Result<SnapshotInfo> SnapshotWriter::commit() {
  if (!open_txn_) return fail(ErrorCode::kInternal, "store: snapshot writer used after commit or failure");
  Status st = [&]() -> Status {
    for (const auto& o : open_) {  // gone or changed: its interval ends here
      if (o.seen) continue;
      close_pres_.bind(1, info_.id).bind(2, instance_id_).bind(3, o.version_id);
      US_TRY(close_pres_.run());
    }
    nlohmann::json counts(info_.counts);
    fin_snap_.bind(1, info_.server_name).bind(2, info_.object_count).bind(3, counts.dump()).bind(4, info_.id);
    US_TRY(fin_snap_.run());
    US_TRY(exec(db_, "COMMIT"));
    (void)exec(db_, "PRAGMA cache_size = -2000");  // committed: a failure here changes nothing stored
    return {};
  }();
  if (!st) {
    rollback();
    return tl::unexpected(st.error());
  }
  open_txn_ = false;
  open_.clear();
  return info_;
}

void SnapshotWriter::rollback() {
  if (!open_txn_) return;
  open_txn_ = false;
  // Statements are reset first so that ROLLBACK is not refused by a pending read.
  for (auto* s : {&find_ver_, &ins_ver_, &ins_secret_, &ins_pres_, &close_pres_, &fin_snap_}) s->reset();
  (void)exec(db_, "ROLLBACK");
  (void)exec(db_, "PRAGMA cache_size = -2000");
}

SnapshotWriter::~SnapshotWriter() { rollback(); }

}  // namespace understudy::store
