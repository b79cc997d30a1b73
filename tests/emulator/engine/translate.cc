// translate.cc — SELECT, FROM, column resolution and operators (see translate.h).
#include "engine/translate.h"

#include "engine/convert.h"
#include "engine/lexer.h"
#include "engine/translate_impl.h"

namespace emu {

std::string balanced_concat(const std::vector<std::string>& terms, size_t begin, size_t end) {
  if (end - begin == 1) return terms[begin];
  const size_t mid = begin + (end - begin) / 2;
  return "(" + balanced_concat(terms, begin, mid) + " || " + balanced_concat(terms, mid, end) + ")";
}


std::string quote_sqlite_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string quote_sqlite_string(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string type_code_args(const SqlType& t) {
  return std::to_string(static_cast<int>(t.id)) + "," + std::to_string(t.length) + "," + std::to_string(t.scale);
}

SqlType wider_string(const SqlType& a, const SqlType& b, bool concat) {
  bool unicode = is_unicode_type(a) || is_unicode_type(b);
  int32_t la = is_string_type(a) ? a.length : 30, lb = is_string_type(b) ? b.length : 30;
  int32_t len;
  if (la < 0 || lb < 0) len = -1;
  else len = concat ? la + lb : std::max(la, lb);
  int32_t cap = unicode ? 4000 : 8000;
  if (len > cap) len = concat ? cap : -1;
  return unicode ? SqlType::NVarChar(len) : SqlType::VarChar(len);
}

bool Translator::fail(int32_t number, const std::string& text) {
  err_->number = number;
  err_->severity = number == 137 || number == 102 ? 15 : 16;
  err_->state = 1;
  err_->text = text;
  return false;
}

bool Translator::param(const std::string& var, TExpr* out) {
  std::string key = to_lower_ascii(var);
  auto type = env_.variable_type(var);
  if (!type) return fail(137, "Must declare the scalar variable \"" + var + "\".");
  int idx;
  auto it = param_index_.find(key);
  if (it == param_index_.end()) {
    params.push_back(var);
    idx = static_cast<int>(params.size());
    param_index_[key] = idx;
  } else {
    idx = it->second;
  }
  out->sql = "?" + std::to_string(idx);
  out->type = *type;
  out->nullable = true;
  out->untyped_param = type->id == SqlTypeId::kSqlVariant;
  if (var.size() > 2 && var[1] == '@') out->name = "";
  return true;
}

// ---- FROM ----

bool Translator::add_sources(const TableRef& ref, bool nullable, Scope* scope) {
  switch (ref.kind) {
    case TableRef::Kind::kNamed: {
      std::vector<std::string> parts = ref.parts;
      std::optional<ViewDef> view;
      if (auto cte = parts.size() == 1 ? ctes_.find(to_lower_ascii(parts[0])) : ctes_.end(); cte != ctes_.end()) {
        if (!cte->second) {
          return fail(40517, "Keyword or statement option 'recursive common table expression' is not supported in this version of SQL Server.");
        }
        view = cte->second;
      } else {
        view = env_.resolve(parts);
      }
      if (!view && parts.size() == 1 && !parts[0].empty() && parts[0][0] == '@') {
        return fail(1087, "Must declare the table variable \"" + parts[0] + "\".");
      }
      if (!view) {
        std::string shown;
        for (size_t i = 0; i < parts.size(); ++i) shown += (i ? "." : "") + parts[i];
        return fail(208, "Invalid object name '" + shown + "'.");
      }
      if (view->unavailable_number != 0) return fail(view->unavailable_number, view->unavailable_message);
      SourceTable t;
      t.alias = ref.alias.empty() ? parts.back() : ref.alias;
      t.columns = view->columns;
      t.nullable_side = nullable;
      for (const auto& existing : scope->tables) {
        if (iequals(existing.alias, t.alias)) {
          return fail(1013, "The objects \"" + existing.alias + "\" and \"" + t.alias +
                                "\" in the FROM clause have the same exposed names. Use correlation names to distinguish them.");
        }
      }
      source_sql_[&ref] = view->sqlite_source + " AS " + quote_sqlite_ident(t.alias);
      scope->tables.push_back(std::move(t));
      return true;
    }
    case TableRef::Kind::kDerived: {
      std::string sql;
      std::vector<ColumnInfo> cols;
      if (!select(*ref.derived, nullptr, &sql, &cols, nullptr, nullptr)) return false;
      SourceTable t;
      t.alias = ref.alias;
      t.nullable_side = nullable;
      for (size_t i = 0; i < cols.size(); ++i) {
        if (cols[i].name.empty()) {
          return fail(8155, "No column name was specified for column " + std::to_string(i + 1) + " of '" +
                                ref.alias + "'.");
        }
        t.columns.push_back(ViewColumn{cols[i].name, cols[i].type, cols[i].nullable});
      }
      source_sql_[&ref] = "(" + sql + ") AS " + quote_sqlite_ident(t.alias);
      scope->tables.push_back(std::move(t));
      return true;
    }
    case TableRef::Kind::kJoin: {
      const std::string& jt = ref.join_type;
      if (!add_sources(*ref.left, nullable || jt == "RIGHT" || jt == "FULL", scope)) return false;
      return add_sources(*ref.right, nullable || jt == "LEFT" || jt == "FULL", scope);
    }
  }
  return false;
}

bool Translator::from_sql(const TableRef& ref, const Scope& scope, std::string* sql) {
  if (ref.kind != TableRef::Kind::kJoin) {
    *sql = source_sql_[&ref];
    return true;
  }
  std::string l, r;
  if (!from_sql(*ref.left, scope, &l) || !from_sql(*ref.right, scope, &r)) return false;
  if (ref.right->kind == TableRef::Kind::kJoin) r = "(" + r + ")";
  if (ref.join_type == "CROSS") {
    *sql = l + " CROSS JOIN " + r;
    return true;
  }
  std::string on;
  if (!predicate(*ref.on, scope, &on)) return false;
  std::string kw = ref.join_type == "INNER" ? " JOIN " : " " + ref.join_type + " JOIN ";
  *sql = l + kw + r + " ON " + on;
  return true;
}

// ---- columns ----

bool Translator::column(const Expr& e, const Scope& scope, TExpr* out) {
  const auto& parts = e.parts;
  const std::string& col = parts.back();
  std::string shown;
  for (size_t i = 0; i < parts.size(); ++i) shown += (i ? "." : "") + parts[i];
  for (const Scope* s = &scope; s != nullptr; s = s->parent) {
    const SourceTable* found_table = nullptr;
    const ViewColumn* found = nullptr;
    bool qualifier_matched = false;
    for (const auto& t : s->tables) {
      if (parts.size() >= 2 && !iequals(t.alias, parts[parts.size() - 2])) continue;
      qualifier_matched = true;
      for (const auto& c : t.columns) {
        if (iequals(c.name, col)) {
          if (found != nullptr) return fail(209, "Ambiguous column name '" + col + "'.");
          found = &c;
          found_table = &t;
          break;
        }
      }
    }
    if (found != nullptr) {
      out->sql = quote_sqlite_ident(found_table->alias) + "." + quote_sqlite_ident(found->name);
      out->type = found->type;
      out->nullable = found->nullable || found_table->nullable_side;
      out->name = found->name;
      return true;
    }
    if (parts.size() >= 2 && qualifier_matched) return fail(207, "Invalid column name '" + col + "'.");
  }
  if (parts.size() >= 2) return fail(4104, "The multi-part identifier \"" + shown + "\" could not be bound.");
  return fail(207, "Invalid column name '" + col + "'.");
}

// ---- expressions ----

std::string sqlite_literal_for(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kString:
    case Expr::Kind::kNString: return quote_sqlite_string(e.text);
    case Expr::Kind::kBinary: return "X'" + e.text + "'";
    default: return e.text;
  }
}

bool Translator::predicate(const Expr& e, const Scope& scope, std::string* sql) {
  TExpr t;
  if (!expr(e, scope, &t)) return false;
  *sql = t.sql;
  return true;
}

namespace {

bool is_stringish(const TExpr& t) {
  return is_string_type(t.type) || t.type.id == SqlTypeId::kUniqueIdentifier || t.untyped_param;
}

}  // namespace

bool Translator::expr(const Expr& e, const Scope& scope, TExpr* out) {
  switch (e.kind) {
    case Expr::Kind::kNull:
      out->sql = "NULL";
      out->type = SqlType::Int();
      out->nullable = true;
      out->null_literal = true;
      return true;
    case Expr::Kind::kInteger: {
      out->sql = e.text;
      long long v = 0;
      try {
        v = std::stoll(e.text);
      } catch (...) {
        out->type = SqlType::Decimal(38, 0);
        out->nullable = false;
        return true;
      }
      out->type = (v > 2147483647LL || v < -2147483648LL) ? SqlType::Decimal(static_cast<uint8_t>(e.text.size()), 0)
                                                          : SqlType::Int();
      out->nullable = false;
      return true;
    }
    case Expr::Kind::kNumber: {
      out->sql = e.text;
      bool exp = e.text.find_first_of("eE") != std::string::npos;
      if (exp) {
        out->type = SqlType::Float();
      } else {
        size_t dot = e.text.find('.');
        uint8_t scale = static_cast<uint8_t>(dot == std::string::npos ? 0 : e.text.size() - dot - 1);
        uint8_t digits = 0;
        for (char c : e.text) digits += (c >= '0' && c <= '9') ? 1 : 0;
        out->type = SqlType::Decimal(std::max<uint8_t>(digits, 1), scale);
      }
      out->nullable = false;
      return true;
    }
    case Expr::Kind::kString:
    case Expr::Kind::kNString: {
      out->sql = quote_sqlite_string(e.text);
      int32_t n = static_cast<int32_t>(std::max<size_t>(utf8_length(e.text), 1));
      out->type = e.kind == Expr::Kind::kNString ? SqlType::NVarChar(n > 4000 ? -1 : n)
                                                 : SqlType::VarChar(n > 8000 ? -1 : n);
      out->nullable = false;
      return true;
    }
    case Expr::Kind::kBinary: {
      std::string hex = e.text;
      if (hex.size() % 2) hex = "0" + hex;
      out->sql = "X'" + hex + "'";
      out->type = SqlType::VarBinary(static_cast<int32_t>(std::max<size_t>(hex.size() / 2, 1)));
      out->nullable = false;
      return true;
    }
    case Expr::Kind::kVariable:
      return param(e.text, out);
    case Expr::Kind::kColumn:
      return column(e, scope, out);
    case Expr::Kind::kStar:
      return fail(102, "Incorrect syntax near '*'.");
    case Expr::Kind::kUnary: {
      TExpr a;
      if (!expr(*e.args[0], scope, &a)) return false;
      if (e.op == "NOT") {
        out->sql = "(NOT (" + a.sql + "))";
        out->type = SqlType::Bit();
      } else {
        out->sql = "(" + e.op + a.sql + ")";
        out->type = a.type;
      }
      out->nullable = a.nullable;
      out->aggregate = a.aggregate;
      return true;
    }
    case Expr::Kind::kBinOp: {
      // A left-deep chain (a + b + c …, x AND y AND z …) is walked in a loop, not by recursion:
      // the scripts SQL Server runs have chains of hundreds of operands, and one stack frame per
      // operand overflowed a session thread's stack (under AddressSanitizer's larger frames).
      std::vector<const Expr*> spine;
      const Expr* leftmost = &e;
      while (leftmost->kind == Expr::Kind::kBinOp) {
        spine.push_back(leftmost);
        leftmost = leftmost->args[0].get();
      }
      TExpr acc;
      if (!expr(*leftmost, scope, &acc)) return false;
      for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
        TExpr rhs, combined;
        if (!expr(*(*it)->args[1], scope, &rhs)) return false;
        if (!binop((*it)->op, std::move(acc), std::move(rhs), &combined)) return false;
        acc = std::move(combined);
      }
      *out = std::move(acc);
      return true;
    }
    case Expr::Kind::kFunc:
      return function(e, scope, out);
    case Expr::Kind::kCast: {
      TExpr a;
      if (!expr(*e.args[0], scope, &a)) return false;
      std::string style = "0";
      if (e.args.size() > 1) {
        TExpr s;
        if (!expr(*e.args[1], scope, &s)) return false;
        style = s.sql;
      }
      const SqlType& to = e.cast_type;
      bool try_cast = e.text == "TRY_CAST" || e.text == "TRY_CONVERT";
      if (a.type == to && style == "0") {
        out->sql = a.sql;
      } else if (is_integer_type(to) && to.id != SqlTypeId::kBit && is_integer_type(a.type) && !a.untyped_param) {
        out->sql = a.sql;
      } else {
        SqlType from = a.untyped_param ? SqlType::NVarChar(4000) : a.type;
        out->sql = "emu_convert(" + a.sql + "," + type_code_args(to) + "," + style + "," +
                   std::to_string(static_cast<int>(from.id)) + "," + (try_cast ? "1" : "0") + ")";
      }
      out->type = to;
      if (is_string_type(to) && to.length == 0) out->type.length = 30;
      out->nullable = a.nullable || try_cast;
      out->aggregate = a.aggregate;
      out->name = "";
      return true;
    }
    case Expr::Kind::kCase: {
      std::string sql = "CASE";
      size_t i = 0;
      if (e.has_operand) {
        TExpr op;
        if (!expr(*e.args[0], scope, &op)) return false;
        sql += " " + op.sql;
        i = 1;
        // CI comparison of the operand with the WHEN values
        if (is_stringish(op)) sql += " COLLATE EMU_CI";
      }
      size_t pairs_end = e.args.size() - (e.has_else ? 1 : 0);
      bool have_type = false;
      bool nullable = !e.has_else;
      for (; i + 1 < pairs_end + 1 && i < pairs_end; i += 2) {
        std::string w;
        TExpr wt, th;
        if (!expr(*e.args[i], scope, &wt) || !expr(*e.args[i + 1], scope, &th)) return false;
        sql += " WHEN " + wt.sql + " THEN " + th.sql;
        if (!have_type && !th.null_literal) {
          out->type = th.type;
          have_type = true;
        } else if (have_type && is_string_type(out->type) && is_string_type(th.type)) {
          out->type = wider_string(out->type, th.type, false);
        }
        nullable = nullable || th.nullable;
        out->aggregate = out->aggregate || wt.aggregate || th.aggregate;
      }
      if (e.has_else) {
        TExpr el;
        if (!expr(*e.args.back(), scope, &el)) return false;
        sql += " ELSE " + el.sql;
        if (!have_type && !el.null_literal) {
          out->type = el.type;
          have_type = true;
        } else if (have_type && is_string_type(out->type) && is_string_type(el.type)) {
          out->type = wider_string(out->type, el.type, false);
        }
        nullable = nullable || el.nullable;
      }
      out->sql = sql + " END";
      out->nullable = nullable;
      return true;
    }
    case Expr::Kind::kIn: {
      TExpr a;
      if (!expr(*e.args[0], scope, &a)) return false;
      std::string lhs = a.sql;
      std::string list;
      bool stringish = is_stringish(a);
      if (e.subquery) {
        std::vector<ColumnInfo> cols;
        if (!select(*e.subquery, &scope, &list, &cols, nullptr, nullptr)) return false;
        if (cols.size() != 1) {
          return fail(116, "Only one expression can be specified in the select list when the subquery is not introduced with EXISTS.");
        }
        stringish = stringish || is_string_type(cols[0].type);
      } else {
        for (size_t i = 1; i < e.args.size(); ++i) {
          TExpr item;
          if (!expr(*e.args[i], scope, &item)) return false;
          stringish = stringish || is_string_type(item.type);
          list += (i > 1 ? ", " : "") + item.sql;
        }
      }
      if (stringish) lhs = "(" + lhs + ") COLLATE EMU_CI";
      out->sql = "(" + lhs + (e.negated ? " NOT IN (" : " IN (") + list + "))";
      out->type = SqlType::Bit();
      return true;
    }
    case Expr::Kind::kExists:
    case Expr::Kind::kSubquery: {
      std::string sql;
      std::vector<ColumnInfo> cols;
      if (!select(*e.subquery, &scope, &sql, &cols, nullptr, nullptr)) return false;
      if (e.kind == Expr::Kind::kExists) {
        out->sql = "EXISTS (" + sql + ")";
        out->type = SqlType::Bit();
        return true;
      }
      if (cols.size() != 1) {
        return fail(116, "Only one expression can be specified in the select list when the subquery is not introduced with EXISTS.");
      }
      out->sql = "(" + sql + ")";
      out->type = cols[0].type;
      out->nullable = true;
      return true;
    }
    case Expr::Kind::kBetween: {
      TExpr a, lo, hi;
      if (!expr(*e.args[0], scope, &a) || !expr(*e.args[1], scope, &lo) || !expr(*e.args[2], scope, &hi)) return false;
      std::string coll = is_stringish(a) ? " COLLATE EMU_CI" : "";
      out->sql = "(" + a.sql + coll + (e.negated ? " NOT BETWEEN " : " BETWEEN ") + lo.sql + " AND " + hi.sql + ")";
      out->type = SqlType::Bit();
      return true;
    }
    case Expr::Kind::kLike: {
      TExpr a, p;
      if (!expr(*e.args[0], scope, &a) || !expr(*e.args[1], scope, &p)) return false;
      bool literal = e.args[1]->kind == Expr::Kind::kString || e.args[1]->kind == Expr::Kind::kNString;
      std::string esc;
      if (e.args.size() > 2) {
        TExpr x;
        if (!expr(*e.args[2], scope, &x)) return false;
        esc = x.sql;
      }
      if (literal && e.args[1]->text.find('[') == std::string::npos) {
        out->sql = "(" + a.sql + (e.negated ? " NOT LIKE " : " LIKE ") + p.sql + (esc.empty() ? "" : " ESCAPE " + esc) + ")";
      } else {
        out->sql = std::string(e.negated ? "(NOT " : "(") + "emu_like(" + a.sql + ", " + p.sql + ", " +
                   (esc.empty() ? "NULL" : esc) + "))";
      }
      out->type = SqlType::Bit();
      return true;
    }
    case Expr::Kind::kIsNull: {
      TExpr a;
      if (!expr(*e.args[0], scope, &a)) return false;
      out->sql = "(" + a.sql + (e.negated ? " IS NOT NULL)" : " IS NULL)");
      out->type = SqlType::Bit();
      out->nullable = false;
      return true;
    }
  }
  return fail(102, "Incorrect syntax.");
}

