// ddl_login.cc — CREATE / ALTER / DROP LOGIN with SQL Server's rules and error numbers
// (https://learn.microsoft.com/sql/t-sql/statements/create-login-transact-sql,
// alter-login-transact-sql, drop-login-transact-sql; message texts from SQL Server's 15000-series
// catalogue).
#include "engine/agent_model.h"
#include "engine/ddl_internal.h"
#include "engine/hashing.h"

namespace emu::st {

namespace {

// Languages accepted by DEFAULT_LANGUAGE (name or alias → stored name).
std::optional<std::string> language(const std::string& name) {
  static const std::pair<const char*, const char*> langs[] = {
      {"us_english", "us_english"}, {"English", "us_english"}, {"British", "British"},
      {"Deutsch", "Deutsch"},       {"German", "Deutsch"},     {"Français", "Français"},
      {"French", "Français"},       {"Español", "Español"},    {"Spanish", "Español"},
      {"Italiano", "Italiano"},     {"Italian", "Italiano"},   {"Nederlands", "Nederlands"},
      {"Dutch", "Nederlands"},      {"Português", "Português"}, {"Portuguese", "Português"},
      {"Dansk", "Dansk"},           {"Danish", "Dansk"},       {"Svenska", "Svenska"},
      {"Swedish", "Svenska"},       {"Norsk", "Norsk"},        {"Norwegian", "Norsk"},
      {"Suomi", "Suomi"},           {"Finnish", "Suomi"},      {"Polski", "Polski"},
      {"Polish", "Polski"},         {"日本語", "日本語"},        {"Japanese", "日本語"}};
  for (const auto& [n, stored] : langs) {
    if (iequals(name, n)) return std::string(stored);
  }
  return std::nullopt;
}

std::string checked_language(const std::string& name) {
  auto l = language(name);
  if (!l) throw SqlError{15033, "'" + name + "' is not a valid official language name."};
  return *l;
}

// SQL Server's default Windows policy: at least 8 characters from 3 of 4 categories.
void check_password_policy(const std::string& password) {
  if (utf16_length(password) < 8) {
    throw SqlError{15116,
                   "Password validation failed. The password does not meet the operating system policy requirements "
                   "because it is too short."};
  }
  bool upper = false, lower = false, digit = false, other = false;
  for (unsigned char c : password) {
    if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= '0' && c <= '9') digit = true;
    else other = true;
  }
  if (upper + lower + digit + other < 3) {
    throw SqlError{15118,
                   "Password validation failed. The password does not meet the operating system policy requirements "
                   "because it is not complex enough."};
  }
}

struct PasswordClause {
  std::optional<std::string> plain;
  std::optional<std::string> hash;
  bool must_change = false;
  bool unlock = false;
  std::optional<std::string> old_password;
};

// PASSWORD = 'p' | 0x… HASHED [MUST_CHANGE | UNLOCK | OLD_PASSWORD = 'x'] (after "PASSWORD").
PasswordClause password_clause(DdlParser& p, bool alter) {
  PasswordClause c;
  p.expect_op("=");
  if (p.cur().is(TokenKind::kBinary)) {
    c.hash = p.binary_literal();
    p.expect_kw("HASHED");
    if (!is_valid_hashed_password(*c.hash)) {
      throw SqlError{15021, "Invalid value given for parameter PASSWORD. Specify a valid parameter value.", 16, 2};
    }
  } else {
    c.plain = p.string_literal();
  }
  for (;;) {
    if (p.accept_kw("MUST_CHANGE")) {
      c.must_change = true;
    } else if (alter && p.accept_kw("UNLOCK")) {
      c.unlock = true;
    } else if (alter && p.accept_kw("OLD_PASSWORD")) {
      p.expect_op("=");
      c.old_password = p.string_literal();
    } else {
      break;
    }
  }
  return c;
}

}  // namespace

