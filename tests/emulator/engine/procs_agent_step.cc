// procs_agent_step.cc — msdb's sp_add_jobstep, sp_update_jobstep and sp_delete_jobstep with the
// checks of sp_verify_jobstep / sp_verify_subsystem (step range, subsystem against syssubsystems,
// actions, flags, database existence, sysadmin-only options) and step renumbering.
#include "engine/agent_model.h"
#include "engine/lexer.h"
#include "engine/procs_internal.h"

namespace emu::st {

namespace {

// Subsystem as sp_verify_subsystem: TSQL is built in; 'DTS' is SSIS; others must be installed.
std::string verified_subsystem(ProcCall& c, std::string subsystem) {
  if (iequals(subsystem, "DTS")) subsystem = "SSIS";
  if (iequals(subsystem, "TSQL")) return "TSQL";
  auto v = scalar(c.db(), "SELECT subsystem FROM msdb_syssubsystems WHERE subsystem = ?1", {text(subsystem)});
  if (!v) raise_invalid_returned_by("@subsystem", "sp_enum_sqlagent_subsystems");
  return *as_text(*v);
}

std::optional<int64_t> proxy_for(ProcCall& c) {
  auto id = c.num("@proxy_id");
  auto name = c.str("@proxy_name");
  if (!id && !name) return std::nullopt;
  if (c.managed_instance()) raise_mi_unsupported("proxies", 16);
  if (id && name) throw SqlError{14280, "Supply either @proxy_id or @proxy_name."};
  if (name) {
    auto p = find_proxy(c.db(), *name);
    if (!p) raise_does_not_exist("@proxy_name", *name);
    return p;
  }
  if (!scalar(c.db(), "SELECT 1 FROM msdb_sysproxies WHERE proxy_id = ?1", {integer(*id)})) {
    raise_does_not_exist("@proxy_id", std::to_string(*id));
  }
  return id;
}

// sp_verify_jobstep. `max_step` is the highest existing step id; `existing_step` is the step being
// updated (0 when adding).
void verify_step(ProcCall& c, const std::string& job_id, StepSpec& s, int64_t max_step, int64_t existing_step) {
  const int64_t step_id = *s.step_id;
  const int64_t limit = existing_step ? max_step : max_step + 1;
  if (step_id < 1 || step_id > limit) raise_invalid_values("@step_id", "1.." + std::to_string(limit));
  s.subsystem = verified_subsystem(c, s.subsystem);
  const std::string sub = to_upper_ascii(s.subsystem);
  if (s.output_file_name && !caller_is_sysadmin(c)) {
    throw SqlError{14582, "Only a sysadmin can specify '@output_file_name' parameter for a jobstep."};
  }
  if (scalar(c.db(), "SELECT 1 FROM msdb_sysjobsteps WHERE job_id = ?1 AND step_name = ?2 AND step_id <> ?3",
             {text(job_id), text(s.step_name), integer(existing_step)})) {
    throw SqlError{14261, "The specified @step_name ('" + s.step_name + "') already exists."};
  }
  auto check_action = [&](int64_t action, int64_t target, const char* action_param, const char* step_param) {
    if (action < 1 || action > 4) raise_invalid_values(action_param, "1, 2, 3, 4");
    if (action == 4 && (target < 1 || target == step_id)) {
      throw SqlError{14235, std::string("The specified '") + step_param +
                                "' is invalid (valid values are greater than 0 but excluding " + std::to_string(step_id) + ")."};
    }
  };
  check_action(s.on_success_action, s.on_success_step_id, "@on_success_action", "@on_success_step");
  check_action(s.on_fail_action, s.on_fail_step_id, "@on_failure_action", "@on_failure_step");
  if (s.on_success_action == 4 && s.on_success_step_id > max_step) c.info(14236, "Warning: Non-existent step referenced by @on_success_step_id.");
  if (s.on_fail_action == 4 && s.on_fail_step_id > max_step) c.info(14236, "Warning: Non-existent step referenced by @on_fail_step_id.");
  const bool olap = sub == "ANALYSISQUERY" || sub == "ANALYSISCOMMAND";
  if (olap && !s.server) raise_does_not_exist("@server", "");
  if (!olap && s.server && sub != "TSQL") {
    const std::string srv = s.server->substr(0, s.server->find(','));
    if (!find_server_id(c.db(), srv)) raise_invalid_returned_by("@srv", "sp_helpserver");
  }
  const int64_t prio = s.os_run_priority;
  if (prio != -15 && prio != -1 && prio != 0 && prio != 1 && prio != 15) {
    raise_invalid_values("@os_run_priority", "-15, -1, 0, 1, 15");
  }
  if (s.flags < 0 || s.flags > 114) raise_invalid_values("@flags", "0..114");
  auto not_valid = [&](const char* param) {
    throw SqlError{14545, std::string("The ") + param + " parameter is not valid for a job step of type '" + s.subsystem + "'."};
  };
  const bool output_ok = sub == "TSQL" || sub == "CMDEXEC" || olap || sub == "SSIS" || sub == "POWERSHELL";
  if ((s.flags & 4) && sub != "TSQL") not_valid("@flags");
  if ((s.flags & 8) && (s.flags & 16)) not_valid("@flags");
  if ((s.flags & 64) && sub != "CMDEXEC") not_valid("@flags");
  if (s.output_file_name && !output_ok) not_valid("@output_file_name");
  if ((s.flags & 24) && !output_ok) not_valid("@flags");
  if (sub == "CMDEXEC") {
    s.database_name.reset();
    s.database_user_name.reset();
  }
  if (sub != "TSQL") s.database_user_name.reset();
  if (sub == "TSQL") {
    s.server.reset();
    if (!s.database_name || s.database_name->empty()) s.database_name = "master";
    if (!database_id(c.db(), *s.database_name)) raise_does_not_exist("@database_name", *s.database_name);
    if (!caller_is_sysadmin(c)) s.database_user_name.reset();
  }
}

void sp_add_jobstep(ProcCall& c) {
  const std::string job_id = resolve_job(c);
  require_job_owner(c, job_id);
  StepSpec s;
  s.step_name = *c.str("@step_name");
  check_identifier_length(s.step_name);
  s.subsystem = c.str("@subsystem").value_or("TSQL");
  s.command = c.raw_str("@command");
  s.additional_parameters = c.raw_str("@additional_parameters");
  s.cmdexec_success_code = c.num_or("@cmdexec_success_code", 0);
  s.on_success_action = c.num_or("@on_success_action", 1);
  s.on_success_step_id = c.num_or("@on_success_step_id", 0);
  s.on_fail_action = c.num_or("@on_fail_action", 2);
  s.on_fail_step_id = c.num_or("@on_fail_step_id", 0);
  s.server = c.str("@server");
  s.database_name = c.str("@database_name");
  s.database_user_name = c.str("@database_user_name");
  s.retry_attempts = c.num_or("@retry_attempts", 0);
  s.retry_interval = c.num_or("@retry_interval", 0);
  s.os_run_priority = c.num_or("@os_run_priority", 0);
  s.output_file_name = c.str("@output_file_name");
  s.flags = c.num_or("@flags", 0);
  s.proxy_id = proxy_for(c);
  const int64_t max = step_count(c.db(), job_id);
  s.step_id = c.num("@step_id").value_or(max + 1);
  verify_step(c, job_id, s, max, 0);
  const std::string uid = insert_step(c.db(), job_id, s);
  touch_job(c.db(), job_id);
  c.set_output("@step_uid", Value{uid});
}

void sp_update_jobstep(ProcCall& c) {
  const std::string job_id = resolve_job(c);
  require_job_owner(c, job_id);
  const int64_t step_id = *c.num("@step_id");
  auto rows = query(c.db(),
                    "SELECT step_name, subsystem, command, additional_parameters, cmdexec_success_code, on_success_action, "
                    "on_success_step_id, on_fail_action, on_fail_step_id, server, database_name, database_user_name, "
                    "retry_attempts, retry_interval, os_run_priority, output_file_name, flags, proxy_id "
                    "FROM msdb_sysjobsteps WHERE job_id = ?1 AND step_id = ?2",
                    {text(job_id), integer(step_id)});
  if (rows.empty()) raise_does_not_exist("@step_id", std::to_string(step_id));
  const Row& r = rows[0];
  StepSpec s;
  s.step_id = step_id;
  s.step_name = c.str("@step_name").value_or(*as_text(r[0]));
  s.subsystem = c.str("@subsystem").value_or(*as_text(r[1]));
  // sp_update_jobstep: NULL keeps a value; an empty or all-blank string clears it (the page's rule
  // for @output_file_name, which the procedure applies to every nullable text argument and to
  // @proxy_name). https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-update-jobstep-transact-sql
  auto cleared = [&](const char* param) { auto v = c.str(param); return v && v->empty(); };
  s.command = c.is_null("@command") ? as_text(r[2]) : c.raw_str("@command");
  if (cleared("@command")) s.command.reset();
  s.additional_parameters = c.is_null("@additional_parameters") ? as_text(r[3]) : c.raw_str("@additional_parameters");
  s.cmdexec_success_code = c.num("@cmdexec_success_code").value_or(*as_int(r[4]));
  s.on_success_action = c.num("@on_success_action").value_or(*as_int(r[5]));
  s.on_success_step_id = c.num("@on_success_step_id").value_or(*as_int(r[6]));
  s.on_fail_action = c.num("@on_fail_action").value_or(*as_int(r[7]));
  s.on_fail_step_id = c.num("@on_fail_step_id").value_or(*as_int(r[8]));
  s.server = c.is_null("@server") ? as_text(r[9]) : c.str("@server");
  s.database_name = c.is_null("@database_name") ? as_text(r[10]) : c.str("@database_name");
  s.database_user_name = c.is_null("@database_user_name") ? as_text(r[11]) : c.str("@database_user_name");
  for (auto* v : {&s.server, &s.database_name, &s.database_user_name}) {
    if (*v && (*v)->empty()) v->reset();
  }
  s.retry_attempts = c.num("@retry_attempts").value_or(*as_int(r[12]));
  s.retry_interval = c.num("@retry_interval").value_or(*as_int(r[13]));
  s.os_run_priority = c.num("@os_run_priority").value_or(*as_int(r[14]));
  s.output_file_name = c.is_null("@output_file_name") ? as_text(r[15]) : c.str("@output_file_name");
  if (s.output_file_name && s.output_file_name->empty()) s.output_file_name.reset();
  s.flags = c.num("@flags").value_or(*as_int(r[16]));
  if (cleared("@proxy_name")) {
    s.proxy_id.reset();  // "@proxy_name = N''" removes the step's proxy
  } else {
    s.proxy_id = proxy_for(c);
    if (!s.proxy_id && !is_null(r[17])) s.proxy_id = as_int(r[17]);
  }
  verify_step(c, job_id, s, step_count(c.db(), job_id), step_id);
  exec(c.db(),
       "UPDATE msdb_sysjobsteps SET step_name = ?1, subsystem = ?2, command = ?3, additional_parameters = ?4, "
       "cmdexec_success_code = ?5, on_success_action = ?6, on_success_step_id = ?7, on_fail_action = ?8, "
       "on_fail_step_id = ?9, server = ?10, database_name = ?11, database_user_name = ?12, retry_attempts = ?13, "
       "retry_interval = ?14, os_run_priority = ?15, output_file_name = ?16, flags = ?17, proxy_id = ?18 "
       "WHERE job_id = ?19 AND step_id = ?20",
       {text(s.step_name), text(s.subsystem), opt_text(s.command), opt_text(s.additional_parameters),
        integer(s.cmdexec_success_code), integer(s.on_success_action), integer(s.on_success_step_id),
        integer(s.on_fail_action), integer(s.on_fail_step_id), opt_text(s.server), opt_text(s.database_name),
        opt_text(s.database_user_name), integer(s.retry_attempts), integer(s.retry_interval),
        integer(s.os_run_priority), opt_text(s.output_file_name), integer(s.flags),
        s.proxy_id ? Value{*s.proxy_id} : Value{Null{}}, text(job_id), integer(step_id)});
  touch_job(c.db(), job_id);
}

void sp_delete_jobstep(ProcCall& c) {
  const std::string job_id = resolve_job(c);
  require_job_owner(c, job_id);
  const int64_t step_id = *c.num("@step_id");
  const int64_t max = step_count(c.db(), job_id);
  if (step_id == 0) {
    // Step 0 deletes every step.
    exec(c.db(), "DELETE FROM msdb_sysjobsteps WHERE job_id = ?1", {text(job_id)});
    exec(c.db(), "UPDATE msdb_sysjobs SET start_step_id = 1 WHERE job_id = ?1", {text(job_id)});
  } else {
    if (step_id < 0 || step_id > max) raise_invalid_values("@step_id", "0.." + std::to_string(max));
    delete_step(c.db(), job_id, step_id);
    exec(c.db(),
         "UPDATE msdb_sysjobs SET start_step_id = CASE WHEN start_step_id = ?2 THEN 1 WHEN start_step_id > ?2 "
         "THEN start_step_id - 1 ELSE start_step_id END WHERE job_id = ?1",
         {text(job_id), integer(step_id)});
  }
  touch_job(c.db(), job_id);
}

std::vector<ParamDef> job_ident() { return {p_guid("@job_id"), p_str("@job_name", 128)}; }

}  // namespace

void add_agent_step_procs(std::vector<ProcDef>* out) {
  std::vector<ParamDef> add = job_ident();
  for (auto p : {p_int("@step_id"), p_str("@step_name", 128, true), p_str("@subsystem", 40, false, Value{std::string("TSQL")}),
                 p_str("@command", -1), p_str("@additional_parameters", -1), p_int("@cmdexec_success_code", 0),
                 p_int("@on_success_action", 1), p_int("@on_success_step_id", 0), p_int("@on_fail_action", 2),
                 p_int("@on_fail_step_id", 0), p_str("@server", 128), p_str("@database_name", 128),
                 p_str("@database_user_name", 128), p_int("@retry_attempts", 0), p_int("@retry_interval", 0),
                 p_int("@os_run_priority", 0), p_str("@output_file_name", 200), p_int("@flags", 0), p_int("@proxy_id"),
                 p_str("@proxy_name", 128), p_guid("@step_uid", true)}) {
    add.push_back(p);
  }
  out->push_back({"sp_add_jobstep", "msdb", add, sp_add_jobstep});
  std::vector<ParamDef> update = job_ident();
  for (auto p : {p_int("@step_id", std::nullopt, true), p_str("@step_name", 128), p_str("@subsystem", 40),
                 p_str("@command", -1), p_str("@additional_parameters", -1), p_int("@cmdexec_success_code"),
                 p_int("@on_success_action"), p_int("@on_success_step_id"), p_int("@on_fail_action"),
                 p_int("@on_fail_step_id"), p_str("@server", 128), p_str("@database_name", 128),
                 p_str("@database_user_name", 128), p_int("@retry_attempts"), p_int("@retry_interval"),
                 p_int("@os_run_priority"), p_str("@output_file_name", 200), p_int("@flags"), p_int("@proxy_id"),
                 p_str("@proxy_name", 128)}) {
    update.push_back(p);
  }
  out->push_back({"sp_update_jobstep", "msdb", update, sp_update_jobstep});
  std::vector<ParamDef> del = job_ident();
  del.push_back(p_int("@step_id", std::nullopt, true));
  out->push_back({"sp_delete_jobstep", "msdb", del, sp_delete_jobstep});
}

}  // namespace emu::st
