// connection.h — a thin RAII layer over unixODBC: connect, run T-SQL, fetch fast, report errors.
//
// Everything driver-specific lives in the connection string, so FreeTDS and Microsoft's ODBC
// Driver for SQL Server both work. The password is never part of that string in config: it is a
// Secret appended at connect time as PWD={…} ('}' doubled), and it never appears in an error,
// a log line or a message.
//
//   auto conn = odbc::Connection::connect({.connection_string = cs, .password = pw, .label = "primary"});
//   if (!conn) return fail(conn.error());
//   auto rs = conn->query("SELECT name, sid FROM sys.server_principals WHERE type = ?", {odbc::text("S")});
//
// Errors: every failure is an understudy::Error carrying the SQLSTATE and SQL Server's native
// error number of the first diagnostic record. The message is "<label>: <server text>" where the
// driver prefixes ("[FreeTDS][SQL Server]", "[Microsoft][ODBC Driver 18 for SQL Server][SQL
// Server]") are stripped — the SQLSTATE already says which layer spoke; further records are
// appended after "; ". Codes: login failure (native 18456, SQLSTATE 28000), unreachable server
// or broken link (SQLSTATE class 08, HYT00/HYT01 during connect) -> ErrorCode::kUnavailable;
// query timeout (HYT00 on a statement) -> kTempFail; everything else from the server -> kSql;
// misuse of this API -> kInternal.
// SQL_NO_DATA (a procedure or UPDATE that returns nothing) is success with no rows.
//
// Thread-safety: a Connection and its Statements are used by one thread at a time (ODBC allows
// more, FreeTDS does not do it well). Different Connections may be used from different threads
// concurrently. The ODBC environment is process-wide, created on first connect, never freed.
// Statement::cancel() is the one call that may come from another thread.
// Ownership: a Statement borrows its Connection's handle — destroy Statements first.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/secret.h"
#include "odbc/value.h"

namespace understudy::odbc {

struct ConnectOptions {
  std::string connection_string;   // without PWD; e.g. "DRIVER={FreeTDS};SERVER=…;PORT=…;UID=sa;…"
  Secret password;                 // appended as PWD={…}; empty = none (integrated auth, or PWD in string)
  std::string label;               // names the instance in error messages, e.g. "primary"
  int login_timeout_seconds = 15;  // SQL_ATTR_LOGIN_TIMEOUT; 0 = driver default
  int query_timeout_seconds = 0;   // SQL_ATTR_QUERY_TIMEOUT per statement; 0 = none
  bool autocommit = true;
};

class Statement;

class Connection {
 public:
  // Opens a connection. REQUIRES: options.connection_string non-empty.
  [[nodiscard]] static Result<Connection> connect(const ConnectOptions& options);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();  // rolls back an open transaction, disconnects

  const std::string& label() const;
  int query_timeout_seconds() const;

  // Transactions: with autocommit off, work is committed by commit() and undone by rollback().
  [[nodiscard]] Status set_autocommit(bool on);
  [[nodiscard]] Status commit();
  [[nodiscard]] Status rollback();

  // A new statement on this connection (handle allocated, query timeout applied).
  [[nodiscard]] Result<Statement> statement();

  // Runs `sql` (with `?` parameters bound from `params`) and collects every result: row sets
  // and row counts, in order. Convenient for catalog reads and replay batches.
  [[nodiscard]] Result<std::vector<ResultSet>> execute(std::string_view sql, const std::vector<Value>& params = {});
  // The first result that has columns (or an empty ResultSet when none has).
  [[nodiscard]] Result<ResultSet> query(std::string_view sql, const std::vector<Value>& params = {});

  // The raw handle (SQLHDBC) for the rare caller that needs an attribute we do not wrap.
  void* native_handle() const;

  struct Impl;  // opaque; defined in internal.h

 private:
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class Statement;
};

// One statement handle. Typical use: execute_direct() or prepare() + execute(), then
//   while (true) { auto more = st.fetch(row); if (!more) error; if (!*more) break; use(row); }
// then next_result() for further result sets.
class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Rows fetched per SQLFetch round (SQL_ATTR_ROW_ARRAY_SIZE). Default 1024. Result sets with
  // an unbounded column (nvarchar(max), varbinary(max), xml …) are fetched a row at a time with
  // SQLGetData loops whatever this says, so long values are never truncated.
  void set_block_size(size_t rows);

  [[nodiscard]] Status prepare(std::string_view sql);
  // Executes the prepared statement with `params` (one per `?`, in order).
  [[nodiscard]] Status execute(const std::vector<Value>& params = {});
  // SQLExecDirect: prepare and execute in one round trip.
  [[nodiscard]] Status execute_direct(std::string_view sql, const std::vector<Value>& params = {});

  // Columns of the current result set (empty when it has none, e.g. after an INSERT).
  const std::vector<Column>& columns() const;
  // Rows affected by the current result (SQLRowCount); -1 when unknown.
  int64_t row_count() const;
  // Next row of the current result set into `row` (resized to columns().size()).
  // Returns false at the end of the result set.
  [[nodiscard]] Result<bool> fetch(Row& row);
  // All remaining rows of the current result set.
  [[nodiscard]] Result<std::vector<Row>> fetch_all();
  // Moves to the next result (SQLMoreResults). Returns false when there is none.
  [[nodiscard]] Result<bool> next_result();
  // Informational messages (PRINT, RAISERROR severity <= 10) seen so far, driver prefix stripped.
  const std::vector<std::string>& messages() const;

  // Asks the driver to cancel the running statement. Safe from another thread.
  void cancel();

  struct Impl;  // opaque; defined in internal.h

 private:
  explicit Statement(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class Connection;
};

// Builds "connection_string;PWD={password}" with '}' doubled — the one place a password meets
// a connection string. Exposed for tests; the result holds the secret: never log it.
std::string connection_string_with_password(std::string_view connection_string, const Secret& password);

// True when `connection_string` has a PWD= (or Password=) attribute — config refuses those.
bool has_password_attribute(std::string_view connection_string);

}  // namespace understudy::odbc
