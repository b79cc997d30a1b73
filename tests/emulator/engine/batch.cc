// batch.cc — parsing a batch, control flow (IF/WHILE/GOTO/RETURN) and statement dispatch for
// SessionImpl (see session.h).
#include <sqlite3.h>

#include <algorithm>
#include <map>

#include "engine/convert.h"
#include "engine/parser.h"
#include "engine/session.h"

namespace emu {

namespace {

constexpr int kMaxNesting = 32;
constexpr int64_t kMaxSteps = 5000000;  // guards WHILE 1=1 in tests

struct Op {
  enum class Kind { kExec, kCond, kJump } kind;
  const Stmt* stmt = nullptr;
  size_t target = 0;
  int try_id = -1;    // innermost TRY block around this op in this program, or -1
  int catch_id = -1;  // innermost CATCH block around this op (whose error ERROR_*() report), or -1
};

struct TryBlock {
  size_t catch_target = 0;  // first op of its CATCH block
};

struct Compiler {
  std::vector<Op> ops;
  std::vector<TryBlock> tries;
  std::vector<int> try_stack, catch_stack;
  std::map<std::string, size_t> labels;
  std::vector<std::pair<size_t, const Stmt*>> gotos;
  struct Loop {
    size_t top;
    std::vector<size_t> breaks;
  };
  std::vector<Loop> loops;
  Message error;
  bool failed = false;

  void fail(int32_t number, std::string text, int line) {
    if (failed) return;
    failed = true;
    error = Message{number, 1, 15, std::move(text), line, {}};
  }

  size_t emit(Op::Kind kind, const Stmt* s, size_t target = 0) {
    Op op{kind, s, target};
    op.try_id = try_stack.empty() ? -1 : try_stack.back();
    op.catch_id = catch_stack.empty() ? -1 : catch_stack.back();
    ops.push_back(op);
    return ops.size() - 1;
  }

  void compile(const Stmt& s) {
    switch (s.kind) {
      case Stmt::Kind::kBlock:
        for (const auto& c : s.body) compile(*c);
        return;
      case Stmt::Kind::kTry: {
        int id = static_cast<int>(tries.size());
        tries.push_back({});
        try_stack.push_back(id);
        compile(*s.body[0]);
        try_stack.pop_back();
        size_t jump = emit(Op::Kind::kJump, &s);
        tries[static_cast<size_t>(id)].catch_target = ops.size();
        catch_stack.push_back(id);
        compile(*s.else_body[0]);
        catch_stack.pop_back();
        ops[jump].target = ops.size();
        return;
      }
      case Stmt::Kind::kIf: {
        size_t cond = emit(Op::Kind::kCond, &s);
        compile(*s.body[0]);
        if (!s.else_body.empty()) {
          size_t jump = emit(Op::Kind::kJump, &s);
          ops[cond].target = ops.size();
          compile(*s.else_body[0]);
          ops[jump].target = ops.size();
        } else {
          ops[cond].target = ops.size();
        }
        return;
      }
      case Stmt::Kind::kWhile: {
        size_t top = emit(Op::Kind::kCond, &s);
        loops.push_back({top, {}});
        compile(*s.body[0]);
        emit(Op::Kind::kJump, &s, top);
        size_t end = ops.size();
        ops[top].target = end;
        for (size_t b : loops.back().breaks) ops[b].target = end;
        loops.pop_back();
        return;
      }
      case Stmt::Kind::kBreak:
      case Stmt::Kind::kContinue:
        if (loops.empty()) {
          fail(s.kind == Stmt::Kind::kBreak ? 135 : 136,
               s.kind == Stmt::Kind::kBreak ? "Cannot use a BREAK statement outside the scope of a WHILE statement."
                                            : "Cannot use a CONTINUE statement outside the scope of a WHILE statement.",
               s.line);
          return;
        }
        if (s.kind == Stmt::Kind::kBreak) loops.back().breaks.push_back(ops.size());
        emit(Op::Kind::kJump, &s, loops.back().top);
        return;
      case Stmt::Kind::kLabel: {
        std::string key = to_lower_ascii(s.label);
        if (labels.count(key)) {
          fail(132, "The label '" + s.label + "' has already been declared. Label names must be unique within a query batch or stored procedure.", s.line);
          return;
        }
        labels[key] = ops.size();
        return;
      }
      case Stmt::Kind::kGoto:
        gotos.emplace_back(emit(Op::Kind::kJump, &s), &s);
        return;
      case Stmt::Kind::kEmpty:
        return;
      default:
        emit(Op::Kind::kExec, &s);
    }
  }