void ddl_create_login(DdlParser& p) {
  require_server_permission(p.ctx(), p.db(), "ALLG");
  LoginSpec s;
  s.name = p.name();
  std::optional<bool> check_policy, check_expiration;
  if (p.accept_kw("FROM")) {
    if (p.accept_kw("WINDOWS")) {
      if (p.config().is_managed_instance()) {
        throw SqlError{41906, "Statement 'CREATE LOGIN FROM WINDOWS' is not supported in SQL Database Managed Instance."};
      }
      if (s.name.find('\\') == std::string::npos || s.name.front() == '\\' || s.name.back() == '\\') {
        throw SqlError{15407, "'" + s.name + "' is not a valid Windows NT name. Give the complete name: <domain\\username>.", 11};
      }
      s.type = "U";
      if (p.accept_kw("WITH")) {
        do {
          if (p.accept_kw("DEFAULT_DATABASE")) {
            p.expect_op("=");
            s.default_database = p.name();
          } else if (p.accept_kw("DEFAULT_LANGUAGE")) {
            p.expect_op("=");
            s.default_language = checked_language(p.name());
          } else {
            p.syntax_error();
          }
        } while (p.accept_op(","));
      }
    } else if (p.accept_kw("EXTERNAL")) {
      p.expect_kw("PROVIDER");
      s.type = "E";
      if (p.accept_kw("WITH")) {
        p.expect_kw("OBJECT_ID");
        p.expect_op("=");
        s.object_id = p.string_literal();
        if (!normalize_guid(s.object_id)) {
          throw SqlError{15021, "Invalid value given for parameter OBJECT_ID. Specify a valid parameter value."};
        }
      }
    } else if (p.accept_kw("CERTIFICATE")) {
      const std::string cert = p.name();
      throw SqlError{15151, "Cannot find the certificate '" + cert + "', because it does not exist or you do not have permission."};
    } else if (p.accept_kw("ASYMMETRIC")) {
      p.expect_kw("KEY");
      const std::string key = p.name();
      throw SqlError{15151, "Cannot find the asymmetric key '" + key + "', because it does not exist or you do not have permission."};
    } else {
      p.syntax_error();
    }
    p.expect_end();
  } else {
    p.expect_kw("WITH");
    p.expect_kw("PASSWORD");
    // Managed Instance documents CREATE LOGIN … WITH PASSWORD = 'password' | SID |
    // DEFAULT_DATABASE | DEFAULT_LANGUAGE only: no hashed password, MUST_CHANGE, CHECK_POLICY,
    // CHECK_EXPIRATION or CREDENTIAL (those are ALTER LOGIN options there). The emulator refuses
    // the others as a syntax error at the word, so that nothing is accepted here that the
    // documented MI grammar does not have
    // (https://learn.microsoft.com/sql/t-sql/statements/create-login-transact-sql?view=azuresqldb-mi-current).
    const bool mi = p.config().is_managed_instance();
    if (mi && p.cur().is_op("=") && p.peek().is(TokenKind::kBinary)) {
      throw SqlError{102, "Incorrect syntax near 'HASHED'.", 15};
    }
    PasswordClause pw = password_clause(p, false);
    if (mi && pw.must_change) throw SqlError{102, "Incorrect syntax near 'MUST_CHANGE'.", 15};
    while (p.accept_op(",")) {
      if (mi && (p.cur().is_keyword("CHECK_EXPIRATION") || p.cur().is_keyword("CHECK_POLICY") ||
                 p.cur().is_keyword("CREDENTIAL"))) {
        p.syntax_error();
      }
      if (p.accept_kw("SID")) {
        p.expect_op("=");
        s.sid = p.binary_literal();
      } else if (p.accept_kw("DEFAULT_DATABASE")) {
        p.expect_op("=");
        s.default_database = p.name();
      } else if (p.accept_kw("DEFAULT_LANGUAGE")) {
        p.expect_op("=");
        s.default_language = checked_language(p.name());
      } else if (p.accept_kw("CHECK_EXPIRATION")) {
        p.expect_op("=");
        check_expiration = p.on_off();
      } else if (p.accept_kw("CHECK_POLICY")) {
        p.expect_op("=");
        check_policy = p.on_off();
      } else if (p.accept_kw("CREDENTIAL")) {
        p.expect_op("=");
        s.credential = p.name();
      } else {
        p.syntax_error();
      }
    }
    p.expect_end();
    if (s.name.find('\\') != std::string::npos) {
      throw SqlError{15006, "'" + s.name + "' is not a valid name because it contains invalid characters."};
    }
    s.check_policy = check_policy.value_or(true);
    s.check_expiration = check_expiration.value_or(false);
    if (s.check_expiration && !s.check_policy) {
      throw SqlError{15122, "The CHECK_EXPIRATION option cannot be used when CHECK_POLICY is OFF."};
    }
    if (pw.must_change && !s.check_policy) {
      throw SqlError{15128, "The CHECK_POLICY and CHECK_EXPIRATION options cannot be turned OFF when MUST_CHANGE is ON."};
    }
    if (pw.must_change && !s.check_expiration) {
      throw SqlError{15099, "The MUST_CHANGE option cannot be used when CHECK_EXPIRATION is OFF."};
    }
    if (s.sid) {
      if (!(s.sid->size() == 16 || (mi && s.sid->size() == 32))) {
        throw SqlError{15419, "Supplied parameter sid should be binary(16)."};
      }
    }
    // A hash cannot be checked against the policy; SQL Server accepts it on CREATE (it does refuse
    // HASHED on ALTER while CHECK_POLICY is ON).
    if (pw.plain && s.check_policy) check_password_policy(*pw.plain);
    s.password = pw.plain;
    s.password_hash = pw.hash;
    s.must_change = pw.must_change;
  }
  create_login(p.db(), s);
}