// ---- SELECT ----


// One binary operator over its two translated operands (SQL Server's type rules, then SQLite text).
bool Translator::binop(const std::string& op, TExpr a, TExpr b, TExpr* out) {
  out->nullable = a.nullable || b.nullable;
  out->aggregate = a.aggregate || b.aggregate;
  if (op == "AND" || op == "OR") {
    out->sql = "(" + a.sql + " " + op + " " + b.sql + ")";
    out->type = SqlType::Bit();
    return true;
  }
  if (op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    // Data type precedence: uniqueidentifier is above (var)binary and the strings, so the
    // other side is converted to uniqueidentifier (bytes in SQL Server's GUID order)
    // (https://learn.microsoft.com/en-us/sql/t-sql/data-types/data-type-precedence-transact-sql).
    auto to_guid = [](TExpr* x) {
      if (x->type.id == SqlTypeId::kUniqueIdentifier || x->null_literal) return;
      if (!is_binary_type(x->type) && !is_string_type(x->type) && !x->untyped_param) return;
      SqlType from = x->untyped_param ? SqlType::NVarChar(4000) : x->type;
      x->sql = "emu_convert(" + x->sql + "," + type_code_args(SqlType{SqlTypeId::kUniqueIdentifier}) + ",0," +
               std::to_string(static_cast<int>(from.id)) + ",0)";
      x->type = SqlType{SqlTypeId::kUniqueIdentifier};
    };
    if (a.type.id == SqlTypeId::kUniqueIdentifier && !a.null_literal) to_guid(&b);
    else if (b.type.id == SqlTypeId::kUniqueIdentifier && !b.null_literal) to_guid(&a);
    std::string rhs = b.sql;
    if (is_stringish(a) || is_stringish(b)) rhs = "(" + rhs + ") COLLATE EMU_CI";
    out->sql = "(" + a.sql + " " + (op == "<>" ? "!=" : op) + " " + rhs + ")";
    out->type = SqlType::Bit();
    return true;
  }
  if (op == "+" && (is_string_type(a.type) || is_string_type(b.type)) &&
      !(is_numeric_type(a.type) && !a.null_literal) && !(is_numeric_type(b.type) && !b.null_literal)) {
    // Concatenation chains are folded flat (see TExpr::concat_terms): SQL Server runs batches
    // such as the `DECLARE @us_sql nvarchar(max) = N'…' + NCHAR(10) + …` scripts emit, with
    // hundreds of operands, and so must the emulator.
    std::vector<std::string> terms = a.concat_terms.empty() ? std::vector<std::string>{a.sql} : std::move(a.concat_terms);
    if (b.concat_terms.empty()) {
      terms.push_back(b.sql);
    } else {
      for (auto& t : b.concat_terms) terms.push_back(std::move(t));
    }
    out->sql = balanced_concat(terms, 0, terms.size());
    out->concat_terms = std::move(terms);
    out->type = wider_string(a.null_literal ? b.type : a.type, b.null_literal ? a.type : b.type, true);
    return true;
  }
  if (op == "+" && (a.untyped_param || b.untyped_param) && !is_numeric_type(a.type) && !is_numeric_type(b.type)) {
    out->sql = "emu_add(" + a.sql + ", " + b.sql + ")";
    out->type = SqlType::NVarChar(4000);
    return true;
  }
  if (op == "+" && is_binary_type(a.type) && is_binary_type(b.type)) {
    out->sql = "CAST((" + a.sql + " || " + b.sql + ") AS BLOB)";
    out->sql = "emu_binconcat(" + a.sql + ", " + b.sql + ")";
    out->type = SqlType::VarBinary(a.type.length < 0 || b.type.length < 0 ? -1 : std::min(8000, a.type.length + b.type.length));
    return true;
  }
  // arithmetic: result type by precedence float > decimal > bigint > int
  SqlType t = SqlType::Int();
  auto rank = [](const SqlType& x) {
    switch (x.id) {
      case SqlTypeId::kFloat: return 5;
      case SqlTypeId::kDecimal:
      case SqlTypeId::kNumeric: return 4;
      case SqlTypeId::kBigInt: return 3;
      default: return 2;
    }
  };
  t = rank(a.type) >= rank(b.type) ? a.type : b.type;
  if (!is_numeric_type(t)) t = SqlType::Int();
  if (is_integer_type(t) && t.id != SqlTypeId::kBigInt) t = SqlType::Int();
  if (op == "/" && (t.id == SqlTypeId::kDecimal || t.id == SqlTypeId::kNumeric)) {
    out->sql = "(CAST(" + a.sql + " AS REAL) / " + b.sql + ")";
    out->type = SqlType::Float();
    return true;
  }
  if (op == "/" || op == "%") {
    // SQL Server raises 8134 on division by zero; SQLite returns NULL.
    out->sql = "(" + a.sql + " " + op + " emu_nonzero(" + b.sql + "))";
  } else {
    out->sql = "(" + a.sql + " " + op + " " + b.sql + ")";
  }
  out->type = t;
  return true;
}

