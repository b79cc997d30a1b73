// procs_deprecated.cc — the deprecated security procedures that still ship and that old scripts
// (sp_help_revlogin's output, hand-written runbooks) call: sp_addsrvrolemember,
// sp_dropsrvrolemember, sp_defaultdb, sp_defaultlanguage, sp_droplogin. Each does what its page
// says through the statement that replaces it (ALTER SERVER ROLE / ALTER LOGIN / DROP LOGIN), so
// permissions and errors are those of that statement; none runs inside a user transaction (15002).
//  https://learn.microsoft.com/en-us/sql/relational-databases/system-stored-procedures/sp-addsrvrolemember-transact-sql
//  https://learn.microsoft.com/en-us/sql/relational-databases/system-stored-procedures/sp-dropsrvrolemember-transact-sql
//  https://learn.microsoft.com/en-us/sql/relational-databases/system-stored-procedures/sp-defaultdb-transact-sql
//  https://learn.microsoft.com/en-us/sql/relational-databases/system-stored-procedures/sp-defaultlanguage-transact-sql
//  https://learn.microsoft.com/en-us/sql/relational-databases/system-stored-procedures/sp-droplogin-transact-sql
// Best effort: the procedures' own argument checks (e.g. 15412 for a role that is not fixed) are
// not modelled; ALTER SERVER ROLE's errors are reported instead.
#include "engine/ddl_internal.h"
#include "engine/lexer.h"
#include "engine/procs_internal.h"
#include "engine/state.h"

namespace emu::st {

namespace {

std::string bracketed(const std::string& name) {
  std::string out = "[";
  for (char ch : name) {
    out.push_back(ch);
    if (ch == ']') out.push_back(']');
  }
  return out + "]";
}

// Runs the replacing statement; its error becomes the procedure's.
void run_replacement(ProcCall& c, const std::string& sql) {
  std::vector<Token> tokens;
  LexError lerr;
  if (!tokenize(sql, &tokens, &lerr)) throw SqlError{lerr.number, lerr.message};
  ExecContext& ctx = c.ctx();
  const size_t before = ctx.messages.size();
  size_t pos = 0;
  const bool ok = ctx.state->execute_ddl(ctx, tokens, &pos);
  if (ok) return;
  Message last{50000, 1, 16, "emulator: " + c.proc_name() + " failed", 1, {}};
  if (ctx.messages.size() > before) {
    last = ctx.messages.back();
    ctx.messages.pop_back();
  }
  throw SqlError{last.number, last.text, last.severity, last.state};
}

void sp_addsrvrolemember(ProcCall& c) {
  refuse_in_transaction(c);
  run_replacement(c, "ALTER SERVER ROLE " + bracketed(*c.str("@rolename")) + " ADD MEMBER " + bracketed(*c.str("@loginame")));
}

void sp_dropsrvrolemember(ProcCall& c) {
  refuse_in_transaction(c);
  run_replacement(c, "ALTER SERVER ROLE " + bracketed(*c.str("@rolename")) + " DROP MEMBER " + bracketed(*c.str("@loginame")));
}

void sp_defaultdb(ProcCall& c) {
  refuse_in_transaction(c);
  run_replacement(c, "ALTER LOGIN " + bracketed(*c.str("@loginame")) + " WITH DEFAULT_DATABASE = " + bracketed(*c.str("@defdb")));
}

void sp_defaultlanguage(ProcCall& c) {
  refuse_in_transaction(c);
  const auto lang = c.str("@language");
  run_replacement(c, "ALTER LOGIN " + bracketed(*c.str("@loginame")) + " WITH DEFAULT_LANGUAGE = " +
                         bracketed(lang.value_or("us_english")));
}

void sp_droplogin(ProcCall& c) {
  refuse_in_transaction(c);
  run_replacement(c, "DROP LOGIN " + bracketed(*c.str("@loginame")));
}

}  // namespace

void add_deprecated_security_procs(std::vector<ProcDef>* out) {
  out->push_back({"sp_addsrvrolemember", "master", {p_str("@loginame", 128, true), p_str("@rolename", 128, true)},
                  sp_addsrvrolemember});
  out->push_back({"sp_dropsrvrolemember", "master", {p_str("@loginame", 128, true), p_str("@rolename", 128, true)},
                  sp_dropsrvrolemember});
  out->push_back({"sp_defaultdb", "master", {p_str("@loginame", 128, true), p_str("@defdb", 128, true)}, sp_defaultdb});
  out->push_back({"sp_defaultlanguage", "master", {p_str("@loginame", 128, true), p_str("@language", 128)},
                  sp_defaultlanguage});
  out->push_back({"sp_droplogin", "master", {p_str("@loginame", 128, true)}, sp_droplogin});
}

}  // namespace emu::st
