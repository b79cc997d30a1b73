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

// Variables of one batch scope (a batch, an sp_executesql or EXEC(…) call).
struct Frame {
  std::map<std::string, Variable> vars;  // key: lower-case name with @
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

enum class Flow { kNext, kAbortBatch, kReturn, kCancelled };

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
  Flow statement_error(Message m, const Stmt& s, Frame& frame, ReplySink& sink, bool send_done = true);
  void forward_messages(const std::vector<Message>& msgs, const Stmt& s, const std::string& proc, ReplySink& sink);
  bool assign(const std::string& var, const std::string& op, const Value& v, const SqlType& from, Frame& frame,
              Message* err);

  // exec_select.cc
  Flow exec_select(const Stmt& s, Frame& frame, ReplySink& sink);
  // Evaluates a scalar expression (or a condition when `condition`).
  bool eval(const Expr& e, Frame& frame, bool condition, Value* out, SqlType* type, Message* err);
  bool bind_and_prepare(const Translation& tr, Frame& frame, sqlite3_stmt** stmt, Message* err);
  std::optional<Variable> lookup_variable(const std::string& name, const Frame& frame) const;

  // exec_proc.cc
  Flow exec_proc(const Stmt& s, Frame& frame, ReplySink& sink);
  Flow exec_ddl(const Stmt& s, const std::vector<Token>& tokens, Frame& frame, ReplySink& sink);
  // sp_executesql: runs `stmt` with parameters declared by `decls` and values `args`; fills
  // output values back into `args`. Returns false when the call itself failed (bad declaration).
  bool run_executesql(const std::string& stmt, const std::string& decls, std::vector<CallArg>& args,
                      ReplySink& sink, bool describe_only, bool* had_error);
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
};

}  // namespace emu
