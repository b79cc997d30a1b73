// parser_stmt.cc — batch statements for the executor's parser (see parser_impl.h).
#include "engine/parser_impl.h"
#include "engine/state.h"

namespace emu {

namespace {

const char* const kStatementWords[] = {
    "SELECT", "SET", "DECLARE", "USE", "BEGIN", "COMMIT", "ROLLBACK", "SAVE", "IF", "ELSE", "WHILE", "EXEC",
    "EXECUTE", "PRINT", "RAISERROR", "THROW", "RETURN", "GOTO", "END", "CREATE", "ALTER", "DROP", "GRANT",
    "DENY", "REVOKE", "INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "BREAK", "CONTINUE", "WAITFOR",
};

}  // namespace

bool Parser::at_statement_start() const {
  const Token& tok = cur();
  if (tok.is(TokenKind::kEnd) || tok.is_op(";")) return true;
  for (const char* w : kStatementWords) {
    if (tok.is_keyword(w)) return true;
  }
  return tok.is(TokenKind::kIdentifier) && peek().is_op(":");
}

// DDL is parsed by the state layer when it runs; here we only find where it ends. GRANT/DENY/
// REVOKE carry permission names that look like statements (GRANT ALTER ANY LOGIN, GRANT CREATE
// SERVER ROLE, GRANT SELECT ALL USER SECURABLES), so their words are skipped until TO/FROM.
void Parser::skip_to_statement_end(bool grant_like) {
  ++pos_;  // the statement's first word
  int paren = 0;
  bool in_permissions = grant_like;
  bool prev_alter = false;
  while (!cur().is(TokenKind::kEnd)) {
    if (paren == 0 && cur().is_op(";")) return;
    if (cur().is_op("(")) ++paren;
    if (cur().is_op(")")) --paren;
    if (in_permissions) {
      if (cur().is_keyword("TO") || cur().is_keyword("FROM")) in_permissions = false;
      ++pos_;
      continue;
    }
    if (paren == 0 && at_statement_start()) {
      // ALTER LOGIN x DROP CREDENTIAL c / ALTER SERVER ROLE r DROP MEMBER m stay in the statement.
      bool part_of_alter = prev_alter && cur().is_keyword("DROP") &&
                           (peek().is_keyword("MEMBER") || peek().is_keyword("CREDENTIAL"));
      // GRANT … TO x WITH GRANT OPTION: that GRANT does not start a new statement.
      bool grant_option = pos_ > 0 && t_[pos_ - 1].is_keyword("WITH") && cur().is_keyword("GRANT") &&
                          peek().is_keyword("OPTION");
      if (!part_of_alter && !grant_option) return;
    }
    prev_alter = prev_alter || t_[pos_].is_keyword("ALTER") || (pos_ > 0 && t_[pos_ - 1].is_keyword("ALTER"));
    ++pos_;
  }
}

StmtPtr Parser::parse_statement(bool first_in_batch) {
  auto s = std::make_unique<Stmt>();
  const Token& tok = cur();
  s->line = tok.line;
  s->tok_begin = pos_;
  s->begin = tok.offset;
  auto finish = [&](StmtPtr st) -> StmtPtr {
    if (!st || failed_) return nullptr;
    st->tok_end = pos_;
    st->end = pos_ > st->tok_begin ? t_[pos_ - 1].end : st->begin;
    return st;
  };

  if (tok.is_op("(") || tok.is_keyword("SELECT")) {
    s->kind = Stmt::Kind::kSelect;
    s->select = parse_select();
    if (!s->select) return nullptr;
    return finish(std::move(s));
  }
  if (tok.is_keyword("WITH")) {  // WITH cte [(cols)] AS (SELECT …)[, …] SELECT …
    ++pos_;
    std::vector<CteDef> ctes;
    do {
      CteDef c;
      if (!parse_name(&c.name)) return nullptr;
      if (accept_op("(")) {
        do {
          std::string col;
          if (!parse_name(&col)) return nullptr;
          c.columns.push_back(col);
        } while (accept_op(","));
        if (!expect_op(")")) return nullptr;
      }
      if (!expect_kw("AS") || !expect_op("(")) return nullptr;
      c.select = parse_select();
      if (!c.select || !expect_op(")")) return nullptr;
      ctes.push_back(std::move(c));
    } while (accept_op(","));
    if (!cur().is_keyword("SELECT") && !cur().is_op("(")) {  // only SELECT follows here
      fail(cur());
      return nullptr;
    }
    s->kind = Stmt::Kind::kSelect;
    s->select = parse_select();
    if (!s->select) return nullptr;
    s->select->ctes = std::move(ctes);
    return finish(std::move(s));
  }
  if (tok.is_keyword("SET")) {
    auto st = parse_set();
    if (st) {
      st->tok_begin = s->tok_begin;
      st->begin = s->begin;
      st->line = s->line;
    }
    return finish(std::move(st));
  }
  if (tok.is_keyword("DECLARE")) {
    auto st = parse_declare();
    if (st) {
      st->tok_begin = s->tok_begin;
      st->begin = s->begin;
      st->line = s->line;
    }
    return finish(std::move(st));
  }
  if (tok.is_keyword("USE")) {
    ++pos_;
    s->kind = Stmt::Kind::kUse;
    if (!parse_name(&s->database)) return nullptr;
    return finish(std::move(s));
  }
  if (tok.is_keyword("BEGIN")) {
    auto st = parse_begin();
    if (st) {
      st->tok_begin = s->tok_begin;
      st->begin = s->begin;
      st->line = s->line;
    }
    return finish(std::move(st));
  }
  if (tok.is_keyword("COMMIT") || tok.is_keyword("ROLLBACK")) {
    bool commit = tok.is_keyword("COMMIT");
    ++pos_;
    s->kind = commit ? Stmt::Kind::kCommit : Stmt::Kind::kRollback;
    if (accept_kw("TRAN") || accept_kw("TRANSACTION") || accept_kw("WORK")) {
      if (cur().is_name() && !at_statement_start()) {
        s->tran_name = cur().text;
        ++pos_;
      } else if (cur().is(TokenKind::kVariable)) {
        ++pos_;
      }
    }
    return finish(std::move(s));
  }
  if (tok.is_keyword("SAVE")) {
    ++pos_;
    if (!accept_kw("TRAN") && !expect_kw("TRANSACTION")) return nullptr;
    s->kind = Stmt::Kind::kSaveTran;
    if (!parse_name(&s->tran_name)) return nullptr;
    return finish(std::move(s));
  }
  if (tok.is_keyword("IF")) {
    auto st = parse_if();
    if (st) {
      st->tok_begin = s->tok_begin;
      st->begin = s->begin;
      st->line = s->line;
    }
    return finish(std::move(st));
  }
  if (tok.is_keyword("WHILE")) {
    ++pos_;
    s->kind = Stmt::Kind::kWhile;
    s->expr = parse_expr();
    if (!s->expr) return nullptr;
    while (accept_op(";")) {
    }
    auto body = parse_statement(false);
    if (!body) return nullptr;
    s->body.push_back(std::move(body));
    return finish(std::move(s));
  }
  if (tok.is_keyword("BREAK") || tok.is_keyword("CONTINUE")) {
    s->kind = tok.is_keyword("BREAK") ? Stmt::Kind::kBreak : Stmt::Kind::kContinue;
    ++pos_;
    return finish(std::move(s));
  }
  if (tok.is_keyword("EXEC") || tok.is_keyword("EXECUTE")) {
    ++pos_;
    auto st = parse_exec(false);
    if (st) {
      st->tok_begin = s->tok_begin;
      st->begin = s->begin;
      st->line = s->line;
    }
    return finish(std::move(st));
  }
  if (tok.is_keyword("PRINT")) {
    ++pos_;
    s->kind = Stmt::Kind::kPrint;
    s->expr = parse_expr();
    if (!s->expr) return nullptr;
    return finish(std::move(s));
  }
  if (tok.is_keyword("RAISERROR")) {
    ++pos_;
    s->kind = Stmt::Kind::kRaiserror;
    if (!expect_op("(")) return nullptr;
    do {
      ExprPtr a = parse_expr();
      if (!a) return nullptr;
      s->exprs.push_back(std::move(a));
    } while (accept_op(","));
    if (!expect_op(")")) return nullptr;
    if (s->exprs.size() < 3) {
      fail(t_[pos_ - 1]);
      return nullptr;
    }
    if (accept_kw("WITH")) {
      do {
        if (!accept_kw("NOWAIT") && !accept_kw("LOG") && !expect_kw("SETERROR")) return nullptr;
      } while (accept_op(","));
    }
    return finish(std::move(s));
  }
  if (tok.is_keyword("THROW")) {
    ++pos_;
    s->kind = Stmt::Kind::kThrow;
    if (!at_statement_start()) {
      for (int i = 0; i < 3; ++i) {
        if (i > 0 && !expect_op(",")) return nullptr;
        ExprPtr a = parse_expr();
        if (!a) return nullptr;
        s->exprs.push_back(std::move(a));
      }
    }
    return finish(std::move(s));
  }
  if (tok.is_keyword("RETURN")) {
    ++pos_;
    s->kind = Stmt::Kind::kReturn;
    if (!at_statement_start()) {
      s->expr = parse_expr();
      if (!s->expr) return nullptr;
    }
    return finish(std::move(s));
  }
  if (tok.is_keyword("WAITFOR")) {  // WAITFOR DELAY 'hh:mm[:ss[.fff]]' (TIME and RECEIVE are refused)
    ++pos_;
    if (!cur().is_keyword("DELAY")) {
      fail_msg(40517, "Keyword or statement option 'WAITFOR " + to_upper_ascii(cur().text) +
                          "' is not supported in this version of SQL Server.");
      return nullptr;
    }
    ++pos_;
    s->kind = Stmt::Kind::kWaitfor;
    s->expr = parse_unary();
    if (!s->expr) return nullptr;
    return finish(std::move(s));
  }
  if (tok.is_keyword("GOTO")) {
    ++pos_;
    s->kind = Stmt::Kind::kGoto;
    if (!parse_name(&s->label)) return nullptr;
    return finish(std::move(s));
  }
  if (CatalogState::is_ddl_start(t_, pos_)) {
    s->kind = Stmt::Kind::kDdl;
    bool grant_like = tok.is_keyword("GRANT") || tok.is_keyword("DENY") || tok.is_keyword("REVOKE");
    skip_to_statement_end(grant_like);
    return finish(std::move(s));
  }
  if ((tok.is_keyword("INSERT") || tok.is_keyword("DELETE")) &&
      (peek().is(TokenKind::kVariable) || (peek().is_keyword(tok.is_keyword("INSERT") ? "INTO" : "FROM") &&
                                           peek(2).is(TokenKind::kVariable)))) {
    auto st = parse_table_dml();
    if (st) {
      st->tok_begin = s->tok_begin;
      st->begin = s->begin;
      st->line = s->line;
    }
    return finish(std::move(st));
  }
  for (const char* dml : {"INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE"}) {
    if (tok.is_keyword(dml)) {
      // Find the target to choose between SQL Server's "system catalog" and "not supported".
      size_t k = pos_ + 1;
      while (t_[k].is_keyword("INTO") || t_[k].is_keyword("FROM") || t_[k].is_keyword("TABLE") ||
             t_[k].is_keyword("TOP")) ++k;
      bool sys = false;
      for (size_t j = k; j < k + 5 && !t_[j].is(TokenKind::kEnd); ++j) {
        if (t_[j].is_name() && iequals(t_[j].text, "sys")) sys = true;
      }
      if (sys) fail_msg(259, "Ad hoc updates to system catalogs are not allowed.");
      else
        fail_msg(40517, "Keyword or statement option '" + to_upper_ascii(tok.text) +
                            "' is not supported in this version of SQL Server.");
      return nullptr;
    }
  }
  if (tok.is_keyword("CREATE") || tok.is_keyword("ALTER") || tok.is_keyword("DROP")) {
    std::string what = to_upper_ascii(tok.text);
    if (peek().is(TokenKind::kIdentifier)) what += " " + to_upper_ascii(peek().text);
    fail_msg(40517, "Keyword or statement option '" + what + "' is not supported in this version of SQL Server.");
    return nullptr;
  }
  if (tok.is(TokenKind::kIdentifier) && peek().is_op(":")) {
    s->kind = Stmt::Kind::kLabel;
    s->label = tok.text;
    pos_ += 2;
    return finish(std::move(s));
  }
  // A batch whose first statement is a bare procedure name executes it (as SQL Server does).
  if (first_in_batch && tok.is_name() && !tok.is_keyword("GO") &&
      !(tok.is(TokenKind::kIdentifier) && is_reserved_word(tok.text))) {
    auto st = parse_exec(true);
    if (st) {
      st->tok_begin = s->tok_begin;
      st->begin = s->begin;
      st->line = s->line;
    }
    return finish(std::move(st));
  }
  fail(tok);
  return nullptr;
}

StmtPtr Parser::parse_set() {
  ++pos_;  // SET
  auto s = std::make_unique<Stmt>();
  if (cur().is(TokenKind::kVariable)) {
    s->kind = Stmt::Kind::kSetVar;
    s->var = cur().text;
    ++pos_;
    const Token& op = cur();
    if (op.kind != TokenKind::kOperator ||
        (op.text != "=" && op.text != "+=" && op.text != "-=" && op.text != "*=" && op.text != "/=")) {
      fail(op);
      return nullptr;
    }
    s->assign_op = op.text;
    ++pos_;
    s->expr = parse_expr();
    if (!s->expr) return nullptr;
    return s;
  }
  s->kind = Stmt::Kind::kSetOption;
  if (!cur().is(TokenKind::kIdentifier)) {
    fail(cur());
    return nullptr;
  }
  if (cur().is_keyword("TRANSACTION")) {  // SET TRANSACTION ISOLATION LEVEL …
    ++pos_;
    if (!expect_kw("ISOLATION") || !expect_kw("LEVEL")) return nullptr;
    s->option = "TRANSACTION ISOLATION LEVEL";
    if (accept_kw("READ")) {
      if (!accept_kw("UNCOMMITTED") && !expect_kw("COMMITTED")) return nullptr;
    } else if (accept_kw("REPEATABLE")) {
      if (!expect_kw("READ")) return nullptr;
    } else if (!accept_kw("SERIALIZABLE") && !expect_kw("SNAPSHOT")) {
      return nullptr;
    }
    return s;
  }
  // SET opt[, opt…] ON|OFF  or  SET opt value
  std::string first = to_upper_ascii(cur().text);
  static const char* kValued[] = {"TEXTSIZE", "DATEFORMAT", "LANGUAGE", "DATEFIRST", "LOCK_TIMEOUT",
                                  "DEADLOCK_PRIORITY", "ROWCOUNT", "CONTEXT_INFO", "QUERY_GOVERNOR_COST_LIMIT"};
  for (const char* v : kValued) {
    if (first == v) {
      ++pos_;
      s->option = first;
      if (cur().is(TokenKind::kEnd) || cur().is_op(";")) {
        fail(cur());
        return nullptr;
      }
      if (cur().is_op("-")) ++pos_;
      if (cur().is(TokenKind::kEnd) || cur().is_op(";")) {
        fail(cur());
        return nullptr;
      }
      ++pos_;  // the value: number, name, string or variable
      return s;
    }
  }
  while (true) {
    if (!cur().is(TokenKind::kIdentifier)) {
      fail(cur());
      return nullptr;
    }
    if (!s->option.empty()) s->option += ",";
    s->option += to_upper_ascii(cur().text);
    ++pos_;
    if (!accept_op(",")) break;
  }
  if (accept_kw("ON")) s->option_on = true;
  else if (accept_kw("OFF")) s->option_on = false;
  else {
    fail(cur());
    return nullptr;
  }
  static const char* kKnown[] = {
      "NOCOUNT", "XACT_ABORT", "ANSI_NULLS", "ANSI_NULL_DFLT_ON", "ANSI_NULL_DFLT_OFF", "ANSI_PADDING",
      "ANSI_WARNINGS", "ARITHABORT", "ARITHIGNORE", "CONCAT_NULL_YIELDS_NULL", "NUMERIC_ROUNDABORT",
      "QUOTED_IDENTIFIER", "IMPLICIT_TRANSACTIONS", "CURSOR_CLOSE_ON_COMMIT", "ANSI_DEFAULTS", "FMTONLY",
      "NOEXEC", "PARSEONLY", "STATISTICS", "SHOWPLAN_ALL", "SHOWPLAN_TEXT", "SHOWPLAN_XML", "FORCEPLAN",
      "REMOTE_PROC_TRANSACTIONS", "XML", "IO", "TIME", "PROFILE", "NO_BROWSETABLE"};
  size_t start = 0;
  while (start <= s->option.size()) {
    size_t comma = s->option.find(',', start);
    std::string one = s->option.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    bool known = false;
    for (const char* k : kKnown) known = known || one == k;
    if (!known) {
      fail_msg(195, "'" + one + "' is not a recognized SET option.");
      return nullptr;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return s;
}

StmtPtr Parser::parse_declare() {
  ++pos_;  // DECLARE
  auto s = std::make_unique<Stmt>();
  s->kind = Stmt::Kind::kDeclare;
  do {
    if (!cur().is(TokenKind::kVariable)) {
      fail(cur());
      return nullptr;
    }
    Stmt::Decl d;
    d.name = cur().text;
    ++pos_;
    accept_kw("AS");
    if (cur().is_keyword("TABLE")) {
      ++pos_;
      d.is_table = true;
      if (!parse_table_columns(&d.columns)) return nullptr;
      s->decls.push_back(std::move(d));
      if (cur().is_op(",")) {  // a table variable is declared alone
        fail(cur());
        return nullptr;
      }
      return s;
    }
    if (cur().is_keyword("CURSOR")) {
      fail_msg(40517, "Keyword or statement option 'DECLARE CURSOR' is not supported in this version of SQL Server.");
      return nullptr;
    }
    if (!parse_type(&d.type)) return nullptr;
    if (accept_op("=")) {
      d.init = parse_expr();
      if (!d.init) return nullptr;
    }
    s->decls.push_back(std::move(d));
  } while (accept_op(","));
  return s;
}

StmtPtr Parser::parse_exec(bool implicit) {
  auto s = std::make_unique<Stmt>();
  s->kind = Stmt::Kind::kExec;
  if (!implicit && cur().is_op("(")) {  // EXEC ('sql' + …)
    ++pos_;
    s->kind = Stmt::Kind::kExecString;
    s->expr = parse_expr();
    if (!s->expr || !expect_op(")")) return nullptr;
    return s;
  }
  if (cur().is(TokenKind::kVariable)) {
    if (peek().is_op("=")) {
      s->rc_var = cur().text;
      pos_ += 2;
    }
  }
  if (cur().is(TokenKind::kVariable)) {
    s->proc_var = cur().text;
    ++pos_;
  } else if (!parse_multipart(&s->proc_parts)) {
    return nullptr;
  }
  // arguments
  if (at_statement_start() && !cur().is_keyword("DEFAULT")) return s;
  do {
    Stmt::Arg a;
    if (cur().is(TokenKind::kVariable) && peek().is_op("=")) {
      a.name = cur().text;
      pos_ += 2;
    }
    if (accept_kw("DEFAULT")) {
      a.is_default = true;
    } else {
      if (cur().is(TokenKind::kIdentifier) && !is_reserved_word(cur().text) && !peek().is_op("(") &&
          !peek().is_op(".")) {
        // bare word argument (EXEC sp_x @type = LOCAL) is a string
        a.value = make_expr(Expr::Kind::kNString);
        a.value->text = cur().text;
        ++pos_;
      } else {
        if (cur().is(TokenKind::kVariable)) a.out_var = cur().text;
        a.value = parse_unary();
        if (!a.value) return nullptr;
        if (a.value->kind != Expr::Kind::kVariable) a.out_var.clear();
      }
      if (accept_kw("OUTPUT") || accept_kw("OUT")) a.output = true;
    }
    s->args.push_back(std::move(a));
  } while (accept_op(","));
  if (accept_kw("WITH")) {  // WITH RECOMPILE / RESULT SETS: skip
    if (!expect_kw("RECOMPILE")) return nullptr;
  }
  return s;
}

StmtPtr Parser::parse_if() {
  ++pos_;  // IF
  auto s = std::make_unique<Stmt>();
  s->kind = Stmt::Kind::kIf;
  s->expr = parse_expr();
  if (!s->expr) return nullptr;
  while (accept_op(";")) {
  }
  if (cur().is(TokenKind::kEnd)) {
    fail(cur());
    return nullptr;
  }
  auto then = parse_statement(false);
  if (!then) return nullptr;
  s->body.push_back(std::move(then));
  size_t save = pos_;
  while (accept_op(";")) {
  }
  if (accept_kw("ELSE")) {
    while (accept_op(";")) {
    }
    auto el = parse_statement(false);
    if (!el) return nullptr;
    s->else_body.push_back(std::move(el));
  } else {
    pos_ = save;
  }
  return s;
}

StmtPtr Parser::parse_begin() {
  ++pos_;  // BEGIN
  auto s = std::make_unique<Stmt>();
  if (accept_kw("DISTRIBUTED")) {
    if (!accept_kw("TRAN") && !expect_kw("TRANSACTION")) return nullptr;
    s->kind = Stmt::Kind::kBeginTran;
    return s;
  }
  if (accept_kw("TRAN") || accept_kw("TRANSACTION")) {
    s->kind = Stmt::Kind::kBeginTran;
    if (cur().is_name() && !at_statement_start()) {
      s->tran_name = cur().text;
      ++pos_;
    } else if (cur().is(TokenKind::kVariable)) {
      ++pos_;
    }
    if (cur().is_keyword("WITH") && peek().is_keyword("MARK")) {
      pos_ += 2;
      if (cur().is(TokenKind::kString) || cur().is(TokenKind::kNString)) ++pos_;
    }
    return s;
  }
  if (cur().is_keyword("TRY")) return parse_try();
  if (cur().is_keyword("CATCH")) {  // BEGIN CATCH without its TRY
    fail(cur());
    return nullptr;
  }
  s->kind = Stmt::Kind::kBlock;
  while (true) {
    while (accept_op(";")) {
    }
    if (accept_kw("END")) break;
    if (cur().is(TokenKind::kEnd)) {
      fail(cur());
      return nullptr;
    }
    auto child = parse_statement(false);
    if (!child) return nullptr;
    s->body.push_back(std::move(child));
  }
  return s;
}

}  // namespace emu

namespace emu {

// BEGIN TRY … END TRY BEGIN CATCH … END CATCH. The CATCH block must follow END TRY immediately
// and may be empty; the TRY block may not
// (https://learn.microsoft.com/en-us/sql/t-sql/language-elements/try-catch-transact-sql).
StmtPtr Parser::parse_try() {
  ++pos_;  // TRY
  auto s = std::make_unique<Stmt>();
  s->kind = Stmt::Kind::kTry;
  auto block = [&](const char* word, bool allow_empty) -> StmtPtr {
    auto b = std::make_unique<Stmt>();
    b->kind = Stmt::Kind::kBlock;
    b->line = cur().line;
    while (true) {
      while (accept_op(";")) {
      }
      if (cur().is_keyword("END") && peek().is_keyword(word)) {
        if (b->body.empty() && !allow_empty) {
          fail(cur());
          return nullptr;
        }
        pos_ += 2;
        return b;
      }
      if (cur().is(TokenKind::kEnd)) {
        fail(cur());
        return nullptr;
      }
      auto child = parse_statement(false);
      if (!child) return nullptr;
      b->body.push_back(std::move(child));
    }
  };
  auto body = block("TRY", false);
  if (!body) return nullptr;
  s->body.push_back(std::move(body));
  while (accept_op(";")) {
  }
  if (!cur().is_keyword("BEGIN") || !peek().is_keyword("CATCH")) {
    fail(cur());
    return nullptr;
  }
  pos_ += 2;
  auto handler = block("CATCH", true);
  if (!handler) return nullptr;
  s->else_body.push_back(std::move(handler));
  return s;
}

}  // namespace emu

namespace emu {

// ( name type [NULL | NOT NULL] [PRIMARY KEY | UNIQUE] [DEFAULT constant], … [, PRIMARY KEY (…)] )
// https://learn.microsoft.com/en-us/sql/t-sql/language-elements/declare-local-variable-transact-sql
bool Parser::parse_table_columns(std::vector<TableColumnDef>* out) {
  if (!expect_op("(")) return false;
  do {
    if (cur().is_keyword("PRIMARY") || cur().is_keyword("UNIQUE") || cur().is_keyword("INDEX") ||
        cur().is_keyword("CHECK") || cur().is_keyword("CONSTRAINT")) {  // table constraint: skipped
      int depth = 0;
      while (!cur().is(TokenKind::kEnd) && !(depth == 0 && (cur().is_op(",") || cur().is_op(")")))) {
        if (cur().is_op("(")) ++depth;
        if (cur().is_op(")")) --depth;
        ++pos_;
      }
      continue;
    }
    TableColumnDef c;
    if (!parse_name(&c.name)) return false;
    if (!parse_type(&c.type)) return false;
    while (!cur().is_op(",") && !cur().is_op(")")) {
      if (cur().is_keyword("NOT") && peek().is_keyword("NULL")) {
        c.nullable = false;
        pos_ += 2;
      } else if (accept_kw("NULL")) {
        c.nullable = true;
      } else if (cur().is_keyword("PRIMARY") && peek().is_keyword("KEY")) {
        c.nullable = false;
        pos_ += 2;
        if (!accept_kw("CLUSTERED")) accept_kw("NONCLUSTERED");
      } else if (accept_kw("UNIQUE")) {
        if (!accept_kw("CLUSTERED")) accept_kw("NONCLUSTERED");
      } else if (accept_kw("DEFAULT")) {
        ExprPtr e = parse_unary();
        if (!e) return false;
        c.default_value = std::shared_ptr<Expr>(std::move(e));
      } else if (accept_kw("COLLATE")) {
        std::string ignored;
        if (!parse_name(&ignored)) return false;
      } else {
        fail(cur());
        return false;
      }
    }
    for (const auto& other : *out) {
      if (iequals(other.name, c.name)) {
        fail_msg(2705, "Column names in each table must be unique. Column name '" + c.name +
                           "' in table '@table' is specified more than once.");
        return false;
      }
    }
    out->push_back(std::move(c));
  } while (accept_op(","));
  return expect_op(")");
}

// INSERT [INTO] @t [(c, …)] { VALUES (…)[, (…)] | SELECT … } and DELETE [FROM] @t [WHERE …]:
// the only DML the emulator runs — on table variables; any other target is refused.
StmtPtr Parser::parse_table_dml() {
  auto s = std::make_unique<Stmt>();
  const bool insert = cur().is_keyword("INSERT");
  ++pos_;
  accept_kw(insert ? "INTO" : "FROM");
  s->kind = insert ? Stmt::Kind::kInsert : Stmt::Kind::kDelete;
  s->var = cur().text;
  ++pos_;
  if (!insert) {
    if (accept_kw("WHERE")) {  // kept as SELECT 1 FROM @t WHERE <condition> (table_vars.cc)
      auto sel = std::make_unique<SelectStmt>();
      SelectItem one;
      one.expr = make_expr(Expr::Kind::kInteger);
      one.expr->text = "1";
      sel->items.push_back(std::move(one));
      sel->from = std::make_unique<TableRef>();
      sel->from->kind = TableRef::Kind::kNamed;
      sel->from->parts = {s->var};
      sel->from->display_name = s->var;
      sel->where = parse_expr();
      if (!sel->where) return nullptr;
      s->select = std::move(sel);
    }
    return s;
  }
  if (cur().is_op("(") && !at_select_start()) {
    ++pos_;
    do {
      std::string n;
      if (!parse_name(&n)) return nullptr;
      s->names.push_back(n);
    } while (accept_op(","));
    if (!expect_op(")")) return nullptr;
  }
  if (accept_kw("VALUES")) {
    do {
      if (!expect_op("(")) return nullptr;
      std::vector<ExprPtr> row;
      do {
        ExprPtr e;
        if (cur().is_keyword("DEFAULT")) {
          e = make_expr(Expr::Kind::kNull);
          e->text = "DEFAULT";
          ++pos_;
        } else {
          e = parse_expr();
        }
        if (!e) return nullptr;
        row.push_back(std::move(e));
      } while (accept_op(","));
      if (!expect_op(")")) return nullptr;
      s->rows.push_back(std::move(row));
    } while (accept_op(","));
    return s;
  }
  if (cur().is_keyword("SELECT") || cur().is_op("(")) {
    s->select = parse_select();
    if (!s->select) return nullptr;
    return s;
  }
  fail(cur());
  return nullptr;
}

}  // namespace emu
