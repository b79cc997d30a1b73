// jobs_active: SQL Server Agent jobs run only where the databases are primary —
// Microsoft's guidance for availability groups; master and msdb are not replicated, so Understudy
// replays jobs and must keep them off on the secondary. The check fails for each job
//   - enabled_on_secondary: a job of the primary's last snapshot enabled on the live secondary
//     (only with jobs_on_secondary = "disabled", the default — with "enabled" the jobs check their
//     replica's role themselves);
//   - disabled_on_primary: enabled on the primary's last snapshot but disabled on the live primary
//     (a failover that was not followed by `understudy activate`);
//   - missing_on_primary: enabled on the primary's last snapshot, absent from the live primary.
// "The primary's last snapshot" is chosen by report/activation.h: the last snapshot of the instance
// activated last — after a failover not yet activated, the old primary's. Unknown when either instance cannot be read, or no snapshot.
#include "gates/check_cutover.h"
#include "gates/validate.h"

#include "diff/expectation.h"

namespace understudy::gates {
namespace {

namespace v = validate;

constexpr std::string_view kJobsType = "jobs_active";

class JobsActive final : public Check {
 public:
  std::string_view type() const override { return kJobsType; }
  unsigned needs() const override { return kNeedJobs; }

  CheckOutcome run(const EvalContext& ctx) const override {
    const auto& in = ctx.input;
    if (!in.jobs) return cutover::unknown(kJobsType, "the Agent jobs were not read");
    if (!*in.jobs) return cutover::unknown(kJobsType, "Agent jobs unreadable: " + in.jobs->error().message);
    const JobsState& j = **in.jobs;
    if (!j.on_primary)
      return cutover::unknown(kJobsType, "the jobs of the primary " + j.primary + " could not be read: " +
                                             j.on_primary.error().message);
    if (j.disabled_on_secondary && !j.on_secondary)
      return cutover::unknown(kJobsType, "the jobs of the secondary " + j.secondary + " could not be read: " +
                                             j.on_secondary.error().message);
    CheckOutcome out{std::string(kJobsType), Verdict::kPass, {}, {}, nullptr};
    auto failure = [&](const std::string& job, const char* problem, const std::string& instance, bool snapshot_enabled) {
      out.failures.push_back({catalog::Kind::kAgentJob, job, problem,
                              {{"instance", instance}, {"enabled_in_snapshot", snapshot_enabled}}, ""});
    };
    size_t enabled_in_snapshot = 0;
    for (const auto& [job, enabled] : j.in_snapshot) {
      const std::string folded = catalog::fold_name(job);
      if (enabled) {
        ++enabled_in_snapshot;
        auto p = j.on_primary->find(folded);
        if (p == j.on_primary->end()) failure(job, "missing_on_primary", j.primary, true);
        else if (!p->second) failure(job, "disabled_on_primary", j.primary, true);
      }
      if (j.disabled_on_secondary) {
        auto s = j.on_secondary->find(folded);
        if (s != j.on_secondary->end() && s->second) failure(job, "enabled_on_secondary", j.secondary, enabled);
      }
    }
    std::sort(out.failures.begin(), out.failures.end(), failure_less);
    out.details = {{"primary", j.primary},
                   {"secondary", j.secondary},
                   {"jobs_on_secondary", j.disabled_on_secondary ? "disabled" : "enabled"},
                   {"snapshot", {{"id", j.snapshot_id}, {"instance", j.snapshot_instance}}},
                   {"jobs", j.in_snapshot.size()},
                   {"enabled_in_snapshot", enabled_in_snapshot}};
    cutover::conclude(out, "Agent job(s) not running where the primary is",
                      std::to_string(enabled_in_snapshot) + " job(s) enabled on the primary " + j.primary +
                          (j.disabled_on_secondary ? ", none on the secondary " + j.secondary : std::string()));
    return out;
  }

  nlohmann::json to_json() const override { return {{"type", kJobsType}}; }
};

}  // namespace

Result<std::shared_ptr<const Check>> parse_jobs_active(const nlohmann::json& j, const std::string& p) {
  US_TRY(v::object(j, p, {"type"}, {"type"}));
  return std::make_shared<const JobsActive>();
}

Result<JobsState> read_jobs_state(const config::Config& cfg, store::Store& store, const config::Pair& pair,
                                  const std::string& primary, const std::string& secondary,
                                  const store::SnapshotInfo& snapshot) {
  JobsState s;
  s.primary = primary;
  s.secondary = secondary;
  s.disabled_on_secondary = drift::jobs_disabled_on_secondary(pair);
  s.snapshot_id = snapshot.id;
  s.snapshot_instance = snapshot.instance;
  auto jobs = drift::snapshot_jobs(store, pair, snapshot.id);
  if (!jobs) return tl::unexpected(jobs.error());
  s.in_snapshot = std::move(*jobs);
  s.on_primary = drift::live_jobs(cfg, primary, pair);
  if (s.disabled_on_secondary) s.on_secondary = drift::live_jobs(cfg, secondary, pair);
  return s;
}

}  // namespace understudy::gates
