// table_vars.cc — table variables for SessionImpl (see session.h): DECLARE @t TABLE (…),
// INSERT INTO @t VALUES / SELECT, DELETE FROM @t, and reading @t in a FROM clause.
//
// SQL Server's rules followed (https://learn.microsoft.com/en-us/sql/t-sql/data-types/table-transact-sql):
// a table variable is local to its batch (not visible to EXEC(@sql) or sp_executesql), and
// "table variables aren't affected by a ROLLBACK" — so the rows live in the Frame, not in SQLite's
// transaction; before a statement reads @t they are copied into a TEMP table of the shared SQLite
// connection (unique name, dropped when the batch ends). Values are converted to the column's type
// on INSERT; NULL into a NOT NULL column is 515; a column list that does not match is 109/110/213
// (https://learn.microsoft.com/en-us/sql/t-sql/statements/insert-transact-sql).
// Thread-safety: as SessionImpl (instance lock held).
#include <sqlite3.h>

#include <atomic>

#include "engine/convert.h"
#include "engine/session.h"

namespace emu {

namespace {

std::atomic<uint64_t> g_table_var_counter{0};

}  // namespace

bool SessionImpl::declare_table(const Stmt::Decl& d, Frame& frame, Message* err) {
  std::string key = to_lower_ascii(d.name);
  if (frame.vars.count(key) || frame.tables.count(key)) {
    *err = Message{134, 1, 15, "The variable name '" + d.name +
                                   "' has already been declared. Variable names must be unique within a query batch or stored procedure.", 1, {}};
    return false;
  }
  TableVariable t;
  t.name = d.name;
  t.columns = d.columns;
  t.sqlite_name = "emu_tv_" + std::to_string(++g_table_var_counter);
  frame.tables[key] = std::move(t);
  return true;
}

std::optional<ViewDef> SessionImpl::materialize_table(const std::string& name, Frame& frame) {
  auto it = frame.tables.find(to_lower_ascii(name));
  if (it == frame.tables.end()) return std::nullopt;
  TableVariable& t = it->second;
  sqlite3* db = inst_.state().db();
  std::string create = "CREATE TEMP TABLE IF NOT EXISTS " + quote_sqlite_ident(t.sqlite_name) + " (";
  std::string insert = "INSERT INTO temp." + quote_sqlite_ident(t.sqlite_name) + " VALUES (";
  ViewDef view;
  view.canonical_name = t.name;
  view.sqlite_source = "temp." + quote_sqlite_ident(t.sqlite_name);
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const auto& c = t.columns[i];
    create += (i ? ", " : "") + quote_sqlite_ident(c.name) + (is_string_type(c.type) ? " COLLATE CI" : "");
    insert += (i ? ", ?" : "?") + std::to_string(i + 1);
    view.columns.push_back(ViewColumn{c.name, c.type, c.nullable});
  }
  create += ")";
  insert += ")";
  sqlite3_exec(db, create.c_str(), nullptr, nullptr, nullptr);
  std::string del = "DELETE FROM temp." + quote_sqlite_ident(t.sqlite_name);
  sqlite3_exec(db, del.c_str(), nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, insert.c_str(), -1, &st, nullptr) != SQLITE_OK) return std::nullopt;
  for (const Row& r : t.rows) {
    for (size_t i = 0; i < r.size(); ++i) bind_value(st, static_cast<int>(i + 1), r[i]);
    sqlite3_step(st);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return view;
}

void SessionImpl::drop_tables(Frame& frame) {
  for (auto& [key, t] : frame.tables) {
    std::string q = "DROP TABLE IF EXISTS temp." + quote_sqlite_ident(t.sqlite_name);
    sqlite3_exec(inst_.state().db(), q.c_str(), nullptr, nullptr, nullptr);
  }
  frame.tables.clear();
}

