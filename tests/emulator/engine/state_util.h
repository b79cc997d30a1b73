// state_util.h — small helpers shared by the state layer's files (catalog_state.cc, schema.cc,
// views.cc, fixture.cc, ddl_*.cc, procs_*.cc): SQLite statements, SQL Server-style errors,
// timestamps, GUIDs, hex, name checks.
//
// Internal to the engine's state layer; not part of the executor contract.
// Thread-safety: none needed beyond the caller's instance lock; pure functions otherwise.
// Errors: SQLite failures throw StateError (a bug or a constraint); SQL Server errors that a
// statement raises are thrown as SqlError and turned into ctx.error() by the outermost caller,
// which also rolls back its SAVEPOINT.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "engine/value.h"

namespace emu::st {

// A SQL Server error raised by a statement or procedure (number, SQL Server's text).
struct SqlError {
  int32_t number;
  std::string text;
  uint8_t severity = 16;
  uint8_t state = 1;
};

// A SQLite failure inside the state layer.
struct StateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs `sql` with positional parameters ?1..?n and returns every row.
std::vector<Row> query(sqlite3* db, const std::string& sql, const std::vector<Value>& params = {});
// Runs `sql` (no rows expected); returns sqlite3_changes().
int exec(sqlite3* db, const std::string& sql, const std::vector<Value>& params = {});
// First column of the first row, or nullopt when there is no row.
std::optional<Value> scalar(sqlite3* db, const std::string& sql, const std::vector<Value>& params = {});
// Runs a script of several statements without parameters.
void exec_script(sqlite3* db, const std::string& sql);

// RAII SAVEPOINT: rolls back unless commit() is called.
class Savepoint {
 public:
  explicit Savepoint(sqlite3* db);
  ~Savepoint();
  void commit();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

 private:
  sqlite3* db_;
  bool done_ = false;
};

// 'YYYY-MM-DD HH:MM:SS.fff' (UTC), as datetime values are carried in the engine.
std::string now_text();
// yyyymmdd of today (UTC), as Agent's int dates.
int64_t today_int();
// Random GUID, upper-case 8-4-4-4-12.
std::string new_guid();
// Parses a GUID in any case with or without braces; returns the canonical upper-case form.
std::optional<std::string> normalize_guid(const std::string& text);
// Random bytes (OpenSSL).
std::string random_bytes(size_t n);

// "0x" + upper-case hex.
std::string hex0x(const std::string& bytes);
// Parses hex digits with or without a 0x prefix. False on odd length or non-hex characters.
bool unhex(const std::string& text, std::string* out);

// Value helpers.
inline Value text(const std::string& s) { return Value{s}; }
inline Value integer(int64_t i) { return Value{i}; }
inline Value blob(const std::string& b) { return Value{Blob{b}}; }
std::optional<std::string> as_text(const Value& v);  // text or integer rendered; nullopt for NULL
std::optional<int64_t> as_int(const Value& v);         // integer, or text that parses as one
Value opt_text(const std::optional<std::string>& s);

// SQL Server's 103 for an identifier longer than 128 characters (counted in UTF-16 code units).
void check_identifier_length(const std::string& name);
size_t utf16_length(const std::string& utf8);

}  // namespace emu::st
