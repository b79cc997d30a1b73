// ddl_grant.cc — GRANT / DENY / REVOKE at server scope: the server (class 100), logins and server
// roles (class 101), endpoints (class 105), availability groups (class 108):
// https://learn.microsoft.com/sql/t-sql/statements/grant-server-permissions-transact-sql and its
// DENY / REVOKE pages.
#include "engine/ddl_internal.h"

namespace emu::st {

namespace {

// An availability group as a securable (class 108): sys.server_permissions.major_id holds the
// replica_metadata_id of the group's local replica ("ID for the local metadata object for
// availability replicas", sys.availability_replicas). A replica without one gets one here.
// https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-availability-replicas-transact-sql
std::optional<int64_t> availability_group_securable(ExecContext& ctx, sqlite3* db, const std::string& name) {
  auto rows = query(db,
                    "SELECT r.rowid, r.replica_metadata_id FROM ha_availability_replicas r JOIN ha_availability_groups g "
                    "ON g.group_id = r.group_id WHERE g.name = ?1 ORDER BY (r.replica_server_name = ?2) DESC, r.rowid "
                    "LIMIT 1",
                    {text(name), text(ctx.config->server_name)});
  if (rows.empty()) return std::nullopt;
  if (auto id = as_int(rows[0][1])) return id;
  auto next = scalar(db, "SELECT coalesce(max(replica_metadata_id), 65535) + 1 FROM ha_availability_replicas");
  const int64_t id = as_int(*next).value_or(65536);
  exec(db, "UPDATE ha_availability_replicas SET replica_metadata_id = ?1 WHERE rowid = ?2", {integer(id), rows[0][0]});
  return id;
}

struct Permission {
  std::string name;  // upper-case words joined by one space
  size_t token = 0;  // position of its first word (for syntax errors)
};

SqlError cannot_find(const char* what, const std::string& name) {
  return SqlError{15151, std::string("Cannot find the ") + what + " '" + name +
                             "', because it does not exist or you do not have permission."};
}

}  // namespace

void ddl_permission(DdlParser& p, const std::string& verb) {
  sqlite3* db = p.db();
  const bool grant = verb == "GRANT", deny = verb == "DENY", revoke = verb == "REVOKE";
  bool grant_option_for = false;
  if (revoke && p.cur().is_keyword("GRANT") && p.peek().is_keyword("OPTION")) {
    p.advance();
    p.advance();
    p.expect_kw("FOR");
    grant_option_for = true;
  }
  std::vector<Permission> perms;
  do {
    Permission perm{"", p.pos()};
    while (p.cur().is(TokenKind::kIdentifier) && !p.cur().is_keyword("ON") && !p.cur().is_keyword("TO") &&
           !(revoke && p.cur().is_keyword("FROM"))) {
      perm.name += (perm.name.empty() ? "" : " ") + to_upper_ascii(p.cur().text);
      p.advance();
    }
    if (perm.name.empty()) p.syntax_error();
    perms.push_back(perm);
  } while (p.accept_op(","));
  // Securable.
  int64_t cls = 100, major = 0;
  if (p.accept_kw("ON")) {
    const char* what = nullptr;
    if (p.accept_kw("LOGIN")) {
      what = "login";
    } else if (p.accept_kw("SERVER")) {
      p.expect_kw("ROLE");
      what = "server role";
    } else if (p.accept_kw("ENDPOINT")) {
      what = "endpoint";
    } else if (p.accept_kw("AVAILABILITY")) {
      p.expect_kw("GROUP");
      what = "availability group";
    } else {
      p.syntax_error();
    }
    p.expect_op("::");
    const std::string target = p.name();
    if (std::string(what) == "endpoint") {
      auto v = scalar(db, "SELECT endpoint_id FROM t_endpoints WHERE name = ?1", {text(target)});
      if (!v) throw cannot_find(what, target);
      cls = 105;
      major = as_int(*v).value_or(0);
    } else if (std::string(what) == "availability group") {
      auto id = availability_group_securable(p.ctx(), db, target);
      if (!id) throw cannot_find(what, target);
      cls = 108;
      major = *id;
    } else {
      auto t = find_principal(db, target);
      const bool role = std::string(what) == "server role";
      if (!t || (t->type == "R") != role) throw cannot_find(what, target);
      cls = 101;
      major = t->id;
    }
  }
  if (revoke) {
    if (!p.accept_kw("TO") && !p.accept_kw("FROM")) p.syntax_error();
  } else {
    p.expect_kw("TO");
  }
  std::vector<std::string> grantees;
  do {
    grantees.push_back(p.name());
  } while (p.accept_op(","));
  bool with_grant_option = false, cascade = false;
  std::optional<std::string> as;
  if (grant && p.accept_kw("WITH")) {
    p.expect_kw("GRANT");
    p.expect_kw("OPTION");
    with_grant_option = true;
  }
  if (!grant && p.accept_kw("CASCADE")) cascade = true;
  if (p.accept_kw("AS")) as = p.name();
  p.expect_end();

  // Semantics.
  for (const auto& perm : perms) {
    if (permission_code(cls, perm.name).empty()) {
      if (cls == 100 && !perm.name.empty()) {
        // Not a server permission: the statement is a database-level GRANT, which needs a user
        // of the current database as grantee.
        throw SqlError{15151, "Cannot find the user '" + grantees[0] + "', because it does not exist or you do not have permission."};
      }
      throw SqlError{102, "Incorrect syntax near '" + perm.name.substr(0, perm.name.find(' ')) + "'.", 15};
    }
  }
  if (!iequals(p.ctx().current_database, "master")) {
    throw SqlError{4621, "Permissions at the server scope can only be granted when the current database is master"};
  }
  auto me = caller(p.ctx(), db);
  if (!p.ctx().login_name.empty() && !has_server_permission(p.ctx(), db, "CL") &&
      !(me && is_role_member(db, 4, me->id))) {
    throw SqlError{4613, "Grantor does not have GRANT permission."};
  }
  int64_t grantor = me ? me->id : 1;
  if (as) {
    auto g = find_principal(db, *as);
    if (!g) throw cannot_find("login", *as);
    grantor = g->id;
  }
  for (const auto& name : grantees) {
    auto g = find_principal(db, name);
    if (!g) throw cannot_find("login", name);
    if (g->id == 1 || (me && g->id == me->id && !p.ctx().login_name.empty())) {
      throw SqlError{4617, "Cannot grant, deny, or revoke permissions to sa, dbo, entity owner, information_schema, sys, or yourself."};
    }
    for (const auto& perm : perms) {
      const std::string code = permission_code(cls, perm.name);
      std::string padded = code;
      padded.resize(4, ' ');
      auto existing = scalar(db,
                             "SELECT \"state\" FROM t_server_permissions WHERE \"class\" = ?1 AND major_id = ?2 AND "
                             "grantee_principal_id = ?3 AND \"type\" = ?4",
                             {integer(cls), integer(major), integer(g->id), text(padded)});
      const std::string old = existing ? as_text(*existing).value_or("") : "";
      if ((deny || (revoke && !grant_option_for)) && old == "W" && !cascade) {
        throw SqlError{4611, "To revoke or deny grantable privileges, specify the CASCADE option."};
      }
      PermissionSpec spec{cls, major, code, perm.name, "G", g->id, grantor};
      if (grant) {
        spec.state = (with_grant_option || old == "W") ? "W" : "G";
        set_permission(db, spec);
      } else if (deny) {
        spec.state = "D";
        set_permission(db, spec);
      } else if (grant_option_for) {
        if (old == "W") {
          spec.state = "G";
          set_permission(db, spec);
        }
      } else {
        exec(db,
             "DELETE FROM t_server_permissions WHERE \"class\" = ?1 AND major_id = ?2 AND grantee_principal_id = ?3 "
             "AND \"type\" = ?4",
             {integer(cls), integer(major), integer(g->id), text(padded)});
      }
    }
  }
}

}  // namespace emu::st
