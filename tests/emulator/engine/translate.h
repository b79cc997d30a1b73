// translate.h — turns T-SQL expressions and SELECTs (ast.h) into SQLite SQL over the state
// layer's catalog views, and types every result column as SQL Server would report it.
//
// Variables (@x, @@SPID, and the executor's pseudo-variables @@emu_db, @@emu_login, …) become
// SQLite parameters ?1…?n listed in Translation::params; the session binds their current values.
// Functions SQLite lacks are the emu_* SQLite functions of functions.h. String comparisons are
// case-insensitive (SQL Server's default CI collation): literals and parameters compare with
// COLLATE NOCASE. Errors carry SQL Server's numbers: 208 invalid object, 207 invalid column,
// 209 ambiguous column, 4104 unbound multi-part identifier, 137 undeclared variable, 195 unknown
// function.
// Thread-safety: a Translator is used by one thread; TranslateEnv calls happen under the
// instance lock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/api.h"
#include "engine/ast.h"
#include "engine/context.h"

namespace emu {

class TranslateEnv {
 public:
  virtual ~TranslateEnv() = default;
  virtual std::optional<ViewDef> resolve(const std::vector<std::string>& parts) = 0;
  // Declared type of a variable (user variable, @@function or @@emu_* pseudo-variable).
  virtual std::optional<SqlType> variable_type(const std::string& name) = 0;
};

struct Translation {
  std::string sql;
  std::vector<ColumnInfo> columns;        // result columns (SELECT) or the single scalar
  std::vector<std::string> params;        // variable bound to ?1, ?2, …
  std::vector<std::string> assign_vars;   // SELECT @a = …, @b = …: target per column
  std::vector<std::string> assign_ops;    // "=", "+=", …
};

// SELECT statement → SQLite SELECT.
bool translate_select(const SelectStmt& select, TranslateEnv& env, Translation* out, Message* err);
// Scalar expression → "SELECT <expr>" (columns[0] carries its type).
bool translate_scalar(const Expr& expr, TranslateEnv& env, Translation* out, Message* err);
// Search condition → "SELECT CASE WHEN <cond> THEN 1 ELSE 0 END".
bool translate_condition(const Expr& expr, TranslateEnv& env, Translation* out, Message* err);

// SQLite double-quoted identifier.
std::string quote_sqlite_ident(const std::string& name);
// SQLite string literal.
std::string quote_sqlite_string(const std::string& text);

}  // namespace emu
