// ddl_master.cc — what master holds besides principals and linked servers: custom error messages
// (sp_addmessage with @replace = 'replace', sp_dropmessage:
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-addmessage-transact-sql
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-dropmessage-transact-sql).
// sp_addmessage with 'replace' both creates and overwrites, so create and alter send the same
// call: absolute values, idempotent. A message in another language needs its us_english version
// first, with the same severity (the page's Remarks); the planner orders us_english first.
//
// Server configuration (sp_configure + RECONFIGURE:
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-configure-transact-sql
// https://learn.microsoft.com/sql/t-sql/language-elements/reconfigure-transact-sql). An advanced
// option is visible to sp_configure only while 'show advanced options' is 1: the action switches
// it on when it is off and back off after (remembered in @us_id, which the batch declares).
// RECONFIGURE refuses a user transaction, so the planner runs these actions without one. An
// option that is not dynamic takes its value at the next restart: the value is set, the restart
// is the operator's (understudy never restarts an instance), and until then value_in_use differs
// — reported blocked with what to do, never retried.
#include "catalog/key.h"
#include "replay/ddl_util.h"

namespace understudy::replay::ddl {
namespace {

using catalog::Kind;
using catalog::ServerObject;
using tsql::Exec;
using tsql::Sql;

Result<Statements> add_message(const ServerObject& src) {
  const auto& f = src.fields;
  Statements out;
  Exec e("master.dbo.sp_addmessage");
  e.returning("@rc")
      .num("@msgnum", num(f, "message_id"))
      .num("@severity", num(f, "severity"))
      .str("@msgtext", text(f, "text"))
      .str("@lang", text(f, "language"));
  if (flag(f, "is_event_logged")) {
    e.ascii("@with_log", "'TRUE'");
  } else {
    e.ascii("@with_log", "'FALSE'");
  }
  e.ascii("@replace", "'replace'");
  US_TRY(push_proc(out, e));
  return out;
}

Result<Statements> configure(const ServerObject& src) {
  const auto& f = src.fields;
  Statements out;
  const bool advanced = flag(f, "is_advanced");
  if (advanced) {
    US_TRY(push(out, Sql("SET @us_id = (SELECT CAST(value_in_use AS int) FROM sys.configurations WHERE name = "
                         "N'show advanced options');")));
    US_TRY(push(out, Sql("IF @us_id = 0 BEGIN EXEC master.dbo.sp_configure @configname = N'show advanced options', "
                         "@configvalue = 1; RECONFIGURE; END;")));
  }
  Exec e("master.dbo.sp_configure");
  e.returning("@rc").str("@configname", src.key).num("@configvalue", num(f, "value"));
  US_TRY(push_proc(out, e));
  if (flag(f, "is_dynamic")) {
    US_TRY(push(out, Sql("RECONFIGURE;")));
  } else {
    US_TRY(push(out, Sql("RECONFIGURE; -- not dynamic: the value takes effect when the target restarts (never done by "
                         "understudy)")));
  }
  if (advanced) {
    US_TRY(push(out, Sql("IF @us_id = 0 BEGIN EXEC master.dbo.sp_configure @configname = N'show advanced options', "
                         "@configvalue = 0; RECONFIGURE; END;")));
  }
  return out;
}

Result<Statements> alter_configuration(const ServerObject& src, const ServerObject& tgt) {
  if (differs(src, tgt, "value")) return configure(src);
  if (differs(src, tgt, "value_in_use")) {
    return fail(ErrorCode::kDataErr,
                "value_in_use " + std::to_string(num(tgt.fields, "value_in_use")) + " is not the configured " +
                    std::to_string(num(tgt.fields, "value")) +
                    " until the target restarts (the option is not dynamic); understudy never restarts an instance",
                "restart the target's sql server service in a maintenance window; the next sync then finds nothing "
                "to do");
  }
  return Statements{};
}

}  // namespace

Result<Statements> create_master(const ServerObject& src) {
  if (src.kind == Kind::kCustomMessage) return add_message(src);
  if (src.kind == Kind::kConfiguration) return configure(src);
  return fail(ErrorCode::kInternal, "create_master: unexpected kind");
}

Result<Statements> alter_master(const ServerObject& src, const ServerObject& tgt) {
  if (src.kind == Kind::kCustomMessage) return add_message(src);
  if (src.kind == Kind::kConfiguration) return alter_configuration(src, tgt);
  return fail(ErrorCode::kInternal, "alter_master: unexpected kind");
}

Result<Statements> drop_master(const ServerObject& tgt) {
  if (tgt.kind == Kind::kCustomMessage) {
    Statements out;
    Exec e("master.dbo.sp_dropmessage");
    e.returning("@rc").num("@msgnum", num(tgt.fields, "message_id")).str("@lang", text(tgt.fields, "language"));
    US_TRY(push_proc(out, e));
    return out;
  }
  if (tgt.kind == Kind::kConfiguration) {
    return fail(ErrorCode::kDataErr, "a configuration option cannot be dropped: it exists only in the target's version",
                "nothing to do; leave it out of the pair's configuration list");
  }
  return fail(ErrorCode::kInternal, "drop_master: unexpected kind");
}

bool is_us_english_message(const ServerObject& o) {
  return o.kind == Kind::kCustomMessage && catalog::fold_name(text(o.fields, "language")) == "us_english";
}

}  // namespace understudy::replay::ddl
