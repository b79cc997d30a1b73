// activation.cc — see activation.h.
#include "report/activation.h"

#include "report/records.h"

namespace understudy::report {

Result<JobsPrimary> jobs_primary(store::Store& store, const config::Pair& pair) {
  JobsPrimary jp;
  jp.instance = pair.primary;
  US_TRY(migrate(store));
  US_TRY(for_each_audit(store, [&](const AuditEntry& e) {
    if (e.action != "activate" || e.pair != pair.name || !e.detail.is_object()) return;
    auto p = e.detail.find("primary");
    if (p == e.detail.end() || !p->is_string()) return;
    jp.instance = p->get<std::string>();
    jp.activated_at = e.at;
    jp.snapshot_id.reset();
    if (auto s = e.detail.find("snapshot"); s != e.detail.end() && s->is_object() && s->contains("id"))
      jp.snapshot_id = s->at("id").get<int64_t>();
  }));
  return jp;
}

Result<store::SnapshotInfo> intent_snapshot(store::Store& store, const config::Pair& pair) {
  auto jp = jobs_primary(store, pair);
  if (!jp) return tl::unexpected(jp.error());
  auto latest = store.latest_snapshot(jp->instance);
  if (!latest) return tl::unexpected(latest.error());
  if (*latest && (jp->activated_at.empty() || (*latest)->taken_at > jp->activated_at || !jp->snapshot_id)) return **latest;
  if (jp->snapshot_id) return store.get_snapshot(*jp->snapshot_id);
  return fail(ErrorCode::kNotFound, "no snapshot of '" + jp->instance + "' in the store",
              "take one: understudy snapshot --pair " + pair.name);
}

Result<std::optional<replay::ActivationRequest>> activation_due(const config::Config& config, store::Store& store,
                                                                const config::Pair& pair) {
  auto roles = replay::live_direction(config, pair);
  if (!roles) return tl::unexpected(roles.error());
  auto jp = jobs_primary(store, pair);
  if (!jp) return tl::unexpected(jp.error());
  if (jp->instance == roles->primary) return std::optional<replay::ActivationRequest>();
  auto snap = intent_snapshot(store, pair);
  if (!snap) return tl::unexpected(snap.error());
  return std::optional<replay::ActivationRequest>(replay::ActivationRequest{*roles, *snap});
}

Status record_activation(store::Store& store, const std::string& pair, const std::string& actor,
                         const std::string& run_id, const replay::ActivateReport& report) {
  US_TRY(migrate(store));
  nlohmann::json detail = report.to_json();
  detail["primary"] = report.plan.roles.primary;
  detail["secondary"] = report.plan.roles.secondary;
  auto entry = append_audit(store, {0, "", actor, "activate", pair, run_id, detail, "", ""});
  if (!entry) return tl::unexpected(entry.error());
  return {};
}

Result<replay::ActivateReport> activate_pair(const config::Config& config, store::Store& store,
                                             const config::Pair& pair, const std::string& actor) {
  auto roles = replay::live_direction(config, pair);
  if (!roles) return tl::unexpected(roles.error());
  auto snap = intent_snapshot(store, pair);
  if (!snap) return tl::unexpected(snap.error());
  auto report = replay::activate(config, store, pair, {*roles, *snap});
  if (!report) return tl::unexpected(report.error());
  US_TRY(record_activation(store, pair.name, actor, "", *report));
  return report;
}

}  // namespace understudy::report
