// context.h — what the engine's executor (session.cc, select.cc, …) and its state layer
// (catalog_state.cc, ddl.cc, procs.cc) share.
//
// Split of the engine:
//  * executor: batches, statement boundaries, SELECT (translated to SQLite over the catalog),
//    expressions and functions, variables, IF/BEGIN…END, transactions, XACT_ABORT, EXEC dispatch,
//    RPCs (sp_executesql and the prepare family), faults, counters; implements Instance/Session.
//  * state: the SQLite schema behind every catalog view and msdb table, seeding, fixtures, login
//    checks, DDL statements and system procedures with SQL Server's semantics and error numbers.
// Thread-safety: one ExecContext per executing statement; CatalogState is guarded by the
// executor's instance lock (callers hold it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/api.h"
#include "engine/lexer.h"
#include "engine/value.h"

struct sqlite3;

namespace emu {

struct InstanceConfig {
  std::string server_name = "UNDERSTUDY-EMU";
  int engine_edition = 3;  // 2 Standard, 3 Enterprise, 8 Azure SQL Managed Instance
  std::string product_version = "16.0.4135.4";
  std::string edition = "Enterprise Edition (64-bit)";  // "SQL Azure" when engine_edition == 8
  std::string machine_name = "UNDERSTUDY-EMU";
  std::string collation = "SQL_Latin1_General_CP1_CI_AS";
  bool is_managed_instance() const { return engine_edition == 8; }
};

class CatalogState;

// What a DDL statement or procedure needs from the executing session.
struct ExecContext {
  CatalogState* state = nullptr;
  const InstanceConfig* config = nullptr;
  std::string current_database = "master";
  std::string login_name;          // the session's login
  std::string login_sid;           // its SID, raw bytes
  bool in_user_transaction = false;  // BEGIN TRAN open (linked-server procs refuse: 15002)
  std::vector<Message> messages;   // INFO/ERROR raised, in order; the executor forwards them
  bool wrote = false;              // set when state changed (counts as a write)

  void error(int32_t number, const std::string& text, uint8_t severity = 16, uint8_t state_no = 1) {
    messages.push_back(Message{number, state_no, severity, text, 1, {}});
  }
  void info(int32_t number, const std::string& text) { messages.push_back(Message{number, 1, 0, text, 1, {}}); }
  bool has_error() const {
    for (const auto& m : messages) if (m.severity > 10) return true;
    return false;
  }
};

// ---- catalog views (state layer provides, executor consumes) ----
struct ViewColumn {
  std::string name;
  SqlType type;
  bool nullable = true;
};
struct ViewDef {
  std::string canonical_name;  // e.g. "sys.server_principals", "msdb.dbo.sysjobs"
  std::string sqlite_source;   // SQLite table, view, or parenthesised subquery to put after FROM
  std::vector<ViewColumn> columns;  // in SQL Server's order; SQLite source exposes the same names
  // Set when the view's database cannot be read now (e.g. error 976, a non-readable availability
  // group secondary): a query naming the view fails with it.
  int32_t unavailable_number = 0;
  std::string unavailable_message;
};

// ---- procedures ----
struct ProcArg {
  std::string name;        // "@job_name", or "" for a positional argument
  Value value;             // Null when DEFAULT or NULL
  bool is_default = false; // the DEFAULT keyword (or omitted)
  bool output = false;     // OUTPUT
  std::optional<SqlType> type;  // known when it came from an RPC or a typed variable
};
struct ProcOutcome {
  bool found = false;         // false → the executor raises 2812
  int32_t return_status = 0;  // 0 success, 1 failure (SQL Server's convention)
  // Values of OUTPUT parameters by parameter name ("@job_id"), with their declared types.
  std::vector<std::pair<std::string, std::pair<SqlType, Value>>> outputs;
};

}  // namespace emu
