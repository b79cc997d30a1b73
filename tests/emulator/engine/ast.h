// ast.h — the executor's syntax tree for T-SQL expressions, SELECT and batch statements.
//
// The parser (parser.h) builds it from lexer tokens; the translator (translate.h) turns expressions
// and SELECTs into SQLite SQL; the session (session.cc) runs statements. DDL statements are not
// parsed here: they keep their token range and go to CatalogState::execute_ddl.
// Thread-safety: plain data. Ownership: trees own their children through unique_ptr.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/value.h"

namespace emu {

struct SelectStmt;
struct Expr;

// A column of DECLARE @t TABLE (…).
struct TableColumnDef {
  std::string name;
  SqlType type;
  bool nullable = true;
  std::shared_ptr<Expr> default_value;  // DEFAULT constant, or null
};

struct Expr {
  enum class Kind : uint8_t {
    kNull, kInteger, kNumber, kString, kNString, kBinary,  // literals (text holds the literal)
    kColumn,     // parts = {col} / {alias, col} / {db, schema, view, col}
    kStar,       // * or alias.* (parts = qualifier) — only in select lists and COUNT(*)
    kVariable,   // @x or @@SPID (text, as written)
    kUnary,      // op: "-", "+", "~", "NOT"
    kBinOp,      // op: + - * / % & | ^ = <> < <= > >= AND OR
    kFunc,       // text = upper-case name; args; distinct for COUNT(DISTINCT …)
    kCase,       // operand (optional, args[0] when has_operand), then WHEN/THEN pairs, then ELSE
    kCast,       // CAST(args[0] AS type) / CONVERT(type, args[0][, style = args[1]])
    kIn,         // args[0] IN (args[1..]) or IN (subquery); negated
    kExists,     // EXISTS (subquery)
    kSubquery,   // (SELECT …) scalar
    kBetween,    // args[0] BETWEEN args[1] AND args[2]; negated
    kLike,       // args[0] LIKE args[1] [ESCAPE args[2]]; negated
    kIsNull,     // args[0] IS [NOT] NULL; negated
  };
  Kind kind = Kind::kNull;
  std::string text;
  std::vector<std::string> parts;
  std::string op;
  std::vector<std::unique_ptr<Expr>> args;
  std::unique_ptr<SelectStmt> subquery;
  SqlType cast_type;        // kCast
  bool is_convert = false;  // kCast written as CONVERT
  bool has_operand = false; // kCase
  bool has_else = false;    // kCase
  bool negated = false;
  bool distinct = false;    // aggregate DISTINCT
  std::string over;         // window clause text passed through (ROW_NUMBER() OVER (…)), translated
  std::vector<std::unique_ptr<Expr>> partition_by;
  std::vector<std::pair<std::unique_ptr<Expr>, bool>> over_order_by;  // (expr, desc)
  bool has_over = false;
  size_t begin = 0, end = 0;  // byte range in the batch (for default column names)
};
using ExprPtr = std::unique_ptr<Expr>;

struct TableRef {
  enum class Kind : uint8_t { kNamed, kDerived, kJoin };
  Kind kind = Kind::kNamed;
  std::vector<std::string> parts;      // kNamed: 1–3 part name as written
  std::string alias;                   // kNamed/kDerived
  std::unique_ptr<SelectStmt> derived; // kDerived
  std::string join_type;               // kJoin: "INNER", "LEFT", "RIGHT", "FULL", "CROSS"
  std::unique_ptr<TableRef> left, right;
  ExprPtr on;
  std::string display_name;            // for messages: the name as written, dotted
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;        // AS alias, alias = expr, or ''
  bool has_alias = false;
  std::string assign_var;   // SELECT @v = expr
};

struct OrderItem {
  ExprPtr expr;
  bool desc = false;
};

// WITH name [(columns)] AS (select) — a non-recursive common table expression.
struct CteDef {
  std::string name;
  std::vector<std::string> columns;  // empty: the select's column names
  std::unique_ptr<SelectStmt> select;
};

struct SelectStmt {
  std::vector<CteDef> ctes;  // WITH … on the outermost select of a statement
  bool distinct = false;
  ExprPtr top;              // TOP n / TOP (expr)
  std::vector<SelectItem> items;
  std::unique_ptr<TableRef> from;  // nullptr = no FROM
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  std::vector<OrderItem> order_by;  // only on the outermost select of a UNION chain
  ExprPtr offset, fetch;            // ORDER BY … OFFSET n ROWS [FETCH NEXT m ROWS ONLY]
  // UNION [ALL] / EXCEPT / INTERSECT chain: next select and its operator.
  std::unique_ptr<SelectStmt> next;
  std::string set_op;       // "UNION ALL", "UNION", "EXCEPT", "INTERSECT"
  bool is_assignment() const { return !items.empty() && !items[0].assign_var.empty(); }
};

// A parsed batch statement.
struct Stmt {
  enum class Kind : uint8_t {
    kSelect, kSetOption, kSetVar, kDeclare, kUse, kBeginTran, kCommit, kRollback, kSaveTran,
    kIf, kWhile, kBlock, kExec, kExecString, kPrint, kRaiserror, kThrow, kReturn, kGoto, kLabel,
    kDdl, kRejected, kBreak, kContinue, kEmpty,
    kInsert,   // INSERT [INTO] @table [(columns)] VALUES (…)[, (…)] | SELECT … (var, names, rows / select)
    kDelete,   // DELETE [FROM] @table [WHERE expr] (var, expr)
    kWaitfor,  // WAITFOR DELAY expr
    kTry,      // BEGIN TRY body[0] END TRY BEGIN CATCH else_body[0] END CATCH (both kBlock)
  };
  Kind kind = Kind::kEmpty;
  int line = 1;
  size_t tok_begin = 0, tok_end = 0;  // token range (DDL and messages)
  size_t begin = 0, end = 0;          // byte range in the batch (fault patterns, logs)