bool Translator::select(const SelectStmt& s, const Scope* parent, std::string* sql, std::vector<ColumnInfo>* cols,
                        std::vector<std::string>* assign_vars, std::vector<std::string>* assign_ops) {
  Scope first_scope;
  std::string out;
  if (!select_core(s, parent, &out, cols, assign_vars, assign_ops, &first_scope)) return false;
  bool compound = s.next != nullptr;
  if (compound && s.top) out = "SELECT * FROM (" + out + ")";
  for (const SelectStmt* cur = &s; cur->next; cur = cur->next.get()) {
    std::string part;
    std::vector<ColumnInfo> part_cols;
    Scope part_scope;
    if (!select_core(*cur->next, parent, &part, &part_cols, nullptr, nullptr, &part_scope)) return false;
    if (part_cols.size() != cols->size()) {
      return fail(205, "All queries combined using a UNION, INTERSECT or EXCEPT operator must have an equal number of expressions in their target lists.");
    }
    for (size_t i = 0; i < cols->size(); ++i) {
      (*cols)[i].nullable = (*cols)[i].nullable || part_cols[i].nullable;
      if (is_string_type((*cols)[i].type) && is_string_type(part_cols[i].type)) {
        (*cols)[i].type = wider_string((*cols)[i].type, part_cols[i].type, false);
      }
    }
    if (cur->next->top) part = "SELECT * FROM (" + part + ")";
    out += " " + cur->set_op + " " + part;
  }
  if (!s.order_by.empty()) {
    std::string ob;
    for (size_t i = 0; i < s.order_by.size(); ++i) {
      const Expr& oe = *s.order_by[i].expr;
      std::string term;
      bool done = false;
      if (oe.kind == Expr::Kind::kInteger) {
        long long n = oe.text.size() < 12 ? std::stoll(oe.text) : 0;
        if (n < 1 || static_cast<size_t>(n) > cols->size()) {
          return fail(108, "The ORDER BY position number " + oe.text +
                               " is out of range of the number of items in the select list.");
        }
        term = oe.text;
        done = true;
      } else if (oe.kind == Expr::Kind::kColumn) {
        // an output alias (or, for UNION, an output column name) wins over a source column
        const std::string& name = oe.parts.back();
        for (size_t c = 0; c < cols->size() && !done; ++c) {
          if (iequals((*cols)[c].name, name) && (oe.parts.size() == 1 || compound)) {
            term = std::to_string(c + 1);
            done = true;
          }
        }
      }
      if (!done) {
        if (compound) {
          return fail(104, "ORDER BY items must appear in the select list if the statement contains a UNION, INTERSECT or EXCEPT operator.");
        }
        TExpr t;
        if (!expr(oe, first_scope, &t)) return false;
        term = t.sql;
        if (is_stringish(t)) term += " COLLATE EMU_CI";
      }
      ob += (i ? ", " : "") + term + (s.order_by[i].desc ? " DESC" : "");
    }
    out += " ORDER BY " + ob;
  }
  if (s.top && !compound) {
    TExpr t;
    if (!expr(*s.top, first_scope, &t)) return false;
    out += " LIMIT " + t.sql;
  } else if (s.offset) {
    TExpr off, fetch;
    if (!expr(*s.offset, first_scope, &off)) return false;
    if (s.fetch && !expr(*s.fetch, first_scope, &fetch)) return false;
    out += " LIMIT " + (s.fetch ? fetch.sql : std::string("-1")) + " OFFSET " + off.sql;
  }
  *sql = out;
  return true;
}

