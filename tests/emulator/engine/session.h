// session.h — the executor's Session: runs T-SQL batches and RPCs for one connection with SQL
// Server's semantics (statement-level errors, XACT_ABORT, @@ERROR/@@ROWCOUNT/@@TRANCOUNT,
// variables, IF/WHILE/GOTO, transactions spanning requests, EXEC → CatalogState procedures).
//
// Files: session.cc (requests, locking, transactions), batch.cc (parse, control flow, statement
// dispatch), exec_select.cc (SELECT and expression evaluation), exec_proc.cc (EXEC, DDL,
// sp_executesql), rpc.cc (RPC entry points and the prepared-statement family).
// Thread-safety: used by one thread at a time (api.h); all execution happens under the
// instance lock.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/api.h"
#include "engine/ast.h"
#include "engine/instance_impl.h"
#include "engine/lexer.h"
#include "engine/translate.h"

namespace emu {

struct Variable {
  SqlType type;
  Value value;
};

// A table variable (DECLARE @t TABLE (…)): rows kept here, outside SQLite, so that a ROLLBACK
// leaves them alone as SQL Server does; copied into a TEMP table before a statement reads it
// (table_vars.cc).
// https://learn.microsoft.com/en-us/sql/t-sql/data-types/table-transact-sql
struct TableVariable {
  std::string name;                 // as declared, "@t"
  std::vector<TableColumnDef> columns;
  std::vector<Row> rows;
  std::string sqlite_name;          // TEMP table it is materialised in
};

// Variables of one batch scope (a batch, an sp_executesql or EXEC(…) call).
struct Frame {
  std::map<std::string, Variable> vars;  // key: lower-case name with @
  std::map<std::string, TableVariable> tables;  // key: lower-case name with @
  bool describe_only = false;            // sp_prepare: first SELECT's metadata, nothing runs
  bool described = false;
  bool any_error = false;
  int32_t return_status = 0;
  std::string proc_name;                 // for messages raised inside sp_executesql
};

// An argument of sp_executesql: from an RPC parameter or an EXEC argument.
struct CallArg {
  std::string name;  // "@p" or ""
  SqlType type;
  Value value;
  bool output = false;
  bool has_type = true;
};

// kCaught: an error was raised inside a TRY block (of this or a calling scope); the error is in
// SessionImpl::pending_error_ and nothing was sent to the client. run_program jumps to the CATCH.
// exec_select.cc: SQLite value binding and reading in value.h's representation.
void bind_value(sqlite3_stmt* stmt, int idx, const Value& v);
Value column_value(sqlite3_stmt* stmt, int i, const SqlType& t);

enum class Flow { kNext, kAbortBatch, kReturn, kCancelled, kCaught };

class SessionImpl final : public Session {
 public:
  SessionImpl(InstanceImpl& inst, const LoginRequest& req, std::string login_sid, std::string database, uint16_t spid);
  ~SessionImpl() override;

  void execute_batch(const std::string& sql, ReplySink& sink) override;
  RpcResult execute_rpc(const RpcRequest& req, ReplySink& sink) override;
  bool begin_transaction(Message* err) override;
  bool commit_transaction(Message* err) override;
  bool rollback_transaction(Message* err) override;
  uint64_t transaction_id() const override { return trancount_ > 0 ? tran_id_ : 0; }
  std::string current_database() const override { return db_; }
  void reset() override;

  // Runs T-SQL text in `frame` (also used for --init-sql). Caller holds the lock.
  Flow run_text(const std::string& sql, Frame& frame, ReplySink& sink);

 private:
  friend class SessionEnv;
  struct Program;

  // request helpers (session.cc)
  // Takes the instance lock for this request (if not held): false with 1222 after the session's
  // lock timeout. Statements take it lazily, so SET statements never wait.
  bool ensure_lock(Message* err);
  void unlock_after_request();
  bool begin_tran(Message* err);
  bool commit_tran(Message* err);
  bool rollback_tran(Message* err);

