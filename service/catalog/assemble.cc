#include "catalog/assemble.h"

#include <algorithm>

#include "catalog/key.h"

namespace understudy::catalog {

namespace {

using nlohmann::json;
using Getter = json (*)(const odbc::Value&);

// Copies `names` from the row into `dst` with one conversion.
void copy(json& dst, const Columns& c, const odbc::Row& r, std::initializer_list<const char*> names, Getter get) {
  for (const char* n : names) dst[n] = get(c.at(r, n));
}

std::string trim_right(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

bool excluded_name(const std::string& name) {
  if (name.size() >= 4 && name.rfind("##", 0) == 0 && name.compare(name.size() - 2, 2, "##") == 0) return true;
  auto f = fold_name(name);
  return f.rfind("nt service\\", 0) == 0 || f.rfind("nt authority\\", 0) == 0 || f.rfind("builtin\\", 0) == 0;
}

bool is_login_type(const std::string& t) {
  return t == "S" || t == "U" || t == "G" || t == "C" || t == "K" || t == "E" || t == "X";
}

int64_t id_of(const odbc::Value& v) {
  auto j = as_int_json(v);
  return j.is_number_integer() ? j.get<int64_t>() : -1;
}

// msdb.dbo.sysjobsteps columns kept in a step, in Step::values order (proxy_name last).
constexpr const char* kStepInts[] = {"step_id",         "flags",          "cmdexec_success_code", "on_success_action",
                                     "on_success_step_id", "on_fail_action", "on_fail_step_id",      "retry_attempts",
                                     "retry_interval",  "os_run_priority"};
constexpr const char* kStepTexts[] = {"step_name", "subsystem",          "command",           "additional_parameters",
                                      "server",    "database_name",      "database_user_name", "output_file_name"};

bool by_text(const json& a, const json& b) { return a.dump() < b.dump(); }

}  // namespace

Candidate Assembler::make(Kind kind, std::string key) {
  Candidate c;
  c.object.kind = kind;
  c.object.key = std::move(key);
  return c;
}

const Assembler::Principal* Assembler::principal_by_id(const odbc::Value& id) const {
  auto it = principals_.find(id_of(id));
  return it == principals_.end() ? nullptr : &it->second;
}

json Assembler::name_by_id(const Names& names, const odbc::Value& id) const {
  auto it = names.find(id_of(id));
  return it == names.end() ? json(nullptr) : json(it->second);
}

json Assembler::name_by_sid(const json& sid) const {
  if (!sid.is_string()) return nullptr;
  auto it = sid_names_.find(sid.get<std::string>());
  return it == sid_names_.end() ? json(nullptr) : json(it->second);
}

void Assembler::row(ResultSetId id, const Columns& c, const odbc::Row& r) {
  switch (id) {
    case ResultSetId::kInstance:
      have_instance_ = true;
      instance_.kind = Kind::kInstance;
      instance_.key = "instance";
      copy(instance_.fields, c, r, {"server_name", "edition", "product_version", "collation"}, as_text_json);
      copy(instance_.fields, c, r, {"engine_edition"}, as_int_json);
      return;
    case ResultSetId::kSubsystems:
      subsystems_.push_back(text_or_empty(c.at(r, "subsystem")));
      return;
    case ResultSetId::kCredentials: {
      auto name = text_or_empty(c.at(r, "name"));
      credentials_[id_of(c.at(r, "credential_id"))] = name;
      auto cand = make(Kind::kCredential, name);
      auto& o = cand.object;
      copy(o.fields, c, r, {"credential_identity", "target_type"}, as_text_json);
      copy(o.volatile_fields, c, r, {"credential_id", "target_id"}, as_int_json);
      copy(o.volatile_fields, c, r, {"create_date", "modify_date"}, as_text_json);
      return emit(std::move(cand));
    }
    case ResultSetId::kEndpoints:
      endpoints_[id_of(c.at(r, "endpoint_id"))] = text_or_empty(c.at(r, "name"));
      return;
    case ResultSetId::kSqlLogins: return sql_login(c, r);
    case ResultSetId::kConnectDenies:
      connect_denied_.insert(id_of(c.at(r, "grantee_principal_id")));
      return;
    case ResultSetId::kPrincipals: return principal(c, r);
    case ResultSetId::kMembers: return member(c, r);
    case ResultSetId::kPermissions: return permission(c, r);
    case ResultSetId::kServers: return server(c, r);
    case ResultSetId::kLinkedLogins: return linked_login(c, r);
    case ResultSetId::kCategories: {
      auto cid = id_of(c.at(r, "category_id"));
      auto name = text_or_empty(c.at(r, "name"));
      categories_[cid] = name;
      // User job categories only: ids < 100 are seeded and exist on every instance.
      if (cid < 100 || as_int_json(c.at(r, "category_class")) != 1) return;
      auto cand = make(Kind::kAgentCategory, name);
      copy(cand.object.fields, c, r, {"category_class", "category_type"}, as_int_json);
      copy(cand.object.volatile_fields, c, r, {"category_id"}, as_int_json);
      return emit(std::move(cand));
    }
    case ResultSetId::kOperators: return operator_row(c, r);
    case ResultSetId::kProxies: return proxy(c, r);
    case ResultSetId::kSchedules: return schedule(c, r);
    case ResultSetId::kJobs: return job(c, r);
    case ResultSetId::kSteps: return step(c, r);
    case ResultSetId::kJobSchedules:
      job_parts_[guid_text(c.at(r, "job_id"))].schedules.push_back(name_by_id(schedule_uids_, c.at(r, "schedule_id")));
      return;
    case ResultSetId::kJobServers: {
      auto sid = id_of(c.at(r, "server_id"));
      job_parts_[guid_text(c.at(r, "job_id"))].servers.push_back(sid == 0 ? json("(local)")
                                                                             : name_by_id(servers_, c.at(r, "server_id")));
      return;
    }
  }
}

void Assembler::end(ResultSetId id) {
  switch (id) {
    case ResultSetId::kSubsystems:
      if (have_instance_) {
        std::sort(subsystems_.begin(), subsystems_.end());
        instance_.fields["subsystems"] = subsystems_;
        emit({std::move(instance_), false});
        have_instance_ = false;
      }
      return;
    case ResultSetId::kPrincipals:
      // A role's owner may be any principal, read before or after it: resolved once all are in.
      for (auto& [cand, owner] : roles_) {
        auto it = principals_.find(owner);
        if (it != principals_.end()) cand.object.fields["owner_name"] = it->second.name;
        emit(std::move(cand));
      }
      roles_.clear();
      sql_logins_.clear();
      connect_denied_.clear();
      return;
    case ResultSetId::kJobs:
      job_parts_.clear();  // parts of jobs that no longer exist (deleted between the reads)
      return;
    default:
      return;
  }
}

void Assembler::principal(const Columns& c, const odbc::Row& r) {
  auto name = text_or_empty(c.at(r, "name"));
  auto sid = as_hex_json(c.at(r, "sid"));
  auto type = trim_right(text_or_empty(c.at(r, "type")));
  auto pid = id_of(c.at(r, "principal_id"));
  bool fixed = as_flag_json(c.at(r, "is_fixed_role")) == true;
  // Fixed roles and public are never objects, but memberships in them and grants to public are.
  bool builtin_role = type == "R" && (fixed || fold_name(name) == "public");
  bool excluded = !builtin_role && (excluded_name(name) || sid == "0x01");
  principals_[pid] = {name, type, excluded};
  if (sid.is_string()) sid_names_[sid.get<std::string>()] = name;
  if (builtin_role || (type != "R" && !is_login_type(type))) return;

  Candidate cand = make(type == "R" ? Kind::kServerRole : Kind::kLogin, name);
  cand.default_excluded = excluded;
  auto& o = cand.object;
  copy(o.volatile_fields, c, r, {"principal_id"}, as_int_json);
  copy(o.volatile_fields, c, r, {"create_date", "modify_date"}, as_text_json);
  if (type == "R") {
    o.fields["owner_name"] = nullptr;
    o.volatile_fields["sid"] = sid;
    roles_.push_back({std::move(cand), id_of(c.at(r, "owning_principal_id"))});
    return;
  }
  o.fields["type"] = type;
  copy(o.fields, c, r, {"type_desc", "default_database_name", "default_language_name"}, as_text_json);
  o.fields["sid"] = sid;
  copy(o.fields, c, r, {"is_disabled"}, as_flag_json);
  o.fields["is_policy_checked"] = nullptr;
  o.fields["is_expiration_checked"] = nullptr;
  if (auto it = sql_logins_.find(pid); it != sql_logins_.end()) {
    o.fields["is_policy_checked"] = std::move(it->second.is_policy_checked);
    o.fields["is_expiration_checked"] = std::move(it->second.is_expiration_checked);
    if (it->second.password_hash) o.password_hash = Secret(std::move(*it->second.password_hash));
    sql_logins_.erase(it);
  }
  o.fields["deny_connect_sql"] = connect_denied_.count(pid) > 0;
  o.fields["credential_name"] = name_by_id(credentials_, c.at(r, "credential_id"));
  emit(std::move(cand));
}

void Assembler::sql_login(const Columns& c, const odbc::Row& r) {
  SqlLogin l{as_flag_json(c.at(r, "is_policy_checked")), as_flag_json(c.at(r, "is_expiration_checked")), std::nullopt};
  auto hash = as_hex_json(c.at(r, "password_hash"));
  if (hash.is_string()) l.password_hash = hash.get<std::string>();
  sql_logins_[id_of(c.at(r, "principal_id"))] = std::move(l);
}

void Assembler::member(const Columns& c, const odbc::Row& r) {
  const Principal* role = principal_by_id(c.at(r, "role_principal_id"));
  const Principal* m = principal_by_id(c.at(r, "member_principal_id"));
  if (!role || !m) return;
  Candidate cand = make(Kind::kServerRoleMember, make_key({role->name, m->name}));
  cand.object.fields = {{"role_name", role->name}, {"member_name", m->name}, {"member_type", m->type}};
  cand.default_excluded = role->excluded || m->excluded;
  emit(std::move(cand));
}

void Assembler::permission(const Columns& c, const odbc::Row& r) {
  const Principal* grantee = principal_by_id(c.at(r, "grantee_principal_id"));
  if (!grantee) return;
  auto class_desc = text_or_empty(c.at(r, "class_desc"));
  auto permission = text_or_empty(c.at(r, "permission_name"));
  auto type = trim_right(text_or_empty(c.at(r, "type")));
  auto state = trim_right(text_or_empty(c.at(r, "state")));
  json securable = "";
  json securable_type = nullptr;
  bool securable_excluded = false;
  if (class_desc == "SERVER_PRINCIPAL") {
    const Principal* p = principal_by_id(c.at(r, "major_id"));
    securable = p ? json(p->name) : json(nullptr);
    securable_type = p ? json(p->type) : json(nullptr);
    securable_excluded = p && p->excluded;
  } else if (class_desc == "ENDPOINT") {
    securable = name_by_id(endpoints_, c.at(r, "major_id"));
  }
  std::string sec = securable.is_string() ? securable.get<std::string>() : std::string();
  Candidate cand = make(Kind::kServerPermission, make_key({grantee->name, class_desc, sec, permission}));
  auto& o = cand.object;
  o.fields = {{"grantee", grantee->name}, {"grantee_type", grantee->type}, {"class_desc", class_desc},
              {"securable", securable}, {"securable_type", securable_type}, {"permission_name", permission},
              {"type", type}, {"state", state}};
  copy(o.fields, c, r, {"state_desc"}, as_text_json);
  const Principal* grantor = principal_by_id(c.at(r, "grantor_principal_id"));
  o.volatile_fields["grantor"] = grantor ? json(grantor->name) : json(nullptr);
  cand.default_excluded = grantee->excluded || securable_excluded;
  emit(std::move(cand));
}

void Assembler::server(const Columns& c, const odbc::Row& r) {
  auto id = id_of(c.at(r, "server_id"));
  auto name = text_or_empty(c.at(r, "name"));
  servers_[id] = name;
  if (id == 0) return;  // the local server
  auto cand = make(Kind::kLinkedServer, name);
  auto& o = cand.object;
  copy(o.fields, c, r, {"product", "provider", "data_source", "location", "provider_string", "catalog", "collation_name"},
       as_text_json);
  copy(o.fields, c, r, {"connect_timeout", "query_timeout"}, as_int_json);
  copy(o.fields, c, r,
       {"is_linked", "is_remote_login_enabled", "is_rpc_out_enabled", "is_data_access_enabled",
        "is_collation_compatible", "uses_remote_collation", "lazy_schema_validation", "is_system", "is_publisher",
        "is_subscriber", "is_distributor", "is_nonsql_subscriber", "is_remote_proc_transaction_promotion_enabled"},
       as_flag_json);
  copy(o.volatile_fields, c, r, {"server_id"}, as_int_json);
  copy(o.volatile_fields, c, r, {"modify_date"}, as_text_json);
  emit(std::move(cand));
}

void Assembler::linked_login(const Columns& c, const odbc::Row& r) {
  auto sid = id_of(c.at(r, "server_id"));
  if (sid == 0 || !servers_.count(sid)) return;
  const std::string& server = servers_[sid];
  auto local_id = as_int_json(c.at(r, "local_principal_id"));
  json local = nullptr;
  if (local_id.is_number_integer() && local_id != 0) {  // 0 / NULL: the all-logins mapping
    const Principal* p = principal_by_id(c.at(r, "local_principal_id"));
    if (p) local = p->name;
  }
  auto cand = make(Kind::kLinkedServerLogin, make_key({server, local.is_string() ? local.get_ref<const std::string&>() : ""}));
  auto& o = cand.object;
  o.fields = {{"linked_server", server}, {"local_login", local}};
  copy(o.fields, c, r, {"uses_self_credential"}, as_flag_json);
  copy(o.fields, c, r, {"remote_name"}, as_text_json);
  o.volatile_fields["local_principal_id"] = local_id;
  copy(o.volatile_fields, c, r, {"modify_date"}, as_text_json);
  emit(std::move(cand));
}

void Assembler::operator_row(const Columns& c, const odbc::Row& r) {
  auto name = text_or_empty(c.at(r, "name"));
  operators_[id_of(c.at(r, "id"))] = name;
  auto cand = make(Kind::kAgentOperator, name);
  auto& o = cand.object;
  copy(o.fields, c, r, {"enabled"}, as_flag_json);
  copy(o.fields, c, r, {"email_address", "pager_address", "netsend_address"}, as_text_json);
  copy(o.fields, c, r,
       {"weekday_pager_start_time", "weekday_pager_end_time", "saturday_pager_start_time", "saturday_pager_end_time",
        "sunday_pager_start_time", "sunday_pager_end_time", "pager_days"},
       as_int_json);
  o.fields["category_name"] = name_by_id(categories_, c.at(r, "category_id"));
  copy(o.volatile_fields, c, r,
       {"id", "last_email_date", "last_email_time", "last_pager_date", "last_pager_time", "last_netsend_date",
        "last_netsend_time"},
       as_int_json);
  emit(std::move(cand));
}

void Assembler::proxy(const Columns& c, const odbc::Row& r) {
  auto name = text_or_empty(c.at(r, "name"));
  proxies_[id_of(c.at(r, "proxy_id"))] = name;
  auto cand = make(Kind::kAgentProxy, name);
  auto& o = cand.object;
  o.fields["credential_name"] = name_by_id(credentials_, c.at(r, "credential_id"));
  copy(o.fields, c, r, {"description"}, as_text_json);
  copy(o.fields, c, r, {"enabled"}, as_flag_json);
  copy(o.volatile_fields, c, r, {"proxy_id"}, as_int_json);
  copy(o.volatile_fields, c, r, {"user_sid"}, as_hex_json);
  copy(o.volatile_fields, c, r, {"credential_date_created"}, as_text_json);
  emit(std::move(cand));
}

void Assembler::schedule(const Columns& c, const odbc::Row& r) {
  auto uid = guid_text(c.at(r, "schedule_uid"));
  schedule_uids_[id_of(c.at(r, "schedule_id"))] = uid;
  auto cand = make(Kind::kAgentSchedule, uid);
  auto& o = cand.object;
  copy(o.fields, c, r, {"name"}, as_text_json);
  auto owner_sid = as_hex_json(c.at(r, "owner_sid"));
  o.fields["owner_login_name"] = name_by_sid(owner_sid);
  copy(o.fields, c, r, {"enabled"}, as_flag_json);
  copy(o.fields, c, r,
       {"freq_type", "freq_interval", "freq_subday_type", "freq_subday_interval", "freq_relative_interval",
        "freq_recurrence_factor", "active_start_date", "active_end_date", "active_start_time", "active_end_time"},
       as_int_json);
  copy(o.volatile_fields, c, r, {"schedule_id", "originating_server_id", "version_number"}, as_int_json);
  o.volatile_fields["owner_sid"] = owner_sid;
  copy(o.volatile_fields, c, r, {"date_created", "date_modified"}, as_text_json);
  emit(std::move(cand));
}

void Assembler::job(const Columns& c, const odbc::Row& r) {
  Candidate cand = make(Kind::kAgentJob, text_or_empty(c.at(r, "name")));
  auto& o = cand.object;
  copy(o.fields, c, r, {"enabled"}, as_flag_json);
  copy(o.fields, c, r, {"description"}, as_text_json);
  o.fields["category_name"] = name_by_id(categories_, c.at(r, "category_id"));
  auto owner_sid = as_hex_json(c.at(r, "owner_sid"));
  o.fields["owner_login_name"] = name_by_sid(owner_sid);
  copy(o.fields, c, r,
       {"notify_level_eventlog", "notify_level_email", "notify_level_netsend", "notify_level_page", "delete_level",
        "start_step_id"},
       as_int_json);
  o.fields["notify_email_operator_name"] = name_by_id(operators_, c.at(r, "notify_email_operator_id"));
  o.fields["notify_netsend_operator_name"] = name_by_id(operators_, c.at(r, "notify_netsend_operator_id"));
  o.fields["notify_page_operator_name"] = name_by_id(operators_, c.at(r, "notify_page_operator_id"));
  auto job_id = guid_text(c.at(r, "job_id"));
  o.volatile_fields["job_id"] = job_id;
  o.volatile_fields["owner_sid"] = owner_sid;
  copy(o.volatile_fields, c, r, {"originating_server_id", "version_number"}, as_int_json);
  copy(o.volatile_fields, c, r, {"date_created", "date_modified"}, as_text_json);
  cand.default_excluded = as_int_json(c.at(r, "originating_server_id")) != 0;  // downloaded from an MSX

  JobParts parts;
  if (auto it = job_parts_.find(job_id); it != job_parts_.end()) {
    parts = std::move(it->second);
    job_parts_.erase(it);
  }
  // Steps in step_id order (with their step_uids); attachments sorted for a stable form.
  std::stable_sort(parts.steps.begin(), parts.steps.end(),
                   [](const Step& a, const Step& b) { return a.step_id < b.step_id; });
  json steps = json::array(), uids = json::array();
  for (auto& st : parts.steps) {
    json s = json::object();
    size_t i = 0;
    for (const char* n : kStepInts) s[n] = std::move(st.values[i++]);
    for (const char* n : kStepTexts) s[n] = std::move(st.values[i++]);
    s["proxy_name"] = std::move(st.values[i]);
    steps.push_back(std::move(s));
    uids.push_back(std::move(st.step_uid));
  }
  std::sort(parts.schedules.begin(), parts.schedules.end(), by_text);
  std::sort(parts.servers.begin(), parts.servers.end(), by_text);
  o.fields["steps"] = std::move(steps);
  o.fields["schedules"] = std::move(parts.schedules);
  o.fields["servers"] = std::move(parts.servers);
  o.volatile_fields["step_uids"] = std::move(uids);
  emit(std::move(cand));
}

void Assembler::step(const Columns& c, const odbc::Row& r) {
  Step st;
  st.values.reserve(std::size(kStepInts) + std::size(kStepTexts) + 1);
  for (const char* n : kStepInts) st.values.push_back(as_int_json(c.at(r, n)));
  for (const char* n : kStepTexts) st.values.push_back(as_text_json(c.at(r, n)));
  st.values.push_back(name_by_id(proxies_, c.at(r, "proxy_id")));
  st.step_id = st.values[0].is_number_integer() ? st.values[0].get<int64_t>() : 0;
  st.step_uid = as_guid_json(c.at(r, "step_uid"));
  job_parts_[guid_text(c.at(r, "job_id"))].steps.push_back(std::move(st));
}

}  // namespace understudy::catalog
