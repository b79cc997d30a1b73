// exec_select.cc — SELECT statements and expression evaluation for SessionImpl: translation
// (translate.h), binding variables, stepping SQLite and streaming typed rows to the sink.
#include <sqlite3.h>

#include "engine/convert.h"
#include "engine/functions.h"
#include "engine/session.h"

namespace emu {

namespace {

constexpr int kCancelCheckRows = 256;

std::string version_string(const InstanceConfig& c) {
  if (c.is_managed_instance()) {
    return "Microsoft SQL Azure (RTM) - 12.0.2000.8 \n\tCopyright (C) 2022 Microsoft Corporation\n";
  }
  return "Microsoft SQL Server 2022 (RTM-CU12) (KB5033663) - " + c.product_version +
         " (X64) \n\tCopyright (C) 2022 Microsoft Corporation\n\t" + c.edition +
         " on Linux (Debian GNU/Linux 12 (bookworm)) <X64>";
}

}  // namespace

void bind_value(sqlite3_stmt* stmt, int idx, const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) sqlite3_bind_int64(stmt, idx, *i);
  else if (const auto* d = std::get_if<double>(&v)) sqlite3_bind_double(stmt, idx, *d);
  else if (const auto* s = std::get_if<std::string>(&v))
    sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
  else if (const auto* b = std::get_if<Blob>(&v))
    sqlite3_bind_blob(stmt, idx, b->bytes.data(), static_cast<int>(b->bytes.size()), SQLITE_TRANSIENT);
  else sqlite3_bind_null(stmt, idx);
}

// Reads column i of the current row as the value.h representation of `t`.
Value column_value(sqlite3_stmt* stmt, int i, const SqlType& t) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL: return Null{};
    case SQLITE_INTEGER: {
      int64_t n = sqlite3_column_int64(stmt, i);
      if (is_integer_type(t) || t.id == SqlTypeId::kSqlVariant) return n;
      return coerce_to_type(Value{n}, t);
    }
    case SQLITE_FLOAT: return coerce_to_type(Value{sqlite3_column_double(stmt, i)}, t);
    case SQLITE_TEXT: {
      const char* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      std::string s(p, static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
      if (is_string_type(t) || t.id == SqlTypeId::kUniqueIdentifier || t.id == SqlTypeId::kDateTime ||
          t.id == SqlTypeId::kSqlVariant) {
        return s;
      }
      return coerce_to_type(Value{std::move(s)}, t);
    }
    case SQLITE_BLOB: {
      const char* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      Blob b{std::string(p == nullptr ? "" : p, static_cast<size_t>(sqlite3_column_bytes(stmt, i)))};
      if (is_binary_type(t) || t.id == SqlTypeId::kSqlVariant) return b;
      return coerce_to_type(Value{std::move(b)}, t);
    }
  }
  return Null{};
}

// Name resolution and variable types for the translator, from the session and its frame.
class SessionEnv final : public TranslateEnv {
 public:
  SessionEnv(SessionImpl& s, Frame& f) : s_(s), f_(f) {}
  std::optional<ViewDef> resolve(const std::vector<std::string>& parts) override {
    if (parts.size() == 1 && !parts[0].empty() && parts[0][0] == '@') return s_.materialize_table(parts[0], f_);
    return s_.inst_.state().resolve_view_for(s_.db_, parts, s_.login_);
  }
  std::optional<SqlType> variable_type(const std::string& name) override {
    auto v = s_.lookup_variable(name, f_);
    if (!v) return std::nullopt;
    return v->type;
  }

 private:
  SessionImpl& s_;
  Frame& f_;
};

std::optional<Variable> SessionImpl::lookup_variable(const std::string& name, const Frame& frame) const {
  std::string key = to_lower_ascii(name);
  if (key.size() < 2 || key[1] != '@') {
    auto it = frame.vars.find(key);
    if (it == frame.vars.end()) return std::nullopt;
    return it->second;
  }
  const InstanceConfig& c = inst_.config();
  auto i = [](int64_t v) { return Variable{SqlType::Int(), v}; };
  if (key == "@@spid") return Variable{SqlType::SmallInt(), static_cast<int64_t>(spid_)};
  if (key == "@@trancount") return i(trancount_);
  if (key == "@@error") return i(last_error_);
  if (key == "@@rowcount") return i(last_rowcount_);
  if (key == "@@servername") return Variable{SqlType::NVarChar(128), c.server_name};
  if (key == "@@servicename") return Variable{SqlType::NVarChar(128), std::string("MSSQLSERVER")};
  if (key == "@@version") return Variable{SqlType::NVarChar(300), version_string(c)};
  if (key == "@@language") return Variable{SqlType::NVarChar(128), std::string("us_english")};
  if (key == "@@langid") return Variable{SqlType::SmallInt(), int64_t{0}};
  if (key == "@@datefirst") return Variable{SqlType::TinyInt(), int64_t{7}};
  if (key == "@@options") return i(5496);
  if (key == "@@max_precision") return Variable{SqlType::TinyInt(), int64_t{38}};
  if (key == "@@microsoftversion") return i(0x10000FA7);
  if (key == "@@textsize") return i(2147483647);
  if (key == "@@lock_timeout") return i(lock_timeout_ms_);
  if (key == "@@nestlevel") return i(nest_ > 0 ? nest_ - 1 : 0);
  if (key == "@@procid") return i(0);
  if (key == "@@fetch_status") return i(-1);
  if (key == "@@identity") return Variable{SqlType::Decimal(38, 0), Null{}};
  if (key == "@@dbts") return Variable{SqlType::VarBinary(8), Blob{std::string(8, '\0')}};
  if (key == "@@emu_db") return Variable{SqlType::Sysname(), db_};
  if (key == "@@emu_login") return Variable{SqlType::Sysname(), login_};
  if (key == "@@emu_login_sid") return Variable{SqlType::VarBinary(85), Blob{login_sid_}};
  if (key == "@@emu_user") return Variable{SqlType::Sysname(), std::string("dbo")};
  if (key == "@@emu_host") return Variable{SqlType::NVarChar(128), host_};
  if (key == "@@emu_app") return Variable{SqlType::NVarChar(128), app_};
  if (key.rfind("@@emu_error_", 0) == 0 || key == "@@emu_xact_state") return error_function(key);
  return std::nullopt;
}

