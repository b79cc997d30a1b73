// exec_errors.cc — SQL Server's error semantics for SessionImpl (see session.h): which errors end
// a statement, a scope or the batch; SET XACT_ABORT; TRY…CATCH and ERROR_*(); THROW; doomed
// (uncommittable) transactions; @@TRANCOUNT checks after EXEC.
//
// Sources (Microsoft's documentation):
//  * TRY…CATCH — https://learn.microsoft.com/en-us/sql/t-sql/language-elements/try-catch-transact-sql
//    catches every error of severity 11–19; compile errors and deferred name resolution errors
//    (208 …) are not caught by a TRY of the same scope but by the caller's; a caught error is not
//    sent to the client; ERROR_*() work anywhere in the scope of a CATCH block (also in modules it
//    calls) and return NULL elsewhere.
//  * SET XACT_ABORT — https://learn.microsoft.com/en-us/sql/t-sql/statements/set-xact-abort-transact-sql
//    ON: a run-time error ends the batch and rolls the transaction back; inside TRY the
//    transaction becomes uncommittable instead and control goes to CATCH.
//  * XACT_STATE — https://learn.microsoft.com/en-us/sql/t-sql/functions/xact-state-transact-sql
//    1 / 0 / -1; an uncommittable transaction allows reads and a full ROLLBACK only (writes and
//    COMMIT fail with 3930); at the end of the batch it is rolled back and 3998 is sent.
//  * THROW — https://learn.microsoft.com/en-us/sql/t-sql/language-elements/throw-transact-sql
//    severity 16; error_number 50000–2147483647 (else 35100); without arguments only in a CATCH
//    block (10704), re-raising the caught error; honours XACT_ABORT, RAISERROR does not
//    (https://learn.microsoft.com/en-us/sql/t-sql/language-elements/raiserror-transact-sql);
//    outside TRY it ends the batch.
//  * 266 — https://learn.microsoft.com/en-us/sql/relational-databases/errors-events/mssqlserver-266-database-engine-error
//    an EXEC that leaves @@TRANCOUNT different from its value at entry.
// Thread-safety: as SessionImpl (one thread, instance lock held).
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "engine/session.h"

