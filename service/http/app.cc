#include "http/app.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <string_view>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "base/run_id.h"
#include "base/time.h"
#include "catalog/object.h"
#include "log/log.h"
#include "ops/activate.h"
#include "ops/audit.h"
#include "ops/diff.h"
#include "ops/gate.h"
#include "ops/report.h"
#include "ops/snapshot.h"
#include "ops/status.h"
#include "ops/sync.h"

namespace understudy::http {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// An evaluation of a large pair allocates and frees gigabytes (the target's objects, the copy of
// the primary snapshot the checks get, the ODBC fetch buffers) on whichever worker thread ran it.
// glibc keeps freed memory in that thread's arena, so with 96 workers the resident size grows to
// several times the live data and then drifts (docs/benchmarks.md, "Gates"). Giving the free pages
// back after such an evaluation costs milliseconds against its seconds; payments-size evaluations
// (tens of objects, thousands per second) never pay it.
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

Result<std::unique_ptr<App>> App::open(AppOptions options) {
  limit_malloc_arenas();  // before the workers start
  std::unique_ptr<App> app(new App());
  auto ctx = ops::Context::open(std::move(options.config), {.create_store = true, .clock = std::move(options.clock)});
  if (!ctx) return tl::unexpected(ctx.error());
  app->ctx_ = std::move(*ctx);
  // Long runs (a large snapshot, a sync of many actions) log their progress every 10 s, and
  // their end when they took that long.
  app->ctx_->set_progress(
      [](const ProgressState& s) {
        if (s.finished && s.elapsed_seconds < 10) return;
        log::Logger lg;
        if (s.eta_seconds() >= 0) lg = lg.with({"eta_seconds", static_cast<int64_t>(s.eta_seconds())});
        lg.info(s.finished ? "long run finished" : "progress",
                {{"run", s.what}, {"done", s.done}, {"total", s.total}, {"unit", s.unit},
                 {"rate_per_second", static_cast<int64_t>(s.rate())}});
      },
      std::chrono::seconds(10));
  // Each audit entry's hash leaves the store as it is written (publish_audit_head).
  App* self = app.get();
  app->ctx_->set_audit_listener(
      [self](const report::AuditEntry& e) { self->publish_audit_head(e.seq, e.hash, e.action); });
  US_TRY(app->ctx_->records_ready());
  auto registry = ops::load_gates(app->ctx_->config());
  if (!registry) return tl::unexpected(registry.error());
  app->gates_ = std::move(*registry);
  auto head = ops::verify_audit(*app->ctx_);
  if (!head) return tl::unexpected(head.error());
  if (head->head_seq > 0) app->publish_audit_head(head->head_seq, head->head_hash, "");  // metrics only
  if (head->first_broken)
    log::Logger().error("the audit trail does not verify", {{"entry", *head->first_broken}, {"problem", head->problem}});
  return app;
}

App::~App() { stop(); }

Result<const config::Pair*> App::pair(const std::string& name) const { return ctx_->config().pair(name); }

Result<std::shared_ptr<const gates::Gate>> App::gate(const std::string& name, const std::string& pair) const {
  return ops::find_gate(*gates_, name, pair);
}

gates::GateResult App::evaluate(const gates::Gate& gate, const config::Pair& pair, std::optional<int64_t> max_age,
                                const std::map<std::string, std::string>& params) {
  std::string key = gate.name + '\n' + pair.name + '\n' + (max_age ? std::to_string(*max_age) : "");
  for (const auto& [k, v] : params) key += '\n' + k + '=' + v;
  size_t objects = 0;  // set by the evaluation this caller ran, if it ran one
  bool shared = false;
  auto r = flights_.run(
      key,
      [&] {
        auto started = std::chrono::steady_clock::now();
        auto answer = ops::evaluate_gate(*ctx_, primaries_, gate, pair, max_age, params);
        objects = answer.objects;
        metrics_.inc("understudy_gate_evaluations_total", {{"gate", gate.name}});
        metrics_.observe("understudy_gate_evaluation_duration_seconds", {{"gate", gate.name}}, seconds_since(started));
        for (const auto& [k, n] : answer.drift_by_kind) metrics_.set("understudy_drift_objects", {{"kind", k}}, n);
        return answer.result;
      },
      &shared);
  // After the waiters have their answer; the evaluation's inputs are freed by now.
  if (!shared && objects >= kLargeEvaluationObjects) return_free_memory();
  metrics_.inc("understudy_gate_checks_total", {{"gate", gate.name}, {"result", std::string(gates::verdict_name(r.verdict))}});
  return r;
}

void App::snapshot_metrics(const Result<store::SnapshotInfo>& info, std::chrono::steady_clock::time_point started) {
  if (info && static_cast<size_t>(info->object_count) >= kLargeEvaluationObjects) return_free_memory();
  metrics_.inc("understudy_snapshot_runs_total", {{"result", info ? "success" : "failure"}});
  metrics_.observe("understudy_snapshot_duration_seconds", {}, seconds_since(started));
  if (info) metrics_.set("understudy_snapshot_last_success_timestamp_seconds", {}, static_cast<double>(now()));
}

Result<store::SnapshotInfo> App::snapshot_instance(const config::Pair& pair, const std::string& run_id) {
  auto started = std::chrono::steady_clock::now();
  // The pair's live primary (roles read from both instances): after a failover, the configured
  // secondary.
  auto info = ops::take_pair_snapshot(*ctx_, pair, run_id);
  snapshot_metrics(info, started);
  return info;
}

Result<report::Run> App::snapshot(const config::Pair& pair, const std::string& actor) {
  auto started = std::chrono::steady_clock::now();
  auto r = ops::snapshot(*ctx_, pair.primary, &pair, actor);
  if (!r) {
    snapshot_metrics(tl::unexpected(r.error()), started);
    return tl::unexpected(r.error());
  }
  snapshot_metrics(r->info, started);
  return r->run;
}

Result<std::vector<store::SnapshotInfo>> App::snapshots(const config::Pair& pair) {
  // History is per instance and survives role swaps: both instances' snapshots, newest first.
  auto all = ctx_->with_store([&](store::Store& s) { return s.list_snapshots(); });
  if (!all) return all;
  std::erase_if(*all, [&](const store::SnapshotInfo& i) { return i.instance != pair.primary && i.instance != pair.secondary; });
  return all;
}

Result<drift::PairDrift> App::drift(const config::Pair& pair) {
  return ops::diff(*ctx_, pair.name, drift::Against::kLive);
}

Result<report::Run> App::sync(const config::Pair& pair, const SyncAsk& ask, const std::string& actor) {
  replay::SyncRequest req;
  req.pair = pair.name;
  req.apply = ask.apply;
  req.carry_stranded = ask.carry_stranded;
  req.configured_direction = ask.configured_direction;
  req.who = actor;
  auto r = ops::sync(*ctx_, *gates_->current(), req, actor);
  if (!r) return tl::unexpected(r.error());
  if (r->report.applied)
    for (const auto& a : r->run.result["actions"]) metrics_.inc("understudy_sync_actions_total", {{"result", a["outcome"].get<std::string>()}});
  return r->run;
}

Result<replay::ActivateReport> App::activate(const config::Pair& pair, const std::string& actor) {
  return ops::activate(*ctx_, pair, actor);
}

Result<std::optional<report::Run>> App::run(const std::string& id) { return ops::run(*ctx_, id); }

Result<report::DriftReport> App::drift_report(const std::string& pair, const std::string& since,
                                              const std::string& until) {
  return ops::drift_report(*ctx_, *gates_, pair, since, until);
}

Result<std::vector<report::AuditEntry>> App::audit(int64_t after_seq, int64_t limit) {
  return ops::audit(*ctx_, after_seq, limit);
}

Result<report::AuditVerdict> App::verify_audit() { return ops::verify_audit(*ctx_); }

Status App::reload_gates(const std::string& actor) {
  auto st = gates_->reload();
  metrics_.inc("understudy_gates_reload_total", {{"result", st ? "success" : "failure"}});
  nlohmann::json detail = {{"result", st ? "success" : "failure"}, {"gates", gates_->current()->size()}};
  if (!st) detail["error"] = st.error().message;
  US_TRY(ops::audit_append(*ctx_, {0, "", actor, "gates.reload", "", "", detail, "", ""}));
  return st;
}

void App::refresh_pair_metrics() {
  for (const auto& [name, pair] : ctx_->config().pairs) {
    auto st = ops::pair_status(*ctx_, pair);
    if (!st) {
      log::Logger().warn("could not read a pair's status for metrics", {{"pair", name}, {"error", st.error().message}});
      continue;
    }
    if (st->primary_snapshot)
      if (auto t = parse_utc(st->primary_snapshot->taken_at))
        metrics_.set("understudy_primary_snapshot_age_seconds", {{"pair", name}, {"instance", pair.primary}},
                     static_cast<double>(now() - *t));
    for (auto k : catalog::kAllKinds)  // every kind, so a resolved finding shows as 0
      if (k != catalog::Kind::kInstance)
        metrics_.set("understudy_open_findings", {{"pair", name}, {"kind", std::string(catalog::kind_name(k))}}, 0);
    for (const auto& [kind, n] : st->open_findings)
      metrics_.set("understudy_open_findings", {{"pair", name}, {"kind", kind}}, n);
    for (const auto& g : st->gates) {
      for (const char* r : {"pass", "fail", "unknown"})
        metrics_.set("understudy_gate_last_result", {{"pair", name}, {"gate", g.gate}, {"result", r}}, g.status == r ? 1 : 0);
      if (auto t = parse_utc(g.checked_at))
        metrics_.set("understudy_gate_last_evaluation_timestamp_seconds", {{"pair", name}, {"gate", g.gate}},
                     static_cast<double>(*t));
    }
    if (st->last_sync) {
      for (const char* r : {"succeeded", "failed"})
        metrics_.set("understudy_sync_last_result", {{"pair", name}, {"result", r}}, st->last_sync->status == r ? 1 : 0);
      const auto& at = st->last_sync->finished_at.empty() ? st->last_sync->started_at : st->last_sync->finished_at;
      if (auto t = parse_utc(at))
        metrics_.set("understudy_sync_last_timestamp_seconds", {{"pair", name}}, static_cast<double>(*t));
    }
  }
}

bool App::store_ok() {
  if (!ctx_->refuse_if_damaged()) return false;
  return ctx_->with_store([&](store::Store& s) { return static_cast<bool>(s.schema_version("service")); });
}

Status App::check_store() {
  auto own = ops::open_store(ctx_->config(), {.create = false, .check_integrity = false});
  Status st = own ? (*own)->check_integrity() : Status(tl::unexpected(own.error()));
  if (!st && st.error().code == ErrorCode::kStoreDamaged) ctx_->mark_damaged(st.error());
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

bool App::primary_reachable(const std::string& instance) const { return ctx_->primary_reachable(instance); }

void App::start_scheduler() {
  if (!checker_.joinable()) checker_ = std::thread([this] { integrity_loop(); });
  if (ctx_->config().service.snapshot_interval.count() <= 0 || scheduler_.joinable()) return;
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
  auto interval = ctx_->config().service.snapshot_interval;
  log::Logger lg;
  while (true) {
    std::set<std::string> done;
    for (const auto& [name, pair] : ctx_->config().pairs) {
      if (!done.insert(pair.primary).second) continue;
      {
        std::lock_guard lock(sched_mu_);
        if (stopping_) return;
      }
      auto run_id = new_run_id();
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
