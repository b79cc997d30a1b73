// procs_agent_proxy.cc — msdb's SQL Server Agent proxies: sp_add_proxy, sp_update_proxy,
// sp_delete_proxy, and who may use them: sp_grant_proxy_to_subsystem /
// sp_revoke_proxy_from_subsystem (msdb.dbo.sysproxysubsystem) and sp_grant_login_to_proxy /
// sp_revoke_login_from_proxy (msdb.dbo.sysproxylogin: flags 0 login, 1 fixed server role).
// All sysadmin only; a managed instance has no proxies (41914). Pages followed:
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-add-proxy-transact-sql
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-grant-proxy-to-subsystem-transact-sql
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-grant-login-to-proxy-transact-sql
// https://learn.microsoft.com/sql/relational-databases/system-tables/dbo-sysproxylogin-transact-sql
// Internal to the state layer. Thread-safety: caller holds the instance lock.
#include "engine/agent_model.h"
#include "engine/ddl_internal.h"
#include "engine/procs_internal.h"
#include "engine/state_util.h"

namespace emu::st {

namespace {

// A second grant of the same pair: the msdb table's unique index refuses the row (error 2601).
SqlError duplicate_row(const std::string& table, const std::string& key) {
  return SqlError{2601, "Cannot insert duplicate key row in object 'dbo." + table +
                            "' with unique index 'clust'. The duplicate key value is (" + key + ").", 14};
}

void proxy_preamble(ProcCall& c) {
  if (c.managed_instance()) raise_mi_unsupported("proxies", 16);
  require_sysadmin(c);
}

// @proxy_id / @proxy_name → proxy_id (exactly one: 14280; must exist: 14262).
int64_t resolve_proxy(ProcCall& c) {
  auto id = c.num("@proxy_id");
  auto name = c.str("@proxy_name");
  if (id.has_value() == name.has_value()) throw SqlError{14280, "Supply either @proxy_id or @proxy_name."};
  if (name) {
    auto p = find_proxy(c.db(), *name);
    if (!p) raise_does_not_exist("@proxy_name", *name);
    return *p;
  }
  if (!scalar(c.db(), "SELECT 1 FROM msdb_sysproxies WHERE proxy_id = ?1", {integer(*id)})) {
    raise_does_not_exist("@proxy_id", std::to_string(*id));
  }
  return *id;
}

int64_t credential_for(ProcCall& c, bool required) {
  auto name = c.str("@credential_name");
  auto id = c.num("@credential_id");
  if (!name && !id) {
    if (required) throw SqlError{14280, "Supply either @credential_id or @credential_name."};
    return -1;
  }
  std::optional<Value> v = name ? scalar(c.db(), "SELECT credential_id FROM t_credentials WHERE name = ?1", {text(*name)})
                                : scalar(c.db(), "SELECT credential_id FROM t_credentials WHERE credential_id = ?1",
                                         {integer(*id)});
  if (!v) raise_does_not_exist(name ? "@credential_name" : "@credential_id", name ? *name : std::to_string(*id));
  return *as_int(*v);
}

void sp_add_proxy(ProcCall& c) {
  proxy_preamble(c);
  const std::string name = *c.str("@proxy_name");
  check_identifier_length(name);
  if (find_proxy(c.db(), name)) throw SqlError{14261, "The specified @proxy_name ('" + name + "') already exists."};
  const int64_t enabled = c.num_or("@enabled", 1);
  if (enabled != 0 && enabled != 1) raise_invalid_values("@enabled", "0, 1");
  const int64_t cred = credential_for(c, true);
  const int64_t id = insert_proxy(c.db(), name, cred, enabled, c.raw_str("@description"), caller_sid(c));
  c.set_output("@proxy_id", Value{id});
}

void sp_update_proxy(ProcCall& c) {
  proxy_preamble(c);
  const int64_t id = resolve_proxy(c);
  if (auto n = c.str("@new_name"); n && !n->empty()) {
    check_identifier_length(*n);
    if (auto other = find_proxy(c.db(), *n); other && *other != id) {
      throw SqlError{14261, "The specified @new_name ('" + *n + "') already exists."};
    }
    exec(c.db(), "UPDATE msdb_sysproxies SET name = ?1 WHERE proxy_id = ?2", {text(*n), integer(id)});
  }
  if (auto e = c.num("@enabled")) {
    if (*e != 0 && *e != 1) raise_invalid_values("@enabled", "0, 1");
    exec(c.db(), "UPDATE msdb_sysproxies SET enabled = ?1 WHERE proxy_id = ?2", {integer(*e), integer(id)});
  }
  if (auto d = c.raw_str("@description")) {
    exec(c.db(), "UPDATE msdb_sysproxies SET description = ?1 WHERE proxy_id = ?2",
         {d->empty() ? Value{Null{}} : text(*d), integer(id)});
  }
  if (int64_t cred = credential_for(c, false); cred >= 0) {
    exec(c.db(), "UPDATE msdb_sysproxies SET credential_id = ?1, credential_date_created = ?2 WHERE proxy_id = ?3",
         {integer(cred), text(now_text()), integer(id)});
  }
}

void sp_delete_proxy(ProcCall& c) {
  proxy_preamble(c);
  const int64_t id = resolve_proxy(c);
  for (const char* t : {"msdb_sysproxysubsystem", "msdb_sysproxylogin", "msdb_sysproxies"}) {
    exec(c.db(), std::string("DELETE FROM ") + t + " WHERE proxy_id = ?1", {integer(id)});
  }
}

// @subsystem_id / @subsystem_name → subsystem_id of an installed subsystem (not TSQL, which
// needs no proxy).
int64_t resolve_subsystem(ProcCall& c) {
  auto id = c.num("@subsystem_id");
  auto name = c.str("@subsystem_name");
  if (id.has_value() == name.has_value()) throw SqlError{14280, "Supply either @subsystem_id or @subsystem_name."};
  std::optional<Value> v =
      name ? scalar(c.db(), "SELECT subsystem_id FROM msdb_syssubsystems WHERE subsystem = ?1", {text(*name)})
           : scalar(c.db(), "SELECT subsystem_id FROM msdb_syssubsystems WHERE subsystem_id = ?1", {integer(*id)});
  if (!v) raise_invalid_returned_by(name ? "@subsystem_name" : "@subsystem_id", "sp_enum_sqlagent_subsystems");
  return *as_int(*v);
}

void sp_grant_proxy_to_subsystem(ProcCall& c) {
  proxy_preamble(c);
  const int64_t proxy = resolve_proxy(c);
  const int64_t sub = resolve_subsystem(c);
  if (scalar(c.db(), "SELECT 1 FROM msdb_sysproxysubsystem WHERE proxy_id = ?1 AND subsystem_id = ?2",
             {integer(proxy), integer(sub)})) {
    throw duplicate_row("sysproxysubsystem", std::to_string(sub) + ", " + std::to_string(proxy));
  }
  exec(c.db(), "INSERT INTO msdb_sysproxysubsystem (subsystem_id, proxy_id) VALUES (?1, ?2)",
       {integer(sub), integer(proxy)});
}

void sp_revoke_proxy_from_subsystem(ProcCall& c) {
  proxy_preamble(c);
  const int64_t proxy = resolve_proxy(c);
  const int64_t sub = resolve_subsystem(c);
  exec(c.db(), "DELETE FROM msdb_sysproxysubsystem WHERE proxy_id = ?1 AND subsystem_id = ?2",
       {integer(proxy), integer(sub)});
}

// The principal of sp_grant_login_to_proxy / sp_revoke_login_from_proxy: a login (flags 0) or a
// fixed server role (flags 1). msdb database roles (flags 2) are not modelled: refused.
std::pair<std::string, int64_t> proxy_principal(ProcCall& c, const char* login_param) {
  auto login = c.str(login_param);
  auto role = c.str("@fixed_server_role");
  if (c.str("@msdb_role")) {
    throw SqlError{15600, "An invalid parameter or option was specified for procedure '" + c.proc_name() + "'.", 15};
  }
  if (login.has_value() == role.has_value()) {  // exactly one principal
    throw SqlError{15600, "An invalid parameter or option was specified for procedure '" + c.proc_name() + "'.", 15};
  }
  auto p = find_principal(c.db(), login ? *login : *role);
  if (!p || (role && (p->type != "R" || !p->is_fixed_role)) || (login && p->type == "R")) {
    raise_does_not_exist(login ? login_param : "@fixed_server_role", login ? *login : *role);
  }
  return {p->sid, role ? 1 : 0};
}

void sp_grant_login_to_proxy(ProcCall& c) {
  proxy_preamble(c);
  const auto [sid, flags] = proxy_principal(c, "@login_name");
  const int64_t proxy = resolve_proxy(c);
  if (scalar(c.db(), "SELECT 1 FROM msdb_sysproxylogin WHERE proxy_id = ?1 AND sid = ?2", {integer(proxy), blob(sid)})) {
    throw duplicate_row("sysproxylogin", std::to_string(proxy));
  }
  exec(c.db(), "INSERT INTO msdb_sysproxylogin (proxy_id, sid, flags) VALUES (?1, ?2, ?3)",
       {integer(proxy), blob(sid), integer(flags)});
}

void sp_revoke_login_from_proxy(ProcCall& c) {
  proxy_preamble(c);
  auto name = c.str("@name");
  auto p = name ? find_principal(c.db(), *name) : std::nullopt;
  if (!p) raise_does_not_exist("@name", name.value_or(""));
  const int64_t proxy = resolve_proxy(c);
  exec(c.db(), "DELETE FROM msdb_sysproxylogin WHERE proxy_id = ?1 AND sid = ?2", {integer(proxy), blob(p->sid)});
}

std::vector<ParamDef> proxy_ident() { return {p_int("@proxy_id"), p_str("@proxy_name", 128)}; }

}  // namespace

void add_agent_proxy_procs(std::vector<ProcDef>* out) {
  out->push_back({"sp_add_proxy", "msdb",
                  {p_str("@proxy_name", 128, true), p_int("@enabled", 1), p_str("@description", 512),
                   p_str("@credential_name", 128), p_int("@credential_id"), p_out_int("@proxy_id")},
                  sp_add_proxy});
  std::vector<ParamDef> update = proxy_ident();
  for (auto p : {p_str("@credential_name", 128), p_int("@credential_id"), p_str("@new_name", 128), p_int("@enabled"),
                 p_str("@description", 512)}) {
    update.push_back(p);
  }
  out->push_back({"sp_update_proxy", "msdb", update, sp_update_proxy});
  out->push_back({"sp_delete_proxy", "msdb", proxy_ident(), sp_delete_proxy});
  std::vector<ParamDef> sub = proxy_ident();
  sub.push_back(p_int("@subsystem_id"));
  sub.push_back(p_str("@subsystem_name", 128));
  out->push_back({"sp_grant_proxy_to_subsystem", "msdb", sub, sp_grant_proxy_to_subsystem});
  out->push_back({"sp_revoke_proxy_from_subsystem", "msdb", sub, sp_revoke_proxy_from_subsystem});
  std::vector<ParamDef> grant = {p_str("@login_name", 256), p_str("@fixed_server_role", 256), p_str("@msdb_role", 256)};
  for (auto p : proxy_ident()) grant.push_back(p);
  out->push_back({"sp_grant_login_to_proxy", "msdb", grant, sp_grant_login_to_proxy});
  std::vector<ParamDef> revoke = {p_str("@name", 256, true)};
  for (auto p : proxy_ident()) revoke.push_back(p);
  out->push_back({"sp_revoke_login_from_proxy", "msdb", revoke, sp_revoke_login_from_proxy});
}

}  // namespace emu::st
