// ddl_linked.cc — linked servers, their options and login mappings (sp_addlinkedserver,
// sp_serveroption, sp_addlinkedsrvlogin, sp_droplinkedsrvlogin, sp_dropserver:
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-addlinkedserver-transact-sql
// and its neighbours). These procedures refuse to run inside a user transaction, so the planner
// marks the actions non-transactional; a half-built linked server is finished by the next sync's
// diff.
#include "catalog/key.h"
#include "replay/ddl_util.h"

namespace understudy::replay::ddl {
namespace {

using catalog::Kind;
using catalog::ServerObject;
using nlohmann::json;
using tsql::Exec;

// sp_serveroption names of the settable options, in a safe order: 'collation compatible'
// resets 'collation name', so the name comes last.
struct ServerOption {
  const char* field;
  tsql::Keyword optname;
  enum { kBool, kInt, kText } type;
};
constexpr ServerOption kOptions[] = {
    {"is_data_access_enabled", "'data access'", ServerOption::kBool},
    {"is_remote_login_enabled", "'rpc'", ServerOption::kBool},
    {"is_rpc_out_enabled", "'rpc out'", ServerOption::kBool},
    {"is_collation_compatible", "'collation compatible'", ServerOption::kBool},
    {"uses_remote_collation", "'use remote collation'", ServerOption::kBool},
    {"lazy_schema_validation", "'lazy schema validation'", ServerOption::kBool},
    {"is_publisher", "'pub'", ServerOption::kBool},
    {"is_subscriber", "'sub'", ServerOption::kBool},
    {"is_distributor", "'dist'", ServerOption::kBool},
    {"is_remote_proc_transaction_promotion_enabled", "'remote proc transaction promotion'", ServerOption::kBool},
    {"connect_timeout", "'connect timeout'", ServerOption::kInt},
    {"query_timeout", "'query timeout'", ServerOption::kInt},
    {"collation_name", "'collation name'", ServerOption::kText},
};

// The fields sp_serveroption cannot change.
constexpr const char* kDefinition[] = {"product", "provider", "data_source", "location", "provider_string", "catalog"};

Status set_option(Statements& out, const ServerObject& o, const ServerOption& opt) {
  Exec e("master.dbo.sp_serveroption");
  e.returning("@rc").str("@server", o.key).ascii("@optname", opt.optname);
  switch (opt.type) {
    case ServerOption::kBool:
      e.str("@optvalue", flag(o.fields, opt.field) ? "true" : "false");
      break;
    case ServerOption::kInt:
      e.str("@optvalue", std::to_string(num(o.fields, opt.field)));
      break;
    case ServerOption::kText:
      e.opt_str("@optvalue", opt_text(o.fields, opt.field));
      break;
  }
  return push_proc(out, e);
}

Status drop_mapping(Statements& out, const std::string& server, const std::optional<std::string>& local) {
  Exec e("master.dbo.sp_droplinkedsrvlogin");
  e.returning("@rc").str("@rmtsrvname", server).opt_str("@locallogin", local);
  return push_proc(out, e);
}

Result<Statements> add_mapping(const ServerObject& o) {
  const auto& f = o.fields;
  Statements out;
  const bool self = flag(f, "uses_self_credential");
  const auto remote = opt_text(f, "remote_name");
  Exec e("master.dbo.sp_addlinkedsrvlogin");
  e.returning("@rc").str("@rmtsrvname", text(f, "linked_server"));
  if (self) {
    e.ascii("@useself", "'TRUE'");
  } else {
    e.ascii("@useself", "'FALSE'");
  }
  e.opt_str("@locallogin", opt_text(f, "local_login"));
  e.opt_str("@rmtuser", self ? std::nullopt : remote);
  // The remote password is unreadable on the source: it comes from a secrets source.
  if (!self && remote) {
    e.secret("@rmtpassword", {"linked_server_login", o.key});
  } else {
    e.null("@rmtpassword");
  }
  US_TRY(push_proc(out, e));
  return out;
}

}  // namespace

Result<Statements> create_linked(const ServerObject& o, const Context& ctx) {
  if (o.kind == Kind::kLinkedServerLogin) return add_mapping(o);
  if (o.kind != Kind::kLinkedServer) return fail(ErrorCode::kInternal, "not a linked-server kind");
  const auto& f = o.fields;
  Statements out;
  Exec add("master.dbo.sp_addlinkedserver");
  add.returning("@rc").str("@server", o.key).str("@srvproduct", text(f, "product"));
  // Product 'SQL Server' takes no provider or properties (error 15428): the server is named after
  // its network name, and a different network name (data_source) is set with sp_setnetname.
  // https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-addlinkedserver-transact-sql
  // https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-setnetname-transact-sql
  const auto source = opt_text(f, "data_source");
  const bool sql_server_product = catalog::fold_name(text(f, "product")) == "sql server";
  if (!sql_server_product) {
    add.opt_str("@provider", opt_text(f, "provider")).opt_str("@datasrc", source);
    add.opt_str("@location", opt_text(f, "location")).opt_str("@provstr", opt_text(f, "provider_string"));
    add.opt_str("@catalog", opt_text(f, "catalog"));
  }
  US_TRY(push_proc(out, add));
  if (sql_server_product && source && catalog::fold_name(*source) != o.match_key()) {
    Exec net("master.dbo.sp_setnetname");
    net.returning("@rc").str("@server", o.key).str("@netname", *source);
    US_TRY(push_proc(out, net));
  }
  for (const auto& opt : kOptions) {
    if (opt.type == ServerOption::kText && !opt_text(f, opt.field)) continue;
    US_TRY(set_option(out, o, opt));
  }
  // sp_addlinkedserver adds an "all logins use self" mapping; the source may not have one.
  if (!ctx.source_has || !ctx.source_has(Kind::kLinkedServerLogin, catalog::make_key({o.key, ""}))) {
    US_TRY(drop_mapping(out, o.key, std::nullopt));
  }
  return out;
}

// Both are product 'SQL Server' linked servers: their network name changes in place (sp_setnetname).
bool netname_settable(const ServerObject& s, const ServerObject& t) {
  return catalog::fold_name(text(s.fields, "product")) == "sql server" &&
         catalog::fold_name(text(t.fields, "product")) == "sql server" && opt_text(s.fields, "data_source");
}

std::vector<std::string> linked_definition_changes(const ServerObject& s, const ServerObject& t) {
  std::vector<std::string> out;
  if (s.kind != Kind::kLinkedServer || t.kind != Kind::kLinkedServer) return out;
  for (const char* field : kDefinition) {
    if (std::string_view(field) == "data_source" && netname_settable(s, t)) continue;
    if (differs(s, t, field)) out.emplace_back(field);
  }
  return out;
}

Result<Statements> alter_linked(const ServerObject& s, const ServerObject& t) {
  if (s.kind == Kind::kLinkedServerLogin) return add_mapping(s);  // creates or updates
  if (s.kind != Kind::kLinkedServer) return fail(ErrorCode::kInternal, "not a linked-server kind");
  // The planner turns a definition change into a drop-and-recreate before it gets here.
  if (const auto changed = linked_definition_changes(s, t); !changed.empty()) {
    return fail(ErrorCode::kDataErr, "linked server " + changed.front() + " differs and cannot be changed in place",
                "rerun with --allow-recreate to drop the target linked server and create it as on the primary");
  }
  Statements out;
  if (differs(s, t, "data_source")) {  // netname_settable (else it is a definition change)
    Exec net("master.dbo.sp_setnetname");
    net.returning("@rc").str("@server", s.key).str("@netname", text(s.fields, "data_source"));
    US_TRY(push_proc(out, net));
  }
  for (const auto& opt : kOptions) {
    if (differs(s, t, opt.field)) US_TRY(set_option(out, s, opt));
  }
  return out;
}

Result<Statements> drop_linked(const ServerObject& t) {
  Statements out;
  if (t.kind == Kind::kLinkedServerLogin) {
    US_TRY(drop_mapping(out, text(t.fields, "linked_server"), opt_text(t.fields, "local_login")));
    return out;
  }
  if (t.kind != Kind::kLinkedServer) return fail(ErrorCode::kInternal, "not a linked-server kind");
  Exec e("master.dbo.sp_dropserver");
  e.returning("@rc").str("@server", t.key).ascii("@droplogins", "'droplogins'");
  US_TRY(push_proc(out, e));
  return out;
}

}  // namespace understudy::replay::ddl
