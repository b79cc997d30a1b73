// ddl_agent.cc — SQL Server Agent: categories, operators, proxies, schedules, jobs (the msdb
// procedures' pages, e.g.
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-add-job-transact-sql
// and its neighbours). Every call is a named-argument EXEC against msdb whose return code is
// checked; jobs are addressed by name (job_id is not portable), schedules by schedule_uid through
// @us_id.
#include <fmt/format.h>

#include "catalog/canonical.h"
#include "replay/ddl_util.h"

namespace understudy::replay::ddl {
namespace {

using catalog::Kind;
using catalog::ServerObject;
using nlohmann::json;
using tsql::Exec;
using tsql::Sql;

// "SET @us_id = NULL; SELECT @us_id = schedule_id FROM msdb.dbo.sysschedules WHERE schedule_uid = N'…';"
Result<Sql> find_schedule(const std::string& uid) {
  RP_ASSIGN(g, tsql::guid_literal(uid));
  return Sql("SET @us_id = NULL;\nSELECT @us_id = schedule_id FROM msdb.dbo.sysschedules WHERE schedule_uid = ")
      .quoted(g)
      .raw(";");
}

// A text argument of an sp_update_* call. NULL means "leave unchanged" to these procedures, so a
// value the source lacks is cleared with N' ' (blank strings become NULL): the rule the
// sp_update_jobstep page gives for @output_file_name, and what sp_update_operator does with its
// addresses and sp_update_jobstep with @proxy_name. On create (`update` false) NULL is the default.
void text_or_clear(Exec& e, tsql::Keyword param, const std::optional<std::string>& v, bool update) {
  if (v) {
    e.str(param, *v);
  } else if (update) {
    e.str(param, " ");
  } else {
    e.null(param);
  }
}

// --- operators -----------------------------------------------------------------------------

void operator_args(Exec& e, const json& f, bool update) {
  e.num("@enabled", flag(f, "enabled") ? 1 : 0);
  text_or_clear(e, "@email_address", opt_text(f, "email_address"), update);
  text_or_clear(e, "@pager_address", opt_text(f, "pager_address"), update);
  e
      .num("@weekday_pager_start_time", num(f, "weekday_pager_start_time"))
      .num("@weekday_pager_end_time", num(f, "weekday_pager_end_time"))
      .num("@saturday_pager_start_time", num(f, "saturday_pager_start_time"))
      .num("@saturday_pager_end_time", num(f, "saturday_pager_end_time"))
      .num("@sunday_pager_start_time", num(f, "sunday_pager_start_time"))
      .num("@sunday_pager_end_time", num(f, "sunday_pager_end_time"))
      .num("@pager_days", num(f, "pager_days"));
  text_or_clear(e, "@netsend_address", opt_text(f, "netsend_address"), update);
  text_or_clear(e, "@category_name", opt_text(f, "category_name"), update);
}

// --- proxies -------------------------------------------------------------------------------

bool is_fixed_server_role(const std::string& name) {
  static constexpr std::string_view kRoles[] = {"sysadmin",     "securityadmin", "serveradmin", "setupadmin",
                                                "processadmin", "diskadmin",     "dbcreator",   "bulkadmin"};
  const std::string folded = catalog::fold_name(name);
  for (auto r : kRoles)
    if (folded == r) return true;
  return false;
}

// Grants and revokes what differs between `want` (source) and `have` (target, nullptr on create):
// sp_grant_proxy_to_subsystem / sp_revoke_proxy_from_subsystem and sp_grant_login_to_proxy /
// sp_revoke_login_from_proxy (a fixed server role is granted as @fixed_server_role).
Status proxy_grants(Statements& out, const std::string& proxy, const json& want, const json* have) {
  auto list = [](const json& f, const char* field) {
    std::vector<std::string> v;
    if (auto it = f.find(field); it != f.end() && it->is_array()) {
      for (const auto& e : *it)
        if (e.is_string()) v.push_back(e.get<std::string>());
    }
    return v;
  };
  auto in = [](const std::vector<std::string>& v, const std::string& x) {
    for (const auto& e : v)
      if (catalog::fold_name(e) == catalog::fold_name(x)) return true;
    return false;
  };
  const auto want_subs = list(want, "granted_subsystems"), want_logins = list(want, "granted_logins");
  const auto have_subs = have ? list(*have, "granted_subsystems") : std::vector<std::string>{};
  const auto have_logins = have ? list(*have, "granted_logins") : std::vector<std::string>{};
  for (const auto& sub : have_subs) {
    if (in(want_subs, sub)) continue;
    Exec e("msdb.dbo.sp_revoke_proxy_from_subsystem");
    e.returning("@rc").str("@proxy_name", proxy).str("@subsystem_name", sub);
    US_TRY(push_proc(out, e));
  }
  for (const auto& login : have_logins) {
    if (in(want_logins, login)) continue;
    Exec e("msdb.dbo.sp_revoke_login_from_proxy");
    e.returning("@rc").str("@name", login).str("@proxy_name", proxy);
    US_TRY(push_proc(out, e));
  }
  for (const auto& sub : want_subs) {
    if (in(have_subs, sub)) continue;
    Exec e("msdb.dbo.sp_grant_proxy_to_subsystem");
    e.returning("@rc").str("@proxy_name", proxy).str("@subsystem_name", sub);
    US_TRY(push_proc(out, e));
  }
  for (const auto& login : want_logins) {
    if (in(have_logins, login)) continue;
    Exec e("msdb.dbo.sp_grant_login_to_proxy");
    e.returning("@rc");
    if (is_fixed_server_role(login)) {
      e.str("@fixed_server_role", login);
    } else {
      e.str("@login_name", login);
    }
    e.str("@proxy_name", proxy);
    US_TRY(push_proc(out, e));
  }
  return {};
}

// --- schedules -----------------------------------------------------------------------------

void schedule_args(Exec& e, const json& f) {
  e.num("@enabled", flag(f, "enabled") ? 1 : 0)
      .num("@freq_type", num(f, "freq_type"))
      .num("@freq_interval", num(f, "freq_interval"))
      .num("@freq_subday_type", num(f, "freq_subday_type"))
      .num("@freq_subday_interval", num(f, "freq_subday_interval"))
      .num("@freq_relative_interval", num(f, "freq_relative_interval"))
      .num("@freq_recurrence_factor", num(f, "freq_recurrence_factor"))
      .num("@active_end_date", num(f, "active_end_date"))
      .num("@active_start_time", num(f, "active_start_time"))
      .num("@active_end_time", num(f, "active_end_time"))
      .opt_str("@owner_login_name", opt_text(f, "owner_login_name"));
  // A weekly or monthly schedule's past start date is not compared (the Agent uses the current
  // date instead, see catalog/assemble.cc): NULL lets sp_add_schedule take today and
  // sp_update_schedule keep the target's.
  if (f.contains("active_start_date") && f["active_start_date"].is_number_integer()) {
    e.num("@active_start_date", num(f, "active_start_date"));
  } else {
    e.null("@active_start_date");
  }
}

// --- jobs ----------------------------------------------------------------------------------

constexpr const char* kJobNotifyOperators[] = {"notify_email_operator_name", "notify_netsend_operator_name",
                                               "notify_page_operator_name"};

// The job-level arguments of sp_add_job / sp_update_job. For an update, only fields that differ
// from `tgt` are passed, and a value the source lacks is cleared with N'' (NULL means "keep").
void job_args(Exec& e, const json& f, const json* tgt) {
  auto changed = [&](const char* name) { return !tgt || differs(f, *tgt, name); };
  auto text_arg = [&](tsql::Keyword param, const char* name) {
    if (!changed(name)) return;
    auto v = opt_text(f, name);
    if (v) {
      e.str(param, *v);
    } else if (tgt) {
      e.str(param, "");
    }
  };
  if (changed("enabled")) e.num("@enabled", flag(f, "enabled") ? 1 : 0);
  text_arg("@description", "description");
  text_arg("@category_name", "category_name");
  if (auto owner = opt_text(f, "owner_login_name"); owner && changed("owner_login_name")) {
    e.str("@owner_login_name", *owner);
  }
  if (changed("notify_level_eventlog")) e.num("@notify_level_eventlog", num(f, "notify_level_eventlog"));
  if (changed("notify_level_email")) e.num("@notify_level_email", num(f, "notify_level_email"));
  if (changed("notify_level_netsend")) e.num("@notify_level_netsend", num(f, "notify_level_netsend"));
  if (changed("notify_level_page")) e.num("@notify_level_page", num(f, "notify_level_page"));
  text_arg("@notify_email_operator_name", kJobNotifyOperators[0]);
  text_arg("@notify_netsend_operator_name", kJobNotifyOperators[1]);
  text_arg("@notify_page_operator_name", kJobNotifyOperators[2]);
  if (changed("delete_level")) e.num("@delete_level", num(f, "delete_level"));
}

// Every step argument of sp_add_jobstep / sp_update_jobstep (absolute values; on update a value the
// source lacks is cleared, see text_or_clear).
void step_args(Exec& e, const json& st, bool update) {
  e.str("@step_name", text(st, "step_name")).str("@subsystem", text(st, "subsystem"));
  text_or_clear(e, "@command", opt_text(st, "command"), update);
  e.opt_str("@additional_parameters", opt_text(st, "additional_parameters"))
      .num("@cmdexec_success_code", num(st, "cmdexec_success_code"))
      .num("@on_success_action", num(st, "on_success_action"))
      .num("@on_success_step_id", num(st, "on_success_step_id"))
      .num("@on_fail_action", num(st, "on_fail_action"))
      .num("@on_fail_step_id", num(st, "on_fail_step_id"));
  text_or_clear(e, "@server", opt_text(st, "server"), update);
  text_or_clear(e, "@database_name", opt_text(st, "database_name"), update);
  text_or_clear(e, "@database_user_name", opt_text(st, "database_user_name"), update);
  e.num("@retry_attempts", num(st, "retry_attempts"))
      .num("@retry_interval", num(st, "retry_interval"))
      .num("@os_run_priority", num(st, "os_run_priority"));
  text_or_clear(e, "@output_file_name", opt_text(st, "output_file_name"), update);
  e.num("@flags", num(st, "flags"));
  text_or_clear(e, "@proxy_name", opt_text(st, "proxy_name"), update);
}

Status add_step(Statements& out, const std::string& job, const json& st) {
  Exec e("msdb.dbo.sp_add_jobstep");
  e.returning("@rc").str("@job_name", job).num("@step_id", num(st, "step_id"));
  step_args(e, st, false);
  return push_proc(out, e);
}

std::vector<std::string> names(const json& f, const char* field) {
  std::vector<std::string> out;
  if (auto it = f.find(field); it != f.end() && it->is_array()) {
    for (const auto& v : *it) out.push_back(v.get<std::string>());
  }
  return out;
}

bool contains_folded(const std::vector<std::string>& list, const std::string& v) {
  for (const auto& x : list) {
    if (catalog::fold_name(x) == catalog::fold_name(v)) return true;
  }
  return false;
}

Status attach(Statements& out, const std::string& job, const std::string& uid, bool detach) {
  US_TRY(push(out, find_schedule(uid)));
  Exec e = detach ? Exec("msdb.dbo.sp_detach_schedule") : Exec("msdb.dbo.sp_attach_schedule");
  e.returning("@rc").str("@job_name", job).var("@schedule_id", "@us_id");
  if (detach) e.num("@delete_unused_schedule", 0);
  return push_proc(out, e);
}

Status jobserver(Statements& out, const std::string& job, const std::string& server, bool remove) {
  Exec e = remove ? Exec("msdb.dbo.sp_delete_jobserver") : Exec("msdb.dbo.sp_add_jobserver");
  e.returning("@rc").str("@job_name", job).str("@server_name", server);
  return push_proc(out, e);
}

Result<Statements> create_job(const ServerObject& o) {
  const auto& f = o.fields;
  Statements out;
  Exec add("msdb.dbo.sp_add_job");
  add.returning("@rc").str("@job_name", o.key);
  job_args(add, f, nullptr);
  US_TRY(push_proc(out, add));
  const json steps = f.value("steps", json::array());
  for (const auto& st : steps) US_TRY(add_step(out, o.key, st));
  // start_step_id must be 1 while the job has no steps; set it once they exist.
  if (!steps.empty() && num(f, "start_step_id") != 1) {
    Exec upd("msdb.dbo.sp_update_job");
    upd.returning("@rc").str("@job_name", o.key).num("@start_step_id", num(f, "start_step_id"));
    US_TRY(push_proc(out, upd));
  }
  for (const auto& uid : names(f, "schedules")) US_TRY(attach(out, o.key, uid, false));
  for (const auto& server : names(f, "servers")) US_TRY(jobserver(out, o.key, server, false));
  return out;
}

Result<Statements> alter_job(const ServerObject& s, const ServerObject& t) {
  Statements out;
  Exec upd("msdb.dbo.sp_update_job");
  upd.returning("@rc").str("@job_name", s.key);
  job_args(upd, s.fields, &t.fields);
  const json ss = s.fields.value("steps", json::array()), ts = t.fields.value("steps", json::array());
  // Steps in place: update the common ones, delete surplus from the end, add the missing ones.
  for (size_t i = 0; i < ss.size() && i < ts.size(); ++i) {
    if (catalog::canonical_fields(ss[i]) == catalog::canonical_fields(ts[i])) continue;
    Exec e("msdb.dbo.sp_update_jobstep");
    e.returning("@rc").str("@job_name", s.key).num("@step_id", num(ss[i], "step_id"));
    step_args(e, ss[i], true);
    US_TRY(push_proc(out, e));
  }
  for (size_t i = ts.size(); i > ss.size(); --i) {
    Exec e("msdb.dbo.sp_delete_jobstep");
    e.returning("@rc").str("@job_name", s.key).num("@step_id", num(ts[i - 1], "step_id"));
    US_TRY(push_proc(out, e));
  }
  for (size_t i = ts.size(); i < ss.size(); ++i) US_TRY(add_step(out, s.key, ss[i]));
  if (differs(s, t, "start_step_id") || ss.size() != ts.size()) upd.num("@start_step_id", num(s.fields, "start_step_id"));
  US_TRY(push_proc(out, upd));
  const auto src_sched = names(s.fields, "schedules"), tgt_sched = names(t.fields, "schedules");
  for (const auto& uid : src_sched) {
    if (!contains_folded(tgt_sched, uid)) US_TRY(attach(out, s.key, uid, false));
  }
  for (const auto& uid : tgt_sched) {
    if (!contains_folded(src_sched, uid)) US_TRY(attach(out, s.key, uid, true));
  }
  const auto src_srv = names(s.fields, "servers"), tgt_srv = names(t.fields, "servers");
  for (const auto& sv : src_srv) {
    if (!contains_folded(tgt_srv, sv)) US_TRY(jobserver(out, s.key, sv, false));
  }
  for (const auto& sv : tgt_srv) {
    if (!contains_folded(src_srv, sv)) US_TRY(jobserver(out, s.key, sv, true));
  }
  return out;
}

}  // namespace

Result<Statements> create_agent(const ServerObject& o) {
  Statements out;
  const auto& f = o.fields;
  switch (o.kind) {
    case Kind::kAgentCategory: {
      Exec e("msdb.dbo.sp_add_category");
      e.returning("@rc").ascii("@class", "'JOB'");
      if (num(f, "category_type") == 2) {
        e.ascii("@type", "'MULTI-SERVER'");
      } else {
        e.ascii("@type", "'LOCAL'");
      }
      e.str("@name", o.key);
      US_TRY(push_proc(out, e));
      return out;
    }
    case Kind::kAgentOperator: {
      Exec e("msdb.dbo.sp_add_operator");
      e.returning("@rc").str("@name", o.key);
      operator_args(e, f, false);
      US_TRY(push_proc(out, e));
      return out;
    }
    case Kind::kAgentProxy: {
      Exec e("msdb.dbo.sp_add_proxy");
      e.returning("@rc").str("@proxy_name", o.key).opt_str("@credential_name", opt_text(f, "credential_name"));
      e.num("@enabled", flag(f, "enabled") ? 1 : 0).opt_str("@description", opt_text(f, "description"));
      US_TRY(push_proc(out, e));
      US_TRY(proxy_grants(out, o.key, f, nullptr));
      return out;
    }
    case Kind::kAgentSchedule: {
      // schedule_uid is preserved (sp_add_schedule accepts it), so jobs find it by uid.
      Exec e("msdb.dbo.sp_add_schedule");
      e.returning("@rc").str("@schedule_name", text(f, "name"));
      schedule_args(e, f);
      e.guid("@schedule_uid", o.key);
      US_TRY(push_proc(out, e));
      return out;
    }
    case Kind::kAgentJob:
      return create_job(o);
    default:
      return fail(ErrorCode::kInternal, "not an agent kind");
  }
}

Result<Statements> alter_agent(const ServerObject& s, const ServerObject& t) {
  Statements out;
  const auto& f = s.fields;
  switch (s.kind) {
    case Kind::kAgentCategory:
      return fail(ErrorCode::kDataErr, "a job category's type cannot be changed in place",
                  "delete the category on the target by hand; the next sync creates it");
    case Kind::kAgentOperator: {
      Exec e("msdb.dbo.sp_update_operator");
      e.returning("@rc").str("@name", s.key);
      operator_args(e, f, true);
      US_TRY(push_proc(out, e));
      return out;
    }
    case Kind::kAgentProxy: {
      Exec e("msdb.dbo.sp_update_proxy");
      e.returning("@rc").str("@proxy_name", s.key).opt_str("@credential_name", opt_text(f, "credential_name"));
      e.num("@enabled", flag(f, "enabled") ? 1 : 0).str("@description", opt_text(f, "description").value_or(""));
      US_TRY(push_proc(out, e));
      US_TRY(proxy_grants(out, s.key, f, &t.fields));
      return out;
    }
    case Kind::kAgentSchedule: {
      US_TRY(push(out, find_schedule(s.key)));
      Exec e("msdb.dbo.sp_update_schedule");
      e.returning("@rc").var("@schedule_id", "@us_id").str("@new_name", text(f, "name"));
      schedule_args(e, f);
      US_TRY(push_proc(out, e));
      return out;
    }
    case Kind::kAgentJob:
      return alter_job(s, t);
    default:
      return fail(ErrorCode::kInternal, "not an agent kind");
  }
}

Result<Statements> drop_agent(const ServerObject& t) {
  Statements out;
  switch (t.kind) {
    case Kind::kAgentCategory: {
      Exec e("msdb.dbo.sp_delete_category");
      e.returning("@rc").ascii("@class", "'JOB'").str("@name", t.key);
      US_TRY(push_proc(out, e));
      return out;
    }
    case Kind::kAgentOperator: {
      Exec e("msdb.dbo.sp_delete_operator");
      e.returning("@rc").str("@name", t.key);
      US_TRY(push_proc(out, e));
      return out;
    }
    case Kind::kAgentProxy: {
      Exec e("msdb.dbo.sp_delete_proxy");
      e.returning("@rc").str("@proxy_name", t.key);
      US_TRY(push_proc(out, e));
      return out;
    }
    case Kind::kAgentSchedule: {
      US_TRY(push(out, find_schedule(t.key)));
      Exec e("msdb.dbo.sp_delete_schedule");
      e.returning("@rc").var("@schedule_id", "@us_id");
      US_TRY(push_proc(out, e));
      return out;
    }
    case Kind::kAgentJob: {
      // Keep schedules other jobs may share: the schedules are objects of their own.
      Exec e("msdb.dbo.sp_delete_job");
      e.returning("@rc").str("@job_name", t.key).num("@delete_unused_schedule", 0);
      US_TRY(push_proc(out, e));
      return out;
    }
    default:
      return fail(ErrorCode::kInternal, "not an agent kind");
  }
}

}  // namespace understudy::replay::ddl
