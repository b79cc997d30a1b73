#include "store/sqlite.h"

#include <string>

#include "store/check_stamp.h"

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

Status exec(sqlite3* db, std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    return tl::unexpected(sqlite_error(db, "store"));
  }
  return {};
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (st_) sqlite3_finalize(st_);
    db_ = o.db_;
    st_ = o.st_;
    o.st_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() {
  if (st_) sqlite3_finalize(st_);
}

Result<Stmt> Stmt::prepare(sqlite3* db, std::string_view sql) {
  Stmt s;
  s.db_ = db;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s.st_, nullptr) != SQLITE_OK)
    return tl::unexpected(sqlite_error(db, "store: prepare"));
  return s;
}

Stmt& Stmt::bind(int i, int64_t v) {
  sqlite3_bind_int64(st_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view text) {
  sqlite3_bind_text(st_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_blob(int i, std::string_view bytes) {
  sqlite3_bind_blob(st_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_ref(int i, std::string_view text) {
  sqlite3_bind_text(st_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}
Stmt& Stmt::bind_blob_ref(int i, std::string_view bytes) {
  sqlite3_bind_blob(st_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(st_, i);
  return *this;
}

Result<bool> Stmt::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::unexpected(sqlite_error(db_, "store"));
}

Status Stmt::run() {
  while (true) {
    auto r = step();
    if (!r) return tl::unexpected(r.error());
    if (!*r) break;
  }
  reset();
  return {};
}

void Stmt::reset() {
  if (!st_) return;  // never prepared (a writer that failed to begin)
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

std::string_view Stmt::text_view(int col) const {
  const auto* p = sqlite3_column_text(st_, col);
  return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col)))
           : std::string_view();
}

std::string Stmt::text(int col) const {
  const auto* p = sqlite3_column_text(st_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string();
}

std::string_view Stmt::blob_view(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(st_, col));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string_view();
}

std::string Stmt::blob(int col) const { return std::string(blob_view(col)); }

}  // namespace understudy::store