void ddl_alter_login(DdlParser& p) {
  const std::string name = p.name();
  auto cannot_alter = [&] {
    return SqlError{15151, "Cannot alter the login '" + name + "', because it does not exist or you do not have permission."};
  };
  auto login = find_principal(p.db(), name);
  if (!login || login->type == "R") throw cannot_alter();
  auto me = caller(p.ctx(), p.db());
  // A login may change its own password; everything else needs ALTER ANY LOGIN.
  const bool self = me && me->id == login->id;
  sqlite3* db = p.db();
  const Value id = integer(login->id);
  const std::string now = now_text();
  if (p.accept_kw("ENABLE") || p.cur().is_keyword("DISABLE")) {
    const bool disable = p.accept_kw("DISABLE");
    p.expect_end();
    require_server_permission(p.ctx(), db, "ALLG");
    if (login->type == "G") throw cannot_alter();
    exec(db, "UPDATE t_principals SET is_disabled = ?1, modify_date = ?2 WHERE principal_id = ?3",
         {integer(disable ? 1 : 0), text(now), id});
    return;
  }
  if (p.accept_kw("ADD") || p.cur().is_keyword("DROP")) {
    p.accept_kw("DROP");
    p.expect_kw("CREDENTIAL");
    const std::string cred = p.name();
    p.expect_end();
    require_server_permission(p.ctx(), db, "ALLG");
    if (!scalar(db, "SELECT 1 FROM t_credentials WHERE name = ?1", {text(cred)})) {
      throw SqlError{15151, "Cannot find the credential '" + cred + "', because it does not exist or you do not have permission."};
    }
    return;  // EKM credential mappings are accepted but not modelled
  }
  p.expect_kw("WITH");
  std::optional<PasswordClause> pw;
  std::optional<std::string> default_db, default_lang, new_name;
  std::optional<bool> check_policy, check_expiration;
  std::optional<std::optional<std::string>> credential;  // set: Some(name) or Some(nullopt) = NO CREDENTIAL
  do {
    if (p.accept_kw("PASSWORD")) {
      pw = password_clause(p, true);
    } else if (p.accept_kw("DEFAULT_DATABASE")) {
      p.expect_op("=");
      default_db = p.name();
    } else if (p.accept_kw("DEFAULT_LANGUAGE")) {
      p.expect_op("=");
      default_lang = checked_language(p.name());
    } else if (p.accept_kw("NAME")) {
      p.expect_op("=");
      new_name = p.name();
    } else if (p.accept_kw("CHECK_POLICY")) {
      p.expect_op("=");
      check_policy = p.on_off();
    } else if (p.accept_kw("CHECK_EXPIRATION")) {
      p.expect_op("=");
      check_expiration = p.on_off();
    } else if (p.accept_kw("CREDENTIAL")) {
      p.expect_op("=");
      credential = std::optional<std::string>(p.name());
    } else if (p.accept_kw("NO")) {
      p.expect_kw("CREDENTIAL");
      credential = std::optional<std::string>();
    } else {
      p.syntax_error();
    }
  } while (p.accept_op(","));
  p.expect_end();
  const bool only_own_password = self && pw && pw->old_password && !default_db && !default_lang && !new_name &&
                                 !check_policy && !check_expiration && !credential;
  if (!only_own_password) require_server_permission(p.ctx(), db, "ALLG");
  const bool sql = login->type == "S";
  if (!sql && (pw || check_policy || check_expiration)) {
    const char* param = pw ? "PASSWORD" : check_policy ? "CHECK_POLICY" : "CHECK_EXPIRATION";
    throw SqlError{15080, std::string("Cannot use parameter ") + param + " for a Windows login."};
  }
  auto row = query(db, "SELECT is_policy_checked, is_expiration_checked, password_hash FROM t_principals WHERE principal_id = ?1", {id});
  bool policy = sql && as_int(row[0][0]).value_or(0) != 0;
  bool expiration = sql && as_int(row[0][1]).value_or(0) != 0;
  if (check_policy) {
    if (*check_policy && !policy && !check_expiration) expiration = true;  // turning policy ON also turns expiration ON
    if (!*check_policy) expiration = false;                               // and OFF turns it OFF
    policy = *check_policy;
  }
  if (check_expiration) expiration = *check_expiration;
  if (sql && expiration && !policy) {
    throw SqlError{15122, "The CHECK_EXPIRATION option cannot be used when CHECK_POLICY is OFF."};
  }
  if (pw) {
    if (pw->hash && policy) {
      // The policy cannot be checked on a hash (ALTER LOGIN doc: "When CHECK_POLICY is set to ON, the
      // HASHED argument can't be used."); SQL Server reports a failed password validation.
      throw SqlError{15118,
                     "Password validation failed. The password does not meet the operating system policy "
                     "requirements because it is not complex enough."};
    }
    if (pw->must_change && !expiration) {
      throw SqlError{15099, "The MUST_CHANGE option cannot be used when CHECK_EXPIRATION is OFF."};
    }
    if (pw->old_password) {
      const auto* current = std::get_if<Blob>(&row[0][2]);
      if (!current || !verify_sql_password(current->bytes, *pw->old_password)) {
        throw SqlError{15151, "Cannot alter the login '" + name + "', because it does not exist or you do not have permission."};
      }
    }
    if (pw->plain && policy) check_password_policy(*pw->plain);
    const std::string hash = pw->hash ? *pw->hash : sql_password_hash(*pw->plain);
    exec(db, "UPDATE t_principals SET password_hash = ?1, password_set_date = ?2, is_must_change = ?3 WHERE principal_id = ?4",
         {blob(hash), text(now), integer(pw->must_change ? 1 : 0), id});
  }
  if (sql) {
    exec(db, "UPDATE t_principals SET is_policy_checked = ?1, is_expiration_checked = ?2 WHERE principal_id = ?3",
         {integer(policy), integer(expiration), id});
  }
  if (default_db) exec(db, "UPDATE t_principals SET default_database_name = ?1 WHERE principal_id = ?2", {text(*default_db), id});
  if (default_lang) exec(db, "UPDATE t_principals SET default_language_name = ?1 WHERE principal_id = ?2", {text(*default_lang), id});
  if (credential) {
    Value cid = Null{};
    if (*credential) {
      auto c = scalar(db, "SELECT credential_id FROM t_credentials WHERE name = ?1", {text(**credential)});
      if (!c) {
        throw SqlError{15151, "Cannot find the credential '" + **credential +
                                  "', because it does not exist or you do not have permission."};
      }
      cid = *c;
    }
    exec(db, "UPDATE t_principals SET credential_id = ?1 WHERE principal_id = ?2", {cid, id});
  }
  if (new_name && *new_name != login->name) {
    auto other = find_principal(db, *new_name);
    if (other && other->id != login->id) throw SqlError{15025, "The server principal '" + *new_name + "' already exists."};
    exec(db, "UPDATE t_principals SET name = ?1 WHERE principal_id = ?2", {text(*new_name), id});
  }
  exec(db, "UPDATE t_principals SET modify_date = ?1 WHERE principal_id = ?2", {text(now), id});
}

