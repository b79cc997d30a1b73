// agent_model.cc — see agent_model.h.
#include "engine/agent_model.h"

#include <algorithm>

#include "engine/state_util.h"

namespace emu::st {

namespace {

std::optional<int64_t> id_of(sqlite3* db, const std::string& sql, const std::vector<Value>& params) {
  auto v = scalar(db, sql, params);
  if (!v) return std::nullopt;
  return as_int(*v);
}

}  // namespace

int64_t insert_category(sqlite3* db, int64_t cls, int64_t type, const std::string& name) {
  const int64_t id = std::max<int64_t>(99, id_of(db, "SELECT max(category_id) FROM msdb_syscategories", {}).value_or(99)) + 1;
  exec(db, "INSERT INTO msdb_syscategories VALUES (?1, ?2, ?3, ?4)", {integer(id), integer(cls), integer(type), text(name)});
  return id;
}

std::optional<int64_t> find_category(sqlite3* db, int64_t cls, const std::string& name) {
  return id_of(db, "SELECT category_id FROM msdb_syscategories WHERE category_class = ?1 AND name = ?2",
               {integer(cls), text(name)});
}

namespace {

// The 13 columns of an operator row, in the order both statements below bind them.
std::vector<Value> operator_values(const OperatorSpec& s) {
  return {text(s.name), integer(s.enabled), opt_text(s.email_address), opt_text(s.pager_address),
          integer(s.weekday_pager_start_time), integer(s.weekday_pager_end_time), integer(s.saturday_pager_start_time),
          integer(s.saturday_pager_end_time), integer(s.sunday_pager_start_time), integer(s.sunday_pager_end_time),
          integer(s.pager_days), opt_text(s.netsend_address), integer(s.category_id)};
}

}  // namespace

int64_t insert_operator(sqlite3* db, const OperatorSpec& s) {
  exec(db,
       "INSERT INTO msdb_sysoperators (name, enabled, email_address, pager_address, weekday_pager_start_time, "
       "weekday_pager_end_time, saturday_pager_start_time, saturday_pager_end_time, sunday_pager_start_time, "
       "sunday_pager_end_time, pager_days, netsend_address, category_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
       "?10, ?11, ?12, ?13)",
       operator_values(s));
  return sqlite3_last_insert_rowid(db);
}

void update_operator(sqlite3* db, int64_t id, const OperatorSpec& s) {
  auto values = operator_values(s);
  values.push_back(integer(id));
  exec(db,
       "UPDATE msdb_sysoperators SET name = ?1, enabled = ?2, email_address = ?3, pager_address = ?4, "
       "weekday_pager_start_time = ?5, weekday_pager_end_time = ?6, saturday_pager_start_time = ?7, "
       "saturday_pager_end_time = ?8, sunday_pager_start_time = ?9, sunday_pager_end_time = ?10, pager_days = ?11, "
       "netsend_address = ?12, category_id = ?13 WHERE id = ?14",
       values);
}

std::optional<int64_t> find_operator(sqlite3* db, const std::string& name) {
  return id_of(db, "SELECT id FROM msdb_sysoperators WHERE name = ?1", {text(name)});
}

int64_t insert_target_server(sqlite3* db, const std::string& name) {
  const std::string now = now_text();
  exec(db,
       "INSERT INTO msdb_systargetservers (server_name, enlist_date, last_poll_date, local_time_at_last_poll) "
       "VALUES (?1, ?2, ?2, ?2)",
       {text(name), text(now)});
  return sqlite3_last_insert_rowid(db);
}

std::optional<int64_t> find_target_server(sqlite3* db, const std::string& name) {
  return id_of(db, "SELECT server_id FROM msdb_systargetservers WHERE server_name = ?1", {text(name)});
}

int64_t insert_proxy(sqlite3* db, const std::string& name, int64_t credential_id, int64_t enabled,
                     const std::optional<std::string>& description, const std::string& user_sid) {
  exec(db,
       "INSERT INTO msdb_sysproxies (name, credential_id, enabled, description, user_sid, credential_date_created) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
       {text(name), integer(credential_id), integer(enabled), opt_text(description), blob(user_sid), text(now_text())});
  return sqlite3_last_insert_rowid(db);
}

std::optional<int64_t> find_proxy(sqlite3* db, const std::string& name) {
  return id_of(db, "SELECT proxy_id FROM msdb_sysproxies WHERE name = ?1", {text(name)});
}

int64_t insert_schedule(sqlite3* db, ScheduleSpec s) {
  if (s.schedule_uid.empty()) s.schedule_uid = new_guid();
  const std::string now = now_text();
  exec(db,
       "INSERT INTO msdb_sysschedules (schedule_uid, originating_server_id, name, owner_sid, enabled, freq_type, "
       "freq_interval, freq_subday_type, freq_subday_interval, freq_relative_interval, freq_recurrence_factor, "
       "active_start_date, active_end_date, active_start_time, active_end_time, date_created, date_modified, "
       "version_number) VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, 1)",
       {text(s.schedule_uid), text(s.name), blob(s.owner_sid), integer(s.enabled), integer(s.freq_type),
        integer(s.freq_interval), integer(s.freq_subday_type), integer(s.freq_subday_interval),
        integer(s.freq_relative_interval), integer(s.freq_recurrence_factor), integer(s.active_start_date),
        integer(s.active_end_date), integer(s.active_start_time), integer(s.active_end_time), text(now)});
  return sqlite3_last_insert_rowid(db);
}

void update_schedule(sqlite3* db, int64_t id, const ScheduleSpec& s) {
  exec(db,
       "UPDATE msdb_sysschedules SET name = ?1, owner_sid = ?2, enabled = ?3, freq_type = ?4, freq_interval = ?5, "
       "freq_subday_type = ?6, freq_subday_interval = ?7, freq_relative_interval = ?8, freq_recurrence_factor = ?9, "
       "active_start_date = ?10, active_end_date = ?11, active_start_time = ?12, active_end_time = ?13, "
       "date_modified = ?14, version_number = version_number + 1 WHERE schedule_id = ?15",
       {text(s.name), blob(s.owner_sid), integer(s.enabled), integer(s.freq_type), integer(s.freq_interval),
        integer(s.freq_subday_type), integer(s.freq_subday_interval), integer(s.freq_relative_interval),
        integer(s.freq_recurrence_factor), integer(s.active_start_date), integer(s.active_end_date),
        integer(s.active_start_time), integer(s.active_end_time), text(now_text()), integer(id)});
}

std::string insert_job(sqlite3* db, JobSpec s) {
  if (s.job_id.empty()) s.job_id = new_guid();
  const std::string now = now_text();
  exec(db,
       "INSERT INTO msdb_sysjobs VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, 1)",
       {text(s.job_id), text(s.name), integer(s.enabled), opt_text(s.description), integer(s.start_step_id),
        integer(s.category_id), blob(s.owner_sid), integer(s.notify_level_eventlog), integer(s.notify_level_email),
        integer(s.notify_level_netsend), integer(s.notify_level_page), integer(s.notify_email_operator_id),
        integer(s.notify_netsend_operator_id), integer(s.notify_page_operator_id), integer(s.delete_level), text(now)});
  return s.job_id;
}

std::optional<std::string> find_job_by_name(sqlite3* db, const std::string& name) {
  auto v = scalar(db, "SELECT job_id FROM msdb_sysjobs WHERE name = ?1", {text(name)});
  if (!v) return std::nullopt;
  return as_text(*v);
}

bool job_exists(sqlite3* db, const std::string& job_id) {
  return scalar(db, "SELECT 1 FROM msdb_sysjobs WHERE job_id = ?1", {text(job_id)}).has_value();
}

void touch_job(sqlite3* db, const std::string& job_id) {
  exec(db, "UPDATE msdb_sysjobs SET date_modified = ?1, version_number = version_number + 1 WHERE job_id = ?2",
       {text(now_text()), text(job_id)});
}

int64_t step_count(sqlite3* db, const std::string& job_id) {
  return id_of(db, "SELECT count(*) FROM msdb_sysjobsteps WHERE job_id = ?1", {text(job_id)}).value_or(0);
}

std::string insert_step(sqlite3* db, const std::string& job_id, StepSpec s) {
  const int64_t count = step_count(db, job_id);
  const int64_t at = s.step_id.value_or(count + 1);
  if (s.step_uid.empty()) s.step_uid = new_guid();
  if (at <= count) {
    // Make room: later steps move down, and go-to references to them follow.
    exec(db, "UPDATE msdb_sysjobsteps SET step_id = step_id + 1 WHERE job_id = ?1 AND step_id >= ?2",
         {text(job_id), integer(at)});
    exec(db,
         "UPDATE msdb_sysjobsteps SET on_success_step_id = on_success_step_id + 1 WHERE job_id = ?1 "
         "AND on_success_action = 4 AND on_success_step_id >= ?2",
         {text(job_id), integer(at)});
    exec(db,
         "UPDATE msdb_sysjobsteps SET on_fail_step_id = on_fail_step_id + 1 WHERE job_id = ?1 "
         "AND on_fail_action = 4 AND on_fail_step_id >= ?2",
         {text(job_id), integer(at)});
  }
  exec(db,
       "INSERT INTO msdb_sysjobsteps (job_id, step_id, step_name, subsystem, command, flags, additional_parameters, "
       "cmdexec_success_code, on_success_action, on_success_step_id, on_fail_action, on_fail_step_id, server, "
       "database_name, database_user_name, retry_attempts, retry_interval, os_run_priority, output_file_name, "
       "last_run_outcome, last_run_duration, last_run_retries, last_run_date, last_run_time, proxy_id, step_uid) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, 0, 0, 0, 0, 0, ?20, ?21)",
       {text(job_id), integer(at), text(s.step_name), text(s.subsystem), opt_text(s.command), integer(s.flags),
        opt_text(s.additional_parameters), integer(s.cmdexec_success_code), integer(s.on_success_action),
        integer(s.on_success_step_id), integer(s.on_fail_action), integer(s.on_fail_step_id), opt_text(s.server),
        opt_text(s.database_name), opt_text(s.database_user_name), integer(s.retry_attempts),
        integer(s.retry_interval), integer(s.os_run_priority), opt_text(s.output_file_name),
        s.proxy_id ? Value{*s.proxy_id} : Value{Null{}}, text(s.step_uid)});
  return s.step_uid;
}

void delete_step(sqlite3* db, const std::string& job_id, int64_t step_id) {
  exec(db, "DELETE FROM msdb_sysjobsteps WHERE job_id = ?1 AND step_id = ?2", {text(job_id), integer(step_id)});
  // References to the deleted step fall back to the default action; later ones shift up.
  exec(db,
       "UPDATE msdb_sysjobsteps SET on_success_action = 1, on_success_step_id = 0 WHERE job_id = ?1 "
       "AND on_success_action = 4 AND on_success_step_id = ?2",
       {text(job_id), integer(step_id)});
  exec(db,
       "UPDATE msdb_sysjobsteps SET on_fail_action = 2, on_fail_step_id = 0 WHERE job_id = ?1 "
       "AND on_fail_action = 4 AND on_fail_step_id = ?2",
       {text(job_id), integer(step_id)});
  exec(db, "UPDATE msdb_sysjobsteps SET step_id = step_id - 1 WHERE job_id = ?1 AND step_id > ?2",
       {text(job_id), integer(step_id)});
  exec(db,
       "UPDATE msdb_sysjobsteps SET on_success_step_id = on_success_step_id - 1 WHERE job_id = ?1 "
       "AND on_success_action = 4 AND on_success_step_id > ?2",
       {text(job_id), integer(step_id)});
  exec(db,
       "UPDATE msdb_sysjobsteps SET on_fail_step_id = on_fail_step_id - 1 WHERE job_id = ?1 "
       "AND on_fail_action = 4 AND on_fail_step_id > ?2",
       {text(job_id), integer(step_id)});
}

void attach_schedule(sqlite3* db, const std::string& job_id, int64_t schedule_id) {
  if (scalar(db, "SELECT 1 FROM msdb_sysjobschedules WHERE job_id = ?1 AND schedule_id = ?2",
             {text(job_id), integer(schedule_id)})) {
    return;
  }
  exec(db, "INSERT INTO msdb_sysjobschedules (schedule_id, job_id) VALUES (?1, ?2)", {integer(schedule_id), text(job_id)});
}

void insert_jobserver(sqlite3* db, const std::string& job_id, int64_t server_id) {
  exec(db, "INSERT INTO msdb_sysjobservers (job_id, server_id) VALUES (?1, ?2)", {text(job_id), integer(server_id)});
}

}  // namespace emu::st
