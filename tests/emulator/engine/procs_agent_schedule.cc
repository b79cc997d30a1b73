// procs_agent_schedule.cc — msdb's sp_add_schedule (schedule_uid upsert), sp_update_schedule,
// sp_delete_schedule, sp_attach_schedule, sp_detach_schedule and the legacy sp_add_jobschedule
// (https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-add-schedule-transact-sql
// and its neighbours; checks after sp_verify_schedule; MI refuses CPU-idle schedules with 41914).
#include "engine/agent_model.h"
#include "engine/ddl_internal.h"
#include "engine/lexer.h"
#include "engine/procs_internal.h"

namespace emu::st {

namespace {

// The schedule fields every schedule procedure takes, read over `base` (NULL keeps the base value).
ScheduleSpec read_schedule(ProcCall& c, ScheduleSpec s) {
  s.enabled = c.num("@enabled").value_or(s.enabled);
  s.freq_type = c.num("@freq_type").value_or(s.freq_type);
  s.freq_interval = c.num("@freq_interval").value_or(s.freq_interval);
  s.freq_subday_type = c.num("@freq_subday_type").value_or(s.freq_subday_type);
  s.freq_subday_interval = c.num("@freq_subday_interval").value_or(s.freq_subday_interval);
  s.freq_relative_interval = c.num("@freq_relative_interval").value_or(s.freq_relative_interval);
  s.freq_recurrence_factor = c.num("@freq_recurrence_factor").value_or(s.freq_recurrence_factor);
  s.active_start_date = c.num("@active_start_date").value_or(s.active_start_date);
  s.active_end_date = c.num("@active_end_date").value_or(s.active_end_date);
  s.active_start_time = c.num("@active_start_time").value_or(s.active_start_time);
  s.active_end_time = c.num("@active_end_time").value_or(s.active_end_time);
  return s;
}

void verify_schedule(ProcCall& c, ScheduleSpec& s, uint8_t mi_state) {
  if (c.managed_instance() && s.freq_type == 128) raise_mi_unsupported("Schedule job ONIDLE", mi_state);
  if (s.enabled != 0 && s.enabled != 1) raise_invalid_values("@enabled", "0, 1");
  const int64_t t = s.freq_type;
  if (t != 1 && t != 4 && t != 8 && t != 16 && t != 32 && t != 64 && t != 128) {
    raise_invalid_values("@freq_type", "1, 4, 8, 16, 32, 64, 128");
  }
  if (t == 4 && s.freq_interval < 1) raise_invalid_values("@freq_interval", "1..");
  if (t == 8 && (s.freq_interval < 1 || s.freq_interval > 127)) raise_invalid_values("@freq_interval", "1..127");
  if (t == 16 && (s.freq_interval < 1 || s.freq_interval > 31)) raise_invalid_values("@freq_interval", "1..31");
  if (t == 32 && (s.freq_interval < 1 || s.freq_interval > 10)) raise_invalid_values("@freq_interval", "1..10");
  if (t == 4 || t == 8 || t == 16 || t == 32) {
    const int64_t st = s.freq_subday_type;
    if (st != 1 && st != 2 && st != 4 && st != 8) raise_invalid_values("@freq_subday_type", "0x1, 0x2, 0x4, 0x8");
  }
  if ((t == 8 || t == 16 || t == 32) && s.freq_recurrence_factor < 1) {
    raise_invalid_values("@freq_recurrence_factor", "1..");
  }
  if (t == 32) {
    const int64_t r = s.freq_relative_interval;
    if (r != 1 && r != 2 && r != 4 && r != 8 && r != 16) raise_invalid_values("@freq_relative_interval", "1, 2, 4, 8, 16");
  }
  if (s.active_start_date == 0) s.active_start_date = today_int();
  if (s.active_start_date < 19900101 || s.active_start_date > 99991231) {
    raise_invalid_values("@active_start_date", "19900101..99991231");
  }
  if (s.active_end_date < s.active_start_date || s.active_end_date > 99991231) {
    raise_invalid_values("@active_end_date", "19900101..99991231");
  }
  for (int64_t tm : {s.active_start_time, s.active_end_time}) {
    if (tm < 0 || tm > 235959 || tm % 100 > 59 || (tm / 100) % 100 > 59) {
      raise_invalid_values(tm == s.active_start_time ? "@active_start_time" : "@active_end_time", "000000..235959");
    }
  }
}

std::string owner_sid_for(ProcCall& c) {
  auto owner = c.str("@owner_login_name");
  if (!owner) return caller_sid(c);
  auto p = find_principal(c.db(), *owner);
  if (!p || p->type == "R") raise_does_not_exist("@owner_login_name", *owner);
  return p->sid;
}

// Schedule by @schedule_id or by name (names are not unique: 14371).
int64_t resolve_schedule(ProcCall& c, const char* name_param) {
  auto id = c.num("@schedule_id");
  auto name = c.str(name_param);
  if (id.has_value() == name.has_value()) {
    throw SqlError{14373, std::string("Supply either @schedule_id or ") + name_param + " to identify the schedule."};
  }
  if (id) {
    if (!scalar(c.db(), "SELECT 1 FROM msdb_sysschedules WHERE schedule_id = ?1", {integer(*id)})) {
      raise_does_not_exist("@schedule_id", std::to_string(*id));
    }
    return *id;
  }
  auto rows = query(c.db(), "SELECT schedule_id FROM msdb_sysschedules WHERE name = ?1", {text(*name)});
  if (rows.empty()) raise_does_not_exist("@schedule_name", *name);
  if (rows.size() > 1) {
    throw SqlError{14371, "There are two or more schedules named \"" + *name +
                              "\". Specify @schedule_id instead of @schedule_name to uniquely identify the schedules."};
  }
  return *as_int(rows[0][0]);
}

// sp_add_schedule's body, shared with sp_add_jobschedule: upsert by @schedule_uid.
int64_t add_schedule(ProcCall& c, const std::string& name, const std::string& owner_sid, uint8_t mi_state) {
  ScheduleSpec s;
  s.name = name;
  s.owner_sid = owner_sid;
  s.freq_type = 0;
  s = read_schedule(c, s);
  verify_schedule(c, s, mi_state);
  // "For weekly or monthly schedules, the Agent ignores if active_start_date is in the past, and
  // instead uses the current date."
  // https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-add-schedule-transact-sql
  if ((s.freq_type == 8 || s.freq_type == 16 || s.freq_type == 32) && s.active_start_date < today_int()) {
    s.active_start_date = today_int();
  }
  if (auto uid = c.guid("@schedule_uid")) {
    s.schedule_uid = *uid;
    if (auto existing = scalar(c.db(), "SELECT schedule_id FROM msdb_sysschedules WHERE schedule_uid = ?1", {text(*uid)})) {
      // The same schedule_uid again updates that schedule (idempotent replay).
      const int64_t id = *as_int(*existing);
      update_schedule(c.db(), id, s);
      return id;
    }
  }
  return insert_schedule(c.db(), s);
}

void set_schedule_outputs(ProcCall& c, int64_t id) {
  c.set_output("@schedule_id", Value{id});
  c.set_output("@schedule_uid", *scalar(c.db(), "SELECT schedule_uid FROM msdb_sysschedules WHERE schedule_id = ?1", {integer(id)}));
}

void sp_add_schedule(ProcCall& c) {
  const std::string name = *c.str("@schedule_name");
  check_identifier_length(name);
  if (c.str("@owner_login_name") && !caller_is_sysadmin(c)) {
    auto me = caller(c.ctx(), c.db());
    if (!me || !iequals(me->name, *c.str("@owner_login_name"))) {
      throw SqlError{14394, "Only owner of a job schedule or members of sysadmin role can modify or delete the job schedule."};
    }
  }
  const int64_t id = add_schedule(c, name, owner_sid_for(c), 4);
  set_schedule_outputs(c, id);
}

void sp_update_schedule(ProcCall& c) {
  const int64_t id = resolve_schedule(c, "@name");
  auto r = query(c.db(),
                 "SELECT name, owner_sid, enabled, freq_type, freq_interval, freq_subday_type, freq_subday_interval, "
                 "freq_relative_interval, freq_recurrence_factor, active_start_date, active_end_date, active_start_time, "
                 "active_end_time FROM msdb_sysschedules WHERE schedule_id = ?1",
                 {integer(id)})[0];
  ScheduleSpec s;
  s.name = *as_text(r[0]);
  s.owner_sid = std::get<Blob>(r[1]).bytes;
  if (!caller_is_sysadmin(c) && s.owner_sid != caller_sid(c)) {
    throw SqlError{14394, "Only owner of a job schedule or members of sysadmin role can modify or delete the job schedule."};
  }
  s.enabled = *as_int(r[2]);
  s.freq_type = *as_int(r[3]);
  s.freq_interval = *as_int(r[4]);
  s.freq_subday_type = *as_int(r[5]);
  s.freq_subday_interval = *as_int(r[6]);
  s.freq_relative_interval = *as_int(r[7]);
  s.freq_recurrence_factor = *as_int(r[8]);
  s.active_start_date = *as_int(r[9]);
  s.active_end_date = *as_int(r[10]);
  s.active_start_time = *as_int(r[11]);
  s.active_end_time = *as_int(r[12]);
  if (auto n = c.str("@new_name"); n && !n->empty()) {
    check_identifier_length(*n);
    s.name = *n;
  }
  if (c.str("@owner_login_name")) {
    if (!caller_is_sysadmin(c)) {
      throw SqlError{14394, "Only owner of a job schedule or members of sysadmin role can modify or delete the job schedule."};
    }
    s.owner_sid = owner_sid_for(c);
  }
  s = read_schedule(c, s);
  verify_schedule(c, s, 7);
  update_schedule(c.db(), id, s);
}

void sp_delete_schedule(ProcCall& c) {
  const int64_t id = resolve_schedule(c, "@schedule_name");
  const int64_t jobs = *as_int(*scalar(c.db(), "SELECT count(*) FROM msdb_sysjobschedules WHERE schedule_id = ?1", {integer(id)}));
  if (jobs > 0 && c.num_or("@force_delete", 0) == 0) {
    throw SqlError{14372, "The schedule (id " + std::to_string(id) + ") could not be deleted because it is being used by at least one other job. Use sp_detach_schedule to remove schedules from a job."};
  }
  exec(c.db(), "DELETE FROM msdb_sysjobschedules WHERE schedule_id = ?1", {integer(id)});
  exec(c.db(), "DELETE FROM msdb_sysschedules WHERE schedule_id = ?1", {integer(id)});
}

void sp_attach_schedule(ProcCall& c) {
  const std::string job_id = resolve_job(c);
  const int64_t schedule = resolve_schedule(c, "@schedule_name");
  require_job_owner(c, job_id);
  attach_schedule(c.db(), job_id, schedule);
  touch_job(c.db(), job_id);
}

void sp_detach_schedule(ProcCall& c) {
  const std::string job_id = resolve_job(c);
  const int64_t schedule = resolve_schedule(c, "@schedule_name");
  require_job_owner(c, job_id);
  const int changed = exec(c.db(), "DELETE FROM msdb_sysjobschedules WHERE job_id = ?1 AND schedule_id = ?2",
                           {text(job_id), integer(schedule)});
  if (changed == 0) {
    auto sname = scalar(c.db(), "SELECT name FROM msdb_sysschedules WHERE schedule_id = ?1", {integer(schedule)});
    auto jname = scalar(c.db(), "SELECT name FROM msdb_sysjobs WHERE job_id = ?1", {text(job_id)});
    throw SqlError{14374, "The specified schedule name \"" + as_text(*sname).value_or("") +
                              "\" is not associated with the job \"" + as_text(*jname).value_or("") + "\"."};
  }
  if (c.num_or("@delete_unused_schedule", 0) != 0) {
    exec(c.db(),
         "DELETE FROM msdb_sysschedules WHERE schedule_id = ?1 AND NOT EXISTS "
         "(SELECT 1 FROM msdb_sysjobschedules WHERE schedule_id = ?1)",
         {integer(schedule)});
  }
  touch_job(c.db(), job_id);
}

void sp_add_jobschedule(ProcCall& c) {
  const std::string job_id = resolve_job(c);
  require_job_owner(c, job_id);
  const std::string name = *c.str("@name");
  check_identifier_length(name);
  if (scalar(c.db(),
             "SELECT 1 FROM msdb_sysjobschedules js JOIN msdb_sysschedules s ON s.schedule_id = js.schedule_id "
             "WHERE js.job_id = ?1 AND s.name = ?2",
             {text(job_id), text(name)})) {
    throw SqlError{14261, "The specified @name ('" + name + "') already exists."};
  }
  // The schedule belongs to the job's owner.
  const std::string owner = std::get<Blob>(*scalar(c.db(), "SELECT owner_sid FROM msdb_sysjobs WHERE job_id = ?1", {text(job_id)})).bytes;
  const int64_t id = add_schedule(c, name, owner, 3);
  attach_schedule(c.db(), job_id, id);
  touch_job(c.db(), job_id);
  set_schedule_outputs(c, id);
}

std::vector<ParamDef> schedule_fields(bool add_defaults) {
  auto d = [&](int64_t v) { return add_defaults ? std::optional<int64_t>(v) : std::nullopt; };
  return {p_int("@enabled", d(1)),
          p_int("@freq_type", d(0)),
          p_int("@freq_interval", d(0)),
          p_int("@freq_subday_type", d(0)),
          p_int("@freq_subday_interval", d(0)),
          p_int("@freq_relative_interval", d(0)),
          p_int("@freq_recurrence_factor", d(0)),
          p_int("@active_start_date"),
          p_int("@active_end_date", d(99991231)),
          p_int("@active_start_time", d(0)),
          p_int("@active_end_time", d(235959))};
}

}  // namespace

void add_agent_schedule_procs(std::vector<ProcDef>* out) {
  std::vector<ParamDef> add = {p_str("@schedule_name", 128, true)};
  for (auto& p : schedule_fields(true)) add.push_back(p);
  for (auto p : {p_str("@owner_login_name", 128), p_guid("@schedule_uid", true), p_out_int("@schedule_id"),
                 p_str("@originating_server", 128)}) {
    add.push_back(p);
  }
  out->push_back({"sp_add_schedule", "msdb", add, sp_add_schedule});

  std::vector<ParamDef> update = {p_int("@schedule_id"), p_str("@name", 128), p_str("@new_name", 128)};
  for (auto& p : schedule_fields(false)) update.push_back(p);
  update.push_back(p_str("@owner_login_name", 128));
  update.push_back(p_int("@automatic_post", 1));
  out->push_back({"sp_update_schedule", "msdb", update, sp_update_schedule});

  out->push_back({"sp_delete_schedule", "msdb",
                  {p_int("@schedule_id"), p_str("@schedule_name", 128), p_int("@force_delete", 0), p_int("@automatic_post", 1)},
                  sp_delete_schedule});
  out->push_back({"sp_attach_schedule", "msdb",
                  {p_guid("@job_id"), p_str("@job_name", 128), p_int("@schedule_id"), p_str("@schedule_name", 128),
                   p_int("@automatic_post", 1)},
                  sp_attach_schedule});
  out->push_back({"sp_detach_schedule", "msdb",
                  {p_guid("@job_id"), p_str("@job_name", 128), p_int("@schedule_id"), p_str("@schedule_name", 128),
                   p_int("@delete_unused_schedule", 0), p_int("@automatic_post", 1)},
                  sp_detach_schedule});

  std::vector<ParamDef> jobsched = {p_guid("@job_id"), p_str("@job_name", 128), p_str("@name", 128, true)};
  auto fields = schedule_fields(true);
  fields[1] = p_int("@freq_type", 1);  // sp_add_jobschedule's own default (doc says 0; source 1)
  for (auto& p : fields) jobsched.push_back(p);
  jobsched.push_back(p_out_int("@schedule_id"));
  jobsched.push_back(p_int("@automatic_post", 1));
  jobsched.push_back(p_guid("@schedule_uid", true));
  out->push_back({"sp_add_jobschedule", "msdb", jobsched, sp_add_jobschedule});
}

}  // namespace emu::st
