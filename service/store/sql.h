// sql.h — the store's SQL connection (Db) and prepared statement (Stmt), over either backend:
// SQLite (an embedded file, the default) or PostgreSQL (libpq; several nodes on one store).
//
// One SQL text serves both: statements are written with SQLite's placeholders (`?`, `?N`), which
// a PostgreSQL statement rewrites to `$N`; upserts use `INSERT … ON CONFLICT … DO UPDATE/NOTHING`
// and new ids `INSERT … RETURNING id`, which both engines speak. What differs is asked of the Db
// (dialect(), begin_write()) or kept out of shared code (PRAGMAs are SQLite's; the DDL of a
// migration is translated for PostgreSQL by pg_ddl()).
//
// Writers are serialised the same way on both: begin_write() is SQLite's BEGIN IMMEDIATE (the
// file's one write lock) and, on PostgreSQL, BEGIN plus a transaction-scoped advisory lock that
// every understudy writer of the database takes — so a read-then-write transaction (the audit
// chain's next hash, a sync lock's row) never interleaves with another node's.
//
// Statements on PostgreSQL run when first stepped (PQexecParams, text results; bytea columns
// decoded from hex); the whole result is then held until reset() or destruction. Errors are
// understudy Errors: kIo; kTempFail when the store stayed busy (SQLite's busy timeout,
// PostgreSQL's lock_timeout, a serialization failure or deadlock); kUnavailable when the
// PostgreSQL server cannot be reached or the connection was lost; kStoreDamaged for a damaged
// SQLite file.
//
// Thread-safety: a Db and its Stmts belong to one thread at a time. Ownership: a Db owns its
// handle; a Stmt borrows its Db and must be destroyed before it. Per-call dispatch is a branch on
// the backend, never a virtual call (the snapshot writer binds ~10 values a row).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "base/result.h"
#include "base/secret.h"

typedef struct pg_conn PGconn;

namespace understudy::store {

enum class Dialect { kSqlite, kPostgres };

// An Error for the last failure on `db`: "<what>: <sqlite message>". A damaged file (SQLITE_CORRUPT,
// SQLITE_NOTADB) is kStoreDamaged with kDamagedHint.
Error sqlite_error(sqlite3* db, std::string_view what);
inline constexpr const char* kDamagedHint =
    "restore the store from a backup (docs/store-schema.md, \"A damaged store\"); understudy writes nothing to it";

// True when `where` names a PostgreSQL store ("postgresql://…" or "postgres://…").
bool is_postgres_url(std::string_view where);
// kConfig when a PostgreSQL URL carries a password (user:password@, or password= among its
// parameters): the password comes from store_password_env / store_password_file.
[[nodiscard]] Status refuse_password_in_url(std::string_view url);

class Db {
 public:
  // Takes ownership of an open SQLite handle.
  explicit Db(sqlite3* handle) : sq_(handle) {}
  // Connects to a PostgreSQL URL (libpq connection URI, multi-host allowed) with `password`
  // (empty: none, or what libpq finds itself, e.g. ~/.pgpass). connect_timeout defaults to 10 s
  // unless the URL sets it; lock_timeout is `busy_timeout_ms`. kUnavailable when it cannot connect.
  [[nodiscard]] static Result<std::unique_ptr<Db>> connect_postgres(const std::string& url, const Secret& password,
                                                                    int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Dialect dialect() const { return pg_ ? Dialect::kPostgres : Dialect::kSqlite; }
  bool postgres() const { return pg_ != nullptr; }
  sqlite3* sqlite() const { return sq_; }  // null on PostgreSQL
  PGconn* pg() const { return pg_; }       // null on SQLite

  // Runs one or more statements without results.
  [[nodiscard]] Status exec(std::string_view sql);
  // Opens a write transaction (see above).
  [[nodiscard]] Status begin_write();
  // True inside a transaction (also one that failed and awaits ROLLBACK).
  bool in_transaction() const;
  // Closes the connection; true when SQLite closed it at once (no statement left open).
  bool close();
  // The last error on the connection, for `what`.
  Error error(std::string_view what) const;

 private:
  Db() = default;
  sqlite3* sq_ = nullptr;
  PGconn* pg_ = nullptr;
};

// Runs one or more statements without results.
[[nodiscard]] inline Status exec(Db& db, std::string_view sql) { return db.exec(sql); }

struct PgStmt;  // sql_pg.cc

class Stmt {
 public:
  Stmt();
  Stmt(Stmt&& o) noexcept;
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  [[nodiscard]] static Result<Stmt> prepare(Db& db, std::string_view sql);

  // Binders; `i` is 1-based. Text and blobs are copied (SQLITE_TRANSIENT).
  Stmt& bind(int i, int64_t v) {
    if (pg_) [[unlikely]] return pg_bind(i, std::to_string(v), false);
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Stmt& bind(int i, std::string_view text) {
    if (pg_) [[unlikely]] return pg_bind(i, text, false);
    sqlite3_bind_text(st_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind_blob(int i, std::string_view bytes) {
    if (pg_) [[unlikely]] return pg_bind(i, bytes, true);
    sqlite3_bind_blob(st_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind_null(int i);
  // The same without a copy (SQLITE_STATIC), for hot inserts: the bytes must stay valid and
  // unchanged until the statement has been run or reset. (PostgreSQL copies.)
  Stmt& bind_ref(int i, std::string_view text) {
    if (pg_) [[unlikely]] return pg_bind(i, text, false);
    sqlite3_bind_text(st_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& bind_blob_ref(int i, std::string_view bytes) {
    if (pg_) [[unlikely]] return pg_bind(i, bytes, true);
    sqlite3_bind_blob(st_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
    return *this;
  }

  // true: a row is ready; false: done.
  [[nodiscard]] Result<bool> step();
  // Steps to completion, ignoring rows.
  [[nodiscard]] Status run();
  void reset();  // for re-use with new bindings

  int64_t int64(int col) const {
    if (pg_) [[unlikely]] return pg_int64(col);
    return sqlite3_column_int64(st_, col);
  }
  bool is_null(int col) const;
  std::string text(int col) const { return std::string(text_view(col)); }
  // The same without a copy; valid until the next step(), reset() or destruction.
  std::string_view text_view(int col) const;
  std::string blob(int col) const { return std::string(blob_view(col)); }
  // The same without a copy; valid until the next step(), reset() or destruction.
  std::string_view blob_view(int col) const;

 private:
  Stmt& pg_bind(int i, std::string_view value, bool binary);
  int64_t pg_int64(int col) const;
  Db* db_ = nullptr;
  sqlite3_stmt* st_ = nullptr;
  std::unique_ptr<PgStmt> pg_;
};

// A migration's DDL (written for SQLite) as PostgreSQL takes it: INTEGER -> BIGINT (SQLite's
// integers are 64-bit), an INTEGER PRIMARY KEY -> an identity column, BLOB -> BYTEA, TEXT -> TEXT
// COLLATE "C" (byte order, as SQLite compares), no WITHOUT ROWID; `/*pg: X*/` -> X (what only
// PostgreSQL needs). Outside string literals.
std::string pg_ddl(std::string_view sqlite_ddl);

}  // namespace understudy::store