Flow SessionImpl::exec_insert(const Stmt& s, Frame& frame, ReplySink& sink) {
  auto it = frame.tables.find(to_lower_ascii(s.var));
  if (it == frame.tables.end()) {
    return statement_error(Message{1087, 1, 15, "Must declare the table variable \"" + s.var + "\".", 1, {}}, s, frame, sink);
  }
  TableVariable& t = it->second;
  // Target columns, in the order values come.
  std::vector<size_t> target;
  if (s.names.empty()) {
    for (size_t i = 0; i < t.columns.size(); ++i) target.push_back(i);
  } else {
    for (const auto& n : s.names) {
      size_t found = t.columns.size();
      for (size_t i = 0; i < t.columns.size(); ++i)
        if (iequals(t.columns[i].name, n)) found = i;
      if (found == t.columns.size()) {
        return statement_error(Message{207, 1, 16, "Invalid column name '" + n + "'.", 1, {}}, s, frame, sink);
      }
      target.push_back(found);
    }
  }
  // Source rows.
  std::vector<Row> source;
  std::vector<SqlType> source_types;
  Message err;
  if (s.select) {
    std::vector<ColumnInfo> cols;
    if (!query_rows(*s.select, frame, &source, &cols, &err)) return statement_error(err, s, frame, sink);
    for (const auto& c : cols) source_types.push_back(c.type);
    if (cols.size() != target.size()) {
      return statement_error(Message{s.names.empty() ? 213 : (cols.size() > target.size() ? 121 : 120), 1, 16,
                                     s.names.empty() ? "Column name or number of supplied values does not match table definition."
                                     : cols.size() > target.size()
                                         ? "The select list for the INSERT statement contains more items than the insert list. The number of SELECT values must match the number of INSERT columns."
                                         : "The select list for the INSERT statement contains fewer items than the insert list. The number of SELECT values must match the number of INSERT columns.",
                                     1, {}},
                             s, frame, sink);
    }
  } else {
    for (const auto& row : s.rows) {
      if (row.size() != target.size()) {
        if (s.names.empty()) {
          return statement_error(Message{213, 1, 16, "Column name or number of supplied values does not match table definition.", 1, {}},
                                 s, frame, sink);
        }
        bool more_values = row.size() > target.size();
        return statement_error(Message{more_values ? 110 : 109, 1, 15,
                                       more_values ? "There are fewer columns in the INSERT statement than values specified in the VALUES clause. The number of values in the VALUES clause must match the number of columns specified in the INSERT statement."
                                                   : "There are more columns in the INSERT statement than values specified in the VALUES clause. The number of values in the VALUES clause must match the number of columns specified in the INSERT statement.",
                                       1, {}},
                               s, frame, sink);
      }
    }
    source_types.assign(target.size(), SqlType::NVarChar(-1));
    for (const auto& row : s.rows) {
      Row r;
      for (size_t i = 0; i < row.size(); ++i) {
        Value v = Null{};
        SqlType ty = t.columns[target[i]].type;
        if (row[i]->kind == Expr::Kind::kNull && row[i]->text == "DEFAULT") {
          if (const auto& d = t.columns[target[i]].default_value) {
            if (!eval(*d, frame, false, &v, &ty, &err)) return statement_error(err, s, frame, sink);
          }
        } else if (!eval(*row[i], frame, false, &v, &ty, &err)) {
          return statement_error(err, s, frame, sink);
        }
        Value converted;
        if (!convert_value(v, ty, t.columns[target[i]].type, 0, &converted, &err)) return statement_error(err, s, frame, sink);
        r.push_back(std::move(converted));
      }
      source.push_back(std::move(r));
    }
    source_types.clear();
    for (size_t i : target) source_types.push_back(t.columns[i].type);
  }
  // Build full rows (defaults / NULL for the columns not listed), check NOT NULL, then append.
  std::vector<Row> out;
  for (const Row& src : source) {
    Row r(t.columns.size(), Value{Null{}});
    std::vector<bool> given(t.columns.size(), false);
    for (size_t i = 0; i < target.size(); ++i) {
      Value converted;
      if (!convert_value(src[i], source_types[i], t.columns[target[i]].type, 0, &converted, &err)) {
        return statement_error(err, s, frame, sink);
      }
      r[target[i]] = std::move(converted);
      given[target[i]] = true;
    }
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (!given[c] && t.columns[c].default_value) {
        Value v;
        SqlType ty;
        Value converted;
        if (!eval(*t.columns[c].default_value, frame, false, &v, &ty, &err) ||
            !convert_value(v, ty, t.columns[c].type, 0, &converted, &err)) {
          return statement_error(err, s, frame, sink);
        }
        r[c] = std::move(converted);
      }
      if (!t.columns[c].nullable && is_null(r[c])) {
        return statement_error(Message{515, 2, 16, "Cannot insert the value NULL into column '" + t.columns[c].name +
                                                        "', table '" + t.name + "'; column does not allow nulls. INSERT fails.", 1, {}},
                               s, frame, sink);
      }
    }
    out.push_back(std::move(r));
  }
  for (auto& r : out) t.rows.push_back(std::move(r));
  last_rowcount_ = static_cast<int64_t>(out.size());
  last_error_ = 0;
  sink.done(DoneInfo{!nocount_, static_cast<int64_t>(out.size()), false, 0xC3});
  return Flow::kNext;
}

Flow SessionImpl::exec_delete(const Stmt& s, Frame& frame, ReplySink& sink) {
  auto it = frame.tables.find(to_lower_ascii(s.var));
  if (it == frame.tables.end()) {
    return statement_error(Message{1087, 1, 15, "Must declare the table variable \"" + s.var + "\".", 1, {}}, s, frame, sink);
  }
  TableVariable& t = it->second;
  size_t before = t.rows.size();
  if (!s.expr) {
    t.rows.clear();
  } else {
    // The parser made s.select = SELECT 1 FROM @t WHERE <condition>: probe each row alone, so
    // the order of the kept rows stays as inserted.
    std::vector<Row> all = std::move(t.rows);
    std::vector<Row> kept;
    for (const Row& r : all) {
      t.rows = {r};
      std::vector<Row> hit;
      std::vector<ColumnInfo> cols;
      Message err;
      if (!query_rows(*s.select, frame, &hit, &cols, &err)) {
        t.rows = std::move(all);
        return statement_error(err, s, frame, sink);
      }
      if (hit.empty()) kept.push_back(r);
    }
    t.rows = std::move(kept);
  }
  int64_t n = static_cast<int64_t>(before - t.rows.size());
  last_rowcount_ = n;
  last_error_ = 0;
  sink.done(DoneInfo{!nocount_, n, false, 0xC4});
  return Flow::kNext;
}

}  // namespace emu
