// translate_impl.h — internals of the SELECT/expression translator (translate.cc,
// translate_func.cc). Not a public header.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/translate.h"

namespace emu {

// A translated expression with its SQL Server type.
struct TExpr {
  std::string sql;
  SqlType type = SqlType::Int();
  bool nullable = true;
  bool null_literal = false;   // bare NULL: takes the other operand's type
  bool untyped_param = false;  // variable of sql_variant / unknown type
  std::string name;            // default column name (column references)
  bool aggregate = false;
  // A string concatenation chain (a + b + c …): its operands' SQL in order, so the chain is
  // emitted as a balanced tree of || (depth log n) rather than n nested parentheses, which
  // overflow SQLite's parser stack ("parser stack overflow") and its expression depth limit.
  std::vector<std::string> concat_terms;
};

// "(t0 || t1)" grouped as a balanced tree; concatenation with || is associative (a NULL operand
// gives NULL wherever it is), so the grouping does not change the value.
std::string balanced_concat(const std::vector<std::string>& terms, size_t begin, size_t end);

struct SourceTable {
  std::string alias;  // as written or defaulted to the object's last name part
  std::vector<ViewColumn> columns;
  bool nullable_side = false;  // inner side of an outer join
};

struct Scope {
  std::vector<SourceTable> tables;
  const Scope* parent = nullptr;
};

class Translator {
 public:
  Translator(TranslateEnv& env, Message* err) : env_(env), err_(err) {}

  bool select(const SelectStmt& s, const Scope* parent, std::string* sql, std::vector<ColumnInfo>* cols,
              std::vector<std::string>* assign_vars, std::vector<std::string>* assign_ops);
  bool expr(const Expr& e, const Scope& scope, TExpr* out);
  bool binop(const std::string& op, TExpr a, TExpr b, TExpr* out);
  bool predicate(const Expr& e, const Scope& scope, std::string* sql);  // boolean context
  bool function(const Expr& e, const Scope& scope, TExpr* out);        // translate_func.cc
  bool param(const std::string& var, TExpr* out);
  bool fail(int32_t number, const std::string& text);

  std::vector<std::string> params;

 private:
  bool select_core(const SelectStmt& s, const Scope* parent, std::string* sql, std::vector<ColumnInfo>* cols,
                   std::vector<std::string>* assign_vars, std::vector<std::string>* assign_ops, Scope* scope_out);
  bool add_sources(const TableRef& ref, bool nullable, Scope* scope);
  bool from_sql(const TableRef& ref, const Scope& scope, std::string* sql);
  bool column(const Expr& e, const Scope& scope, TExpr* out);

  TranslateEnv& env_;
  Message* err_;
  std::map<std::string, int> param_index_;
  // FROM sources already translated in add_sources, by TableRef address
  std::map<const TableRef*, std::string> source_sql_;

 public:
  // Common table expressions of the statement (translate.cc): SQLite's WITH clause to prepend,
  // and the CTEs by folded name (nullopt while its own body is translated: a recursive reference).
  bool with_clause(const SelectStmt& s, std::string* sql);
  std::map<std::string, std::optional<ViewDef>> ctes_;
};

// Helpers shared by the two translation files.
std::string sqlite_literal_for(const Expr& e);
SqlType wider_string(const SqlType& a, const SqlType& b, bool concat);
std::string type_code_args(const SqlType& t);  // "id, length, scale" for emu_convert

}  // namespace emu