  // batch.cc
  Flow run_program(const std::vector<StmtPtr>& stmts, const std::vector<Token>& tokens, const std::string& sql,
                   Frame& frame, ReplySink& sink);
  Flow exec_stmt(const Stmt& s, const std::vector<Token>& tokens, const std::string& sql, Frame& frame,
                 ReplySink& sink);
  // exec_errors.cc — SQL Server's error semantics: statement-level vs scope/batch-aborting
  // errors, XACT_ABORT, TRY…CATCH, doomed transactions (XACT_STATE -1, 3930, 3998).
  Flow statement_error(Message m, const Stmt& s, Frame& frame, ReplySink& sink, bool send_done = true);
  // An error of a whole scope before it runs (syntax, labels, nesting): caught by a calling
  // scope's TRY, else sent and the scope aborted.
  Flow compile_error(Message m, Frame& frame, ReplySink& sink);
  // Errors a procedure raised (ctx.messages): INFO messages sent; inside a TRY the first error is
  // caught, else every message is sent. Returns kCaught, or kNext with the last error number.
  Flow procedure_messages(const std::vector<Message>& msgs, const Stmt& s, const std::string& proc, Frame& frame,
                          ReplySink& sink, int32_t* errnum);
  // End of the outermost batch: an uncommittable transaction is rolled back with 3998.
  void end_of_batch(ReplySink& sink);
  // A statement that writes while the transaction is uncommittable fails with 3930.
  bool refuse_write_when_doomed(Message* err) const;
  Flow exec_throw(const Stmt& s, Frame& frame, ReplySink& sink);
  // 266 when an EXEC changed @@TRANCOUNT.
  Flow check_trancount(int before, const Stmt& s, Frame& frame, ReplySink& sink);
  int xact_state() const { return trancount_ == 0 ? 0 : (doomed_ ? -1 : 1); }
  std::optional<Variable> error_function(const std::string& key) const;
  void forward_messages(const std::vector<Message>& msgs, const Stmt& s, const std::string& proc, ReplySink& sink);
  bool assign(const std::string& var, const std::string& op, const Value& v, const SqlType& from, Frame& frame,
              Message* err);

  // exec_select.cc
  Flow exec_select(const Stmt& s, Frame& frame, ReplySink& sink);
  // Evaluates a scalar expression (or a condition when `condition`).
  bool eval(const Expr& e, Frame& frame, bool condition, Value* out, SqlType* type, Message* err);
  bool bind_and_prepare(const Translation& tr, Frame& frame, sqlite3_stmt** stmt, Message* err);
  std::optional<Variable> lookup_variable(const std::string& name, const Frame& frame) const;

  // exec_errors.cc (with the statements that wait or fail on purpose)
  Flow exec_waitfor(const Stmt& s, Frame& frame, ReplySink& sink);
  // table_vars.cc
  Flow exec_insert(const Stmt& s, Frame& frame, ReplySink& sink);
  Flow exec_delete(const Stmt& s, Frame& frame, ReplySink& sink);
  bool declare_table(const Stmt::Decl& d, Frame& frame, Message* err);
  // Copies the table variable's rows into its TEMP table; returns the table's SQLite name.
  std::optional<ViewDef> materialize_table(const std::string& name, Frame& frame);
  void drop_tables(Frame& frame);
  // Runs a SELECT and collects its rows (INSERT … SELECT).
  bool query_rows(const SelectStmt& select, Frame& frame, std::vector<Row>* rows, std::vector<ColumnInfo>* cols,
                  Message* err);

  // exec_proc.cc
  Flow exec_proc(const Stmt& s, Frame& frame, ReplySink& sink);
  Flow exec_ddl(const Stmt& s, const std::vector<Token>& tokens, Frame& frame, ReplySink& sink);
  // sp_executesql: runs `stmt` with parameters declared by `decls` and values `args`; fills
  // output values back into `args`. Returns false when the call itself failed (bad declaration).
  bool run_executesql(const std::string& stmt, const std::string& decls, std::vector<CallArg>& args,
                      ReplySink& sink, bool describe_only, bool* had_error, Flow* flow = nullptr);
  ExecContext make_context();

 public:
  // rpc.cc helpers
  struct Prepared {
    std::string decls;
    std::string stmt;
  };

 private:
  InstanceImpl& inst_;
  uint16_t spid_;
  std::string login_;
  std::string login_sid_;
  std::string app_, host_;
  std::string default_db_;
  std::string db_;
  bool nocount_ = false;
  bool xact_abort_ = false;
  int lock_timeout_ms_ = 10000;
  int trancount_ = 0;
  uint64_t tran_id_ = 0;
  bool holds_lock_ = false;
  int32_t last_error_ = 0;
  int64_t last_rowcount_ = 0;
  std::map<int32_t, Prepared> prepared_;
  int32_t next_handle_ = 1;
  int nest_ = 0;
  std::set<std::string> savepoints_;
  // TRY…CATCH state (exec_errors.cc, batch.cc).
  int try_levels_ = 0;          // scopes on the call stack whose current statement is in a TRY block
  int try_outer_levels_ = 0;    // the same, not counting the current scope
  Message pending_error_;       // the error being transferred to a CATCH block (Flow::kCaught)
  int uncatchable_level_ = -1;  // nest level whose own TRY may not catch pending_error_ (compile-time errors)
  const Message* current_error_ = nullptr;  // the error ERROR_*() report (innermost CATCH in scope)
  bool doomed_ = false;         // the transaction is uncommittable (XACT_STATE() = -1)
  bool batch_aborted_ = false;  // a THROW outside TRY ended the batch: callers' scopes end too
};

}  // namespace emu
