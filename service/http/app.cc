#include "http/app.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <string_view>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "diff/diff.h"
#include "gates/check.h"
#include "gates/check_cutover.h"
#include "gates/drift.h"
#include "gates/evaluate.h"
#include "gates/sources.h"
#include "log/log.h"
#include "replay/sync.h"
#include "report/activation.h"
#include "roles/read.h"

namespace understudy::http {

namespace {
int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// An evaluation of a large pair allocates and frees gigabytes (the target's objects, the copy of
// the primary snapshot the checks get, the ODBC fetch buffers) on whichever worker thread ran it.
// glibc keeps freed memory in that thread's arena, so with 96 workers the resident size grows to
// several times the live data and then drifts (docs/benchmarks.md, "Gates"). Giving the free pages
// back after such an evaluation costs milliseconds against its seconds; payments-size evaluations
// (tens of objects, thousands per second) never pay it.
// Whether every check of `gate` judges only the drift and the snapshot's id and age, never the
// objects themselves: then the target is compared as it streams (gates::read_target_against) and
// the checks get the snapshot without its objects. Only the types listed here, which were read
// for it (check.cc, check_*.cc: required_objects reads both sides' objects); a new type gets the
// whole objects until it is added.
bool reads_only_drift(const gates::Gate& gate) {
  static const std::set<std::string_view> kDriftOnly = {"no_drift", "freshness", "replication", "landing",
                                                        "orphaned_users"};
  return std::all_of(gate.checks.begin(), gate.checks.end(),
                     [](const auto& c) { return kDriftOnly.count(c->type()) > 0; });
}

constexpr size_t kLargeEvaluationObjects = 10000;  // and snapshots of that size, taken here
void return_free_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}
// glibc gives threads up to 8 arenas per core, and each worker that ran a large evaluation kept
// ~20 MB of its arena resident even after the trim (measured: +20-25 MB per evaluation on a new
// worker, 100 -> 254 MB over 8 evaluations of the 100,000-login pair); with 4 arenas it levels off
// (~185 MB). The service's allocations are mostly per request and small (per-thread caches serve
// them without the arena's lock).
void limit_malloc_arenas() {
#ifdef __GLIBC__
  mallopt(M_ARENA_MAX, 4);
#endif
}
}  // namespace