bool SessionImpl::bind_and_prepare(const Translation& tr, Frame& frame, sqlite3_stmt** stmt, Message* err) {
  std::string e;
  *stmt = inst_.prepare(tr.sql, &e);
  if (*stmt == nullptr) {
    *err = Message{50000, 1, 16, "emulator: cannot run the translated statement: " + e + " [" + tr.sql + "]", 1, {}};
    return false;
  }
  for (size_t i = 0; i < tr.params.size(); ++i) {
    auto v = lookup_variable(tr.params[i], frame);
    bind_value(*stmt, static_cast<int>(i + 1), v ? v->value : Value{Null{}});
  }
  return true;
}

bool SessionImpl::eval(const Expr& e, Frame& frame, bool condition, Value* out, SqlType* type, Message* err) {
  // Literals and variables need no SQLite round trip.
  if (!condition) {
    if (e.kind == Expr::Kind::kVariable) {
      auto v = lookup_variable(e.text, frame);
      if (!v) {
        *err = Message{137, 1, 15, "Must declare the scalar variable \"" + e.text + "\".", 1, {}};
        return false;
      }
      *out = v->value;
      *type = v->type;
      return true;
    }
  }
  Translation tr;
  SessionEnv env(*this, frame);
  bool ok = condition ? translate_condition(e, env, &tr, err) : translate_scalar(e, env, &tr, err);
  if (!ok) return false;
  sqlite3_stmt* stmt = nullptr;
  if (!bind_and_prepare(tr, frame, &stmt, err)) return false;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    *type = tr.columns[0].type;
    *out = column_value(stmt, 0, *type);
    rc = sqlite3_step(stmt);
  }
  bool good = rc == SQLITE_DONE;
  if (!good) *err = sqlite_error_to_message(sqlite3_errmsg(inst_.state().db()));
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  return good;
}

Flow SessionImpl::exec_select(const Stmt& s, Frame& frame, ReplySink& sink) {
  Translation tr;
  Message err;
  SessionEnv env(*this, frame);
  if (!translate_select(*s.select, env, &tr, &err)) return statement_error(err, s, frame, sink);
  bool assignment = !tr.assign_vars.empty();
  if (frame.describe_only) {
    if (!frame.described && !assignment) {
      sink.columns(tr.columns);
      frame.described = true;
    }
    return Flow::kNext;
  }
  sqlite3_stmt* stmt = nullptr;
  if (!bind_and_prepare(tr, frame, &stmt, &err)) return statement_error(err, s, frame, sink);
  const size_t ncols = tr.columns.size();
  if (!assignment) sink.columns(tr.columns);
  int64_t rows = 0;
  int rc;
  Row row;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    ++rows;
    if (assignment) {
      for (size_t i = 0; i < ncols; ++i) {
        Value v = column_value(stmt, static_cast<int>(i), tr.columns[i].type);
        if (!assign(tr.assign_vars[i], tr.assign_ops[i], v, tr.columns[i].type, frame, &err)) {
          sqlite3_reset(stmt);
          sqlite3_clear_bindings(stmt);
          return statement_error(err, s, frame, sink);
        }
      }
      continue;
    }
    row.clear();
    row.reserve(ncols);
    for (size_t i = 0; i < ncols; ++i) row.push_back(column_value(stmt, static_cast<int>(i), tr.columns[i].type));
    sink.row(row);
    if (rows % kCancelCheckRows == 0 && sink.cancelled()) {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      return Flow::kCancelled;
    }
  }
  if (rc != SQLITE_DONE) err = sqlite_error_to_message(sqlite3_errmsg(inst_.state().db()));
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (rc != SQLITE_DONE) return statement_error(err, s, frame, sink);
  last_rowcount_ = rows;
  last_error_ = 0;
  if (!assignment) sink.done(DoneInfo{true, rows, false, 0xC1});
  return Flow::kNext;
}

bool SessionImpl::query_rows(const SelectStmt& select, Frame& frame, std::vector<Row>* rows,
                             std::vector<ColumnInfo>* cols, Message* err) {
  Translation tr;
  SessionEnv env(*this, frame);
  if (!translate_select(select, env, &tr, err)) return false;
  sqlite3_stmt* stmt = nullptr;
  if (!bind_and_prepare(tr, frame, &stmt, err)) return false;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Row r;
    for (size_t i = 0; i < tr.columns.size(); ++i) r.push_back(column_value(stmt, static_cast<int>(i), tr.columns[i].type));
    rows->push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) *err = sqlite_error_to_message(sqlite3_errmsg(inst_.state().db()));
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  *cols = tr.columns;
  return rc == SQLITE_DONE;
}

}  // namespace emu
