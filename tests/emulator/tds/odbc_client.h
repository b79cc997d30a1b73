// odbc_client.h — a small test client over the real unixODBC + FreeTDS stack (ODBC C API, wide
// functions), used by the wire tests. Test-only; no production code depends on it.
// Thread-safety: one OdbcConnection per thread.
#pragma once

#include <sql.h>
#include <sqlext.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace emu::tds::testing {

struct Diag {
  std::string state;
  int native = 0;
  std::string message;
  bool operator==(const Diag&) const = default;
};
// GoogleTest prints a Diag as "STATE native message".
inline void PrintTo(const Diag& d, std::ostream* os) { *os << d.state << " " << d.native << " " << d.message; }

struct ColumnDesc {
  std::string name;
  SQLSMALLINT sql_type = 0;
  SQLULEN size = 0;
  SQLSMALLINT digits = 0;
  SQLSMALLINT nullable = 0;
};

// One result set read with SQLGetData as SQL_C_WCHAR (text) or SQL_C_BINARY (binary columns,
// hex-encoded "0x…"); NULL is std::nullopt.
struct ResultSet {
  std::vector<ColumnDesc> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  SQLLEN row_count = -1;
};

struct ExecOutcome {
  SQLRETURN rc = SQL_ERROR;
  std::vector<ResultSet> results;  // every result set, in order (SQLMoreResults)
  std::vector<Diag> diags;         // diagnostics of all calls
};

std::vector<Diag> diagnostics(SQLSMALLINT handle_type, SQLHANDLE handle);

class OdbcConnection {
 public:
  OdbcConnection();
  ~OdbcConnection();
  OdbcConnection(const OdbcConnection&) = delete;
  OdbcConnection& operator=(const OdbcConnection&) = delete;

  // SQLDriverConnectW; false with diags() on failure.
  bool connect(const std::string& connection_string);
  const std::vector<Diag>& diags() const { return diags_; }
  SQLHDBC dbc() const { return dbc_; }
  SQLHSTMT new_statement();  // caller frees with SQLFreeHandle

  // SQLExecDirectW + all result sets.
  ExecOutcome exec(const std::string& sql);

 private:
  SQLHENV env_ = SQL_NULL_HENV;
  SQLHDBC dbc_ = SQL_NULL_HDBC;
  bool connected_ = false;
  std::vector<Diag> diags_;
};

// Reads every result set of an executed statement (after SQLExecDirect/SQLExecute).
void read_results(SQLHSTMT stmt, ExecOutcome* out);
std::vector<SQLWCHAR> wide(const std::string& utf8);
std::string narrow(const SQLWCHAR* s, size_t units);

}  // namespace emu::tds::testing
