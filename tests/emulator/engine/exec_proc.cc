// exec_proc.cc — EXEC (system procedures through CatalogState, sp_executesql), DDL statements,
// for SessionImpl (see session.h).
#include <sqlite3.h>

#include "engine/convert.h"
#include "engine/parser.h"
#include "engine/session.h"
#include "engine/state.h"

namespace emu {

ExecContext SessionImpl::make_context() {
  ExecContext ctx;
  ctx.state = &inst_.state();
  ctx.config = &inst_.config();
  ctx.current_database = db_;
  ctx.login_name = login_;
  ctx.login_sid = login_sid_;
  ctx.in_user_transaction = trancount_ > 0;
  return ctx;
}

namespace {

int32_t last_error_number(const std::vector<Message>& msgs) {
  int32_t n = 0;
  for (const auto& m : msgs)
    if (m.severity > 10) n = m.number;
  return n;
}

std::string dotted(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
  return out;
}

}  // namespace

Flow SessionImpl::exec_ddl(const Stmt& s, const std::vector<Token>& tokens, Frame& frame, ReplySink& sink) {
  ExecContext ctx = make_context();
  size_t pos = s.tok_begin;
  bool ok = inst_.state().execute_ddl(ctx, tokens, &pos);
  if (ctx.wrote) inst_.stats().writes++;
  int32_t errnum = last_error_number(ctx.messages);
  if (!ok && errnum == 0) ctx.error(50000, "emulator: the statement failed without a message");
  errnum = last_error_number(ctx.messages);
  if (errnum == 0) {
    forward_messages(ctx.messages, s, frame.proc_name, sink);
    sink.done(DoneInfo{false, 0, false, 0});
    last_error_ = 0;
    return Flow::kNext;
  }
  // Forward all but the last error, then treat the last as the statement's error.
  Message last;
  std::vector<Message> before;
  for (size_t i = 0; i < ctx.messages.size(); ++i) {
    if (ctx.messages[i].severity > 10) last = ctx.messages[i];
  }
  bool seen_last = false;
  for (auto it = ctx.messages.rbegin(); it != ctx.messages.rend(); ++it) {
    if (!seen_last && it->severity > 10) {
      seen_last = true;
      continue;
    }
    before.insert(before.begin(), *it);
  }
  forward_messages(before, s, frame.proc_name, sink);
  return statement_error(last, s, frame, sink);
}

bool SessionImpl::run_executesql(const std::string& stmt, const std::string& decls, std::vector<CallArg>& args,
                                 ReplySink& sink, bool describe_only, bool* had_error, Flow* flow) {
  *had_error = false;
  if (flow != nullptr) *flow = Flow::kNext;
  std::vector<ParamDecl> params;
  ParseError perr;
  if (!decls.empty() && !parse_param_decls(decls, &params, &perr)) {
    sink.message(Message{perr.number, 1, 15, perr.message, 1, {}});
    *had_error = true;
    last_error_ = perr.number;
    return false;
  }
  Frame f;
  f.describe_only = describe_only;
  std::vector<int> bound(params.size(), -1);
  size_t next_positional = 0;
  for (size_t a = 0; a < args.size(); ++a) {
    size_t idx = params.size();
    if (!args[a].name.empty()) {
      for (size_t p = 0; p < params.size(); ++p)
        if (iequals(params[p].name, args[a].name)) idx = p;
      if (idx == params.size()) {
        sink.message(Message{8145, 1, 16, args[a].name + " is not a parameter for procedure sp_executesql.", 1, {}});
        *had_error = true;
        last_error_ = 8145;
        return false;
      }
    } else {
      idx = next_positional++;
      if (idx >= params.size()) {
        sink.message(Message{8144, 1, 16, "Procedure or function sp_executesql has too many arguments specified.", 1, {}});
        *had_error = true;
        last_error_ = 8144;
        return false;
      }
    }
    bound[idx] = static_cast<int>(a);
    Value v;
    Message err;
    SqlType from = args[a].has_type ? args[a].type : SqlType::NVarChar(-1);
    if (!convert_value(args[a].value, from, params[idx].type, 0, &v, &err)) {
      sink.message(err);
      *had_error = true;
      last_error_ = err.number;
      return false;
    }
    f.vars[to_lower_ascii(params[idx].name)] = Variable{params[idx].type, std::move(v)};
  }
  for (size_t p = 0; p < params.size(); ++p) {
    if (bound[p] >= 0) continue;
    if (describe_only) {
      f.vars[to_lower_ascii(params[p].name)] = Variable{params[p].type, Null{}};
      continue;
    }
    sink.message(Message{8178, 1, 16, "The parameterized query '(" + decls + ")" + stmt.substr(0, 200) +
                                          "' expects the parameter '" + params[p].name + "', which was not supplied.", 1, {}});
    *had_error = true;
    last_error_ = 8178;
    return false;
  }
  Flow inner = run_text(stmt, f, sink);
  if (flow != nullptr) *flow = inner;
  *had_error = f.any_error;
  for (size_t p = 0; p < params.size(); ++p) {
    if (bound[p] < 0 || !args[static_cast<size_t>(bound[p])].output) continue;
    CallArg& a = args[static_cast<size_t>(bound[p])];
    const Variable& v = f.vars[to_lower_ascii(params[p].name)];
    a.value = v.value;
    a.type = v.type;
  }
  return true;
}

Flow SessionImpl::exec_proc(const Stmt& s, Frame& frame, ReplySink& sink) {
  std::vector<std::string> parts = s.proc_parts;
  Message err;
  if (!s.proc_var.empty()) {
    Value v;
    SqlType t;
    Expr var_expr;
    var_expr.kind = Expr::Kind::kVariable;
    var_expr.text = s.proc_var;
    if (!eval(var_expr, frame, false, &v, &t, &err)) return statement_error(err, s, frame, sink);
    std::string name = std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string();
    std::vector<Token> toks;
    LexError lerr;
    parts.clear();
    if (tokenize(name, &toks, &lerr)) {
      for (const auto& t2 : toks)
        if (t2.is_name()) parts.push_back(t2.text);
    }
    if (parts.empty()) parts.push_back(name);
  }
  // Evaluate arguments.
  std::vector<ProcArg> args;
  std::vector<SqlType> types;
  for (const auto& a : s.args) {
    ProcArg pa;
    pa.name = a.name;
    pa.output = a.output;
    if (a.is_default) {
      pa.is_default = true;
      pa.value = Null{};
    } else {
      SqlType t;
      if (!eval(*a.value, frame, false, &pa.value, &t, &err)) return statement_error(err, s, frame, sink);
      pa.type = t;
    }
    args.push_back(std::move(pa));
  }
  const std::string& proc = parts.back();
  if (iequals(proc, "sp_executesql")) {
    if (args.empty()) {
      return statement_error(Message{201, 4, 16, "Procedure or function 'sp_executesql' expects parameter '@stmt', which was not supplied.", 1, {}},
                             s, frame, sink);
    }
    auto text_of = [](const Value& v) { return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string(); };
    std::string stmt_text = text_of(args[0].value);
    std::string decls;
    size_t first_value = 1;
    if (args.size() > 1 && (iequals(args[1].name, "@params") || (args[1].name.empty() && args[1].type && is_string_type(*args[1].type)))) {
      decls = text_of(args[1].value);
      first_value = 2;
    }
    std::vector<CallArg> call;
    for (size_t i = first_value; i < args.size(); ++i) {
      CallArg c;
      c.name = args[i].name;
      c.value = args[i].value;
      c.output = args[i].output;
      c.has_type = args[i].type.has_value();
      if (c.has_type) c.type = *args[i].type;
      call.push_back(std::move(c));
    }
    bool had_error = false;
    Flow inner = Flow::kNext;
    const int trancount_before = trancount_;
    bool ok = run_executesql(stmt_text, decls, call, sink, false, &had_error, &inner);
    if (inner == Flow::kCaught || inner == Flow::kCancelled) return inner;
    for (size_t i = first_value; i < args.size(); ++i) {
      const auto& a = s.args[i];
      if (a.output && !a.out_var.empty()) {
        const CallArg& c = call[i - first_value];
        if (!assign(a.out_var, "=", c.value, c.type, frame, &err)) return statement_error(err, s, frame, sink);
      }
    }
    if (!s.rc_var.empty()) assign(s.rc_var, "=", int64_t{had_error ? 1 : 0}, SqlType::Int(), frame, &err);
    if (!ok || had_error) {
      frame.any_error = true;
      if (!ok) sink.done(DoneInfo{false, 0, true, 0});
      if (inner == Flow::kAbortBatch && batch_aborted_) return Flow::kAbortBatch;
      if (xact_abort_ && inner == Flow::kAbortBatch) {
        if (trancount_ > 0) rollback_tran(&err);
        return Flow::kAbortBatch;
      }
    }
    return check_trancount(trancount_before, s, frame, sink);
  }
  ExecContext ctx = make_context();
  // While the transaction is uncommittable a procedure may read but not write (3930): it runs
  // inside a savepoint that is undone when it wrote.
  const bool doomed = refuse_write_when_doomed(&err);
  if (doomed) sqlite3_exec(inst_.state().db(), "SAVEPOINT emu_doomed_call", nullptr, nullptr, nullptr);
  ProcOutcome outcome = inst_.state().call_procedure(ctx, parts, args);
  if (doomed) {
    if (ctx.wrote) sqlite3_exec(inst_.state().db(), "ROLLBACK TO emu_doomed_call", nullptr, nullptr, nullptr);
    sqlite3_exec(inst_.state().db(), "RELEASE emu_doomed_call", nullptr, nullptr, nullptr);
    if (ctx.wrote && outcome.found) return statement_error(err, s, frame, sink);
  }
  if (ctx.wrote) inst_.stats().writes++;
  if (!outcome.found) {
    return statement_error(Message{2812, 62, 16, "Could not find stored procedure '" + dotted(parts) + "'.", 1, {}}, s,
                           frame, sink);
  }
  int32_t raised = 0;
  if (procedure_messages(ctx.messages, s, proc, frame, sink, &raised) == Flow::kCaught) return Flow::kCaught;
  // OUTPUT arguments back into their variables: by parameter name, else in order.
  size_t positional_out = 0;
  for (size_t i = 0; i < s.args.size(); ++i) {
    const auto& a = s.args[i];
    if (!a.output || a.out_var.empty()) continue;
    const std::pair<SqlType, Value>* found = nullptr;
    if (!a.name.empty()) {
      for (const auto& [name, tv] : outcome.outputs)
        if (iequals(name, a.name)) found = &tv;
    } else if (positional_out < outcome.outputs.size()) {
      found = &outcome.outputs[positional_out++].second;
    }
    if (found != nullptr && !assign(a.out_var, "=", found->second, found->first, frame, &err)) {
      return statement_error(err, s, frame, sink);
    }
  }
  if (!s.rc_var.empty() && !assign(s.rc_var, "=", int64_t{outcome.return_status}, SqlType::Int(), frame, &err)) {
    return statement_error(err, s, frame, sink);
  }
  int32_t errnum = last_error_number(ctx.messages);
  sink.done(DoneInfo{false, 0, errnum != 0, 0});
  last_error_ = errnum;
  if (errnum != 0) {
    frame.any_error = true;
    if (xact_abort_) {
      if (trancount_ > 0) rollback_tran(&err);
      return Flow::kAbortBatch;
    }
  }
  return Flow::kNext;
}

}  // namespace emu
