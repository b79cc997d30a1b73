// agent_model.h — msdb rows for SQL Server Agent: categories, operators, proxies, schedules, jobs,
// steps, job↔schedule links and job servers. Shared by the msdb procedures (procs_agent*.cc) and the
// fixture loader so both create identical rows. Validation with SQL Server's messages is done by the
// procedures; these functions only insert/update (and renumber steps).
// Internal to the state layer. Thread-safety: caller holds the instance lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <sqlite3.h>

namespace emu::st {

// Category class 1 JOB, 2 ALERT, 3 OPERATOR; type 1 LOCAL, 2 MULTI-SERVER, 3 NONE. Ids from 100.
int64_t insert_category(sqlite3* db, int64_t cls, int64_t type, const std::string& name);
std::optional<int64_t> find_category(sqlite3* db, int64_t cls, const std::string& name);

struct OperatorSpec {
  std::string name;
  int64_t enabled = 1;
  std::optional<std::string> email_address, pager_address, netsend_address;
  int64_t weekday_pager_start_time = 90000, weekday_pager_end_time = 180000;
  int64_t saturday_pager_start_time = 90000, saturday_pager_end_time = 180000;
  int64_t sunday_pager_start_time = 90000, sunday_pager_end_time = 180000;
  int64_t pager_days = 0;
  int64_t category_id = 99;
};
int64_t insert_operator(sqlite3* db, const OperatorSpec& s);
// Overwrites operator `id` with `s` (its name too).
void update_operator(sqlite3* db, int64_t id, const OperatorSpec& s);
std::optional<int64_t> find_operator(sqlite3* db, const std::string& name);

int64_t insert_proxy(sqlite3* db, const std::string& name, int64_t credential_id, int64_t enabled,
                     const std::optional<std::string>& description, const std::string& user_sid);
std::optional<int64_t> find_proxy(sqlite3* db, const std::string& name);

// msdb.dbo.systargetservers: target servers enlisted at this (master) server. Ids from 1; 0 in
// sysjobservers is the local server.
int64_t insert_target_server(sqlite3* db, const std::string& name);
std::optional<int64_t> find_target_server(sqlite3* db, const std::string& name);

struct ScheduleSpec {
  std::string name;
  std::string schedule_uid;  // generated when empty
  std::string owner_sid;
  int64_t enabled = 1, freq_type = 0, freq_interval = 0, freq_subday_type = 0, freq_subday_interval = 0;
  int64_t freq_relative_interval = 0, freq_recurrence_factor = 0;
  int64_t active_start_date = 0, active_end_date = 99991231, active_start_time = 0, active_end_time = 235959;
};
// Returns schedule_id.
int64_t insert_schedule(sqlite3* db, ScheduleSpec s);
// Overwrites the definition of an existing schedule (keeps id and uid), bumps version_number.
void update_schedule(sqlite3* db, int64_t schedule_id, const ScheduleSpec& s);

struct JobSpec {
  std::string job_id;  // generated when empty
  std::string name;
  int64_t enabled = 1;
  std::optional<std::string> description;
  int64_t start_step_id = 1;
  int64_t category_id = 0;
  std::string owner_sid;
  int64_t notify_level_eventlog = 2, notify_level_email = 0, notify_level_netsend = 0, notify_level_page = 0;
  int64_t notify_email_operator_id = 0, notify_netsend_operator_id = 0, notify_page_operator_id = 0;
  int64_t delete_level = 0;
};
std::string insert_job(sqlite3* db, JobSpec s);  // returns job_id
// Job id by name or id text (job ids compared case-insensitively). nullopt when absent.
std::optional<std::string> find_job_by_name(sqlite3* db, const std::string& name);
bool job_exists(sqlite3* db, const std::string& job_id);
void touch_job(sqlite3* db, const std::string& job_id);  // date_modified, version_number + 1

struct StepSpec {
  std::optional<int64_t> step_id;  // appended when absent
  std::string step_name;
  std::string subsystem = "TSQL";
  std::optional<std::string> command, additional_parameters, server, database_name, database_user_name,
      output_file_name;
  int64_t flags = 0, cmdexec_success_code = 0, on_success_action = 1, on_success_step_id = 0;
  int64_t on_fail_action = 2, on_fail_step_id = 0, retry_attempts = 0, retry_interval = 0, os_run_priority = 0;
  std::optional<int64_t> proxy_id;
  std::string step_uid;  // generated when empty
};
// Inserts at step_id (shifting later steps and their go-to references); returns the step_uid.
std::string insert_step(sqlite3* db, const std::string& job_id, StepSpec s);
int64_t step_count(sqlite3* db, const std::string& job_id);
// Deletes a step, renumbering later steps and adjusting go-to references as sp_delete_jobstep does.
void delete_step(sqlite3* db, const std::string& job_id, int64_t step_id);

void attach_schedule(sqlite3* db, const std::string& job_id, int64_t schedule_id);  // idempotent
void insert_jobserver(sqlite3* db, const std::string& job_id, int64_t server_id);

}  // namespace emu::st
