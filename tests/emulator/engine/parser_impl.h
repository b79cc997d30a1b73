// parser_impl.h — internal recursive-descent parser shared by parser.cc (types, batches),
// parser_expr.cc (expressions, SELECT) and parser_stmt.cc (statements). Not a public header.
// Thread-safety: one Parser per parse.
#pragma once

#include <string>
#include <vector>

#include "engine/ast.h"
#include "engine/lexer.h"
#include "engine/parser.h"

namespace emu {

class Parser {
 public:
  Parser(const std::string& sql, const std::vector<Token>& tokens);

  const Token& cur() const { return t_[pos_]; }
  const Token& peek(size_t k = 1) const { return t_[pos_ + k < t_.size() ? pos_ + k : t_.size() - 1]; }
  void fail(const Token& tok);
  void fail_msg(int32_t number, const std::string& message);
  bool accept_kw(const char* kw);
  bool accept_op(const char* op);
  bool expect_kw(const char* kw);
  bool expect_op(const char* op);
  bool parse_name(std::string* out);
  bool parse_multipart(std::vector<std::string>* parts);
  bool parse_type(SqlType* out);

  // expressions (parser_expr.cc)
  ExprPtr parse_expr();  // full boolean/scalar expression
  ExprPtr parse_or();
  ExprPtr parse_and();
  ExprPtr parse_not();
  ExprPtr parse_predicate();
  ExprPtr parse_additive();
  ExprPtr parse_mult();
  ExprPtr parse_unary();
  ExprPtr parse_primary();
  ExprPtr parse_case();
  ExprPtr parse_function(std::vector<std::string> name_parts, size_t begin);
  bool parse_over(Expr* e);
  std::unique_ptr<SelectStmt> parse_select();       // at SELECT (incl. UNION chain, ORDER BY)
  std::unique_ptr<SelectStmt> parse_select_core();  // one SELECT … [FROM …] without ORDER BY
  std::unique_ptr<TableRef> parse_from();
  std::unique_ptr<TableRef> parse_table_primary();
  bool at_select_start() const;
  bool is_alias_candidate() const;

  // statements (parser_stmt.cc)
  StmtPtr parse_statement(bool first_in_batch);
  StmtPtr parse_set();
  StmtPtr parse_declare();
  StmtPtr parse_exec(bool implicit);
  StmtPtr parse_if();
  StmtPtr parse_begin();
  StmtPtr parse_try();  // at TRY after BEGIN
  bool parse_table_columns(std::vector<TableColumnDef>* out);
  StmtPtr parse_table_dml();  // at INSERT/DELETE whose target is a table variable
  StmtPtr parse_tran_end(Stmt::Kind kind);
  void skip_to_statement_end(bool grant_like);
  bool at_statement_start() const;

  const std::string& sql_;
  const std::vector<Token>& t_;
  size_t pos_ = 0;
  bool failed_ = false;
  ParseError err_;
  int depth_ = 0;  // nesting guard
};

ExprPtr make_expr(Expr::Kind kind);

}  // namespace emu
