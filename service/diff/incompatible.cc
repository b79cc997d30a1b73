// What a target cannot hold. Managed Instance limits from Microsoft's "T-SQL differences between SQL
// Server and Azure SQL Managed Instance"
// (https://learn.microsoft.com/en-us/azure/azure-sql/managed-instance/transact-sql-tsql-differences-sql-server);
// subsystems from the target's
// msdb.dbo.syssubsystems (sources conflict on CmdExec/PowerShell, so the target decides).
#include <string>

#include "catalog/object.h"
#include "diff/diff.h"

namespace understudy::diff {

namespace {

std::string text(const nlohmann::json& fields, const char* name) {
  auto it = fields.find(name);
  return (it != fields.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

bool is_mi_provider(const std::string& provider) {
  static constexpr std::string_view kProviders[] = {"sqlncli", "sqlncli11", "sqloledb", "msoledbsql", "msoledbsql19"};
  auto p = catalog::fold_name(provider);
  for (auto k : kProviders)
    if (p == k) return true;
  return false;
}

}  // namespace

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
        if (text(f, "credential_identity").find('\\') != std::string::npos)
          return "windows credential identities are not supported on a managed instance";
        break;
      case Kind::kAgentSchedule:
        if (f.contains("freq_type") && f["freq_type"] == 128)
          return "cpu-idle schedules (freq_type 128) are not supported on a managed instance";
        break;
      default:
        break;
    }
  }
  if (o.kind == Kind::kAgentJob && f.contains("steps") && f["steps"].is_array()) {
    for (const auto& step : f["steps"]) {
      std::string label = "step " + (step.contains("step_id") ? step["step_id"].dump() : std::string("?"));
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