std::vector<std::string> gate_dirs_for(const config::Config& cfg) {
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

Result<std::unique_ptr<App>> App::open(AppOptions options) {
  limit_malloc_arenas();  // before the workers start
  if (!options.clock) options.clock = system_now;
  std::unique_ptr<App> app(new App(std::move(options)));
  auto st = store::Store::open(app->options_.config.store);
  if (!st) return tl::unexpected(st.error());
  app->store_ = std::move(*st);
  US_TRY(report::migrate(*app->store_));
  app->gates_ = std::make_unique<gates::GateRegistry>(app->options_.gate_dirs);
  US_TRY(app->gates_->load());
  auto head = report::verify_audit(*app->store_);
  if (!head) return tl::unexpected(head.error());
  if (head->head_seq > 0) app->publish_audit_head(head->head_seq, head->head_hash, "");  // metrics only
  if (head->first_broken)
    log::Logger().error("the audit trail does not verify", {{"entry", *head->first_broken}, {"problem", head->problem}});
  return app;
}

App::~App() { stop(); }

Result<const config::Pair*> App::pair(const std::string& name) const { return options_.config.pair(name); }

Result<std::shared_ptr<const gates::Gate>> App::gate(const std::string& name, const std::string& pair) const {
  auto g = gates_->find(name);
  if (!g) {
    std::string names;
    for (const auto& [n, _] : *gates_->current()) names += (names.empty() ? "" : ", ") + n;
    return fail(ErrorCode::kNotFound, "gate '" + name + "' does not exist", "gates: " + names);
  }
  if (!pair.empty() && !g->applies_to(pair))
    return fail(ErrorCode::kNotFound, "gate '" + name + "' does not apply to pair '" + pair + "'",
                "it applies to: " + [&] {
                  std::string s;
                  for (const auto& p : g->pairs) s += (s.empty() ? "" : ", ") + p;
                  return s;
                }());
  return g;
}

gates::GateResult App::evaluate(const gates::Gate& gate, const config::Pair& pair, std::optional<int64_t> max_age,
                                const std::map<std::string, std::string>& params) {
  std::string key = gate.name + '\n' + pair.name + '\n' + (max_age ? std::to_string(*max_age) : "");
  for (const auto& [k, v] : params) key += '\n' + k + '=' + v;
  size_t objects = 0;  // set by the evaluation this caller ran, if it ran one
  bool shared = false;
  auto r = flights_.run(key, [&] { return evaluate_uncoalesced(gate, pair, max_age, params, objects); }, &shared);
  // After the waiters have their answer; the evaluation's inputs are freed by now.
  if (!shared && objects >= kLargeEvaluationObjects) return_free_memory();
  metrics_.inc("understudy_gate_checks_total", {{"gate", gate.name}, {"result", std::string(gates::verdict_name(r.verdict))}});
  return r;
}

// Right after a failover: the live secondary's latest snapshot is newer than the live primary's
// (snapshots of a pair are of its primary, so the secondary was the primary last) — until the new
// primary's first snapshot. Then the question a gate answers is "did everything make it across":
// the new primary read live against the old primary's last snapshot. A secondary that is merely
// down, or a pair whose roles never changed, has no newer snapshot.
bool App::secondary_was_primary_last(const roles::Roles& roles) {
  auto dark = with_store([&](store::Store& s) { return s.latest_snapshot(roles.secondary); });
  auto mine = with_store([&](store::Store& s) { return s.latest_snapshot(roles.primary); });
  if (!dark || !*dark || !mine) return false;
  return !*mine || (**dark).id > (**mine).id;
}

gates::GateResult App::evaluate_uncoalesced(const gates::Gate& gate, const config::Pair& pair,
                                            std::optional<int64_t> max_age,
                                            const std::map<std::string, std::string>& params, size_t& objects) {
  auto started = std::chrono::steady_clock::now();
  gates::EvalInput in;
  in.pair = pair.name;
  in.now = now();
  in.max_age_seconds = max_age;
  in.pair_max_age_seconds = pair.max_snapshot_age.count();
  in.params = params;
  unsigned needs = gates::gate_needs(gate);
  // Roles first: the comparison runs from the live primary's snapshot to the live secondary.
  // After a forced failover whose old primary is dark, the question is "did everything make it
  // across": the new primary, live, against the old primary's last snapshot.
  config::Pair live = pair;
  auto roles = roles::establish(options_.config, pair);
  if (!roles) {
    in.roles_error = roles.error();
  } else {
    live = roles::live_pair(pair, *roles);
    in.direction = roles->describe();
    if (roles->live && roles->primary_reachable && secondary_was_primary_last(*roles)) {
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
    auto r = gates::evaluate(gate, in);
    auto rec = with_store([&](store::Store& s) { return report::record_evaluation(s, r); });
    if (!rec) log::Logger().error("could not record a gate evaluation", {{"gate", gate.name}, {"error", rec.error().message}});
    metrics_.inc("understudy_gate_evaluations_total", {{"gate", gate.name}});
    return r;
  }
  std::optional<gates::CutoverReads> cutover, landing;  // their reads run while the target is read
  try {
    // Cutover inputs (gates/cutover.h): replication and orphaned users of the live secondary; the
    // landing check's `expect=primary|swapped` names the *configured* roles, so it gets the pair
    // as configured.
    cutover.emplace(options_.config, live, needs & ~gates::kNeedLanding);
    if (needs & gates::kNeedLanding) landing.emplace(options_.config, pair, gates::kNeedLanding);
    std::shared_ptr<const gates::PrimaryDigests> primary;  // shared with the cache
    bool drift_only = reads_only_drift(gate);
    if (needs & (gates::kNeedPrimarySnapshot | gates::kNeedPrimaryAnyAge)) {
      auto p = with_store([&](store::Store& s) { return primaries_.latest(s, live); });
      if (p) {
        primary = *p;
        objects += primary->digests.size();
        // The checks read the objects themselves: decoded for this evaluation only.
        in.primary = drift_only ? Result<gates::PrimarySnapshot>(primary->header)
                                : with_store([&](store::Store& s) { return gates::load_primary(s, live, *primary); });
      } else {
        in.primary = tl::unexpected(p.error());
      }
    }
    if ((needs & gates::kNeedTarget) && primary && drift_only) {
      auto t = gates::read_target_against(options_.config, live, *primary, [&](std::span<const int64_t> ids) {
        return with_store([&](store::Store& s) { return s.load_versions(ids, false); });
      });
      if (t) {
        objects += t->target.objects.size() + t->equal;
        in.drift = gates::drift_from(diff::compare(t->primary_rest, t->target.objects));
        in.target = std::move(t->target);
      } else {
        in.target = tl::unexpected(t.error());
      }
    } else if (needs & gates::kNeedTarget) {
      in.target = gates::read_target(options_.config, live);
      if (in.target && *in.target) objects += (*in.target)->objects.size();
      if (in.primary && *in.primary && in.target && *in.target)
        in.drift = gates::drift_from(diff::compare((*in.primary)->objects, (*in.target)->objects));
    }
    cutover->finish(in);
    if (landing) landing->finish(in);
    // `tsql` checks: on the live target (or live primary), rolled back (gates/check_tsql.cc).
    if (needs & gates::kNeedTsql) gates::gather_tsql(options_.config, live, gate, in);
    // `jobs_active`: the Agent jobs of the live primary and the live secondary (the real roles, not
    // the comparison's swap above) against the snapshot of intent (report/activation.h).
    if (needs & gates::kNeedJobs)
      in.jobs = [&]() -> Result<gates::JobsState> {
        auto own = own_store();  // live reads of both instances: not on the shared connection
        if (!own) return tl::unexpected(own.error());
        auto snap = report::intent_snapshot(**own, pair);
        if (!snap) return tl::unexpected(snap.error());
        return gates::read_jobs_state(options_.config, **own, pair, roles->primary, roles->secondary, *snap);
      }();
  } catch (const std::exception& e) {
    in.target = tl::unexpected(Error(ErrorCode::kInternal, std::string("evaluation failed: ") + e.what()));
  }
  auto r = gates::evaluate(gate, in);
  auto rec = with_store([&](store::Store& s) { return report::record_evaluation(s, r); });
  if (!rec) log::Logger().error("could not record a gate evaluation", {{"gate", gate.name}, {"error", rec.error().message}});
  metrics_.inc("understudy_gate_evaluations_total", {{"gate", gate.name}});
  metrics_.observe("understudy_gate_evaluation_duration_seconds", {{"gate", gate.name}}, seconds_since(started));
  if (r.verdict != gates::Verdict::kUnknown) {
    std::map<std::string, int> per_kind;
    for (auto k : catalog::kAllKinds)
      if (k != catalog::Kind::kInstance) per_kind[std::string(catalog::kind_name(k))] = 0;
    for (const auto& d : in.drift) per_kind[std::string(catalog::kind_name(d.kind))]++;
    for (const auto& [k, n] : per_kind) metrics_.set("understudy_drift_objects", {{"kind", k}}, n);
  }
  return r;
}

Result<store::SnapshotInfo> App::snapshot_instance(const config::Pair& pair, const std::string& run_id) {
  auto started = std::chrono::steady_clock::now();
  // The pair's live primary (roles read from both instances): after a failover, the configured
  // secondary. On a store connection of its own: the live read may take minutes, and the shared
  // store must keep answering /readyz and the other pairs' gates meanwhile.
  auto own = own_store();
  auto info = own ? drift::snapshot_pair(options_.config, **own, pair, run_id)
                  : Result<store::SnapshotInfo>(tl::unexpected(own.error()));
  if (info) {
    std::lock_guard lock(state_mu_);
    reachable_[info->instance] = true;
  } else if (info.error().code == ErrorCode::kUnavailable) {
    std::lock_guard lock(state_mu_);
    // Only an unreachable instance counts as "primary unreachable"; a store error does not.
    reachable_[pair.primary] = false;
  }
  if (info && static_cast<size_t>(info->object_count) >= kLargeEvaluationObjects) return_free_memory();
  metrics_.inc("understudy_snapshot_runs_total", {{"result", info ? "success" : "failure"}});
  metrics_.observe("understudy_snapshot_duration_seconds", {}, seconds_since(started));
  if (info) metrics_.set("understudy_snapshot_last_success_timestamp_seconds", {}, static_cast<double>(now()));
  return info;
}

Result<report::Run> App::snapshot(const config::Pair& pair, const std::string& actor) {
  report::Run run;
  run.id = drift::new_run_id();
  run.type = "snapshot";
  run.pair = pair.name;
  run.actor = actor;
  run.started_at = gates::format_rfc3339(now());
  auto info = snapshot_instance(pair, run.id);
  run.finished_at = gates::format_rfc3339(now());
  if (!info) {
    run.status = "failed";
    run.result = {{"error", info.error().message}};
  } else {
    run.status = "succeeded";
    run.result = {{"snapshot", {{"id", info->id},
                                {"instance", info->instance},
                                {"taken_at", info->taken_at},
                                {"server_name", info->server_name},
                                {"object_count", info->object_count},
                                {"counts", info->counts}}}};
  }
  US_TRY(with_store([&](store::Store& s) { return report::save_run(s, run); }));
  US_TRY(audit_append({0, "", actor, "snapshot", pair.name, run.id,
                       {{"instance", pair.primary}, {"status", run.status}}, "", ""}));
  if (!info) return tl::unexpected(info.error());
  return run;
}

Result<std::vector<store::SnapshotInfo>> App::snapshots(const config::Pair& pair) {
  // History is per instance and survives role swaps: both instances' snapshots, newest first.
  auto all = with_store([&](store::Store& s) { return s.list_snapshots(); });
  if (!all) return all;
  std::erase_if(*all, [&](const store::SnapshotInfo& i) { return i.instance != pair.primary && i.instance != pair.secondary; });
  return all;
}

Result<drift::PairDrift> App::drift(const config::Pair& pair) {
  auto own = own_store();  // a live read: not on the shared connection (see own_store)
  if (!own) return tl::unexpected(own.error());
  return drift::pair_drift(options_.config, **own, pair.name, drift::Against::kLive, drift::new_run_id());
}

Result<std::unique_ptr<store::Store>> App::own_store() {
  US_TRY(refuse_if_damaged());
  return store::Store::open(options_.config.store, {.create = false, .check_integrity = false});
}

Status App::refuse_if_damaged() const {
  std::lock_guard lock(state_mu_);
  if (damaged_) return tl::unexpected(*damaged_);
  return {};
}

Status App::check_store() {
  auto own = store::Store::open(options_.config.store, {.create = false, .check_integrity = false});
  Status st = own ? (*own)->check_integrity() : Status(tl::unexpected(own.error()));
  if (!st && st.error().code == ErrorCode::kStoreDamaged) {
    std::lock_guard lock(state_mu_);
    damaged_ = st.error();
  }
  metrics_.inc("understudy_store_integrity_checks_total", {{"result", st ? "success" : "failure"}});
  if (!st) log::Logger().error("store integrity check failed", {{"error", st.error().message}});
  return st;
}

void App::integrity_loop() {
  while (true) {
    {
      std::unique_lock lock(sched_mu_);
      if (sched_cv_.wait_for(lock, kIntegrityInterval, [this] { return stopping_; })) return;
    }
    (void)check_store();
  }
}

Result<std::unique_lock<std::mutex>> App::lock_pair(const config::Pair& pair) {
  std::mutex* lock_ptr;
  {
    std::lock_guard lock(state_mu_);
    auto& m = sync_locks_[pair.name];
    if (!m) m = std::make_unique<std::mutex>();
    lock_ptr = m.get();
  }
  std::unique_lock pair_lock(*lock_ptr, std::try_to_lock);
  if (!pair_lock.owns_lock())
    return fail(ErrorCode::kLockHeld, "a sync of pair '" + pair.name + "' is running", "wait for it and retry");
  return pair_lock;
}

Result<report::Run> App::sync(const config::Pair& pair, bool apply, const std::string& actor) {
  auto pair_lock = lock_pair(pair);
  if (!pair_lock) return tl::unexpected(pair_lock.error());

  report::Run run;
  run.type = "sync";
  run.pair = pair.name;
  run.actor = actor;
  run.started_at = gates::format_rfc3339(now());
  replay::SyncRequest req;
  req.pair = pair.name;
  req.apply = apply;
  req.who = actor;
  req.accepted = accepted_exceptions(*gates_->current(), pair.name, now());
  // The sync audits its intent before the first write and its outcome (replay/sync.h).
  req.audit = [&](const std::string& action, const std::string& run_id, const nlohmann::json& detail) -> Status {
    return audit_append({0, "", actor, action, pair.name, run_id, detail, "", ""});
  };
  auto own = own_store();  // reads and writes the target: not on the shared connection
  if (!own) return tl::unexpected(own.error());
  auto due = report::activation_due(options_.config, **own, pair);
  if (!due) return tl::unexpected(due.error());
  req.activation = *due;  // a role change: the jobs are activated first (report/activation.h)
  auto rep = replay::sync(options_.config, **own, req);
  run.finished_at = gates::format_rfc3339(now());
  if (!rep) {
    run.id = drift::new_run_id();
    run.status = "failed";
    run.result = {{"apply", apply}, {"error", rep.error().message}};
    US_TRY(with_store([&](store::Store& s) { return report::save_run(s, run); }));
    return tl::unexpected(rep.error());
  }
  run.id = rep->run_id.empty() ? drift::new_run_id() : rep->run_id;
  auto actions = nlohmann::json::array();
  for (size_t i = 0; i < rep->plan.actions.size(); ++i) {
    const auto& a = rep->plan.actions[i];
    std::string outcome = a.runnable() ? "planned" : (a.block != replay::Block::kNone ? "blocked" : "skipped");
    if (rep->applied && i < rep->execution.outcomes.size()) outcome = rep->execution.outcomes[i].status;
    nlohmann::json aj = {{"seq", a.seq},   {"kind", catalog::kind_name(a.kind)}, {"key", a.key},
                         {"op", replay::operation_name(a.op)}, {"finding", a.finding}, {"reason", a.reason},
                         {"outcome", outcome}};
    if (!a.blocked.empty()) aj["blocked"] = a.blocked;
    if (rep->applied && i < rep->execution.outcomes.size() && !rep->execution.outcomes[i].error_message.empty())
      aj["error"] = rep->execution.outcomes[i].error_message;
    actions.push_back(aj);
    if (rep->applied) metrics_.inc("understudy_sync_actions_total", {{"result", outcome}});
  }
  auto s = rep->plan.summary();
  run.status = rep->exit_code() == 0 || (!apply && rep->exit_code() == 1) ? "succeeded" : "failed";
  run.result = {{"apply", apply},
                {"source_snapshot", rep->plan.source_snapshot ? nlohmann::json(*rep->plan.source_snapshot) : nlohmann::json(nullptr)},
                {"source", rep->plan.source},
                {"target", rep->plan.target},
                {"reversed", rep->plan.reversed},
                {"direction", rep->plan.direction},
                {"summary", {{"create", s.create}, {"alter", s.alter}, {"drop", s.drop}, {"disable", s.disable},
                             {"incompatible", s.incompatible}, {"blocked", s.blocked}, {"skipped", s.skipped}}},
                {"applied", rep->execution.applied},
                {"failed", rep->execution.failed},
                {"converged", rep->converged},
                {"exit_code", rep->exit_code()},
                {"actions", actions}};
  US_TRY(with_store([&](store::Store& st) { return report::save_run(st, run); }));
  if (apply && rep->activation)
    US_TRY(with_store([&](store::Store& s) { return report::record_activation(s, pair.name, actor, run.id, *rep->activation); }));
  return run;
}

Result<replay::ActivateReport> App::activate(const config::Pair& pair, const std::string& actor) {
  auto pair_lock = lock_pair(pair);
  if (!pair_lock) return tl::unexpected(pair_lock.error());
  auto own = own_store();  // live reads and writes of both instances: not on the shared connection
  if (!own) return tl::unexpected(own.error());
  return report::activate_pair(options_.config, **own, pair, actor);
}

Result<std::optional<report::Run>> App::run(const std::string& id) {
  return with_store([&](store::Store& s) { return report::get_run(s, id); });
}

Result<report::DriftReport> App::drift_report(const std::string& pair, const std::string& since,
                                              const std::string& until) {
  auto rep = with_store([&](store::Store& s) { return report::collect(s, pair, since, until); });
  if (!rep) return rep;
  auto set = gates_->current();
  for (const auto& [name, g] : *set) {
    if (!g->applies_to(pair)) continue;
    for (const auto& e : g->exceptions)
      if (e.until_unix > now()) rep->exceptions.push_back({name, e});
  }
  return rep;
}

Result<std::vector<report::AuditEntry>> App::audit(int64_t after_seq, int64_t limit) {
  return with_store([&](store::Store& s) { return report::list_audit(s, after_seq, limit); });
}

Result<report::AuditVerdict> App::verify_audit() {
  return with_store([&](store::Store& s) { return report::verify_audit(s); });
}

Status App::audit_append(report::AuditEntry e) {
  US_TRY(refuse_if_damaged());
  e.at = gates::format_rfc3339(now());
  auto r = with_store([&](store::Store& s) { return report::append_audit(s, std::move(e)); });
  if (!r) return tl::unexpected(r.error());
  publish_audit_head(r->seq, r->hash, r->action);
  return {};
}

// Each entry's hash leaves the store as it is written — in the log and the metrics — so that an
// auditor can pin the chain's head elsewhere and `audit verify --head` can prove later that
// nothing was cut from the end (docs/reports.md).
void App::publish_audit_head(int64_t seq, const std::string& hash, const std::string& action) {
  if (!action.empty()) log::Logger().info("audit entry appended", {{"seq", seq}, {"action", action}, {"hash", hash}});
  metrics_.set("understudy_audit_head_seq", {}, static_cast<double>(seq));
  // 13 hex digits are 52 bits: exact in a double, which is all a Prometheus sample holds.
  double prefix = hash.size() >= 13 ? static_cast<double>(std::stoull(hash.substr(0, 13), nullptr, 16)) : 0;
  metrics_.set("understudy_audit_head_hash_prefix", {}, prefix);
}

Status App::reload_gates(const std::string& actor) {
  auto st = gates_->reload();
  metrics_.inc("understudy_gates_reload_total", {{"result", st ? "success" : "failure"}});
  nlohmann::json detail = {{"result", st ? "success" : "failure"}, {"gates", gates_->current()->size()}};
  if (!st) detail["error"] = st.error().message;
  US_TRY(audit_append({0, "", actor, "gates.reload", "", "", detail, "", ""}));
  return st;
}

bool App::store_ok() {
  if (!refuse_if_damaged()) return false;
  return with_store([&](store::Store& s) { return static_cast<bool>(s.schema_version("service")); });
}

bool App::primary_reachable(const std::string& instance) const {
  std::lock_guard lock(state_mu_);
  auto it = reachable_.find(instance);
  return it == reachable_.end() ? true : it->second;
}

void App::start_scheduler() {
  if (!checker_.joinable()) checker_ = std::thread([this] { integrity_loop(); });
  if (options_.config.service.snapshot_interval.count() <= 0 || scheduler_.joinable()) return;
  scheduler_ = std::thread([this] { scheduler_loop(); });
}

void App::stop() {
  {
    std::lock_guard lock(sched_mu_);
    stopping_ = true;
  }
  sched_cv_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  if (checker_.joinable()) checker_.join();
}

void App::scheduler_loop() {
  auto interval = options_.config.service.snapshot_interval;
  log::Logger lg;
  while (true) {
    std::set<std::string> done;
    for (const auto& [name, pair] : options_.config.pairs) {
      if (!done.insert(pair.primary).second) continue;
      {
        std::lock_guard lock(sched_mu_);
        if (stopping_) return;
      }
      auto run_id = drift::new_run_id();
      auto info = snapshot_instance(pair, run_id);
      if (info)
        lg.info("scheduled snapshot stored",
                {{"run_id", run_id}, {"instance", pair.primary}, {"snapshot", info->id}, {"objects", info->object_count}});
      else
        lg.warn("scheduled snapshot failed", {{"run_id", run_id}, {"instance", pair.primary}, {"error", info.error().message}});
    }
    std::unique_lock lock(sched_mu_);
    if (sched_cv_.wait_for(lock, interval, [this] { return stopping_; })) return;
  }
}

}  // namespace understudy::http
