// ddl_master.cc — what master holds besides principals and linked servers: custom error messages
// (sp_addmessage with @replace = 'replace', sp_dropmessage:
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-addmessage-transact-sql
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-dropmessage-transact-sql).
// sp_addmessage with 'replace' both creates and overwrites, so create and alter send the same
// call: absolute values, idempotent. A message in another language needs its us_english version
// first, with the same severity (the page's Remarks); the planner orders us_english first.
#include "catalog/key.h"
#include "replay/ddl_util.h"

namespace understudy::replay::ddl {
namespace {

using catalog::Kind;
using catalog::ServerObject;
using tsql::Exec;

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

}  // namespace

Result<Statements> create_master(const ServerObject& src) {
  if (src.kind == Kind::kCustomMessage) return add_message(src);
  return fail(ErrorCode::kInternal, "create_master: unexpected kind");
}

Result<Statements> alter_master(const ServerObject& src, const ServerObject&) {
  if (src.kind == Kind::kCustomMessage) return add_message(src);
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
  return fail(ErrorCode::kInternal, "drop_master: unexpected kind");
}

bool is_us_english_message(const ServerObject& o) {
  return o.kind == Kind::kCustomMessage && catalog::fold_name(text(o.fields, "language")) == "us_english";
}

}  // namespace understudy::replay::ddl
