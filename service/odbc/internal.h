// internal.h — the handle-owning implementations behind Connection and Statement (internal).
// Thread-safety: as connection.h says — one thread at a time per Connection.
#pragma once

#include <sql.h>
#include <sqlext.h>

#include <memory>
#include <string>
#include <vector>

#include "odbc/connection.h"
#include "odbc/utf16.h"

namespace understudy::odbc {

struct Connection::Impl {
  SQLHDBC dbc = SQL_NULL_HDBC;
  std::string label;
  int query_timeout_seconds = 0;
  bool autocommit = true;
  ~Impl();
};

// A bound column for block fetch: `block` values of `width` bytes each, plus indicators.
struct Binding {
  SQLSMALLINT c_type = SQL_C_WCHAR;
  SQLLEN width = 0;
  // Not zeroed: the driver writes each fetched row before it is read, and zeroing a block sized
  // for 1,024 rows cost most of a small query's CPU (page faults included) for result sets of a
  // few rows — four ODBC sessions per gate evaluation, nineteen result sets per snapshot.
  std::unique_ptr<char[]> buffer;
  std::unique_ptr<SQLLEN[]> indicators;
};

struct Statement::Impl {
  SQLHSTMT stmt = SQL_NULL_HSTMT;
  std::string label;
  size_t block_size = 1024;
  std::vector<Column> columns;
  std::vector<SQLSMALLINT> c_types;  // per column: SQL_C_SBIGINT, SQL_C_DOUBLE, SQL_C_WCHAR, SQL_C_BINARY
  bool block_mode = false;           // true: bound arrays; false: SQLGetData row by row
  std::vector<Binding> bindings;
  SQLULEN rows_fetched = 0;
  size_t next_in_block = 0;
  bool end_of_set = false;
  std::vector<std::string> messages;
  // SQLGetData's chunk buffer, kept across calls and not zeroed: row-by-row result sets (job
  // steps: nvarchar(max) commands) call it for every cell.
  std::unique_ptr<char[]> chunk;
  ~Impl();
};

// Wide copy of `s` with a terminator, as the W functions want it.
inline std::vector<SQLWCHAR> wide(std::string_view s) {
  U16 u = utf8_to_utf16(s);
  std::vector<SQLWCHAR> out(u.begin(), u.end());
  out.push_back(0);
  return out;
}

inline bool ok(SQLRETURN rc) { return rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO; }

}  // namespace understudy::odbc