bool Translator::select_core(const SelectStmt& s, const Scope* parent, std::string* sql, std::vector<ColumnInfo>* cols,
                             std::vector<std::string>* assign_vars, std::vector<std::string>* assign_ops,
                             Scope* scope) {
  scope->parent = parent;
  std::string from;
  if (s.from) {
    if (!add_sources(*s.from, false, scope)) return false;
    if (!from_sql(*s.from, *scope, &from)) return false;
  }
  std::string items;
  cols->clear();
  bool assignment = s.is_assignment();
  for (const auto& item : s.items) {
    if (!item.assign_var.empty() != assignment) {
      return fail(141, "A SELECT statement that assigns a value to a variable must not be combined with data-retrieval operations.");
    }
    if (item.expr->kind == Expr::Kind::kStar) {
      if (!s.from) return fail(263, "Must specify table to select from.");
      bool any = false;
      for (const auto& t : scope->tables) {
        if (!item.expr->parts.empty() && !iequals(t.alias, item.expr->parts.back())) continue;
        any = true;
        for (const auto& c : t.columns) {
          items += (items.empty() ? "" : ", ") + quote_sqlite_ident(t.alias) + "." + quote_sqlite_ident(c.name);
          cols->push_back(ColumnInfo{c.name, c.type, c.nullable || t.nullable_side});
        }
      }
      if (!any) {
        std::string shown;
        for (size_t i = 0; i < item.expr->parts.size(); ++i) shown += (i ? "." : "") + item.expr->parts[i];
        return fail(4104, "The multi-part identifier \"" + shown + "\" could not be bound.");
      }
      continue;
    }
    TExpr t;
    if (!expr(*item.expr, *scope, &t)) return false;
    ColumnInfo ci;
    ci.name = item.has_alias ? item.alias : t.name;
    ci.type = t.type;
    ci.nullable = t.nullable;
    items += (items.empty() ? "" : ", ") + t.sql;
    if (!ci.name.empty()) items += " AS " + quote_sqlite_ident(ci.name);
    cols->push_back(std::move(ci));
    if (assignment && assign_vars != nullptr) {
      assign_vars->push_back(item.assign_var);
      if (assign_ops != nullptr) assign_ops->push_back("=");
    }
  }
  std::string out = s.distinct ? "SELECT DISTINCT " : "SELECT ";
  out += items;
  if (!from.empty()) out += " FROM " + from;
  if (s.where) {
    std::string w;
    if (!predicate(*s.where, *scope, &w)) return false;
    out += " WHERE " + w;
  }
  if (!s.group_by.empty()) {
    out += " GROUP BY ";
    for (size_t i = 0; i < s.group_by.size(); ++i) {
      TExpr g;
      if (!expr(*s.group_by[i], *scope, &g)) return false;
      out += (i ? ", " : "") + g.sql;
      if (is_stringish(g)) out += " COLLATE EMU_CI";
    }
  }
  if (s.having) {
    std::string h;
    if (!predicate(*s.having, *scope, &h)) return false;
    out += " HAVING " + h;
  }
  *sql = out;
  return true;
}

