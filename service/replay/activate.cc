// activate.cc — see activate.h.
#include "replay/activate.h"

#include <algorithm>
#include <map>

#include "catalog/object.h"
#include "config/secrets.h"
#include "diff/expectation.h"
#include "odbc/connection.h"
#include "roles/read.h"
#include "tsql/exec.h"

namespace understudy::replay {
namespace {



}  // namespace

LiveDirection live_direction_of(const roles::Roles& roles) {
  return LiveDirection{roles.primary, roles.secondary, roles.reversed, roles.describe()};
}

Result<LiveDirection> live_direction(const config::Config& config, const config::Pair& pair) {
  auto roles = roles::establish(config, pair);
  if (!roles) return tl::unexpected(roles.error());
  return live_direction_of(*roles);
}

Result<ActivationPlan> plan_activation(const config::Config& config, store::Store& store, const config::Pair& pair,
                                       const ActivationRequest& request) {
  ActivationPlan plan;
  plan.roles = request.roles;
  plan.snapshot_id = request.snapshot.id;
  plan.snapshot_instance = request.snapshot.instance;
  plan.snapshot_taken_at = request.snapshot.taken_at;
  auto jobs = drift::snapshot_jobs(store, pair, request.snapshot.id);
  if (!jobs) return tl::unexpected(jobs.error());
  auto on_primary = drift::live_jobs(config, plan.roles.primary, pair);
  if (!on_primary) return tl::unexpected(on_primary.error());
  for (const auto& [job, enabled] : *jobs) {
    if (!enabled) continue;
    auto it = on_primary->find(catalog::fold_name(job));
    if (it == on_primary->end()) {
      plan.notes.push_back("job '" + job + "' is not on the primary " + plan.roles.primary + " (sync creates it)");
    } else if (!it->second) {
      plan.changes.push_back({plan.roles.primary, job, true, "planned"});
    }
  }
  if (pair.jobs_on_secondary == config::Pair::JobsOnSecondary::kDisabled) {
    auto on_secondary = drift::live_jobs(config, plan.roles.secondary, pair);
    if (!on_secondary) {
      plan.secondary_reachable = false;
      plan.notes.push_back("the secondary " + plan.roles.secondary + " could not be read (" +
                           on_secondary.error().message + "): its jobs were not disabled");
    } else {
      for (const auto& [job, enabled] : *jobs) {
        auto it = on_secondary->find(catalog::fold_name(job));
        if (it != on_secondary->end() && it->second) plan.changes.push_back({plan.roles.secondary, job, false, "planned"});
      }
    }
  }
  return plan;
}

bool execute_activation(const config::Config& config, ActivationPlan& plan) {
  bool ok = true;
  std::map<std::string, Result<odbc::Connection>> conns;
  for (auto& c : plan.changes) {
    auto it = conns.find(c.instance);
    if (it == conns.end()) it = conns.emplace(c.instance, config::connect(config, c.instance)).first;
    if (!it->second) {
      c.outcome = "failed: " + it->second.error().message;
      ok = false;
      continue;
    }
    tsql::Exec e("msdb.dbo.sp_update_job");
    e.str("@job_name", c.job).num("@enabled", c.enable ? 1 : 0);
    auto sql = e.build();
    Result<std::vector<odbc::ResultSet>> done = sql ? it->second->execute(sql->render_redacted())
                                                    : Result<std::vector<odbc::ResultSet>>(tl::unexpected(sql.error()));
    if (done) {
      c.outcome = "done";
    } else {
      c.outcome = "failed: " + done.error().message;
      ok = false;
    }
  }
  return ok;
}

Result<ActivateReport> activate(const config::Config& config, store::Store& store, const config::Pair& pair,
                                const ActivationRequest& request, bool apply) {
  auto plan = plan_activation(config, store, pair, request);
  if (!plan) return tl::unexpected(plan.error());
  ActivateReport r;
  r.plan = std::move(*plan);
  if (apply) {
    execute_activation(config, r.plan);
    r.applied = true;
  }
  return r;
}

int ActivateReport::exit_code() const {
  for (const auto& c : plan.changes)
    if (c.outcome.starts_with("failed")) return 4;
  return plan.secondary_reachable ? 0 : 4;
}

std::string ActivateReport::to_text() const {
  std::string out = "activate: roles from " + plan.roles.describe + "\n";
  out += "jobs enabled in snapshot " + std::to_string(plan.snapshot_id) + " of " + plan.snapshot_instance + " (" +
         plan.snapshot_taken_at + ")\n";
  if (plan.changes.empty()) out += "nothing to change: jobs run on " + plan.roles.primary + " only\n";
  for (const auto& c : plan.changes)
    out += "  " + std::string(c.enable ? "enable " : "disable ") + "job '" + c.job + "' on " + c.instance + ": " +
           c.outcome + "\n";
  for (const auto& n : plan.notes) out += "  note: " + n + "\n";
  if (!applied && !plan.changes.empty()) out += "plan only: nothing was changed\n";
  return out;
}

nlohmann::json ActivateReport::to_json() const {
  auto changes = nlohmann::json::array();
  for (const auto& c : plan.changes)
    changes.push_back({{"instance", c.instance}, {"job", c.job}, {"enabled", c.enable}, {"outcome", c.outcome}});
  return {{"pair_primary", plan.roles.primary},
          {"pair_secondary", plan.roles.secondary},
          {"reversed", plan.roles.reversed},
          {"roles", plan.roles.describe},
          {"snapshot", {{"id", plan.snapshot_id}, {"instance", plan.snapshot_instance}, {"taken_at", plan.snapshot_taken_at}}},
          {"applied", applied},
          {"secondary_reachable", plan.secondary_reachable},
          {"changes", changes},
          {"notes", plan.notes},
          {"exit_code", exit_code()}};
}

}  // namespace understudy::replay
