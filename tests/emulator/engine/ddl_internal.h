// ddl_internal.h — the token cursor shared by the state layer's DDL statements (ddl.cc dispatches to
// ddl_login.cc, ddl_role.cc, ddl_grant.cc, ddl_credential.cc) and the permission checks they share.
//
// Syntax errors are SQL Server's 102 ("Incorrect syntax near '%s'.") or, when the offending token is a
// reserved keyword, 156 ("Incorrect syntax near the keyword '%s'."); both thrown as st::SqlError.
// Internal to the state layer. Thread-safety: one parser per statement.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "engine/context.h"
#include "engine/lexer.h"
#include "engine/state_model.h"

namespace emu::st {

bool is_reserved_keyword(const Token& t);

class DdlParser {
 public:
  DdlParser(ExecContext& ctx, sqlite3* db, const std::vector<Token>& tokens, size_t pos)
      : ctx_(ctx), db_(db), t_(tokens), pos_(pos) {}

  ExecContext& ctx() { return ctx_; }
  sqlite3* db() { return db_; }
  const InstanceConfig& config() const { return *ctx_.config; }
  size_t pos() const { return pos_; }

  const Token& cur() const { return t_[pos_]; }
  const Token& peek(size_t n = 1) const { return t_[std::min(pos_ + n, t_.size() - 1)]; }
  void advance() {
    if (!cur().is(TokenKind::kEnd)) ++pos_;
  }

  bool accept_kw(const char* kw);
  void expect_kw(const char* kw);
  bool accept_op(const char* op);
  void expect_op(const char* op);
  // A (possibly bracketed) identifier; reserved words are refused (156). Checks the 128 limit.
  std::string name();
  // 'text' or N'text'.
  std::string string_literal();
  bool at_string() const { return cur().is(TokenKind::kString) || cur().is(TokenKind::kNString); }
  // ON | OFF
  bool on_off();
  // Raw bytes of a 0x literal.
  std::string binary_literal();
  // The statement must end here: ';', end of batch, or the first word of another statement.
  void expect_end();
  [[noreturn]] void syntax_error() const;

 private:
  ExecContext& ctx_;
  sqlite3* db_;
  const std::vector<Token>& t_;
  size_t pos_;
};

// The executing login (ctx.login_name; empty = the instance itself, e.g. fixtures/init SQL).
std::optional<Principal> caller(ExecContext& ctx, sqlite3* db);
bool is_sysadmin(sqlite3* db, const std::optional<Principal>& p);
bool is_role_member(sqlite3* db, int64_t role_id, int64_t member_id);
// True when the caller holds the server permission `code` (sysadmin, CONTROL SERVER, an explicit
// grant not denied, or the fixed role that implies it).
bool has_server_permission(ExecContext& ctx, sqlite3* db, const std::string& code);
// Throws 15247 "User does not have permission to perform this action." without the permission.
void require_server_permission(ExecContext& ctx, sqlite3* db, const std::string& code);

// Statement bodies; the parser stands just after the leading keywords named in each.
void ddl_create_login(DdlParser& p);   // after CREATE LOGIN
void ddl_alter_login(DdlParser& p);    // after ALTER LOGIN
void ddl_drop_login(DdlParser& p);     // after DROP LOGIN
void ddl_create_server_role(DdlParser& p);  // after CREATE SERVER ROLE
void ddl_alter_server_role(DdlParser& p);   // after ALTER SERVER ROLE
void ddl_drop_server_role(DdlParser& p);    // after DROP SERVER ROLE
void ddl_permission(DdlParser& p, const std::string& verb);  // after GRANT / DENY / REVOKE
void ddl_create_credential(DdlParser& p);   // after CREATE CREDENTIAL
void ddl_alter_credential(DdlParser& p);    // after ALTER CREDENTIAL
void ddl_drop_credential(DdlParser& p);     // after DROP CREDENTIAL

}  // namespace emu::st
