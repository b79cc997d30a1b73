// ddl_role.cc — CREATE / ALTER / DROP SERVER ROLE
// (https://learn.microsoft.com/sql/t-sql/statements/create-server-role-transact-sql,
// alter-server-role-transact-sql, drop-server-role-transact-sql).
#include "engine/ddl_internal.h"

namespace emu::st {

namespace {

SqlError cannot(const char* verb, const std::string& name) {
  return SqlError{15151, std::string("Cannot ") + verb + " the server role '" + name +
                             "', because it does not exist or you do not have permission."};
}

}  // namespace

void ddl_create_server_role(DdlParser& p) {
  const std::string name = p.name();
  std::optional<std::string> owner;
  if (p.accept_kw("AUTHORIZATION")) owner = p.name();
  p.expect_end();
  require_server_permission(p.ctx(), p.db(), "CRSR");
  int64_t owner_id = 1;
  if (owner) {
    auto o = find_principal(p.db(), *owner);
    if (!o || (o->is_fixed_role) || o->id == 2) throw SqlError{15007, "'" + *owner + "' is not a valid login or you do not have permission."};
    owner_id = o->id;
  } else if (auto me = caller(p.ctx(), p.db())) {
    owner_id = me->id;  // the creator owns the role
  }
  create_server_role(p.db(), name, owner_id);
}

void ddl_alter_server_role(DdlParser& p) {
  const std::string name = p.name();
  sqlite3* db = p.db();
  auto role = find_principal(db, name);
  const bool add = p.accept_kw("ADD");
  const bool drop = !add && p.accept_kw("DROP");
  std::string member;
  std::optional<std::string> new_name;
  if (add || drop) {
    p.expect_kw("MEMBER");
    member = p.name();
  } else {
    p.expect_kw("WITH");
    p.expect_kw("NAME");
    p.expect_op("=");
    new_name = p.name();
  }
  p.expect_end();
  if (!role || role->type != "R") throw cannot("alter", name);
  // Fixed roles: only their members may change membership (or sysadmin); user-defined roles need
  // ALTER ANY SERVER ROLE or ownership.
  auto me = caller(p.ctx(), db);
  if (!p.ctx().login_name.empty() && !is_sysadmin(db, me)) {
    bool allowed = false;
    if (role->is_fixed_role) {
      allowed = me && is_role_member(db, role->id, me->id);
    } else {
      allowed = has_server_permission(p.ctx(), db, "ALSR") ||
                (me && scalar(db, "SELECT 1 FROM t_principals WHERE principal_id = ?1 AND owning_principal_id = ?2",
                              {integer(role->id), integer(me->id)}));
    }
    if (!allowed) throw cannot("alter", name);
  }
  if (new_name) {
    if (role->is_fixed_role || role->id == 2) throw cannot("alter", name);
    check_identifier_length(*new_name);
    auto other = find_principal(db, *new_name);
    if (other && other->id != role->id) throw SqlError{15025, "The server principal '" + *new_name + "' already exists."};
    exec(db, "UPDATE t_principals SET name = ?1, modify_date = ?2 WHERE principal_id = ?3",
         {text(*new_name), text(now_text()), integer(role->id)});
    return;
  }
  if (role->id == 2) throw SqlError{15081, "Membership of the public role cannot be changed."};
  auto m = find_principal(db, member);
  const char* verb = add ? "add" : "drop";
  if (!m || m->is_fixed_role || m->id == 2 || (m->type == "R" && m->id <= 10)) {
    throw SqlError{15151, std::string("Cannot ") + verb + " the principal '" + member +
                              "', because it does not exist or you do not have permission."};
  }
  if (m->id == role->id) throw SqlError{15413, "Cannot make a role a member of itself."};
  if (add) {
    // A role may not (transitively) contain itself.
    if (m->type == "R" &&
        scalar(db,
               "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT member_principal_id FROM t_role_members "
               "JOIN sub ON role_principal_id = sub.id) SELECT 1 FROM sub WHERE id = ?2",
               {integer(m->id), integer(role->id)})) {
      throw SqlError{15413, "Cannot make a role a member of itself."};
    }
    add_role_member(db, role->id, m->id);
  } else {
    exec(db, "DELETE FROM t_role_members WHERE role_principal_id = ?1 AND member_principal_id = ?2",
         {integer(role->id), integer(m->id)});
  }
}

void ddl_drop_server_role(DdlParser& p) {
  const std::string name = p.name();
  p.expect_end();
  sqlite3* db = p.db();
  auto role = find_principal(db, name);
  if (!role || role->type != "R" || role->is_fixed_role || role->id == 2) throw cannot("drop", name);
  auto me = caller(p.ctx(), db);
  if (!p.ctx().login_name.empty() && !has_server_permission(p.ctx(), db, "ALSR") &&
      !(me && scalar(db, "SELECT 1 FROM t_principals WHERE principal_id = ?1 AND owning_principal_id = ?2",
                     {integer(role->id), integer(me->id)}))) {
    throw cannot("drop", name);
  }
  const Value id = integer(role->id);
  if (scalar(db, "SELECT 1 FROM t_role_members WHERE role_principal_id = ?1", {id})) {
    throw SqlError{15144, "The role has members. It must be empty before it can be dropped."};
  }
  if (scalar(db, "SELECT 1 FROM t_principals WHERE owning_principal_id = ?1", {id})) {
    throw SqlError{15141, "The server principal owns one or more server role(s) and cannot be dropped."};
  }
  exec(db, "DELETE FROM t_server_permissions WHERE grantee_principal_id = ?1 OR (\"class\" = 101 AND major_id = ?1)", {id});
  exec(db, "DELETE FROM t_role_members WHERE member_principal_id = ?1", {id});
  exec(db, "DELETE FROM t_principals WHERE principal_id = ?1", {id});
}

}  // namespace emu::st
