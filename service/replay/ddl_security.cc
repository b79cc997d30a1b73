// ddl_security.cc — credentials, logins, server roles, memberships, server permissions. Syntax and
// rules: the pages create-credential-transact-sql, create-login-transact-sql,
// alter-login-transact-sql, drop-login-transact-sql, create-server-role-transact-sql,
// alter-server-role-transact-sql and grant-server-permissions-transact-sql under
// https://learn.microsoft.com/sql/t-sql/statements/
#include <fmt/format.h>

#include "catalog/key.h"
#include "replay/ddl_util.h"

namespace understudy::replay::ddl {
namespace {

using catalog::Kind;
using catalog::ServerObject;
using tsql::Sql;

const std::pair<const char*, Sql> kDefaultOptions[] = {
    {"default_database_name", Sql("DEFAULT_DATABASE = ")},
    {"default_language_name", Sql("DEFAULT_LANGUAGE = ")},
};

Sql on_off(bool on) { return on ? Sql("ON") : Sql("OFF"); }

Result<Sql> alter_login(const std::string& name, Sql tail) {
  RP_ASSIGN(n, tsql::ident(name));
  return Sql("ALTER LOGIN ").append(n).raw(" ").append(tail).raw(";");
}

Sql hashed_password(const std::string& login) {
  return Sql("PASSWORD = ").secret({"password_hash", login}, tsql::SecretForm::kBinary).raw(" HASHED");
}

// --- credentials ---------------------------------------------------------------------------

Result<Sql> credential_body(bool create, const ServerObject& o) {
  if (opt_text(o.fields, "target_type")) {
    return fail(ErrorCode::kDataErr, "credentials of a cryptographic provider (ekm) are not replayed",
                "create the provider and the credential on the target by hand");
  }
  RP_ASSIGN(n, tsql::ident(o.key));
  Sql s(create ? Sql("CREATE CREDENTIAL ") : Sql("ALTER CREDENTIAL "));
  s.append(n).raw(" WITH IDENTITY = ").append(tsql::literal(text(o.fields, "credential_identity")));
  s.raw(", SECRET = ").secret({"credential", o.key}, tsql::SecretForm::kString).raw(";");
  return s;
}

// --- logins --------------------------------------------------------------------------------

// Managed Instance's CREATE LOGIN takes only PASSWORD = 'password', SID, DEFAULT_DATABASE and
// DEFAULT_LANGUAGE (https://learn.microsoft.com/sql/t-sql/statements/create-login-transact-sql?view=azuresqldb-mi-current);
// its ALTER LOGIN takes HASHED, CHECK_POLICY, CHECK_EXPIRATION and CREDENTIAL
// (https://learn.microsoft.com/sql/t-sql/statements/alter-login-transact-sql?view=azuresqldb-mi-current).
// So the login is created with a throwaway password made on the server (NEWID, never in
// Understudy's text, plans or logs; it meets the default policy) and, in the same transaction,
// given the source's hash. CREATE LOGIN takes no variable, hence EXEC of the assembled text.
Result<Statements> create_sql_login_on_mi(const ServerObject& o, const Sql& name, const Sql& defaults) {
  const auto& f = o.fields;
  Sql tail = Sql("'");
  if (auto sid = opt_text(f, "sid")) {
    RP_ASSIGN(b, tsql::binary_literal(*sid));
    tail.raw(", SID = ").quoted(b);
  }
  tail.append(defaults);
  Sql head = Sql("CREATE LOGIN ").append(name).raw(" WITH PASSWORD = N'");
  Statements out;
  out.push_back({Sql("SET @us_pw = CONCAT(CONVERT(nvarchar(36), NEWID()), N'-aA1!');")});
  out.push_back({Sql("EXEC (")
                     .quoted(tsql::quote_string(head.render_redacted()))
                     .raw(" + @us_pw + ")
                     .quoted(tsql::quote_string(tail.render_redacted()))
                     .raw(");")});
  US_TRY(push(out, alter_login(o.key, Sql("WITH CHECK_POLICY = OFF"))));
  US_TRY(push(out, alter_login(o.key, Sql("WITH ").append(hashed_password(o.key)))));
  if (flag(f, "is_policy_checked")) {
    US_TRY(push(out, alter_login(o.key, Sql("WITH CHECK_POLICY = ON, CHECK_EXPIRATION = ")
                                           .append(on_off(flag(f, "is_expiration_checked"))))));
  }
  if (auto cred = opt_text(f, "credential_name")) {
    RP_ASSIGN(c, tsql::ident(*cred));
    US_TRY(push(out, alter_login(o.key, Sql("WITH CREDENTIAL = ").append(c))));
  }
  return out;
}

Result<Statements> create_login(const ServerObject& o, bool managed_instance) {
  const auto& f = o.fields;
  const std::string type = text(f, "type");
  Statements out;
  RP_ASSIGN(n, tsql::ident(o.key));
  Sql s = Sql("CREATE LOGIN ").append(n);
  Sql defaults;  // ", DEFAULT_DATABASE = [d], DEFAULT_LANGUAGE = [l]" (each optional)
  Sql windows_defaults;  // the same list after WITH
  for (const auto& [field, option] : kDefaultOptions) {
    auto v = opt_text(f, field);
    if (!v) continue;
    RP_ASSIGN(d, tsql::ident(*v));
    defaults.raw(", ").append(option).append(d);
    windows_defaults.append(windows_defaults.empty() ? Sql(" WITH ") : Sql(", ")).append(option).append(d);
  }
  if (type == "S" && managed_instance) {
    RP_ASSIGN(mi, create_sql_login_on_mi(o, n, defaults));
    out = std::move(mi);
  } else if (type == "S") {
    s.raw(" WITH ").append(hashed_password(o.key));
    if (auto sid = opt_text(f, "sid")) {
      RP_ASSIGN(b, tsql::binary_literal(*sid));
      s.raw(", SID = ").quoted(b);
    }
    s.append(defaults).raw(", CHECK_POLICY = OFF, CHECK_EXPIRATION = OFF");
    if (auto cred = opt_text(f, "credential_name")) {
      RP_ASSIGN(c, tsql::ident(*cred));
      s.raw(", CREDENTIAL = ").append(c);
    }
    out.push_back({s.raw(";")});
    // HASHED needs CHECK_POLICY OFF at creation; the source's policy is restored after.
    // Both values stated: switching CHECK_POLICY on may switch CHECK_EXPIRATION on as well.
    if (flag(f, "is_policy_checked")) {
      US_TRY(push(out, alter_login(o.key, Sql("WITH CHECK_POLICY = ON, CHECK_EXPIRATION = ")
                                             .append(on_off(flag(f, "is_expiration_checked"))))));
    }
  } else if (type == "U" || type == "G") {
    out.push_back({s.raw(" FROM WINDOWS").append(windows_defaults).raw(";")});
  } else if (type == "E" || type == "X") {
    out.push_back({s.raw(" FROM EXTERNAL PROVIDER;")});
    if (auto db = opt_text(f, "default_database_name")) {
      RP_ASSIGN(d, tsql::ident(*db));
      US_TRY(push(out, alter_login(o.key, Sql("WITH DEFAULT_DATABASE = ").append(d))));
    }
  } else {
    return fail(ErrorCode::kDataErr, fmt::format("logins of type {} are not replayed", tsql::comment_text(type)),
                "certificate and asymmetric-key logins need their certificate or key in master first");
  }
  if (flag(f, "is_disabled") && type != "G") US_TRY(push(out, alter_login(o.key, Sql("DISABLE"))));
  return out;
}

bool hash_differs(const ServerObject& s, const ServerObject& t) {
  if (!s.password_hash) return false;
  if (!t.password_hash) return true;
  return catalog::fold_name(s.password_hash->reveal()) != catalog::fold_name(t.password_hash->reveal());
}

Result<Statements> alter_login_fields(const ServerObject& s, const ServerObject& t) {
  const auto& f = s.fields;
  const std::string type = text(f, "type");
  if (type != text(t.fields, "type")) {
    return fail(ErrorCode::kDataErr,
                fmt::format("login type differs ({} on the source, {} on the target)", tsql::comment_text(type),
                            tsql::comment_text(text(t.fields, "type"))),
                "drop the target login by hand; the next sync creates it");
  }
  Statements out;
  if (type == "S") {
    bool tp = flag(t.fields, "is_policy_checked"), te = flag(t.fields, "is_expiration_checked");
    const bool sp = flag(f, "is_policy_checked"), se = flag(f, "is_expiration_checked");
    if (hash_differs(s, t)) {
      // "When CHECK_POLICY is set to ON, the HASHED argument cannot be used", and turning it OFF
      // sets CHECK_EXPIRATION OFF too
      // (https://learn.microsoft.com/sql/t-sql/statements/alter-login-transact-sql, Remarks):
      // switch it off, set the hash, restore.
      if (tp) US_TRY(push(out, alter_login(s.key, Sql("WITH CHECK_POLICY = OFF"))));
      tp = te = false;
      US_TRY(push(out, alter_login(s.key, Sql("WITH ").append(hashed_password(s.key)))));
    }
    // CHECK_EXPIRATION = ON needs CHECK_POLICY = ON: order the two accordingly.
    if (sp) {
      if (!tp) {
        US_TRY(push(out, alter_login(s.key, Sql("WITH CHECK_POLICY = ON, CHECK_EXPIRATION = ").append(on_off(se)))));
      } else if (se != te) {
        US_TRY(push(out, alter_login(s.key, Sql("WITH CHECK_EXPIRATION = ").append(on_off(se)))));
      }
    } else {
      if (te) US_TRY(push(out, alter_login(s.key, Sql("WITH CHECK_EXPIRATION = OFF"))));
      if (tp) US_TRY(push(out, alter_login(s.key, Sql("WITH CHECK_POLICY = OFF"))));
    }
    if (differs(s, t, "credential_name")) {
      Sql c("WITH NO CREDENTIAL");
      if (auto cred = opt_text(f, "credential_name")) {
        RP_ASSIGN(ci, tsql::ident(*cred));
        c = Sql("WITH CREDENTIAL = ").append(ci);
      }
      US_TRY(push(out, alter_login(s.key, c)));
    }
  }
  for (const auto& [field, option] : kDefaultOptions) {
    auto v = opt_text(f, field);
    if (!differs(s, t, field) || !v) continue;
    RP_ASSIGN(d, tsql::ident(*v));
    US_TRY(push(out, alter_login(s.key, Sql("WITH ").append(option).append(d))));
  }
  if (differs(s, t, "is_disabled") && type != "G") {
    US_TRY(push(out, alter_login(s.key, flag(f, "is_disabled") ? Sql("DISABLE") : Sql("ENABLE"))));
  }
  return out;
}

// --- permissions ---------------------------------------------------------------------------

// "VIEW SERVER STATE", " ON LOGIN::[x]", "[grantee]" of a permission object.
Result<Sql> permission_target(const nlohmann::json& f) {
  RP_ASSIGN(perm, tsql::keyword_phrase(text(f, "permission_name")));
  Sql s = Sql().quoted(perm);
  const std::string cls = text(f, "class_desc");
  if (cls != "SERVER") {
    RP_ASSIGN(sec, ident_field(f, "securable"));
    if (cls == "SERVER_PRINCIPAL") {
      s.append(text(f, "securable_type") == "R" ? Sql(" ON SERVER ROLE::") : Sql(" ON LOGIN::"));
    } else if (cls == "ENDPOINT") {
      s.raw(" ON ENDPOINT::");
    } else if (cls == "AVAILABILITY GROUP") {
      s.raw(" ON AVAILABILITY GROUP::");
    } else {
      return fail(ErrorCode::kDataErr, "permissions of class " + tsql::comment_text(cls) + " are not replayed");
    }
    s.append(sec);
  }
  return s;
}

Result<Sql> grant(const nlohmann::json& f) {
  RP_ASSIGN(target, permission_target(f));
  RP_ASSIGN(grantee, ident_field(f, "grantee"));
  const std::string state = text(f, "state");
  Sql s(state == "D" ? Sql("DENY ") : Sql("GRANT "));
  s.append(target).raw(" TO ").append(grantee);
  if (state == "W") s.raw(" WITH GRANT OPTION");
  return s.raw(";");
}

Result<Sql> revoke(const nlohmann::json& f) {
  RP_ASSIGN(target, permission_target(f));
  RP_ASSIGN(grantee, ident_field(f, "grantee"));
  Sql s = Sql("REVOKE ").append(target).raw(" FROM ").append(grantee);
  if (text(f, "state") == "W") s.raw(" CASCADE");
  return s.raw(";");
}

Result<Sql> membership(const nlohmann::json& f, bool add) {
  RP_ASSIGN(role, ident_field(f, "role_name"));
  RP_ASSIGN(member, ident_field(f, "member_name"));
  return Sql("ALTER SERVER ROLE ").append(role).append(add ? Sql(" ADD MEMBER ") : Sql(" DROP MEMBER ")).append(member).raw(";");
}

Result<Sql> role_owner(const ServerObject& o) {
  RP_ASSIGN(r, tsql::ident(o.key));
  RP_ASSIGN(owner, ident_field(o.fields, "owner_name"));
  return Sql("ALTER AUTHORIZATION ON SERVER ROLE::").append(r).raw(" TO ").append(owner).raw(";");
}

}  // namespace

Result<Statements> create_security(const ServerObject& o, const Context& ctx) {
  Statements out;
  switch (o.kind) {
    case Kind::kCredential:
      US_TRY(push(out, credential_body(true, o)));
      return out;
    case Kind::kLogin:
      return create_login(o, ctx.target_is_managed_instance);
    case Kind::kServerRole: {
      RP_ASSIGN(r, tsql::ident(o.key));
      Sql s = Sql("CREATE SERVER ROLE ").append(r);
      if (opt_text(o.fields, "owner_name")) {
        RP_ASSIGN(owner, ident_field(o.fields, "owner_name"));
        s.raw(" AUTHORIZATION ").append(owner);
      }
      out.push_back({s.raw(";")});
      return out;
    }
    case Kind::kServerRoleMember:
      US_TRY(push(out, membership(o.fields, true)));
      return out;
    case Kind::kServerPermission:
      out.push_back({Sql("USE [master];")});
      US_TRY(push(out, grant(o.fields)));
      return out;
    default:
      return fail(ErrorCode::kInternal, "not a security kind");
  }
}

Result<Statements> alter_security(const ServerObject& s, const ServerObject& t) {
  Statements out;
  switch (s.kind) {
    case Kind::kCredential:
      if (opt_text(s.fields, "target_type") != opt_text(t.fields, "target_type")) {
        return fail(ErrorCode::kDataErr, "credential target type differs", "drop the target credential by hand");
      }
      US_TRY(push(out, credential_body(false, s)));
      return out;
    case Kind::kLogin:
      return alter_login_fields(s, t);
    case Kind::kServerRole:
      if (opt_text(s.fields, "owner_name")) US_TRY(push(out, role_owner(s)));
      return out;
    case Kind::kServerRoleMember:
      return out;  // nothing but the key to compare
    case Kind::kServerPermission:
      out.push_back({Sql("USE [master];")});
      // GRANT and DENY replace each other; only a grant option must be revoked first.
      if (text(t.fields, "state") == "W") US_TRY(push(out, revoke(t.fields)));
      US_TRY(push(out, grant(s.fields)));
      return out;
    default:
      return fail(ErrorCode::kInternal, "not a security kind");
  }
}

Result<Statements> drop_security(const ServerObject& t) {
  Statements out;
  switch (t.kind) {
    case Kind::kCredential: {
      RP_ASSIGN(n, tsql::ident(t.key));
      out.push_back({Sql("DROP CREDENTIAL ").append(n).raw(";")});
      return out;
    }
    case Kind::kLogin: {
      RP_ASSIGN(n, tsql::ident(t.key));
      out.push_back({Sql("DROP LOGIN ").append(n).raw(";")});
      return out;
    }
    case Kind::kServerRole: {
      RP_ASSIGN(n, tsql::ident(t.key));
      out.push_back({Sql("DROP SERVER ROLE ").append(n).raw(";")});
      return out;
    }
    case Kind::kServerRoleMember:
      US_TRY(push(out, membership(t.fields, false)));
      return out;
    case Kind::kServerPermission:
      out.push_back({Sql("USE [master];")});
      US_TRY(push(out, revoke(t.fields)));
      return out;
    default:
      return fail(ErrorCode::kInternal, "not a security kind");
  }
}

}  // namespace understudy::replay::ddl