  void resolve_gotos() {
    for (auto& [idx, s] : gotos) {
      auto it = labels.find(to_lower_ascii(s->label));
      if (it == labels.end()) {
        fail(133, "A GOTO statement references the label '" + s->label + "' but the label has not been declared.", s->line);
        return;
      }
      ops[idx].target = it->second;
    }
  }
};

}  // namespace


Flow SessionImpl::run_text(const std::string& sql, Frame& frame, ReplySink& sink) {
  if (nest_ >= kMaxNesting) {
    return compile_error(Message{217, 1, 16, "Maximum stored procedure, function, trigger, or view nesting level exceeded (limit 32).", 1, {}},
                         frame, sink);
  }
  std::vector<Token> tokens;
  LexError lerr;
  auto syntax_error = [&](int32_t number, const std::string& text, int line) {
    return compile_error(Message{number, 1, static_cast<uint8_t>(number == 40517 || number == 259 ? 16 : 15), text, line, {}},
                         frame, sink);
  };
  if (!tokenize(sql, &tokens, &lerr)) return syntax_error(lerr.number, lerr.message, lerr.line);
  std::vector<StmtPtr> stmts;
  ParseError perr;
  bool parsed = false;
  try {
    parsed = parse_batch(sql, tokens, &stmts, &perr);
  } catch (const std::exception&) {  // e.g. a length that does not fit an int
    perr = ParseError{102, 1, "Incorrect syntax near '" + sql.substr(0, 30) + "'."};
  }
  if (!parsed) return syntax_error(perr.number, perr.message, perr.line);
  ++nest_;
  Flow f;
  try {
    f = run_program(stmts, tokens, sql, frame, sink);
  } catch (const std::exception& e) {
    --nest_;
    sink.message(Message{50000, 1, 16, std::string("emulator: internal error: ") + e.what(), 1, frame.proc_name});
    sink.done(DoneInfo{false, 0, true, 0});
    frame.any_error = true;
    return Flow::kAbortBatch;
  }
  --nest_;
  drop_tables(frame);
  if (nest_ == 0) end_of_batch(sink);
  return f;
}

Flow SessionImpl::run_program(const std::vector<StmtPtr>& stmts, const std::vector<Token>& tokens,
                              const std::string& sql, Frame& frame, ReplySink& sink) {
  Compiler c;
  for (const auto& s : stmts) c.compile(*s);
  c.resolve_gotos();
  if (c.failed) return compile_error(c.error, frame, sink);
  // TRY…CATCH bookkeeping (exec_errors.cc): how many callers are inside a TRY block, which CATCH
  // block's error ERROR_*() report, the errors caught by each CATCH block of this program.
  const int entry_try_levels = try_levels_;
  const Message* const entry_error = current_error_;
  std::vector<Message> caught(c.tries.size());
  struct Restore {
    SessionImpl& s;
    int levels;
    const Message* error;
    ~Restore() {
      s.try_levels_ = levels;
      s.try_outer_levels_ = levels;
      s.current_error_ = error;
    }
  } restore{*this, entry_try_levels, entry_error};
  int64_t steps = 0;
  size_t pc = 0;
  while (pc < c.ops.size()) {
    const Op& op = c.ops[pc];
    try_outer_levels_ = entry_try_levels;
    try_levels_ = entry_try_levels + (op.try_id >= 0 ? 1 : 0);
    current_error_ = op.catch_id >= 0 ? &caught[static_cast<size_t>(op.catch_id)] : entry_error;
    Flow f = Flow::kNext;
    size_t next = pc + 1;
    if (++steps > kMaxSteps) {
      f = statement_error(Message{50000, 1, 16, "emulator: batch exceeded the step limit (endless loop?)", 1, {}},
                          *op.stmt, frame, sink);
      if (f == Flow::kNext) f = Flow::kAbortBatch;
    } else if (op.kind == Op::Kind::kJump) {
      next = op.target;
    } else if (op.kind == Op::Kind::kCond) {
      Value v;
      SqlType t;
      Message err;
      bool truth = false;
      std::unique_lock<std::recursive_mutex> db_guard(inst_.sqlite_mutex(), std::defer_lock);
      bool locked = ensure_lock(&err);
      if (locked) db_guard.lock();
      if (!locked || !eval(*op.stmt->expr, frame, true, &v, &t, &err)) {
        f = statement_error(err, *op.stmt, frame, sink);
      } else {
        truth = std::holds_alternative<int64_t>(v) && std::get<int64_t>(v) != 0;
        last_error_ = 0;
      }
      next = truth ? pc + 1 : op.target;
    } else {
      if (sink.cancelled()) return Flow::kCancelled;
      f = exec_stmt(*op.stmt, tokens, sql, frame, sink);
    }
    if (f == Flow::kCaught) {
      // The error goes to this level's innermost CATCH unless it is a compile-time error of this
      // very scope (those go to the caller's TRY, as SQL Server documents).
      if (op.try_id < 0 || uncatchable_level_ == nest_) return f;
      const size_t catch_index = static_cast<size_t>(op.try_id);
      caught[catch_index] = pending_error_;
      uncatchable_level_ = -1;
      last_error_ = pending_error_.number;
      next = c.tries[catch_index].catch_target;
      f = Flow::kNext;
    }
    if (f != Flow::kNext) return f;
    pc = next;
  }
  return Flow::kNext;
}

void SessionImpl::forward_messages(const std::vector<Message>& msgs, const Stmt& s, const std::string& proc,
                                   ReplySink& sink) {
  for (Message m : msgs) {
    if (m.line <= 1) m.line = s.line;
    if (m.proc.empty()) m.proc = proc;
    sink.message(m);
  }
}

bool SessionImpl::assign(const std::string& var, const std::string& op, const Value& v, const SqlType& from,
                         Frame& frame, Message* err) {
  auto it = frame.vars.find(to_lower_ascii(var));
  if (it == frame.vars.end()) {
    *err = Message{137, 1, 15, "Must declare the scalar variable \"" + var + "\".", 1, {}};
    return false;
  }
  Variable& target = it->second;
  Value value = v;
  SqlType vt = from;
  if (op != "=") {
    if (is_null(target.value) || is_null(v)) {
      value = Null{};
    } else if (is_string_type(target.type) && op == "+=") {
      Value a, b;
      if (!convert_value(target.value, target.type, SqlType::NVarChar(-1), 0, &a, err)) return false;
      if (!convert_value(v, from, SqlType::NVarChar(-1), 0, &b, err)) return false;
      value = std::get<std::string>(a) + std::get<std::string>(b);
      vt = SqlType::NVarChar(-1);
    } else {
      Value a, b;
      if (!convert_value(target.value, target.type, SqlType::Float(), 0, &a, err)) return false;
      if (!convert_value(v, from, SqlType::Float(), 0, &b, err)) return false;
      double x = std::get<double>(a), y = std::get<double>(b), r = 0;
      if (op == "+=") r = x + y;
      else if (op == "-=") r = x - y;
      else if (op == "*=") r = x * y;
      else {
        if (y == 0) {
          *err = Message{8134, 1, 16, "Divide by zero error encountered.", 1, {}};
          return false;
        }
        r = x / y;
        if (is_integer_type(target.type)) r = static_cast<double>(static_cast<int64_t>(r));
      }
      value = r;
      vt = SqlType::Float();
    }
  }
  Value converted;
  if (!convert_value(value, vt, target.type, 0, &converted, err)) return false;
  target.value = std::move(converted);
  return true;
}

Flow SessionImpl::exec_stmt(const Stmt& s, const std::vector<Token>& tokens, const std::string& sql, Frame& frame,
                            ReplySink& sink) {
  Message fault;
  inst_.stats().statements++;
  if (s.kind != Stmt::Kind::kSetOption && !ensure_lock(&fault)) {
    Flow f = statement_error(fault, s, frame, sink);
    inst_.fault_after_statement();
    return f;
  }
  std::lock_guard<std::recursive_mutex> db_guard(inst_.sqlite_mutex());
  if (inst_.fault_before_statement(sql.substr(s.begin, s.end - s.begin), &fault)) {
    Flow f = statement_error(fault, s, frame, sink);
    inst_.fault_after_statement();
    return f;
  }
  Flow result = Flow::kNext;
  Message err;
  switch (s.kind) {
    case Stmt::Kind::kSelect:
      result = exec_select(s, frame, sink);
      break;
    case Stmt::Kind::kSetOption: {
      const std::string& o = s.option;
      if (o == "NOCOUNT") nocount_ = s.option_on;
      else if (o == "XACT_ABORT") xact_abort_ = s.option_on;
      else if (o == "LOCK_TIMEOUT") {
        size_t k = s.tok_begin + 2;
        bool neg = tokens[k].is_op("-");
        if (neg) ++k;
        if (tokens[k].is(TokenKind::kInteger) && tokens[k].text.size() < 10) {
          lock_timeout_ms_ = (neg ? -1 : 1) * std::stoi(tokens[k].text);
        }
      } else if (o.find("NOCOUNT") != std::string::npos || o.find("XACT_ABORT") != std::string::npos) {
        if (o.find("NOCOUNT") != std::string::npos) nocount_ = s.option_on;
        if (o.find("XACT_ABORT") != std::string::npos) xact_abort_ = s.option_on;
      }
      break;
    }
    case Stmt::Kind::kSetVar: {
      Value v;
      SqlType t;
      if (!frame.vars.count(to_lower_ascii(s.var))) {
        result = statement_error(Message{137, 1, 15, "Must declare the scalar variable \"" + s.var + "\".", 1, {}}, s, frame, sink);
        break;
      }
      if (!eval(*s.expr, frame, false, &v, &t, &err) || !assign(s.var, s.assign_op, v, t, frame, &err)) {
        result = statement_error(err, s, frame, sink);
        break;
      }
      last_error_ = 0;
      last_rowcount_ = 1;
      break;
    }
    case Stmt::Kind::kWaitfor:
      result = exec_waitfor(s, frame, sink);
      break;
    case Stmt::Kind::kInsert:
      result = exec_insert(s, frame, sink);
      break;
    case Stmt::Kind::kDelete:
      result = exec_delete(s, frame, sink);
      break;
    case Stmt::Kind::kDeclare:
      for (const auto& d : s.decls) {
        std::string key = to_lower_ascii(d.name);
        if (d.is_table) {
          if (!declare_table(d, frame, &err)) result = statement_error(err, s, frame, sink);
          break;
        }
        if (frame.vars.count(key) || frame.tables.count(key)) {
          result = statement_error(Message{134, 1, 15, "The variable name '" + d.name +
                                                              "' has already been declared. Variable names must be unique within a query batch or stored procedure.", 1, {}},
                                   s, frame, sink);
          break;
        }
        frame.vars[key] = Variable{d.type, Null{}};
        if (d.init) {
          Value v;
          SqlType t;
          if (!eval(*d.init, frame, false, &v, &t, &err) || !assign(d.name, "=", v, t, frame, &err)) {
            result = statement_error(err, s, frame, sink);
            break;
          }
        }
      }
      if (result == Flow::kNext) last_error_ = 0;
      break;
    case Stmt::Kind::kUse: {
      if (!inst_.state().database_exists(s.database)) {
        result = statement_error(Message{911, 1, 16, "Database '" + s.database +
                                                         "' does not exist. Make sure that the name is entered correctly.", 1, {}},
                                 s, frame, sink);
        break;
      }
      std::string name = s.database;
      if (auto view = inst_.state().resolve_view("master", {"sys", "databases"})) {
        std::string e;
        sqlite3_stmt* st = inst_.prepare("SELECT name FROM " + view->sqlite_source + " AS d WHERE d.name = ?1 COLLATE EMU_CI", &e);
        if (st != nullptr) {
          sqlite3_bind_text(st, 1, s.database.data(), static_cast<int>(s.database.size()), SQLITE_TRANSIENT);
          if (sqlite3_step(st) == SQLITE_ROW) name = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
          sqlite3_reset(st);
          sqlite3_clear_bindings(st);
        }
      }
      db_ = name;
      sink.message(Message{5701, 2, 0, "Changed database context to '" + db_ + "'.", s.line, frame.proc_name});
      sink.done(DoneInfo{false, 0, false, 0});
      last_error_ = 0;
      break;
    }
    case Stmt::Kind::kBeginTran:
      if (!begin_tran(&err)) {
        result = statement_error(err, s, frame, sink);
        break;
      }
      sink.done(DoneInfo{false, 0, false, 0});
      last_error_ = 0;
      break;
    case Stmt::Kind::kCommit:
      if (!commit_tran(&err)) {
        result = statement_error(err, s, frame, sink);
        break;
      }
      sink.done(DoneInfo{false, 0, false, 0});
      last_error_ = 0;
      break;
    case Stmt::Kind::kRollback: {
      bool to_savepoint = !s.tran_name.empty() && trancount_ > 0 && savepoints_.count(to_lower_ascii(s.tran_name));
      if (to_savepoint) {
        std::string q = "ROLLBACK TO " + quote_sqlite_ident("emu_" + to_lower_ascii(s.tran_name));
        sqlite3_exec(inst_.state().db(), q.c_str(), nullptr, nullptr, nullptr);
      } else if (!rollback_tran(&err)) {
        result = statement_error(err, s, frame, sink);
        break;
      }
      if (trancount_ == 0) savepoints_.clear();
      sink.done(DoneInfo{false, 0, false, 0});
      last_error_ = 0;
      break;
    }
    case Stmt::Kind::kSaveTran: {
      if (trancount_ == 0) {
        result = statement_error(Message{628, 1, 16, "Cannot issue SAVE TRANSACTION when there is no active transaction.", 1, {}},
                                 s, frame, sink);
        break;
      }
      std::string q = "SAVEPOINT " + quote_sqlite_ident("emu_" + to_lower_ascii(s.tran_name));
      sqlite3_exec(inst_.state().db(), q.c_str(), nullptr, nullptr, nullptr);
      savepoints_.insert(to_lower_ascii(s.tran_name));
      sink.done(DoneInfo{false, 0, false, 0});
      break;
    }
    case Stmt::Kind::kExec:
      result = exec_proc(s, frame, sink);
      break;
    case Stmt::Kind::kExecString: {
      Value v;
      SqlType t;
      Value text;
      if (!eval(*s.expr, frame, false, &v, &t, &err) || !convert_value(v, t, SqlType::NVarChar(-1), 0, &text, &err)) {
        result = statement_error(err, s, frame, sink);
        break;
      }
      Frame inner;
      inner.proc_name = frame.proc_name;
      const int trancount_before = trancount_;
      Flow f = is_null(text) ? Flow::kNext : run_text(std::get<std::string>(text), inner, sink);
      if (inner.any_error) frame.any_error = true;
      if (f == Flow::kCancelled || f == Flow::kCaught) result = f;
      else if (f == Flow::kAbortBatch && (xact_abort_ || batch_aborted_)) result = f;
      else result = check_trancount(trancount_before, s, frame, sink);
      break;
    }
    case Stmt::Kind::kDdl:
      if (refuse_write_when_doomed(&err)) {
        result = statement_error(err, s, frame, sink);
        break;
      }
      result = exec_ddl(s, tokens, frame, sink);
      break;
    case Stmt::Kind::kPrint: {
      Value v, text;
      SqlType t;
      if (!eval(*s.expr, frame, false, &v, &t, &err) || !convert_value(v, t, SqlType::NVarChar(-1), 0, &text, &err)) {
        result = statement_error(err, s, frame, sink);
        break;
      }
      sink.message(Message{0, 1, 0, is_null(text) ? std::string() : std::get<std::string>(text), s.line, frame.proc_name});
      last_error_ = 0;
      break;
    }
    case Stmt::Kind::kRaiserror:
    case Stmt::Kind::kThrow: {
      if (s.kind == Stmt::Kind::kThrow) {
        result = exec_throw(s, frame, sink);
        break;
      }
      std::vector<Value> vals;
      std::vector<SqlType> types;
      for (const auto& e : s.exprs) {
        Value v;
        SqlType t;
        if (!eval(*e, frame, false, &v, &t, &err)) break;
        vals.push_back(v);
        types.push_back(t);
      }
      if (vals.size() != s.exprs.size()) {
        result = statement_error(err, s, frame, sink);
        break;
      }
      Message m;
      m.line = s.line;
      auto as_int = [](const Value& v) { return std::holds_alternative<int64_t>(v) ? std::get<int64_t>(v) : 0; };
      auto as_text = [](const Value& v) {
        Value out;
        Message ignored;
        convert_value(v, SqlType::NVarChar(-1), SqlType::NVarChar(-1), 0, &out, &ignored);
        return is_null(out) ? std::string() : std::get<std::string>(out);
      };
      // RAISERROR (msg | number, severity, state [, args])
      std::string fmt = std::holds_alternative<int64_t>(vals[0]) ? "" : as_text(vals[0]);
      m.number = std::holds_alternative<int64_t>(vals[0]) ? static_cast<int32_t>(as_int(vals[0])) : 50000;
      m.severity = static_cast<uint8_t>(std::clamp<int64_t>(as_int(vals[1]), 0, 25));
      m.state = static_cast<uint8_t>(std::clamp<int64_t>(as_int(vals[2]), 0, 255));
      // RAISERROR(msg_id …) takes its text from sys.messages (severity -1: the message's); a user
      // id without a message there is error 18054.
      // https://learn.microsoft.com/sql/t-sql/language-elements/raiserror-transact-sql
      if (fmt.empty() && m.number > 50000) {
        if (auto um = inst_.state().user_message(m.number)) {
          fmt = um->first;
          if (as_int(vals[1]) < 0) m.severity = static_cast<uint8_t>(std::clamp<int64_t>(um->second, 0, 25));
        } else {
          Message missing{18054, 1, 16,
                          "Error " + std::to_string(m.number) + ", severity " + std::to_string(m.severity) + ", state " +
                              std::to_string(m.state) +
                              " was raised, but no message with that error number was found in sys.messages. If error "
                              "is larger than 50000, make sure the user-defined message is added using sp_addmessage.",
                          s.line, frame.proc_name};
          result = statement_error(missing, s, frame, sink);
          break;
        }
      }
      if (fmt.empty() && m.number != 50000) fmt = "Error " + std::to_string(m.number) + " was raised.";
      std::string text;
      size_t argi = 3;
      for (size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%' || i + 1 >= fmt.size()) {
          text.push_back(fmt[i]);
          continue;
        }
        if (fmt[i + 1] == '%') {
          text.push_back('%');
          ++i;
          continue;
        }
        size_t j = i + 1;
        while (j < fmt.size() && std::string("-+ #0123456789.lhI").find(fmt[j]) != std::string::npos) ++j;
        if (j < fmt.size()) {
          text += argi < vals.size() ? (is_null(vals[argi]) ? std::string("(null)") : as_text(vals[argi])) : std::string("(null)");
          ++argi;
          i = j;
        }
      }
      m.text = text;
      if (m.severity <= 10) {
        m.number = m.number == 50000 ? 50000 : m.number;
        sink.message(m);
        break;
      }
      result = statement_error(m, s, frame, sink);
      break;
    }
    case Stmt::Kind::kReturn: {
      if (s.expr) {
        Value v;
        SqlType t;
        if (eval(*s.expr, frame, false, &v, &t, &err) && std::holds_alternative<int64_t>(v)) {
          frame.return_status = static_cast<int32_t>(std::get<int64_t>(v));
        }
      }
      result = Flow::kReturn;
      break;
    }
    default:
      break;
  }
  inst_.fault_after_statement();
  return result;
}

}  // namespace emu
