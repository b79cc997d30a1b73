// sqlite.h — the few RAII helpers the store (and modules keeping tables in it) use over SQLite's
// C API: a prepared statement that finalizes itself, exec(), and SQLite errors as understudy
// Errors (kIo; kTempFail when the database stayed busy past the busy timeout).
//
// Thread-safety: a Stmt belongs to one thread. Ownership: a Stmt borrows its sqlite3 handle and
// must be destroyed before it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "base/result.h"

namespace understudy::store {

// An Error for the last failure on `db`: "<what>: <sqlite message>". A damaged file (SQLITE_CORRUPT,
// SQLITE_NOTADB) is kStoreDamaged with kDamagedHint.
Error sqlite_error(sqlite3* db, std::string_view what);
inline constexpr const char* kDamagedHint =
    "restore the store from a backup (docs/store-schema.md, \"A damaged store\"); understudy writes nothing to it";

// Runs one or more statements without results.
[[nodiscard]] Status exec(sqlite3* db, std::string_view sql);

class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& o) noexcept : db_(o.db_), st_(o.st_) { o.st_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  [[nodiscard]] static Result<Stmt> prepare(sqlite3* db, std::string_view sql);

  // Binders; `i` is 1-based. Text and blobs are copied (SQLITE_TRANSIENT).
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, std::string_view text);
  Stmt& bind_blob(int i, std::string_view bytes);
  Stmt& bind_null(int i);
  // The same without a copy (SQLITE_STATIC), for hot inserts: the bytes must stay valid and
  // unchanged until the statement has been run or reset.
  Stmt& bind_ref(int i, std::string_view text);
  Stmt& bind_blob_ref(int i, std::string_view bytes);

  // true: a row is ready; false: done. Errors carry `sqlite3_errmsg`.
  [[nodiscard]] Result<bool> step();
  // Steps to completion, ignoring rows.
  [[nodiscard]] Status run();
  void reset();  // for re-use with new bindings

  int64_t int64(int col) const { return sqlite3_column_int64(st_, col); }
  bool is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
  std::string text(int col) const;
  // The same without a copy; valid until the next step(), reset() or destruction.
  std::string_view text_view(int col) const;
  std::string blob(int col) const;
  // The same without a copy; valid until the next step(), reset() or destruction.
  std::string_view blob_view(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* st_ = nullptr;
};

}  // namespace understudy::store