  std::unique_ptr<SelectStmt> select;  // kSelect
  // kSetOption
  std::string option;                  // upper-case option name(s), e.g. "NOCOUNT", "XACT_ABORT"
  bool option_on = true;
  // kSetVar / kDeclare / kReturn / kPrint / kIf / kWhile
  std::string var;
  std::string assign_op = "=";         // =, +=, -=, …
  ExprPtr expr;
  struct Decl {
    std::string name;
    SqlType type;
    ExprPtr init;
    bool is_table = false;                 // DECLARE @t TABLE (…)
    std::vector<TableColumnDef> columns;   // its columns
  };
  std::vector<Decl> decls;
  // kUse
  std::string database;
  // kIf / kWhile / kBlock
  std::vector<std::unique_ptr<Stmt>> body;      // kBlock children, kIf then-branch (1), kWhile body (1)
  std::vector<std::unique_ptr<Stmt>> else_body; // kIf else-branch (0 or 1)
  // kExec
  std::string rc_var;                           // EXEC @rc = …
  std::vector<std::string> proc_parts;
  std::string proc_var;                         // EXEC @procname (name in a variable)
  struct Arg {
    std::string name;  // "@p" or ""
    ExprPtr value;     // nullptr with is_default
    bool is_default = false;
    bool output = false;
    std::string out_var;  // variable receiving an OUTPUT value
  };
  std::vector<Arg> args;
  // kRaiserror / kThrow: args[0] message (or number for THROW), then severity, state
  std::vector<ExprPtr> exprs;
  // kGoto / kLabel
  std::string label;
  // kInsert
  std::vector<std::string> names;               // column list
  std::vector<std::vector<ExprPtr>> rows;       // VALUES rows
  // kRejected: the error raised when executed
  int32_t error_number = 0;
  std::string error_text;
  // kBeginTran / kCommit / kRollback: savepoint/transaction name
  std::string tran_name;
};
using StmtPtr = std::unique_ptr<Stmt>;

}  // namespace emu
