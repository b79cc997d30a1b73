// sql_pg.h — the PostgreSQL half of sql.h's Db and Stmt (libpq), for sql.cc only.
//
// Thread-safety and ownership: as sql.h.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace understudy::store {

struct PgStmt {
  PGconn* conn = nullptr;
  std::string sql;                 // placeholders rewritten to $N
  std::vector<std::string> values;  // by parameter, 0-based
  std::vector<char> is_null;
  std::vector<int> formats;        // 1: binary (bytea), 0: text
  PGresult* res = nullptr;         // after the first step()
  int row = -1;
  mutable std::vector<std::string> decoded;  // bytea columns of the current row, from hex
  ~PgStmt();
  void clear_result();
};

// "?" and "?N" -> "$N", outside literals and quoted identifiers; `params` = the highest N.
std::string pg_placeholders(std::string_view sql, int& params);
// Runs the statement (first step) or advances a row.
Result<bool> pg_step(PgStmt& st);
// An Error for a failed result (or the connection's last error when `res` is null).
Error pg_error(PGconn* conn, const PGresult* res, std::string_view what);
// Runs `sql` (one or more statements) with the simple query protocol.
Status pg_exec(PGconn* conn, std::string_view sql);
// The bytes of a hex bytea text ("\x0a1b…").
std::string pg_unhex(std::string_view text);

}  // namespace understudy::store
