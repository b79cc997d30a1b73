// sql_sqlite.cc — sql.h's Db and Stmt: the dispatch on the backend and the SQLite half.
#include <string>

#include "store/check_stamp.h"
#include "store/sql.h"
#include "store/sql_pg.h"

namespace understudy::store {

Error sqlite_error(sqlite3* db, std::string_view what) {
  int rc = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "no database handle");
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
    return Error(ErrorCode::kTempFail, msg, "another process holds the store; try again");
  if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
    if (const char* path = db ? sqlite3_db_filename(db, "main") : nullptr; path && *path) note_damaged(path);
    return Error(ErrorCode::kStoreDamaged, std::string(what) + ": the store file is damaged (" +
                 (db ? sqlite3_errmsg(db) : "") + ")", kDamagedHint);
  }
  return Error(ErrorCode::kIo, msg);
}

Db::~Db() { close(); }

bool Db::close() {
  bool clean = true;
  if (sq_ && sqlite3_close(sq_) != SQLITE_OK) {
    sqlite3_close_v2(sq_);
    clean = false;
  }
  sq_ = nullptr;
  if (pg_) PQfinish(pg_);
  pg_ = nullptr;
  return clean;
}

Status Db::exec(std::string_view sql) {
  if (pg_) return pg_exec(pg_, sql);
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(sq_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    return tl::unexpected(sqlite_error(sq_, "store"));
  }
  return {};
}

Status Db::begin_write() {
  // 0x75735772 ("usWr"): the one advisory lock every understudy writer of the database takes.
  return exec(pg_ ? "BEGIN; SELECT pg_advisory_xact_lock(1970493298)" : "BEGIN IMMEDIATE");
}

bool Db::in_transaction() const {
  if (pg_) return PQtransactionStatus(pg_) != PQTRANS_IDLE;
  return sq_ && !sqlite3_get_autocommit(sq_);
}

Error Db::error(std::string_view what) const { return pg_ ? pg_error(pg_, nullptr, what) : sqlite_error(sq_, what); }

Stmt::Stmt() = default;
Stmt::Stmt(Stmt&& o) noexcept : db_(o.db_), st_(o.st_), pg_(std::move(o.pg_)) { o.st_ = nullptr; }

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (st_) sqlite3_finalize(st_);
    db_ = o.db_;
    st_ = o.st_;
    pg_ = std::move(o.pg_);
    o.st_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() {
  if (st_) sqlite3_finalize(st_);
}

Result<Stmt> Stmt::prepare(Db& db, std::string_view sql) {
  Stmt s;
  s.db_ = &db;
  if (db.postgres()) {
    s.pg_ = std::make_unique<PgStmt>();
    s.pg_->conn = db.pg();
    int params = 0;
    s.pg_->sql = pg_placeholders(sql, params);
    s.pg_->values.resize(static_cast<size_t>(params));
    s.pg_->is_null.assign(static_cast<size_t>(params), 1);
    s.pg_->formats.assign(static_cast<size_t>(params), 0);
    return s;
  }
  if (sqlite3_prepare_v2(db.sqlite(), sql.data(), static_cast<int>(sql.size()), &s.st_, nullptr) != SQLITE_OK)
    return tl::unexpected(sqlite_error(db.sqlite(), "store: prepare"));
  return s;
}

Stmt& Stmt::pg_bind(int i, std::string_view value, bool binary) {
  auto at = static_cast<size_t>(i - 1);
  if (at < pg_->values.size()) {
    pg_->values[at].assign(value);
    pg_->is_null[at] = 0;
    pg_->formats[at] = binary ? 1 : 0;
  }
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  if (pg_) {
    auto at = static_cast<size_t>(i - 1);
    if (at < pg_->values.size()) pg_->is_null[at] = 1;
    return *this;
  }
  sqlite3_bind_null(st_, i);
  return *this;
}

Result<bool> Stmt::step() {
  if (pg_) return pg_step(*pg_);
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::unexpected(sqlite_error(db_->sqlite(), "store"));
}

Status Stmt::run() {
  while (true) {
    auto r = step();
    if (!r) {
      reset();
      return tl::unexpected(r.error());
    }
    if (!*r) break;
  }
  reset();
  return {};
}

void Stmt::reset() {
  if (pg_) {
    pg_->clear_result();
    std::fill(pg_->is_null.begin(), pg_->is_null.end(), 1);
    return;
  }
  if (!st_) return;  // never prepared (a writer that failed to begin)
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

bool Stmt::is_null(int col) const {
  if (pg_) return !pg_->res || PQgetisnull(pg_->res, pg_->row, col);
  return sqlite3_column_type(st_, col) == SQLITE_NULL;
}

int64_t Stmt::pg_int64(int col) const {
  if (!pg_->res || PQgetisnull(pg_->res, pg_->row, col)) return 0;
  const char* v = PQgetvalue(pg_->res, pg_->row, col);
  if (*v == 't') return 1;  // boolean
  if (*v == 'f') return 0;
  return std::strtoll(v, nullptr, 10);
}

std::string_view Stmt::text_view(int col) const {
  if (pg_) {
    if (!pg_->res || PQgetisnull(pg_->res, pg_->row, col)) return {};
    return std::string_view(PQgetvalue(pg_->res, pg_->row, col),
                            static_cast<size_t>(PQgetlength(pg_->res, pg_->row, col)));
  }
  const auto* p = sqlite3_column_text(st_, col);
  return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col)))
           : std::string_view();
}

std::string_view Stmt::blob_view(int col) const {
  if (pg_) {
    std::string_view hex = text_view(col);
    auto at = static_cast<size_t>(col);
    if (pg_->decoded.size() <= at) pg_->decoded.resize(at + 1);
    pg_->decoded[at] = pg_unhex(hex);
    return pg_->decoded[at];
  }
  const auto* p = static_cast<const char*>(sqlite3_column_blob(st_, col));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string_view();
}

}  // namespace understudy::store