void ddl_drop_login(DdlParser& p) {
  const std::string name = p.name();
  p.expect_end();
  require_server_permission(p.ctx(), p.db(), "ALLG");
  sqlite3* db = p.db();
  auto login = find_principal(db, name);
  if (!login || login->type == "R" || login->id == 1) {
    throw SqlError{15151, "Cannot drop the login '" + name + "', because it does not exist or you do not have permission."};
  }
  if (iequals(p.ctx().login_name, login->name)) {
    throw SqlError{15434, "Could not drop login '" + name + "' as the user is currently logged in."};
  }
  const Value id = integer(login->id);
  const Value sid = blob(login->sid);
  const int64_t jobs = as_int(*scalar(db, "SELECT count(*) FROM msdb_sysjobs WHERE owner_sid = ?1", {sid})).value_or(0);
  if (jobs > 0) {
    throw SqlError{15170, "This login is the owner of " + std::to_string(jobs) +
                              " job(s). You must delete or reassign these jobs before the login can be dropped."};
  }
  if (scalar(db, "SELECT 1 FROM t_databases WHERE owner_sid = ?1", {sid})) {
    throw SqlError{15174, "Login '" + name + "' owns one or more database(s). Change the owner of the database(s) before dropping the login."};
  }
  if (scalar(db, "SELECT 1 FROM t_principals WHERE owning_principal_id = ?1", {id})) {
    throw SqlError{15141, "The server principal owns one or more server role(s) and cannot be dropped."};
  }
  if (scalar(db, "SELECT 1 FROM t_server_permissions WHERE grantor_principal_id = ?1 AND grantee_principal_id <> ?1", {id})) {
    throw SqlError{15173, "Server principal '" + name + "' has granted one or more permission(s). Revoke the permission(s) before dropping the server principal."};
  }
  exec(db, "DELETE FROM t_server_permissions WHERE grantee_principal_id = ?1 OR (\"class\" = 101 AND major_id = ?1)", {id});
  exec(db, "DELETE FROM t_role_members WHERE member_principal_id = ?1", {id});
  exec(db, "DELETE FROM t_linked_logins WHERE local_principal_id = ?1", {id});
  exec(db, "DELETE FROM t_principals WHERE principal_id = ?1", {id});
}

}  // namespace emu::st
