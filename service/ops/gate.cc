#include "ops/gate.h"

#include <algorithm>
#include <set>
#include <span>
#include <string_view>

#include "diff/diff.h"
#include "gates/check.h"
#include "gates/check_cutover.h"
#include "gates/cutover.h"
#include "gates/drift.h"
#include "gates/evaluate.h"
#include "log/log.h"
#include "report/activation.h"
#include "report/records.h"
#include "roles/read.h"
#include "roles/roles.h"

namespace understudy::ops {

namespace {

// Whether every check of `gate` judges only the drift and the snapshot's id and age, never the
// objects themselves: then the target is compared as it streams (gates::read_target_against) and
// the checks get the snapshot without its objects. Only the types listed here, which were read
// for it (check.cc, check_*.cc: required_objects reads both sides' objects); a new type gets the
// whole objects until it is added.
bool gate_reads_only_drift(const gates::Gate& gate) {
  static const std::set<std::string_view> kDriftOnly = {"no_drift", "freshness", "replication", "landing",
                                                        "orphaned_users"};
  return std::all_of(gate.checks.begin(), gate.checks.end(),
                     [](const auto& c) { return kDriftOnly.count(c->type()) > 0; });
}

// Right after a failover: the live secondary's latest snapshot is newer than the live primary's
// (snapshots of a pair are of its primary, so the secondary was the primary last) — until the new
// primary's first snapshot. Then the question a gate answers is "did everything make it across":
// the new primary read live against the old primary's last snapshot. A secondary that is merely
// down, or a pair whose roles never changed, has no newer snapshot.
bool secondary_was_primary_last(Context& ctx, const roles::Roles& roles) {
  auto dark = ctx.with_store([&](store::Store& s) { return s.latest_snapshot(roles.secondary); });
  auto mine = ctx.with_store([&](store::Store& s) { return s.latest_snapshot(roles.primary); });
  if (!dark || !*dark || !mine) return false;
  return !*mine || (**dark).id > (**mine).id;
}

void record_gate_answer(Context& ctx, const gates::GateResult& r) {
  auto rec = [&]() -> Status {
    US_TRY(ctx.records_ready());
    return ctx.with_store([&](store::Store& s) { return report::record_evaluation(s, r); });
  }();
  if (!rec) log::Logger().error("could not record a gate evaluation", {{"gate", r.gate}, {"error", rec.error().message}});
}

}  // namespace

std::vector<std::string> gate_dirs(const config::Config& cfg) {
  std::vector<std::string> dirs = {UNDERSTUDY_SHIPPED_GATES_DIR};
  if (!cfg.service.gates_dir.empty()) dirs.push_back(cfg.service.gates_dir);
  return dirs;
}

std::vector<replay::AcceptedException> accepted_exceptions(const gates::GateSet& gates, const std::string& pair,
                                                           int64_t now_unix) {
  std::vector<replay::AcceptedException> out;
  for (const auto& [name, g] : gates) {
    if (!g->applies_to(pair)) continue;
    for (const auto& e : g->exceptions) {
      if (e.until_unix <= now_unix) continue;
      out.push_back({e.object.kind, e.object.key,
                     "exception of gate " + name + ", approved by " + e.approved_by + " until " + e.until});
    }
  }
  return out;
}

Result<std::unique_ptr<gates::GateRegistry>> load_gates(const config::Config& config) {
  auto registry = std::make_unique<gates::GateRegistry>(gate_dirs(config));
  US_TRY(registry->load());
  return registry;
}

Result<std::shared_ptr<const gates::Gate>> find_gate(const gates::GateRegistry& registry, const std::string& name,
                                                     const std::string& pair) {
  auto g = registry.find(name);
  if (!g) {
    std::string names;
    for (const auto& [n, _] : *registry.current()) names += (names.empty() ? "" : ", ") + n;
    return fail(ErrorCode::kNotFound, "gate '" + name + "' does not exist", "gates: " + names);
  }
  if (!pair.empty() && !g->applies_to(pair)) {
    std::string pairs;
    for (const auto& p : g->pairs) pairs += (pairs.empty() ? "" : ", ") + p;
    return fail(ErrorCode::kNotFound, "gate '" + name + "' does not apply to pair '" + pair + "'",
                "it applies to: " + pairs);
  }
  return g;
}

GateAnswer evaluate_gate(Context& ctx, gates::PrimaryCache& primaries, const gates::Gate& gate,
                         const config::Pair& pair, std::optional<int64_t> max_age,
                         const std::map<std::string, std::string>& params) {
  GateAnswer out;
  gates::EvalInput in;
  in.pair = pair.name;
  in.now = ctx.now();
  in.max_age_seconds = max_age;
  in.pair_max_age_seconds = pair.max_snapshot_age.count();
  in.params = params;
  unsigned needs = gates::gate_needs(gate);
  // Roles first: the comparison runs from the live primary's snapshot to the live secondary.
  // After a forced failover whose old primary is dark, the question is "did everything make it
  // across": the new primary, live, against the old primary's last snapshot.
  config::Pair live = pair;
  auto roles = roles::establish(ctx.config(), pair);
  if (!roles) {
    in.roles_error = roles.error();
  } else {
    live = roles::live_pair(pair, *roles);
    in.direction = roles->describe();
    if (roles->live && roles->primary_reachable && secondary_was_primary_last(ctx, *roles)) {
      std::swap(live.primary, live.secondary);
      // The target is the live primary here: its jobs are compared as the snapshot has them
      // (enabled where they ran), not as a secondary should hold them (diff/expectation.h).
      live.jobs_on_secondary = config::Pair::JobsOnSecondary::kEnabled;
      in.direction += roles->secondary_reachable
                          ? "; the new primary " + live.secondary + " has no snapshot since the roles changed: comparing it against the old primary " + live.primary + "'s last snapshot (did everything make it across)"
                          : "; the old primary " + live.primary + " is unreachable: comparing the new primary " + live.secondary + " against " + live.primary + "'s last snapshot";
    }
    in.primary_reachable = live.primary == roles->primary ? roles->primary_reachable : roles->secondary_reachable;
  }
  in.primary_instance = live.primary;
  if (in.roles_error) {
    out.result = gates::evaluate(gate, in);
    record_gate_answer(ctx, out.result);
    return out;
  }
  std::optional<gates::CutoverReads> cutover, landing;  // their reads run while the target is read
  try {
    // The cutover checks' inputs (gates/cutover.h): replication and orphaned users of the live
    // secondary; the landing check's `expect=primary|swapped` names the *configured* roles, so it
    // gets the pair as configured.
    cutover.emplace(ctx.config(), live, needs & ~gates::kNeedLanding);
    if (needs & gates::kNeedLanding) landing.emplace(ctx.config(), pair, gates::kNeedLanding);
    std::shared_ptr<const gates::PrimaryDigests> primary;  // shared with the cache
    bool drift_only = gate_reads_only_drift(gate);
    if (needs & (gates::kNeedPrimarySnapshot | gates::kNeedPrimaryAnyAge)) {
      auto p = ctx.with_store([&](store::Store& s) { return primaries.latest(s, live); });
      if (p) {
        primary = *p;
        out.objects += primary->digests.size();
        // The checks read the objects themselves: decoded for this evaluation only.
        in.primary = drift_only ? Result<gates::PrimarySnapshot>(primary->header)
                                : ctx.with_store([&](store::Store& s) { return gates::load_primary(s, live, *primary); });
      } else {
        in.primary = tl::unexpected(p.error());
      }
    }
    if ((needs & gates::kNeedTarget) && primary && drift_only) {
      auto t = gates::read_target_against(ctx.config(), live, *primary, [&](std::span<const int64_t> ids) {
        return ctx.with_store([&](store::Store& s) { return s.load_versions(ids, false); });
      });
      if (t) {
        out.objects += t->target.objects.size() + t->equal;
        in.drift = gates::drift_from(diff::compare(t->primary_rest, t->target.objects));
        in.target = std::move(t->target);
      } else {
        in.target = tl::unexpected(t.error());
      }
    } else if (needs & gates::kNeedTarget) {
      in.target = gates::read_target(ctx.config(), live);
      if (in.target && *in.target) out.objects += (*in.target)->objects.size();
      if (in.primary && *in.primary && in.target && *in.target)
        in.drift = gates::drift_from(diff::compare((*in.primary)->objects, (*in.target)->objects));
    }
    cutover->finish(in);
    if (landing) landing->finish(in);
    // `tsql` checks: on the live target (or live primary), rolled back (gates/check_tsql.cc).
    if (needs & gates::kNeedTsql) gates::gather_tsql(ctx.config(), live, gate, in);
    // `jobs_active`: the Agent jobs of the live primary and the live secondary (the real roles, not
    // the comparison's swap above) against the snapshot of intent (report/activation.h).
    if (needs & gates::kNeedJobs)
      in.jobs = [&]() -> Result<gates::JobsState> {
        auto own = ctx.own_store();  // live reads of both instances: not on the shared connection
        if (!own) return tl::unexpected(own.error());
        auto snap = report::intent_snapshot(**own, pair);
        if (!snap) return tl::unexpected(snap.error());
        return gates::read_jobs_state(ctx.config(), **own, pair, roles->primary, roles->secondary, *snap);
      }();
  } catch (const std::exception& e) {
    in.target = tl::unexpected(Error(ErrorCode::kInternal, std::string("evaluation failed: ") + e.what()));
  }
  out.result = gates::evaluate(gate, in);
  record_gate_answer(ctx, out.result);
  if (out.result.verdict != gates::Verdict::kUnknown) {
    for (auto k : catalog::kAllKinds)
      if (k != catalog::Kind::kInstance) out.drift_by_kind[std::string(catalog::kind_name(k))] = 0;
    for (const auto& d : in.drift) out.drift_by_kind[std::string(catalog::kind_name(d.kind))]++;
  }
  return out;
}

}  // namespace understudy::ops
