// procs_agent_job.cc — msdb's sp_add_category, sp_add_operator, sp_add_job, sp_update_job,
// sp_delete_job and sp_add_jobserver, following the procedures' own source (sp_verify_job's order
// of checks, RAISERROR numbers, MI branches on EngineEdition 8) and their pages
// (https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-add-job-transact-sql
// and its neighbours).
#include "engine/agent_model.h"
#include "engine/ddl_internal.h"
#include "engine/lexer.h"
#include "engine/procs_internal.h"

namespace emu::st {

namespace {

constexpr const char* kNoDescription = "No description available.";

void sp_add_category(ProcCall& c) {
  require_sysadmin(c);
  const std::string cls_name = to_upper_ascii(c.str("@class").value_or("JOB"));
  const std::string type_name = to_upper_ascii(c.str("@type").value_or("LOCAL"));
  const std::string name = *c.str("@name");
  check_identifier_length(name);
  int64_t cls = 0, type = 0;
  if (cls_name == "JOB") cls = 1;
  else if (cls_name == "ALERT") cls = 2;
  else if (cls_name == "OPERATOR") cls = 3;
  else raise_invalid_values("@class", "JOB, ALERT, OPERATOR");
  if (cls == 1) {
    if (type_name == "LOCAL") type = 1;
    else if (type_name == "MULTI-SERVER") type = 2;
    else raise_invalid_values("@type", "LOCAL, MULTI-SERVER");
  } else {
    if (type_name != "NONE") raise_invalid_values("@type", "NONE");
    type = 3;
  }
  if (find_category(c.db(), cls, name)) throw SqlError{14261, "The specified @name ('" + name + "') already exists."};
  insert_category(c.db(), cls, type, name);
}

void sp_add_operator(ProcCall& c) {
  OperatorSpec s;
  s.name = *c.str("@name");
  s.netsend_address = c.str("@netsend_address");
  if (s.netsend_address && !s.netsend_address->empty() && c.managed_instance()) raise_mi_unsupported("NetSend", 12);
  require_sysadmin(c);
  check_identifier_length(s.name);
  s.enabled = c.num_or("@enabled", 1);
  s.email_address = c.str("@email_address");
  s.pager_address = c.str("@pager_address");
  auto empty_to_null = [](std::optional<std::string>& v) {
    if (v && v->empty()) v.reset();
  };
  empty_to_null(s.email_address);
  empty_to_null(s.pager_address);
  empty_to_null(s.netsend_address);
  s.weekday_pager_start_time = c.num_or("@weekday_pager_start_time", 90000);
  s.weekday_pager_end_time = c.num_or("@weekday_pager_end_time", 180000);
  s.saturday_pager_start_time = c.num_or("@saturday_pager_start_time", 90000);
  s.saturday_pager_end_time = c.num_or("@saturday_pager_end_time", 180000);
  s.sunday_pager_start_time = c.num_or("@sunday_pager_start_time", 90000);
  s.sunday_pager_end_time = c.num_or("@sunday_pager_end_time", 180000);
  s.pager_days = c.num_or("@pager_days", 0);
  if (s.enabled != 0 && s.enabled != 1) raise_invalid_values("@enabled", "0, 1");
  if (s.pager_days < 0 || s.pager_days > 127) raise_invalid_values("@pager_days", "0..127");
  if (find_operator(c.db(), s.name)) throw SqlError{14261, "The specified @name ('" + s.name + "') already exists."};
  if (auto cat = c.str("@category_name"); cat && !cat->empty()) {
    auto id = find_category(c.db(), 3, *cat);
    if (!id) raise_invalid_returned_by("@category_name", "sp_help_category");
    s.category_id = *id;
  }
  insert_operator(c.db(), s);
}

// Owner for sp_add_job / sp_update_job: login name → SID (NULL when not a usable login).
std::optional<std::string> owner_sid_of(ProcCall& c, const std::string& login) {
  if (login == "$(SQLAgentAccount)") return std::string("\xFF\xFF\xFF\xFF", 4);
  auto p = find_principal(c.db(), login);
  if (!p || p->type == "R" || p->sid.empty()) return std::nullopt;
  return p->sid;
}

// sp_verify_job's operator checks: the operator must exist, and a named operator needs a level.
void verify_operator(ProcCall& c, const std::optional<std::string>& name, const char* name_param,
                     int64_t* level, const char* level_param, int64_t* id) {
  if (!name) {
    *id = 0;
    *level = 0;
    return;
  }
  auto op = find_operator(c.db(), *name);
  if (!op) raise_invalid_returned_by(name_param, "sp_help_operator");
  if (*level == 0) raise_invalid_values(level_param, "1, 2, 3");
  *id = *op;
}

void verify_levels(const JobSpec& s) {
  const std::pair<const char*, int64_t> levels[] = {{"@notify_level_eventlog", s.notify_level_eventlog},
                                                   {"@notify_level_email", s.notify_level_email},
                                                   {"@notify_level_netsend", s.notify_level_netsend},
                                                   {"@notify_level_page", s.notify_level_page}};
  for (const auto& [name, level] : levels) {
    if ((level & 3) != level) raise_invalid_values(name, "0, 1, 2, 3");
  }
}

std::optional<int64_t> category_id_for(ProcCall& c, const std::optional<std::string>& name) {
  if (!name || *name == "[DEFAULT]") return 0;
  return find_category(c.db(), 1, *name);
}

void sp_add_job(ProcCall& c) {
  JobSpec s;
  s.notify_level_netsend = c.num_or("@notify_level_netsend", 0);
  if (c.managed_instance() && s.notify_level_netsend != 0) raise_mi_unsupported("NetSend", 10);
  s.name = *c.str("@job_name");
  check_identifier_length(s.name);
  const auto owner = c.str("@owner_login_name");
  auto me = caller(c.ctx(), c.db());
  if (owner && !caller_is_sysadmin(c) && !(me && iequals(me->name, *owner))) {
    throw SqlError{14515, "Only a member of the sysadmin server role can add a job for a different owner with @owner_login_name."};
  }
  std::optional<std::string> owner_sid = owner ? owner_sid_of(c, *owner) : std::optional<std::string>(caller_sid(c));
  s.enabled = c.num_or("@enabled", 1);
  s.description = c.raw_str("@description");
  if (!s.description) s.description = kNoDescription;
  s.start_step_id = c.num_or("@start_step_id", 1);
  s.notify_level_eventlog = c.managed_instance() ? 0 : c.num_or("@notify_level_eventlog", 2);
  s.notify_level_email = c.num_or("@notify_level_email", 0);
  s.notify_level_page = c.num_or("@notify_level_page", 0);
  s.delete_level = c.num_or("@delete_level", 0);
  // sp_verify_job, in its order.
  if (find_job_by_name(c.db(), s.name)) throw SqlError{14261, "The specified @name ('" + s.name + "') already exists."};
  if (s.enabled != 0 && s.enabled != 1) raise_invalid_values("@enabled", "0, 1");
  if (s.start_step_id != 1) raise_invalid_values("@start_step_id", "1");
  std::optional<int64_t> category;
  if (auto by_id = c.num("@category_id")) {
    category = scalar(c.db(), "SELECT 1 FROM msdb_syscategories WHERE category_id = ?1 AND category_class = 1",
                      {integer(*by_id)}) ? by_id : std::nullopt;
  } else {
    category = category_id_for(c, c.str("@category_name"));
  }
  if (!category) raise_invalid_returned_by("@category_name", "sp_help_category");
  if (*category == 1) {
    throw SqlError{14267, "Cannot add a job to the '" + c.str("@category_name").value_or("Jobs from MSX") + "' job category."};
  }
  s.category_id = *category;
  if (!owner_sid) raise_invalid_returned_by("@owner_login_name", "sp_helplogins [excluding Windows NT groups]");
  if (auto p = find_principal_by_sid(c.db(), *owner_sid); p && p->type == "G") {
    raise_invalid_returned_by("@owner_login_name", "sp_helplogins [excluding Windows NT groups]");
  }
  s.owner_sid = *owner_sid;
  verify_levels(s);
  verify_operator(c, c.str("@notify_email_operator_name"), "@notify_email_operator_name", &s.notify_level_email,
                  "@notify_level_email", &s.notify_email_operator_id);
  verify_operator(c, c.str("@notify_netsend_operator_name"), "@notify_netsend_operator_name",
                  &s.notify_level_netsend, "@notify_level_netsend", &s.notify_netsend_operator_id);
  verify_operator(c, c.str("@notify_page_operator_name"), "@notify_page_operator_name", &s.notify_level_page,
                  "@notify_level_page", &s.notify_page_operator_id);
  if ((s.delete_level & 3) != s.delete_level) raise_invalid_values("@delete_level", "0, 1, 2, 3");
  // A caller-supplied job id is only accepted from SQLAgent itself (job ids cannot be preserved).
  if (c.guid("@job_id")) {
    throw SqlError{14274, "Cannot add, update, or delete a job (or its steps or schedules) that originated from an MSX server."};
  }
  const std::string id = insert_job(c.db(), s);
  c.set_output("@job_id", Value{id});
}

void sp_update_job(ProcCall& c) {
  const std::string job_id = resolve_job(c);
  require_job_owner(c, job_id);
  if (c.managed_instance() && c.num_or("@notify_level_netsend", 0) != 0) raise_mi_unsupported("NetSend", 10);
  sqlite3* db = c.db();
  auto row = query(db,
                   "SELECT name, enabled, description, start_step_id, category_id, owner_sid, notify_level_eventlog, "
                   "notify_level_email, notify_level_netsend, notify_level_page, notify_email_operator_id, "
                   "notify_netsend_operator_id, notify_page_operator_id, delete_level FROM msdb_sysjobs WHERE job_id = ?1",
                   {text(job_id)})[0];
  JobSpec s;
  s.name = *as_text(row[0]);
  s.enabled = *as_int(row[1]);
  s.description = as_text(row[2]);
  s.start_step_id = *as_int(row[3]);
  s.category_id = *as_int(row[4]);
  s.owner_sid = std::get<Blob>(row[5]).bytes;
  s.notify_level_eventlog = *as_int(row[6]);
  s.notify_level_email = *as_int(row[7]);
  s.notify_level_netsend = *as_int(row[8]);
  s.notify_level_page = *as_int(row[9]);
  s.notify_email_operator_id = *as_int(row[10]);
  s.notify_netsend_operator_id = *as_int(row[11]);
  s.notify_page_operator_id = *as_int(row[12]);
  s.delete_level = *as_int(row[13]);
  if (auto n = c.str("@new_name"); n && !n->empty()) {
    check_identifier_length(*n);
    auto other = find_job_by_name(db, *n);
    if (other && !iequals(*other, job_id)) throw SqlError{14261, "The specified @name ('" + *n + "') already exists."};
    s.name = *n;
  }
  if (auto v = c.num("@enabled")) {
    if (*v != 0 && *v != 1) raise_invalid_values("@enabled", "0, 1");
    s.enabled = *v;
  }
  if (auto d = c.raw_str("@description")) s.description = d->empty() ? std::nullopt : d;
  if (auto v = c.num("@start_step_id")) {
    const int64_t max = step_count(db, job_id);
    if (*v < 1 || *v > max + 1) raise_invalid_values("@start_step_id", "1.." + std::to_string(max + 1));
    s.start_step_id = *v;
  }
  if (auto cat = c.str("@category_name")) {
    auto id = category_id_for(c, cat->empty() ? std::optional<std::string>("[DEFAULT]") : cat);
    if (!id) raise_invalid_returned_by("@category_name", "sp_help_category");
    s.category_id = *id;
  }
  if (auto owner = c.str("@owner_login_name")) {
    if (!caller_is_sysadmin(c)) throw SqlError{14242, "Only a system administrator can reassign ownership of a job."};
    auto sid = owner_sid_of(c, *owner);
    if (!sid) raise_invalid_returned_by("@owner_login_name", "sp_helplogins [excluding Windows NT groups]");
    s.owner_sid = *sid;
  }
  if (c.managed_instance()) s.notify_level_eventlog = 0;
  else if (auto v = c.num("@notify_level_eventlog")) s.notify_level_eventlog = *v;
  if (auto v = c.num("@notify_level_email")) s.notify_level_email = *v;
  if (auto v = c.num("@notify_level_netsend")) s.notify_level_netsend = *v;
  if (auto v = c.num("@notify_level_page")) s.notify_level_page = *v;
  if (auto v = c.num("@delete_level")) s.delete_level = *v;
  verify_levels(s);
  if ((s.delete_level & 3) != s.delete_level) raise_invalid_values("@delete_level", "0, 1, 2, 3");
  // Operators: a name sets it, '' clears it (and its level), absent keeps it.
  struct Op {
    const char* name_param;
    const char* level_param;
    int64_t* level;
    int64_t* id;
  };
  const Op ops[] = {{"@notify_email_operator_name", "@notify_level_email", &s.notify_level_email, &s.notify_email_operator_id},
                    {"@notify_netsend_operator_name", "@notify_level_netsend", &s.notify_level_netsend, &s.notify_netsend_operator_id},
                    {"@notify_page_operator_name", "@notify_level_page", &s.notify_level_page, &s.notify_page_operator_id}};
  for (const auto& op : ops) {
    auto name = c.str(op.name_param);
    if (!name) {
      if (*op.id == 0) *op.level = 0;
      else if (*op.level == 0) raise_invalid_values(op.level_param, "1, 2, 3");
      continue;
    }
    verify_operator(c, name->empty() ? std::nullopt : name, op.name_param, op.level, op.level_param, op.id);
  }
  exec(db,
       "UPDATE msdb_sysjobs SET name = ?1, enabled = ?2, description = ?3, start_step_id = ?4, category_id = ?5, "
       "owner_sid = ?6, notify_level_eventlog = ?7, notify_level_email = ?8, notify_level_netsend = ?9, "
       "notify_level_page = ?10, notify_email_operator_id = ?11, notify_netsend_operator_id = ?12, "
       "notify_page_operator_id = ?13, delete_level = ?14 WHERE job_id = ?15",
       {text(s.name), integer(s.enabled), opt_text(s.description), integer(s.start_step_id), integer(s.category_id),
        blob(s.owner_sid), integer(s.notify_level_eventlog), integer(s.notify_level_email),
        integer(s.notify_level_netsend), integer(s.notify_level_page), integer(s.notify_email_operator_id),
        integer(s.notify_netsend_operator_id), integer(s.notify_page_operator_id), integer(s.delete_level),
        text(job_id)});
  touch_job(db, job_id);
}

void sp_delete_job(ProcCall& c) {
  const std::string job_id = resolve_job(c);
  require_job_owner(c, job_id);
  sqlite3* db = c.db();
  const Value id = text(job_id);
  auto schedules = query(db, "SELECT schedule_id FROM msdb_sysjobschedules WHERE job_id = ?1", {id});
  exec(db, "DELETE FROM msdb_sysjobschedules WHERE job_id = ?1", {id});
  if (c.num_or("@delete_unused_schedule", 1) != 0) {
    for (const auto& r : schedules) {
      exec(db,
           "DELETE FROM msdb_sysschedules WHERE schedule_id = ?1 AND NOT EXISTS "
           "(SELECT 1 FROM msdb_sysjobschedules WHERE schedule_id = ?1)",
           {r[0]});
    }
  }
  exec(db, "DELETE FROM msdb_sysjobsteps WHERE job_id = ?1", {id});
  exec(db, "DELETE FROM msdb_sysjobservers WHERE job_id = ?1", {id});
  exec(db, "DELETE FROM msdb_sysjobs WHERE job_id = ?1", {id});
}

void sp_add_jobserver(ProcCall& c) {
  const std::string job_id = resolve_job(c);
  require_job_owner(c, job_id);
  const std::string local = to_upper_ascii(c.config().server_name);
  const auto server = c.str("@server_name");
  if (server && !iequals(*server, "(LOCAL)") && !iequals(*server, local)) {
    // A multi-server target must be enlisted here (msdb.dbo.systargetservers); MI has no MSX.
    if (c.managed_instance()) raise_mi_unsupported("multi-server administration", 15);
    auto target = find_target_server(c.db(), *server);
    if (!target) raise_does_not_exist("@server_name", *server);
    if (scalar(c.db(), "SELECT 1 FROM msdb_sysjobservers WHERE job_id = ?1 AND server_id = ?2",
               {text(job_id), integer(*target)})) {
      auto name = scalar(c.db(), "SELECT name FROM msdb_sysjobs WHERE job_id = ?1", {text(job_id)});
      throw SqlError{14269, "Job '" + as_text(*name).value_or("") + "' is already targeted at server '" + *server + "'."};
    }
    insert_jobserver(c.db(), job_id, *target);
    return;
  }
  if (scalar(c.db(), "SELECT 1 FROM msdb_sysjobservers WHERE job_id = ?1 AND server_id = 0", {text(job_id)})) {
    auto name = scalar(c.db(), "SELECT name FROM msdb_sysjobs WHERE job_id = ?1", {text(job_id)});
    throw SqlError{14269, "Job '" + as_text(*name).value_or("") + "' is already targeted at server '" + local + "'."};
  }
  insert_jobserver(c.db(), job_id, 0);
}

}  // namespace

void add_agent_job_procs(std::vector<ProcDef>* out) {
  out->push_back({"sp_add_category", "msdb",
                  {p_str("@class", 8, false, Value{std::string("JOB")}), p_str("@type", 12, false, Value{std::string("LOCAL")}),
                   p_str("@name", 128, true)},
                  sp_add_category});
  out->push_back({"sp_add_operator", "msdb",
                  {p_str("@name", 128, true), p_int("@enabled", 1), p_str("@email_address", 100),
                   p_str("@pager_address", 100), p_int("@weekday_pager_start_time", 90000),
                   p_int("@weekday_pager_end_time", 180000), p_int("@saturday_pager_start_time", 90000),
                   p_int("@saturday_pager_end_time", 180000), p_int("@sunday_pager_start_time", 90000),
                   p_int("@sunday_pager_end_time", 180000), p_int("@pager_days", 0), p_str("@netsend_address", 100),
                   p_str("@category_name", 128)},
                  sp_add_operator});
  out->push_back({"sp_add_job", "msdb",
                  {p_str("@job_name", 128, true), p_int("@enabled", 1), p_str("@description", 512),
                   p_int("@start_step_id", 1), p_str("@category_name", 128), p_int("@category_id"),
                   p_str("@owner_login_name", 128), p_int("@notify_level_eventlog", 2), p_int("@notify_level_email", 0),
                   p_int("@notify_level_netsend", 0), p_int("@notify_level_page", 0),
                   p_str("@notify_email_operator_name", 128), p_str("@notify_netsend_operator_name", 128),
                   p_str("@notify_page_operator_name", 128), p_int("@delete_level", 0), p_guid("@job_id", true),
                   p_str("@originating_server", 128)},
                  sp_add_job});
  out->push_back({"sp_update_job", "msdb",
                  {p_guid("@job_id"), p_str("@job_name", 128), p_str("@new_name", 128), p_int("@enabled"),
                   p_str("@description", 512), p_int("@start_step_id"), p_str("@category_name", 128),
                   p_str("@owner_login_name", 128), p_int("@notify_level_eventlog"), p_int("@notify_level_email"),
                   p_int("@notify_level_netsend"), p_int("@notify_level_page"), p_str("@notify_email_operator_name", 128),
                   p_str("@notify_netsend_operator_name", 128), p_str("@notify_page_operator_name", 128),
                   p_int("@delete_level"), p_int("@automatic_post", 1)},
                  sp_update_job});
  out->push_back({"sp_delete_job", "msdb",
                  {p_guid("@job_id"), p_str("@job_name", 128), p_str("@originating_server", 128),
                   p_int("@delete_history", 1), p_int("@delete_unused_schedule", 1)},
                  sp_delete_job});
  out->push_back({"sp_add_jobserver", "msdb",
                  {p_guid("@job_id"), p_str("@job_name", 128), p_str("@server_name", 128), p_int("@automatic_post", 1)},
                  sp_add_jobserver});
}

}  // namespace emu::st