namespace emu {

namespace {

// Errors that end the current scope (batch, EXEC(@sql), sp_executesql) rather than the statement:
// compile-time and name-resolution errors.
bool is_scope_aborting_error(int32_t number) {
  switch (number) {
    case 208: case 207: case 209: case 4104: case 137: case 195: case 8155: case 263: case 205:
    case 104: case 108: case 1013: case 4121: case 116: case 141: case 174: case 189: case 2715:
    case 134: case 217: case 1087:
      return true;
    default:
      return false;
  }
}

constexpr const char* kDoomedText =
    "The current transaction cannot be committed and cannot support operations that write to the log file. "
    "Roll back the transaction.";

}  // namespace

Flow SessionImpl::statement_error(Message m, const Stmt& s, Frame& frame, ReplySink& sink, bool send_done) {
  if (m.line <= 1) m.line = s.line;
  if (m.proc.empty()) m.proc = frame.proc_name;
  if (m.severity <= 10) {
    sink.message(m);
    if (send_done) sink.done(DoneInfo{false, 0, false, 0});
    return Flow::kNext;
  }
  last_error_ = m.number;
  frame.any_error = true;
  const bool scope_abort = is_scope_aborting_error(m.number);
  const bool honours_xact_abort = s.kind != Stmt::Kind::kRaiserror;
  const bool catchable = m.severity < 20 && (scope_abort ? try_outer_levels_ > 0 : try_levels_ > 0);
  if (catchable) {
    if (trancount_ > 0 && xact_abort_ && honours_xact_abort) doomed_ = true;
    pending_error_ = m;
    uncatchable_level_ = scope_abort ? nest_ : -1;
    return Flow::kCaught;
  }
  sink.message(m);
  if (send_done) sink.done(DoneInfo{false, 0, true, 0});
  if (xact_abort_ && honours_xact_abort) {
    if (trancount_ > 0) {
      Message ignored;
      rollback_tran(&ignored);
    }
    return Flow::kAbortBatch;
  }
  if (scope_abort) return Flow::kAbortBatch;
  return Flow::kNext;
}

Flow SessionImpl::compile_error(Message m, Frame& frame, ReplySink& sink) {
  if (m.proc.empty()) m.proc = frame.proc_name;
  last_error_ = m.number;
  frame.any_error = true;
  if (try_levels_ > 0) {
    pending_error_ = m;
    uncatchable_level_ = -1;
    return Flow::kCaught;
  }
  sink.message(m);
  sink.done(DoneInfo{false, 0, true, 0});
  return Flow::kAbortBatch;
}

Flow SessionImpl::procedure_messages(const std::vector<Message>& msgs, const Stmt& s, const std::string& proc,
                                     Frame& frame, ReplySink& sink, int32_t* errnum) {
  *errnum = 0;
  for (Message m : msgs) {
    if (m.line <= 1) m.line = s.line;
    if (m.proc.empty()) m.proc = proc;
    if (m.severity > 10 && try_levels_ > 0 && m.severity < 20) {
      // Inside TRY the procedure's first error transfers control to CATCH.
      last_error_ = m.number;
      frame.any_error = true;
      if (trancount_ > 0 && xact_abort_) doomed_ = true;
      pending_error_ = m;
      uncatchable_level_ = -1;
      *errnum = m.number;
      return Flow::kCaught;
    }
    sink.message(m);
    if (m.severity > 10) *errnum = m.number;
  }
  return Flow::kNext;
}

void SessionImpl::end_of_batch(ReplySink& sink) {
  if (trancount_ > 0 && doomed_) {
    Message ignored;
    rollback_tran(&ignored);
    sink.message(Message{3998, 1, 16,
                         "Uncommittable transaction is detected at the end of the batch. The transaction is rolled back.",
                         1, {}});
    last_error_ = 3998;
  }
  uncatchable_level_ = -1;
  batch_aborted_ = false;
}

bool SessionImpl::refuse_write_when_doomed(Message* err) const {
  if (!(trancount_ > 0 && doomed_)) return false;
  *err = Message{3930, 1, 16, kDoomedText, 1, {}};
  return true;
}

Flow SessionImpl::check_trancount(int before, const Stmt& s, Frame& frame, ReplySink& sink) {
  if (trancount_ == before) return Flow::kNext;
  return statement_error(Message{266, 2, 16,
                                 "Transaction count after EXECUTE indicates a mismatching number of BEGIN and COMMIT "
                                 "statements. Previous count = " + std::to_string(before) +
                                     ", current count = " + std::to_string(trancount_) + ".",
                                 1, {}},
                         s, frame, sink, false);
}

Flow SessionImpl::exec_throw(const Stmt& s, Frame& frame, ReplySink& sink) {
  Message m;
  if (s.exprs.empty()) {
    if (current_error_ == nullptr) {
      return statement_error(Message{10704, 1, 16, "To rethrow an error, a THROW statement must be used inside a CATCH block. Insert the THROW statement inside a CATCH block, or add a CATCH block to the query.", 1, {}},
                             s, frame, sink);
    }
    m = *current_error_;  // re-raised as caught: number, message, severity, state
  } else {
    Value vals[3];
    SqlType types[3];
    Message err;
    for (size_t i = 0; i < 3; ++i) {
      if (!eval(*s.exprs[i], frame, false, &vals[i], &types[i], &err)) return statement_error(err, s, frame, sink);
    }
    auto as_int = [](const Value& v, int64_t* out) {
      if (std::holds_alternative<int64_t>(v)) *out = std::get<int64_t>(v);
      else if (std::holds_alternative<double>(v)) *out = static_cast<int64_t>(std::get<double>(v));
      else return false;
      return true;
    };
    int64_t number = 0, state = 0;
    if (!as_int(vals[0], &number) || number < 50000 || number > 2147483647) {
      return statement_error(Message{35100, 10, 16, "Error number " + std::to_string(number) +
                                                         " in the THROW statement is outside the valid range. Specify an error number in the valid range of 50000 to 2147483647.", 1, {}},
                             s, frame, sink);
    }
    if (!as_int(vals[2], &state) || state < 0 || state > 255) {
      return statement_error(Message{35101, 1, 16, "State " + std::to_string(state) +
                                                         " in the THROW statement is outside the valid range. Specify a state in the valid range of 0 to 255.", 1, {}},
                             s, frame, sink);
    }
    m.number = static_cast<int32_t>(number);
    m.state = static_cast<uint8_t>(state);
    m.severity = 16;
    m.text = std::holds_alternative<std::string>(vals[1]) ? std::get<std::string>(vals[1]) : std::string();
  }
  m.line = s.line;
  m.proc.clear();
  Flow f = statement_error(m, s, frame, sink);
  if (f != Flow::kNext && f != Flow::kAbortBatch) return f;
  batch_aborted_ = true;  // THROW outside TRY ends the batch, callers included
  return Flow::kAbortBatch;
}

// WAITFOR DELAY 'hh:mm[:ss[.fff]]' — https://learn.microsoft.com/en-us/sql/t-sql/language-elements/waitfor-transact-sql
// (no date part, at most 24 hours; a bad time string is 148). An ATTENTION ends the wait.
Flow SessionImpl::exec_waitfor(const Stmt& s, Frame& frame, ReplySink& sink) {
  Value v;
  SqlType t;
  Message err;
  if (!eval(*s.expr, frame, false, &v, &t, &err)) return statement_error(err, s, frame, sink);
  const std::string text = std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string();
  int h = 0, m = 0, sec = 0, ms = 0;
  char tail = 0;
  int fields = std::sscanf(text.c_str(), "%d:%d:%d.%d%c", &h, &m, &sec, &ms, &tail);
  bool ok = fields >= 2 && fields <= 4 && h >= 0 && h <= 24 && m >= 0 && m < 60 && sec >= 0 && sec < 60 && ms >= 0 &&
            ms < 1000 && (h < 24 || (m == 0 && sec == 0 && ms == 0));
  if (!ok) {
    return statement_error(Message{148, 1, 15, "Incorrect time syntax in time string '" + text + "' used with WAITFOR.", 1, {}},
                           s, frame, sink);
  }
  const auto total = std::chrono::milliseconds(((h * 60LL + m) * 60 + sec) * 1000 + ms);
  const auto until = std::chrono::steady_clock::now() + total;
  while (std::chrono::steady_clock::now() < until) {
    if (sink.cancelled()) return Flow::kCancelled;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(10),
                                                                             until - std::chrono::steady_clock::now()));
  }
  last_error_ = 0;
  return Flow::kNext;
}

std::optional<Variable> SessionImpl::error_function(const std::string& key) const {
  const Message* e = current_error_;
  auto int_or_null = [&](int64_t v) { return Variable{SqlType::Int(), e ? Value{v} : Value{Null{}}}; };
  if (key == "@@emu_error_number") return int_or_null(e ? e->number : 0);
  if (key == "@@emu_error_severity") return int_or_null(e ? e->severity : 0);
  if (key == "@@emu_error_state") return int_or_null(e ? e->state : 0);
  if (key == "@@emu_error_line") return int_or_null(e ? e->line : 0);
  if (key == "@@emu_error_message") return Variable{SqlType::NVarChar(4000), e ? Value{e->text} : Value{Null{}}};
  if (key == "@@emu_error_procedure") {
    return Variable{SqlType::NVarChar(128), e && !e->proc.empty() ? Value{e->proc} : Value{Null{}}};
  }
  if (key == "@@emu_xact_state") return Variable{SqlType::SmallInt(), int64_t{xact_state()}};
  return std::nullopt;
}

}  // namespace emu
