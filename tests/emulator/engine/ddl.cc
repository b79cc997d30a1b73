// ddl.cc — entry points for server-level DDL (CatalogState::is_ddl_start / execute_ddl), the token
// cursor used by every statement, and the permission checks statements share.
#include <set>

#include "engine/ddl_internal.h"
#include "engine/procs_internal.h"
#include "engine/state.h"

namespace emu {

using namespace st;

namespace st {

namespace {

// T-SQL reserved keywords (a bracketed name never is one).
const std::set<std::string>& reserved() {
  static const std::set<std::string> words = {
      "ADD", "ALL", "ALTER", "AND", "ANY", "AS", "ASC", "AUTHORIZATION", "BACKUP", "BEGIN", "BETWEEN", "BREAK",
      "BROWSE", "BULK", "BY", "CASCADE", "CASE", "CHECK", "CHECKPOINT", "CLOSE", "CLUSTERED", "COALESCE",
      "COLLATE", "COLUMN", "COMMIT", "COMPUTE", "CONSTRAINT", "CONTAINS", "CONTAINSTABLE", "CONTINUE", "CONVERT",
      "CREATE", "CROSS", "CURRENT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "CURSOR",
      "DATABASE", "DBCC", "DEALLOCATE", "DECLARE", "DEFAULT", "DELETE", "DENY", "DESC", "DISK", "DISTINCT",
      "DISTRIBUTED", "DOUBLE", "DROP", "DUMP", "ELSE", "END", "ERRLVL", "ESCAPE", "EXCEPT", "EXEC", "EXECUTE",
      "EXISTS", "EXIT", "EXTERNAL", "FETCH", "FILE", "FILLFACTOR", "FOR", "FOREIGN", "FREETEXT", "FREETEXTTABLE",
      "FROM", "FULL", "FUNCTION", "GOTO", "GRANT", "GROUP", "HAVING", "HOLDLOCK", "IDENTITY", "IDENTITY_INSERT",
      "IDENTITYCOL", "IF", "IN", "INDEX", "INNER", "INSERT", "INTERSECT", "INTO", "IS", "JOIN", "KEY", "KILL",
      "LEFT", "LIKE", "LINENO", "LOAD", "MERGE", "NATIONAL", "NOCHECK", "NONCLUSTERED", "NOT", "NULL", "NULLIF",
      "OF", "OFF", "OFFSETS", "ON", "OPEN", "OPENDATASOURCE", "OPENQUERY", "OPENROWSET", "OPENXML", "OPTION", "OR",
      "ORDER", "OUTER", "OVER", "PERCENT", "PIVOT", "PLAN", "PRECISION", "PRIMARY", "PRINT", "PROC", "PROCEDURE",
      "PUBLIC", "RAISERROR", "READ", "READTEXT", "RECONFIGURE", "REFERENCES", "REPLICATION", "RESTORE", "RESTRICT",
      "RETURN", "REVERT", "REVOKE", "RIGHT", "ROLLBACK", "ROWCOUNT", "ROWGUIDCOL", "RULE", "SAVE", "SCHEMA",
      "SECURITYAUDIT", "SELECT", "SESSION_USER", "SET", "SETUSER", "SHUTDOWN", "SOME", "STATISTICS", "SYSTEM_USER",
      "TABLE", "TABLESAMPLE", "TEXTSIZE", "THEN", "TO", "TOP", "TRAN", "TRANSACTION", "TRIGGER", "TRUNCATE",
      "TRY_CONVERT", "TSEQUAL", "UNION", "UNIQUE", "UNPIVOT", "UPDATE", "UPDATETEXT", "USE", "USER", "VALUES",
      "VARYING", "VIEW", "WAITFOR", "WHEN", "WHERE", "WHILE", "WITH", "WRITETEXT"};
  return words;
}

bool is_statement_start(const Token& t) {
  static const char* starts[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "GRANT",
                                 "DENY", "REVOKE", "EXEC", "EXECUTE", "IF", "BEGIN", "END", "COMMIT", "ROLLBACK",
                                 "SET", "USE", "DECLARE", "PRINT", "RAISERROR", "RETURN", "WHILE", "GOTO", "ELSE", "RECONFIGURE",
                                 "WITH", "SAVE", "THROW", "TRUNCATE", "MERGE", "BREAK", "CONTINUE", "WAITFOR"};
  for (const char* s : starts) {
    if (t.is_keyword(s)) return true;
  }
  return false;
}

}  // namespace

bool is_reserved_keyword(const Token& t) {
  return t.is(TokenKind::kIdentifier) && reserved().count(to_upper_ascii(t.text)) > 0;
}

void DdlParser::syntax_error() const {
  const Token& t = cur().is(TokenKind::kEnd) && pos_ > 0 ? t_[pos_ - 1] : cur();
  if (is_reserved_keyword(t)) throw SqlError{156, "Incorrect syntax near the keyword '" + t.text + "'.", 15};
  std::string text = t.text;
  if (t.is(TokenKind::kBinary)) text = "0x" + text;
  throw SqlError{102, "Incorrect syntax near '" + text + "'.", 15};
}

bool DdlParser::accept_kw(const char* kw) {
  if (!cur().is_keyword(kw)) return false;
  advance();
  return true;
}
void DdlParser::expect_kw(const char* kw) {
  if (!accept_kw(kw)) syntax_error();
}
bool DdlParser::accept_op(const char* op) {
  if (!cur().is_op(op)) return false;
  advance();
  return true;
}
void DdlParser::expect_op(const char* op) {
  if (!accept_op(op)) syntax_error();
}

std::string DdlParser::name() {
  const Token& t = cur();
  if (!t.is_name() || is_reserved_keyword(t)) syntax_error();
  check_identifier_length(t.text);
  advance();
  return t.text;
}

std::string DdlParser::string_literal() {
  if (!at_string()) syntax_error();
  std::string s = cur().text;
  advance();
  return s;
}

bool DdlParser::on_off() {
  if (accept_kw("ON")) return true;
  if (accept_kw("OFF")) return false;
  syntax_error();
}

std::string DdlParser::binary_literal() {
  if (!cur().is(TokenKind::kBinary)) syntax_error();
  std::string bytes;
  if (!unhex(cur().text, &bytes)) syntax_error();
  advance();
  return bytes;
}

void DdlParser::expect_end() {
  const Token& t = cur();
  if (t.is(TokenKind::kEnd) || t.is_op(";") || is_statement_start(t)) return;
  syntax_error();
}

std::optional<Principal> caller(ExecContext& ctx, sqlite3* db) {
  if (ctx.login_name.empty()) return std::nullopt;
  return find_principal(db, ctx.login_name);
}

bool is_role_member(sqlite3* db, int64_t role_id, int64_t member_id) {
  return scalar(db, "SELECT 1 FROM t_role_members WHERE role_principal_id = ?1 AND member_principal_id = ?2",
                {integer(role_id), integer(member_id)})
      .has_value();
}

bool is_sysadmin(sqlite3* db, const std::optional<Principal>& p) { return p && is_role_member(db, 3, p->id); }

bool has_server_permission(ExecContext& ctx, sqlite3* db, const std::string& code) {
  if (ctx.login_name.empty()) return true;
  auto p = caller(ctx, db);
  if (!p) return false;
  if (is_sysadmin(db, p)) return true;
  // Fixed roles that imply the permission (server-level-roles doc).
  struct Implied {
    int64_t role;
    const char* code;
  };
  const Implied implied[] = {{4, "ALLG"}, {4, "ALSR"}, {4, "ALCD"}, {6, "ALLS"}, {5, "ALSS"}, {9, "CRDB"}};
  for (const auto& i : implied) {
    if (code == i.code && is_role_member(db, i.role, p->id)) return true;
  }
  auto state_of = [&](const std::string& c) -> std::string {
    std::string padded = c;
    padded.resize(4, ' ');
    auto v = scalar(db,
                    "SELECT \"state\" FROM t_server_permissions WHERE \"class\" = 100 AND \"type\" = ?1 AND "
                    "(grantee_principal_id = ?2 OR grantee_principal_id = 2 OR grantee_principal_id IN "
                    "(SELECT role_principal_id FROM t_role_members WHERE member_principal_id = ?2)) "
                    "ORDER BY CASE \"state\" WHEN 'D' THEN 0 ELSE 1 END LIMIT 1",
                    {text(padded), integer(p->id)});
    return v ? as_text(*v).value_or("") : "";
  };
  const std::string control = state_of("CL");
  const std::string direct = state_of(code);
  if (direct == "D") return false;
  return control == "G" || control == "W" || direct == "G" || direct == "W";
}

void require_server_permission(ExecContext& ctx, sqlite3* db, const std::string& code) {
  if (!has_server_permission(ctx, db, code)) throw SqlError{15247, "User does not have permission to perform this action."};
}

}  // namespace st

bool CatalogState::is_ddl_start(const std::vector<Token>& t, size_t pos) {
  if (pos >= t.size()) return false;
  const Token& a = t[pos];
  if (a.is_keyword("GRANT") || a.is_keyword("DENY") || a.is_keyword("REVOKE") || a.is_keyword("RECONFIGURE")) return true;
  if (!(a.is_keyword("CREATE") || a.is_keyword("ALTER") || a.is_keyword("DROP")) || pos + 1 >= t.size()) return false;
  const Token& b = t[pos + 1];
  if (b.is_keyword("LOGIN") || b.is_keyword("CREDENTIAL")) return true;
  return b.is_keyword("SERVER") && pos + 2 < t.size() && t[pos + 2].is_keyword("ROLE");
}

bool CatalogState::execute_ddl(ExecContext& ctx, const std::vector<Token>& tokens, size_t* pos) {
  if (!ctx.config) ctx.config = &config_;
  DdlParser p(ctx, db_, tokens, *pos);
  try {
    Savepoint sp(db_);
    const std::string verb = to_upper_ascii(p.cur().text);
    p.advance();
    if (verb == "GRANT" || verb == "DENY" || verb == "REVOKE") {
      ddl_permission(p, verb);
    } else if (verb == "RECONFIGURE") {
      if (p.accept_kw("WITH")) p.expect_kw("OVERRIDE");
      p.expect_end();
      reconfigure(ctx, db_);
    } else {
      const bool role = p.accept_kw("SERVER");
      if (role) p.expect_kw("ROLE");
      const bool login = !role && p.accept_kw("LOGIN");
      const bool credential = !role && !login && p.accept_kw("CREDENTIAL");
      if (!role && !login && !credential) p.syntax_error();
      if (verb == "CREATE") {
        if (login) ddl_create_login(p);
        if (role) ddl_create_server_role(p);
        if (credential) ddl_create_credential(p);
      } else if (verb == "ALTER") {
        if (login) ddl_alter_login(p);
        if (role) ddl_alter_server_role(p);
        if (credential) ddl_alter_credential(p);
      } else {
        if (login) ddl_drop_login(p);
        if (role) ddl_drop_server_role(p);
        if (credential) ddl_drop_credential(p);
      }
    }
    sp.commit();
    ctx.wrote = true;
    *pos = p.pos();
    return true;
  } catch (const SqlError& e) {
    ctx.error(e.number, e.text, e.severity, e.state);
  } catch (const std::exception& e) {
    ctx.error(50000, std::string("internal emulator error: ") + e.what());
  }
  *pos = p.pos();  // where parsing stopped; the executor knows the statement's end
  return false;
}

}  // namespace emu
