// ddl.cc — dispatch by kind, existence guards and field helpers (see ddl.h).
#include "replay/ddl.h"

#include "catalog/canonical.h"
#include "catalog/key.h"
#include "replay/ddl_util.h"

namespace understudy::replay::ddl {

using catalog::Kind;
using catalog::ServerObject;
using tsql::Sql;

namespace {

enum class Family { kSecurity, kAgent, kLinked, kMaster, kNone };

Family family(Kind k) {
  switch (k) {
    case Kind::kCredential:
    case Kind::kServerRole:
    case Kind::kLogin:
    case Kind::kServerRoleMember:
    case Kind::kServerPermission:
      return Family::kSecurity;
    case Kind::kLinkedServer:
    case Kind::kLinkedServerLogin:
      return Family::kLinked;
    case Kind::kAgentCategory:
    case Kind::kAgentOperator:
    case Kind::kAgentProxy:
    case Kind::kAgentSchedule:
    case Kind::kAgentJob:
      return Family::kAgent;
    case Kind::kCustomMessage:
    case Kind::kConfiguration:
      return Family::kMaster;
    case Kind::kInstance:
      break;
  }
  return Family::kNone;
}

auto not_replayed() { return fail(ErrorCode::kInternal, "the instance object is never replayed"); }

}  // namespace

Result<Statements> create(const ServerObject& src, const Context& ctx) {
  switch (family(src.kind)) {
    case Family::kSecurity: return create_security(src, ctx);
    case Family::kAgent: return create_agent(src);
    case Family::kLinked: return create_linked(src, ctx);
    case Family::kMaster: return create_master(src);
    case Family::kNone: break;
  }
  return not_replayed();
}

Result<Statements> alter(const ServerObject& src, const ServerObject& tgt, const Context&) {
  switch (family(src.kind)) {
    case Family::kSecurity: return alter_security(src, tgt);
    case Family::kAgent: return alter_agent(src, tgt);
    case Family::kLinked: return alter_linked(src, tgt);
    case Family::kMaster: return alter_master(src, tgt);
    case Family::kNone: break;
  }
  return not_replayed();
}

Result<Statements> drop(const ServerObject& tgt) {
  switch (family(tgt.kind)) {
    case Family::kSecurity: return drop_security(tgt);
    case Family::kAgent: return drop_agent(tgt);
    case Family::kLinked: return drop_linked(tgt);
    case Family::kMaster: return drop_master(tgt);
    case Family::kNone: break;
  }
  return not_replayed();
}

Result<Statements> disable(const ServerObject& tgt) {
  Statements out;
  if (tgt.kind == Kind::kLogin) {
    RP_ASSIGN(n, tsql::ident(tgt.key));
    out.push_back({Sql("ALTER LOGIN ").append(n).raw(" DISABLE;")});
    return out;
  }
  if (tgt.kind == Kind::kAgentJob) {
    tsql::Exec e("msdb.dbo.sp_update_job");
    e.returning("@rc").str("@job_name", tgt.key).num("@enabled", 0);
    US_TRY(push_proc(out, e));
    return out;
  }
  return fail(ErrorCode::kInternal, "only logins and jobs can be disabled");
}

Result<Sql> exists(Kind kind, const std::string& key) {
  const Sql name = tsql::literal(key);
  switch (kind) {
    case Kind::kCredential:
      return Sql("EXISTS (SELECT 1 FROM sys.credentials WHERE name = ").append(name).raw(")");
    case Kind::kServerRole:
    case Kind::kLogin:
      return Sql("EXISTS (SELECT 1 FROM sys.server_principals WHERE name = ").append(name).raw(")");
    case Kind::kLinkedServer:
      return Sql("EXISTS (SELECT 1 FROM sys.servers WHERE name = ").append(name).raw(")");
    case Kind::kAgentCategory:
      return Sql("EXISTS (SELECT 1 FROM msdb.dbo.syscategories WHERE category_class = 1 AND name = ").append(name).raw(")");
    case Kind::kAgentOperator:
      return Sql("EXISTS (SELECT 1 FROM msdb.dbo.sysoperators WHERE name = ").append(name).raw(")");
    case Kind::kAgentProxy:
      return Sql("EXISTS (SELECT 1 FROM msdb.dbo.sysproxies WHERE name = ").append(name).raw(")");
    case Kind::kAgentSchedule: {
      RP_ASSIGN(g, tsql::guid_literal(key));
      return Sql("EXISTS (SELECT 1 FROM msdb.dbo.sysschedules WHERE schedule_uid = ").quoted(g).raw(")");
    }
    case Kind::kAgentJob:
      return Sql("EXISTS (SELECT 1 FROM msdb.dbo.sysjobs WHERE name = ").append(name).raw(")");
    case Kind::kCustomMessage: {  // key "message_id|language"
      auto parts = catalog::split_key(key);
      if (parts.size() != 2 || parts[0].empty() || parts[0].size() > 10 ||
          parts[0].find_first_not_of("0123456789") != std::string::npos)
        return fail(ErrorCode::kDataErr, "custom message key " + key + " is not message_id|language");
      return Sql("EXISTS (SELECT 1 FROM sys.messages AS m JOIN sys.syslanguages AS l ON l.msglangid = m.language_id "
                 "WHERE m.message_id = ")
          .quoted(tsql::int_literal(std::stoll(parts[0])))
          .raw(" AND l.name = ")
          .append(tsql::literal(parts[1]))
          .raw(")");
    }
    default:
      return Sql();  // idempotent statements (memberships, permissions, login mappings): no guard
  }
}

std::optional<std::string> opt_text(const nlohmann::json& f, const char* name) {
  auto it = f.find(name);
  if (it == f.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string text(const nlohmann::json& f, const char* name) { return opt_text(f, name).value_or(""); }

int64_t num(const nlohmann::json& f, const char* name) {
  auto it = f.find(name);
  if (it == f.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_boolean()) return it->get<bool>() ? 1 : 0;
  return 0;
}

bool flag(const nlohmann::json& f, const char* name) { return num(f, name) != 0; }

bool differs(const nlohmann::json& a, const nlohmann::json& b, const char* name) {
  auto get = [&](const nlohmann::json& f) {
    auto it = f.find(name);
    return nlohmann::json{{name, it == f.end() ? nlohmann::json() : *it}};
  };
  return catalog::canonical_fields(get(a)) != catalog::canonical_fields(get(b));
}

Result<Sql> ident_field(const nlohmann::json& f, const char* name) { return tsql::ident(text(f, name)); }

Status push(Statements& out, Result<Sql> sql) {
  if (!sql) return tl::unexpected(sql.error());
  out.push_back(Statement{std::move(*sql), false});
  return {};
}

Status push_proc(Statements& out, tsql::Exec& e) {
  auto sql = e.build();
  if (!sql) return tl::unexpected(sql.error());
  out.push_back(Statement{std::move(*sql), true});
  return {};
}

}  // namespace understudy::replay::ddl
