// What a target cannot hold, each with what to do about it; never attempted. Managed Instance
// limits follow Microsoft's pages:
//   SQL Agent on MI — pager, net send, alerts, proxies, event log, multi-server (MSX/TSX), merge
//   replication and queue reader steps, Analysis Services steps are not supported:
//   https://learn.microsoft.com/azure/azure-sql/managed-instance/job-automation-managed-instance
//   T-SQL differences — Windows logins; credentials only with SHARED ACCESS SIGNATURE or a managed
//   identity (no cryptographic providers); linked servers only through SQLNCLI, SQLNCLI11,
//   SQLOLEDB, MSOLEDBSQL; some sp_configure options (allow polybase export, allow updates,
//   filestream_access_level, remote access, remote data archive, remote proc trans, scan for
//   startup procs) and xp_cmdshell:
//   https://learn.microsoft.com/azure/azure-sql/managed-instance/transact-sql-tsql-differences-sql-server
// Other subsystems come from the target's msdb.dbo.syssubsystems (sources conflict on
// CmdExec/PowerShell, so the target decides).
#include <string>

#include "catalog/object.h"
#include "diff/diff.h"

namespace understudy::diff {

namespace {

std::string text(const nlohmann::json& fields, const char* name) {
  auto it = fields.find(name);
  return (it != fields.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

int64_t int_field(const nlohmann::json& fields, const char* name) {
  auto it = fields.find(name);
  return (it != fields.end() && it->is_number_integer()) ? it->get<int64_t>() : 0;
}

bool has_text(const nlohmann::json& fields, const char* name) { return !text(fields, name).empty(); }

// Job step subsystems a managed instance never runs, whatever its syssubsystems says.
bool mi_unsupported_subsystem(const std::string& subsystem) {
  static constexpr std::string_view kNever[] = {"merge", "queuereader", "analysisquery", "analysiscommand"};
  auto s = catalog::fold_name(subsystem);
  for (auto k : kNever)
    if (s == k) return true;
  return false;
}

// sp_configure options a managed instance does not support (T-SQL differences, "sp_configure"),
// and xp_cmdshell, which it does not have; each with SQL Server's default
// (https://learn.microsoft.com/sql/database-engine/configure-windows/server-configuration-options-sql-server).
struct MiOption {
  std::string_view name;
  int64_t default_value;
};
constexpr MiOption kMiUnsupportedOptions[] = {
    {"allow polybase export", 0}, {"allow updates", 0},     {"filestream access level", 0},
    {"remote access", 1},         {"remote data archive", 0}, {"remote proc trans", 0},
    {"scan for startup procs", 0}, {"xp_cmdshell", 0},
};

const MiOption* mi_unsupported_option(const std::string& name) {
  auto n = catalog::fold_name(name);
  for (const auto& o : kMiUnsupportedOptions)
    if (n == o.name) return &o;
  return nullptr;
}

bool is_mi_credential_identity(const std::string& identity) {
  auto i = catalog::fold_name(identity);
  return i == "shared access signature" || i == "managed identity";
}

bool is_mi_provider(const std::string& provider) {
  static constexpr std::string_view kProviders[] = {"sqlncli", "sqlncli11", "sqloledb", "msoledbsql", "msoledbsql19"};
  auto p = catalog::fold_name(provider);
  for (auto k : kProviders)
    if (p == k) return true;
  return false;
}

}  // namespace

bool absent_by_design(const catalog::ServerObject& o, const TargetFacts& facts) {
  if (!facts.is_managed_instance() || o.kind != catalog::Kind::kConfiguration) return false;
  const MiOption* option = mi_unsupported_option(o.key);
  return option && int_field(o.fields, "value") == option->default_value;
}

std::optional<std::string> incompatibility(const catalog::ServerObject& o, const TargetFacts& facts) {
  using catalog::Kind;
  const auto& f = o.fields;
  if (facts.is_managed_instance()) {
    switch (o.kind) {
      case Kind::kLogin: {
        auto type = text(f, "type");
        if (type == "U" || type == "G") return "windows logins are not supported on a managed instance";
        break;
      }
      case Kind::kAgentProxy:
        return "sql server agent proxies are not supported on a managed instance";
      case Kind::kLinkedServer: {
        auto provider = text(f, "provider");
        if (!is_mi_provider(provider))
          return "linked server provider " + provider + " is not supported on a managed instance";
        break;
      }
      case Kind::kCredential:
        if (has_text(f, "target_type"))
          return "credentials of a cryptographic provider (EKM) are not supported on a managed instance: "
                 "configure the key vault on the instance itself, and exclude this credential";
        if (!is_mi_credential_identity(text(f, "credential_identity")))
          return "credential identity " + text(f, "credential_identity") +
                 " is not supported on a managed instance (only SHARED ACCESS SIGNATURE or Managed Identity): "
                 "create a SAS or managed-identity credential on the target by hand, and exclude this one";
        break;
      case Kind::kAgentOperator:
        if (has_text(f, "pager_address") || has_text(f, "netsend_address"))
          return "pager and net send notifications are not supported on a managed instance (e-mail only): "
                 "remove the operator's pager and net send addresses on the primary, or exclude it";
        break;
      case Kind::kAgentCategory:
        if (int_field(f, "category_type") == 2)
          return "multi-server (MSX/TSX) job categories are not supported on a managed instance: exclude it";
        break;
      case Kind::kAgentJob: {
        if (int_field(f, "notify_level_netsend") != 0 || int_field(f, "notify_level_page") != 0 ||
            has_text(f, "notify_netsend_operator_name") || has_text(f, "notify_page_operator_name"))
          return "the job notifies by net send or pager, which a managed instance does not support: set its net "
                 "send and page notifications to none on the primary (e-mail works), or exclude it";
        if (f.contains("servers") && f["servers"].is_array()) {
          for (const auto& server : f["servers"]) {
            if (server.is_string() && catalog::fold_name(server.get<std::string>()) != "(local)")
              return "the job targets multi-server (MSX/TSX) target server " + server.get<std::string>() +
                     ", which a managed instance does not support: exclude it";
          }
        }
        break;
      }
      case Kind::kAgentSchedule:
        if (f.contains("freq_type") && f["freq_type"] == 128)
          return "cpu-idle schedules (freq_type 128) are not supported on a managed instance";
        break;
      case Kind::kConfiguration:
        if (mi_unsupported_option(o.key))
          return "sp_configure option '" + o.key + "' is not supported on a managed instance: set it to its default "
                 "on the primary, or leave it out of the pair's configuration list";
        break;
      default:
        break;
    }
  }
  if (o.kind == Kind::kAgentJob && f.contains("steps") && f["steps"].is_array()) {
    for (const auto& step : f["steps"]) {
      std::string label = "step " + (step.contains("step_id") ? step["step_id"].dump() : std::string("?"));
      if (facts.is_managed_instance() && mi_unsupported_subsystem(text(step, "subsystem")))
        return label + " uses subsystem " + text(step, "subsystem") +
               ", which a managed instance does not support: rewrite the step on the primary, or exclude the job";
      if (facts.subsystems) {
        auto sub = text(step, "subsystem");
        // T-SQL is built into Agent and has no syssubsystems row.
        if (catalog::fold_name(sub) != "tsql" && !facts.subsystems->count(catalog::fold_name(sub)))
          return label + " uses subsystem " + sub + ", which the target does not have";
      }
      if (facts.is_managed_instance() && step.contains("proxy_name") && step["proxy_name"].is_string())
        return label + " runs as a proxy; proxies are not supported on a managed instance";
    }
  }
  return std::nullopt;
}

}  // namespace understudy::diff
