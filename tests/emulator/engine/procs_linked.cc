// procs_linked.cc — sp_addlinkedserver, sp_addlinkedsrvlogin, sp_droplinkedsrvlogin,
// sp_serveroption, sp_dropserver
// (https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-addlinkedserver-transact-sql
// and its neighbours). None of them runs inside a user transaction except sp_serveroption (15002).
#include "engine/ddl_internal.h"
#include "engine/lexer.h"
#include "engine/procs_internal.h"

namespace emu::st {

namespace {

int64_t existing_server(ProcCall& c, const std::string& name) {
  auto id = find_server_id(c.db(), name);
  if (!id) throw SqlError{15015, "The server '" + name + "' does not exist. Use sp_helpserver to show available servers."};
  return *id;
}

// @locallogin → local_principal_id (NULL = 0, every login).
int64_t local_login_id(ProcCall& c) {
  auto login = c.str("@locallogin");
  if (!login) return 0;
  auto p = find_principal(c.db(), *login);
  if (!p || p->type == "R") throw SqlError{15007, "'" + *login + "' is not a valid login or you do not have permission."};
  return p->id;
}

void sp_addlinkedserver(ProcCall& c) {
  refuse_in_transaction(c);
  require_server_permission(c.ctx(), c.db(), "ALLS");
  LinkedServerSpec s;
  s.name = *c.str("@server");
  check_identifier_length(s.name);
  const auto product = c.raw_str("@srvproduct");
  s.product = product.value_or("");
  const auto provider = c.str("@provider");
  s.data_source = c.raw_str("@datasrc");
  s.location = c.raw_str("@location");
  s.provider_string = c.raw_str("@provstr");
  s.catalog = c.raw_str("@catalog");
  if (find_server_id(c.db(), s.name)) throw SqlError{15028, "The server '" + s.name + "' already exists."};
  if (iequals(s.product, "SQL Server")) {
    // A linked SQL Server is named after its network name; no provider or properties.
    if (provider || s.data_source || s.location || s.provider_string || s.catalog) {
      throw SqlError{15428, "You cannot specify a provider or any properties for product '" + s.product + "'."};
    }
    s.product = "SQL Server";
  } else if (!provider) {
    throw SqlError{15427, "You must specify a provider name for unknown product '" + product.value_or("(null)") + "'."};
  }
  s.provider = provider.value_or("SQLNCLI");
  create_linked_server(c.db(), s, true);
}

void sp_addlinkedsrvlogin(ProcCall& c) {
  refuse_in_transaction(c);
  require_server_permission(c.ctx(), c.db(), "ALLG");
  const int64_t server = existing_server(c, *c.str("@rmtsrvname"));
  const auto useself = c.str("@useself");
  bool self = false;
  if (!useself || iequals(*useself, "FALSE")) self = false;
  else if (iequals(*useself, "TRUE")) self = true;
  else throw SqlError{15600, "An invalid parameter or option was specified for procedure 'sp_addlinkedsrvlogin'.", 15};
  const int64_t local = local_login_id(c);
  auto password = c.raw_str("@rmtpassword");
  if (password && utf16_length(*password) > 128) {
    throw SqlError{15156, "The password that you specified is too long. The password should have no more than 128 characters."};
  }
  set_linked_login(c.db(), server, local, self, c.str("@rmtuser"), password);
}

void sp_droplinkedsrvlogin(ProcCall& c) {
  refuse_in_transaction(c);
  require_server_permission(c.ctx(), c.db(), "ALLG");
  const int64_t server = existing_server(c, *c.str("@rmtsrvname"));
  const int64_t local = local_login_id(c);
  exec(c.db(), "DELETE FROM t_linked_logins WHERE server_id = ?1 AND local_principal_id = ?2",
       {integer(server), integer(local)});
}

void sp_serveroption(ProcCall& c) {
  require_server_permission(c.ctx(), c.db(), "ALLS");
  const int64_t server = existing_server(c, *c.str("@server"));
  const std::string option = c.str("@optname").value_or("");
  try {
    set_server_option(c.db(), server, option, c.str("@optvalue"));
  } catch (const SqlError& e) {
    if (e.number == 15206) throw;
    throw SqlError{15600, "An invalid parameter or option was specified for procedure 'sp_serveroption'.", 15};
  }
}

void sp_dropserver(ProcCall& c) {
  refuse_in_transaction(c);
  require_server_permission(c.ctx(), c.db(), "ALLS");
  const std::string name = *c.str("@server");
  const int64_t server = existing_server(c, name);
  const auto droplogins = c.str("@droplogins");
  if (droplogins && !iequals(*droplogins, "droplogins")) {
    throw SqlError{15600, "An invalid parameter or option was specified for procedure 'sp_dropserver'.", 15};
  }
  const bool has_logins = scalar(c.db(), "SELECT 1 FROM t_linked_logins WHERE server_id = ?1", {integer(server)}).has_value();
  if (has_logins && !droplogins) {
    throw SqlError{15190, "There are still remote logins or linked logins for the server '" + name + "'."};
  }
  exec(c.db(), "DELETE FROM t_linked_logins WHERE server_id = ?1", {integer(server)});
  exec(c.db(), "DELETE FROM t_servers WHERE server_id = ?1", {integer(server)});
}

// setupadmin (or sysadmin) membership, as sp_addserver and sp_setnetname require (15247 otherwise).
void require_setupadmin(ProcCall& c) {
  auto me = caller(c.ctx(), c.db());
  if (c.ctx().login_name.empty() || caller_is_sysadmin(c) || (me && is_role_member(c.db(), 6, me->id))) return;
  throw SqlError{15247, "User does not have permission to perform this action."};
}

// sp_addserver without @local defines an old-style remote server (sys.servers.is_linked = 0, for
// remote procedure calls only); with 'LOCAL' it renames the local server, which this instance
// already has (one local server per instance).
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-addserver-transact-sql
void sp_addserver(ProcCall& c) {
  refuse_in_transaction(c);
  require_setupadmin(c);
  const std::string name = *c.str("@server");
  const auto local = c.str("@local");
  const auto duplicate_ok = c.str("@duplicate_ok");
  if (local && !iequals(*local, "LOCAL")) {
    throw SqlError{15600, "An invalid parameter or option was specified for procedure 'sp_addserver'.", 15};
  }
  if (duplicate_ok && !iequals(*duplicate_ok, "duplicate_OK")) {
    throw SqlError{15600, "An invalid parameter or option was specified for procedure 'sp_addserver'.", 15};
  }
  if (find_server_id(c.db(), name)) {
    if (duplicate_ok) return;
    throw SqlError{15028, "The server '" + name + "' already exists."};
  }
  if (local) throw SqlError{15090, "There is already a local server."};
  create_remote_server(c.db(), name);
}

// sp_setnetname: the network name (sys.servers.data_source) of an existing remote or linked server.
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-setnetname-transact-sql
void sp_setnetname(ProcCall& c) {
  require_setupadmin(c);
  const int64_t server = existing_server(c, *c.str("@server"));
  exec(c.db(), "UPDATE t_servers SET data_source = ?1, modify_date = ?2 WHERE server_id = ?3",
       {text(*c.str("@netname")), text(now_text()), integer(server)});
}

}  // namespace

void add_linked_server_procs(std::vector<ProcDef>* out) {
  out->push_back({"sp_addserver", "master",
                  {p_str("@server", 128, true), p_str("@local", 10), p_str("@duplicate_ok", 13)}, sp_addserver});
  out->push_back({"sp_setnetname", "master", {p_str("@server", 128, true), p_str("@netname", 128, true)}, sp_setnetname});
  out->push_back({"sp_addlinkedserver", "master",
                  {p_str("@server", 128, true), p_str("@srvproduct", 128), p_str("@provider", 128),
                   p_str("@datasrc", 4000), p_str("@location", 4000), p_str("@provstr", 4000), p_str("@catalog", 128),
                   p_int("@linkedstyle", 1)},
                  sp_addlinkedserver});
  out->push_back({"sp_addlinkedsrvlogin", "master",
                  {p_str("@rmtsrvname", 128, true), p_str("@useself", 8, false, Value{std::string("TRUE")}),
                   p_str("@locallogin", 128), p_str("@rmtuser", 128), p_str("@rmtpassword", 128)},
                  sp_addlinkedsrvlogin});
  out->push_back({"sp_droplinkedsrvlogin", "master", {p_str("@rmtsrvname", 128, true), p_str("@locallogin", 128, true)},
                  sp_droplinkedsrvlogin});
  out->push_back({"sp_serveroption", "master",
                  {p_str("@server", 128, true), p_str("@optname", 35, true), p_str("@optvalue", 128, true)},
                  sp_serveroption});
  out->push_back({"sp_dropserver", "master", {p_str("@server", 128, true), p_str("@droplogins", 10)}, sp_dropserver});
}

}  // namespace emu::st
