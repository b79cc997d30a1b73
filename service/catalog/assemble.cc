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

bool starts_with_folded(const std::string& name, std::string_view prefix) {
  return fold_name(name).rfind(prefix, 0) == 0;
}

std::string trim_right(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

bool Assembler::excluded_name(const std::string& name) const {
  if (name.size() >= 4 && name.rfind("##", 0) == 0 && name.compare(name.size() - 2, 2, "##") == 0) return true;
  return starts_with_folded(name, "nt service\\") || starts_with_folded(name, "nt authority\\") ||
         starts_with_folded(name, "builtin\\");
}

void Assembler::row(ResultSetId id, const Columns& c, const odbc::Row& r) {
  switch (id) {
    case ResultSetId::kInstance:
      instance_.kind = Kind::kInstance;
      instance_.key = "instance";
      copy(instance_.fields, c, r, {"server_name", "edition", "product_version", "collation"}, as_text_json);
      copy(instance_.fields, c, r, {"engine_edition"}, as_int_json);
      return;
    case ResultSetId::kSubsystems:
      subsystems_.push_back(text_or_empty(c.at(r, "subsystem")));
      return;
    case ResultSetId::kPrincipals:
      return principal(c, r);
    case ResultSetId::kMembers: {
      Candidate cand;
      auto& o = cand.object;
      o.kind = Kind::kServerRoleMember;
      auto role = text_or_empty(c.at(r, "role_name"));
      auto member = text_or_empty(c.at(r, "member_name"));
      o.key = make_key({role, member});
      o.fields = {{"role_name", role}, {"member_name", member}};
      copy(o.fields, c, r, {"member_type"}, as_text_json);
      cand.default_excluded = excluded_principals_.count(fold_name(role)) || excluded_principals_.count(fold_name(member));
      out_.push_back(std::move(cand));
      return;
    }
    case ResultSetId::kPermissions:
      return permission(c, r);
    case ResultSetId::kCredentials: {
      Candidate cand;
      auto& o = cand.object;
      o.kind = Kind::kCredential;
      o.key = text_or_empty(c.at(r, "name"));
      copy(o.fields, c, r, {"credential_identity", "target_type"}, as_text_json);
      copy(o.volatile_fields, c, r, {"credential_id", "target_id"}, as_int_json);
      copy(o.volatile_fields, c, r, {"create_date", "modify_date"}, as_text_json);
      out_.push_back(std::move(cand));
      return;
    }
    case ResultSetId::kServers: {
      Candidate cand;
      auto& o = cand.object;
      o.kind = Kind::kLinkedServer;
      o.key = text_or_empty(c.at(r, "name"));
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
      out_.push_back(std::move(cand));
      return;
    }
    case ResultSetId::kLinkedLogins: {
      Candidate cand;
      auto& o = cand.object;
      o.kind = Kind::kLinkedServerLogin;
      auto server = text_or_empty(c.at(r, "linked_server"));
      auto local = as_text_json(c.at(r, "local_login"));
      auto local_id = as_int_json(c.at(r, "local_principal_id"));
      bool all_logins = local_id.is_null() || local_id == 0;
      if (all_logins) local = nullptr;
      o.key = make_key({server, local.is_string() ? local.get_ref<const std::string&>() : std::string()});
      o.fields = {{"linked_server", server}, {"local_login", local}};
      copy(o.fields, c, r, {"uses_self_credential"}, as_flag_json);
      copy(o.fields, c, r, {"remote_name"}, as_text_json);
      o.volatile_fields["local_principal_id"] = local_id;
      copy(o.volatile_fields, c, r, {"modify_date"}, as_text_json);
      out_.push_back(std::move(cand));
      return;
    }
    case ResultSetId::kCategories: {
      Candidate cand;
      auto& o = cand.object;
      o.kind = Kind::kAgentCategory;
      o.key = text_or_empty(c.at(r, "name"));
      copy(o.fields, c, r, {"category_class", "category_type"}, as_int_json);
      copy(o.volatile_fields, c, r, {"category_id"}, as_int_json);
      out_.push_back(std::move(cand));
      return;
    }
    case ResultSetId::kOperators: {
      Candidate cand;
      auto& o = cand.object;
      o.kind = Kind::kAgentOperator;
      o.key = text_or_empty(c.at(r, "name"));
      copy(o.fields, c, r, {"enabled"}, as_flag_json);
      copy(o.fields, c, r, {"email_address", "pager_address", "netsend_address", "category_name"}, as_text_json);
      copy(o.fields, c, r,
           {"weekday_pager_start_time", "weekday_pager_end_time", "saturday_pager_start_time",
            "saturday_pager_end_time", "sunday_pager_start_time", "sunday_pager_end_time", "pager_days"},
           as_int_json);
      copy(o.volatile_fields, c, r,
           {"id", "last_email_date", "last_email_time", "last_pager_date", "last_pager_time", "last_netsend_date",
            "last_netsend_time"},
           as_int_json);
      out_.push_back(std::move(cand));
      return;
    }
    case ResultSetId::kProxies: {
      Candidate cand;
      auto& o = cand.object;
      o.kind = Kind::kAgentProxy;
      o.key = text_or_empty(c.at(r, "name"));
      copy(o.fields, c, r, {"credential_name", "description"}, as_text_json);
      copy(o.fields, c, r, {"enabled"}, as_flag_json);
      copy(o.volatile_fields, c, r, {"proxy_id"}, as_int_json);
      copy(o.volatile_fields, c, r, {"user_sid"}, as_hex_json);
      copy(o.volatile_fields, c, r, {"credential_date_created"}, as_text_json);
      out_.push_back(std::move(cand));
      return;
    }
    case ResultSetId::kSchedules: {
      Candidate cand;
      auto& o = cand.object;
      o.kind = Kind::kAgentSchedule;
      auto uid = as_guid_json(c.at(r, "schedule_uid"));
      o.key = uid.is_string() ? uid.get<std::string>() : std::string();
      copy(o.fields, c, r, {"name", "owner_login_name"}, as_text_json);
      copy(o.fields, c, r, {"enabled"}, as_flag_json);
      copy(o.fields, c, r,
           {"freq_type", "freq_interval", "freq_subday_type", "freq_subday_interval", "freq_relative_interval",
            "freq_recurrence_factor", "active_start_date", "active_end_date", "active_start_time", "active_end_time"},
           as_int_json);
      copy(o.volatile_fields, c, r, {"schedule_id", "originating_server_id", "version_number"}, as_int_json);
      copy(o.volatile_fields, c, r, {"owner_sid"}, as_hex_json);
      copy(o.volatile_fields, c, r, {"date_created", "date_modified"}, as_text_json);
      out_.push_back(std::move(cand));
      return;
    }
    case ResultSetId::kJobs:
      return job(c, r);
    case ResultSetId::kSteps:
      return step(c, r);
    case ResultSetId::kJobSchedules: {
      auto it = jobs_.find(guid_text(c.at(r, "job_id")));
      if (it != jobs_.end()) out_[it->second].object.fields["schedules"].push_back(as_guid_json(c.at(r, "schedule_uid")));
      return;
    }
    case ResultSetId::kJobServers: {
      auto it = jobs_.find(guid_text(c.at(r, "job_id")));
      if (it == jobs_.end()) return;
      auto id = as_int_json(c.at(r, "server_id"));
      json name = id == 0 ? json("(local)") : as_text_json(c.at(r, "server_name"));
      out_[it->second].object.fields["servers"].push_back(name);
      return;
    }
  }
}

void Assembler::principal(const Columns& c, const odbc::Row& r) {
  auto name = text_or_empty(c.at(r, "name"));
  auto sid = as_hex_json(c.at(r, "sid"));
  auto type = trim_right(text_or_empty(c.at(r, "type")));
  bool excluded = excluded_name(name) || sid == "0x01";
  if (excluded) excluded_principals_.insert(fold_name(name));

  Candidate cand;
  cand.default_excluded = excluded;
  auto& o = cand.object;
  o.key = name;
  if (type == "R") {
    auto fixed = as_flag_json(c.at(r, "is_fixed_role"));
    if (fixed == true || fold_name(name) == "public") {
      excluded_principals_.erase(fold_name(name));  // memberships in fixed roles stay
      return;
    }
    o.kind = Kind::kServerRole;
    copy(o.fields, c, r, {"owner_name"}, as_text_json);
    o.volatile_fields["sid"] = sid;
  } else if (type == "S" || type == "U" || type == "G" || type == "C" || type == "K" || type == "E" || type == "X") {
    o.kind = Kind::kLogin;
    o.fields["type"] = type;
    copy(o.fields, c, r, {"type_desc", "default_database_name", "default_language_name", "credential_name"}, as_text_json);
    o.fields["sid"] = sid;
    copy(o.fields, c, r, {"is_disabled", "is_policy_checked", "is_expiration_checked"}, as_flag_json);
    o.fields["deny_connect_sql"] = false;
    auto hash = as_hex_json(c.at(r, "password_hash"));
    if (hash.is_string()) o.password_hash = Secret(hash.get<std::string>());
    logins_[fold_name(name)] = out_.size();
  } else {
    return;  // internal principal types
  }
  copy(o.volatile_fields, c, r, {"principal_id"}, as_int_json);
  copy(o.volatile_fields, c, r, {"create_date", "modify_date"}, as_text_json);
  out_.push_back(std::move(cand));
}

void Assembler::permission(const Columns& c, const odbc::Row& r) {
  Candidate cand;
  auto& o = cand.object;
  o.kind = Kind::kServerPermission;
  auto grantee = text_or_empty(c.at(r, "grantee"));
  auto class_desc = text_or_empty(c.at(r, "class_desc"));
  auto permission = text_or_empty(c.at(r, "permission_name"));
  auto type = trim_right(text_or_empty(c.at(r, "type")));
  auto state = trim_right(text_or_empty(c.at(r, "state")));
  json securable = "";
  json securable_type = nullptr;
  if (class_desc == "SERVER_PRINCIPAL") {
    securable = as_text_json(c.at(r, "securable_principal"));
    securable_type = as_text_json(c.at(r, "securable_principal_type"));
  } else if (class_desc == "ENDPOINT") {
    securable = as_text_json(c.at(r, "securable_endpoint"));
  }
  std::string sec = securable.is_string() ? securable.get<std::string>() : std::string();
  o.key = make_key({grantee, class_desc, sec, permission});
  o.fields = {{"grantee", grantee},     {"class_desc", class_desc}, {"securable", securable},
              {"securable_type", securable_type}, {"permission_name", permission}, {"type", type},
              {"state", state}};
  copy(o.fields, c, r, {"grantee_type"}, as_text_json);
  copy(o.fields, c, r, {"state_desc"}, as_text_json);
  copy(o.volatile_fields, c, r, {"grantor"}, as_text_json);
  cand.default_excluded = excluded_principals_.count(fold_name(grantee)) || excluded_principals_.count(fold_name(sec));
  if (class_desc == "SERVER" && type == "COSQ" && state == "D") denied_connect_.insert(fold_name(grantee));
  out_.push_back(std::move(cand));
}

void Assembler::job(const Columns& c, const odbc::Row& r) {
  Candidate cand;
  auto& o = cand.object;
  o.kind = Kind::kAgentJob;
  o.key = text_or_empty(c.at(r, "name"));
  copy(o.fields, c, r, {"enabled"}, as_flag_json);
  copy(o.fields, c, r,
       {"description", "category_name", "owner_login_name", "notify_email_operator_name",
        "notify_netsend_operator_name", "notify_page_operator_name"},
       as_text_json);
  copy(o.fields, c, r,
       {"notify_level_eventlog", "notify_level_email", "notify_level_netsend", "notify_level_page", "delete_level",
        "start_step_id"},
       as_int_json);
  o.fields["steps"] = json::array();
  o.fields["schedules"] = json::array();
  o.fields["servers"] = json::array();
  auto job_id = as_guid_json(c.at(r, "job_id"));
  o.volatile_fields["job_id"] = job_id;
  copy(o.volatile_fields, c, r, {"owner_sid"}, as_hex_json);
  copy(o.volatile_fields, c, r, {"originating_server_id", "version_number"}, as_int_json);
  copy(o.volatile_fields, c, r, {"date_created", "date_modified"}, as_text_json);
  o.volatile_fields["step_uids"] = json::array();
  cand.default_excluded = as_int_json(c.at(r, "originating_server_id")) != 0;  // downloaded from an MSX
  jobs_[guid_text(c.at(r, "job_id"))] = out_.size();
  out_.push_back(std::move(cand));
}

void Assembler::step(const Columns& c, const odbc::Row& r) {
  auto it = jobs_.find(guid_text(c.at(r, "job_id")));
  if (it == jobs_.end()) return;
  json s = json::object();
  copy(s, c, r,
       {"step_id", "flags", "cmdexec_success_code", "on_success_action", "on_success_step_id", "on_fail_action",
        "on_fail_step_id", "retry_attempts", "retry_interval", "os_run_priority"},
       as_int_json);
  copy(s, c, r,
       {"step_name", "subsystem", "command", "additional_parameters", "server", "database_name",
        "database_user_name", "output_file_name", "proxy_name"},
       as_text_json);
  auto& job = out_[it->second].object;
  job.fields["steps"].push_back(std::move(s));
  job.volatile_fields["step_uids"].push_back(as_guid_json(c.at(r, "step_uid")));
}

std::vector<Candidate> Assembler::take() {
  std::sort(subsystems_.begin(), subsystems_.end());
  instance_.fields["subsystems"] = subsystems_;
  for (const auto& name : denied_connect_) {
    auto it = logins_.find(name);
    if (it != logins_.end()) out_[it->second].object.fields["deny_connect_sql"] = true;
  }
  for (auto& cand : out_) {
    auto& f = cand.object.fields;
    if (cand.object.kind != Kind::kAgentJob) continue;
    // Steps come ordered by job_id, step_id; attachments in any order: sort them for a stable form.
    auto by_text = [](const json& a, const json& b) { return a.dump() < b.dump(); };
    auto by_step = [](const json& a, const json& b) { return a.value("step_id", int64_t{0}) < b.value("step_id", int64_t{0}); };
    std::stable_sort(f["steps"].begin(), f["steps"].end(), by_step);
    std::sort(f["schedules"].begin(), f["schedules"].end(), by_text);
    std::sort(f["servers"].begin(), f["servers"].end(), by_text);
  }
  if (instance_.kind == Kind::kInstance) out_.push_back({std::move(instance_), false});
  return std::move(out_);
}

}  // namespace understudy::catalog