// ---- entry points ----

// WITH (https://learn.microsoft.com/en-us/sql/t-sql/queries/with-common-table-expression-transact-sql):
// each CTE is translated in order (a later one may read an earlier one) and becomes a SQLite CTE
// with explicit column names; 8158/8159 when the column list does not match, 8155 when a column
// has no name, a duplicate name refused (number not verified). Recursive CTEs are refused (40517).
bool Translator::with_clause(const SelectStmt& s, std::string* sql) {
  if (s.ctes.empty()) return true;
  std::string out = "WITH ";
  for (size_t i = 0; i < s.ctes.size(); ++i) {
    const CteDef& c = s.ctes[i];
    const std::string key = to_lower_ascii(c.name);
    if (ctes_.count(key)) {
      // Best effort: the text is SQL Server's, the number not verified (README §3).
      return fail(252, "Duplicate common table expression name '" + c.name + "' was specified.");
    }
    ctes_[key] = std::nullopt;
    std::string body;
    std::vector<ColumnInfo> cols;
    if (!select(*c.select, nullptr, &body, &cols, nullptr, nullptr)) return false;
    if (!c.columns.empty() && c.columns.size() != cols.size()) {
      return fail(c.columns.size() < cols.size() ? 8158 : 8159,
                  "'" + c.name + "' has " + (c.columns.size() < cols.size() ? "more" : "fewer") +
                      " columns than were specified in the column list.");
    }
    ViewDef v;
    v.canonical_name = c.name;
    v.sqlite_source = quote_sqlite_ident("cte_" + key);
    std::string names;
    for (size_t k = 0; k < cols.size(); ++k) {
      std::string n = c.columns.empty() ? cols[k].name : c.columns[k];
      if (n.empty()) {
        return fail(8155, "No column name was specified for column " + std::to_string(k + 1) + " of '" + c.name + "'.");
      }
      v.columns.push_back(ViewColumn{n, cols[k].type, cols[k].nullable});
      names += (k ? ", " : "") + quote_sqlite_ident(n);
    }
    out += (i ? ", " : "") + v.sqlite_source + " (" + names + ") AS (" + body + ")";
    ctes_[key] = std::move(v);
  }
  *sql = out + " ";
  return true;
}

bool translate_select(const SelectStmt& select, TranslateEnv& env, Translation* out, Message* err) {
  Translator tr(env, err);
  out->assign_vars.clear();
  std::string with;
  if (!tr.with_clause(select, &with)) return false;
  if (!tr.select(select, nullptr, &out->sql, &out->columns, &out->assign_vars, &out->assign_ops)) return false;
  out->sql = with + out->sql;
  out->params = tr.params;
  return true;
}

bool translate_scalar(const Expr& expr, TranslateEnv& env, Translation* out, Message* err) {
  Translator tr(env, err);
  Scope scope;
  TExpr t;
  if (!tr.expr(expr, scope, &t)) return false;
  out->sql = "SELECT " + t.sql;
  out->columns = {ColumnInfo{"", t.type, t.nullable}};
  out->params = tr.params;
  return true;
}

bool translate_condition(const Expr& expr, TranslateEnv& env, Translation* out, Message* err) {
  Translator tr(env, err);
  Scope scope;
  std::string sql;
  if (!tr.predicate(expr, scope, &sql)) return false;
  out->sql = "SELECT CASE WHEN " + sql + " THEN 1 ELSE 0 END";
  out->columns = {ColumnInfo{"", SqlType::Int(), false}};
  out->params = tr.params;
  return true;
}

}  // namespace emu
