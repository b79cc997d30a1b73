// app.h — the service's operations: the one place `understudy serve` (server.h) and the CLI
// commands `gate` and `audit verify` get gate answers, snapshots, drift, syncs, runs, reports
// and the audit trail from. Neither face holds logic the other lacks.
//
// Gate answers: the pair's latest primary snapshot from the store (decoded once per snapshot:
// gates::PrimaryCache), a live read of the target, diff, the gate's rules (gates/evaluate.h). Concurrent identical requests (same gate, pair and
// max_age) share one evaluation (single_flight.h); each evaluation is recorded in the store for
// the drift report. Every error becomes an `unknown` answer, never an error document: a gate
// that cannot tell must not pass, and the runbook gets the same body either way.
// Changes (snapshot on request, sync apply, gate reload) are appended to the audit trail.
// The scheduler snapshots every configured primary every `service.snapshot_interval`.
//
// Thread-safety: every method is thread-safe. The Store is shared behind one mutex and held only
// for store work, never across a live read: snapshot, drift and sync use a connection of their
// own (own_store). Ownership: App owns the store, the gate registry,
// the metrics and the scheduler thread; stop() (or the destructor) joins the thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "config/config.h"
#include "diff/drift.h"
#include "gates/loader.h"
#include "gates/sources.h"
#include "gates/verdict.h"
#include "http/metrics.h"
#include "http/single_flight.h"
#include "roles/roles.h"
#include "replay/activate.h"
#include "report/drift_report.h"
#include "replay/sync.h"
#include "report/records.h"
#include "store/store.h"

namespace understudy::http {

struct AppOptions {
  config::Config config;
  std::vector<std::string> gate_dirs;      // shipped dir first, then service.gates_dir
  std::function<int64_t()> clock;          // unix seconds; default: system clock
};

// The shipped dir followed by the config's gates_dir (when set).
std::vector<std::string> gate_dirs_for(const config::Config& cfg);

// The unexpired exceptions of the gates that apply to `pair`, as sync accepts them: an
// incompatible object one of them names does not keep a sync from converging (replay/sync.h).
std::vector<replay::AcceptedException> accepted_exceptions(const gates::GateSet& gates, const std::string& pair,
                                                           int64_t now_unix);

class App {
 public:
  // Opens the store (creating it and applying the service migrations) and loads the gates.
  // Errors: the store's (kIo, kDataErr), the gate loader's (kDataErr naming file and pointer).
  [[nodiscard]] static Result<std::unique_ptr<App>> open(AppOptions options);
  ~App();

  const config::Config& config() const { return options_.config; }
  gates::GateRegistry& gates() { return *gates_; }
  Metrics& metrics() { return metrics_; }
  int64_t now() const { return options_.clock(); }

  // kNotFound naming the defined pairs / gates; kNotFound when the gate does not apply to the pair.
  [[nodiscard]] Result<const config::Pair*> pair(const std::string& name) const;
  [[nodiscard]] Result<std::shared_ptr<const gates::Gate>> gate(const std::string& name, const std::string& pair) const;

  // Never an error: problems are `unknown` with the reason.
  // `params`: the cutover checks' request parameters (state, max_lag_seconds, expect), validated
  // by gates::validate_cutover_params; part of the coalescing key.
  gates::GateResult evaluate(const gates::Gate& gate, const config::Pair& pair, std::optional<int64_t> max_age,
                             const std::map<std::string, std::string>& params = {});

  [[nodiscard]] Result<report::Run> snapshot(const config::Pair& pair, const std::string& actor);
  [[nodiscard]] Result<std::vector<store::SnapshotInfo>> snapshots(const config::Pair& pair);
  [[nodiscard]] Result<drift::PairDrift> drift(const config::Pair& pair);
  // Plans (apply=false) or applies a sync. kLockHeld when a sync of the pair is running.
  [[nodiscard]] Result<report::Run> sync(const config::Pair& pair, bool apply, const std::string& actor);
  // Activates the pair's jobs for the live roles (replay/activate.h), under the pair's sync lock;
  // audited when it changed something. kLockHeld when a sync of the pair is running.
  [[nodiscard]] Result<replay::ActivateReport> activate(const config::Pair& pair, const std::string& actor);
  [[nodiscard]] Result<std::optional<report::Run>> run(const std::string& id);
  [[nodiscard]] Result<report::DriftReport> drift_report(const std::string& pair, const std::string& since,
                                                         const std::string& until);
  [[nodiscard]] Result<std::vector<report::AuditEntry>> audit(int64_t after_seq, int64_t limit);
  [[nodiscard]] Result<report::AuditVerdict> verify_audit();
  // Re-reads the gate files; keeps the last good set on error (and says why).
  [[nodiscard]] Status reload_gates(const std::string& actor);

  // Readiness: the store answers a trivial query and its last integrity check passed.
  bool store_ok();
  // SQLite's quick_check of the store on a connection of its own (a large store takes seconds;
  // nothing waits for it). A failure marks the store damaged for the rest of the process: /readyz
  // answers 503 and snapshot, sync and the audit trail refuse to write (kStoreDamaged). Run at
  // open (Store::open) and every kIntegrityInterval by the scheduler thread.
  [[nodiscard]] Status check_store();
  static constexpr std::chrono::seconds kIntegrityInterval{3600};

  // Scheduled snapshots of every primary (interval from config; 0 = off).
  void start_scheduler();
  void stop();
  // Whether the last attempt to snapshot `instance` succeeded (true before any attempt).
  bool primary_reachable(const std::string& instance) const;

 private:
  explicit App(AppOptions options) : options_(std::move(options)) {}
  // True when the roles' live secondary was the primary at the last snapshot of the pair (app.cc).
  bool secondary_was_primary_last(const roles::Roles& roles);
  // `objects`: how many objects the evaluation held (primary snapshot + target), set on return.
  gates::GateResult evaluate_uncoalesced(const gates::Gate& gate, const config::Pair& pair,
                                         std::optional<int64_t> max_age,
                                         const std::map<std::string, std::string>& params, size_t& objects);
  [[nodiscard]] Result<store::SnapshotInfo> snapshot_instance(const config::Pair& pair, const std::string& run_id);
  // A connection of its own to the store, for an operation that reads or writes an instance
  // (snapshot, drift, sync): the shared one (with_store) is never held across a live read, so
  // /readyz and the gates of other pairs do not wait on a slow instance. SQLite (WAL) lets
  // readers on other connections go on; the snapshot writer holds no write transaction while
  // it waits for the instance (store/snapshot_writer.h).
  [[nodiscard]] Result<std::unique_ptr<store::Store>> own_store();
  // The pair's sync lock (sync and activate), held by the returned lock; kLockHeld when taken.
  [[nodiscard]] Result<std::unique_lock<std::mutex>> lock_pair(const config::Pair& pair);
  template <typename F>
  auto with_store(F&& f) {
    std::lock_guard lock(store_mu_);
    return f(*store_);
  }
  void scheduler_loop();
  [[nodiscard]] Status audit_append(report::AuditEntry e);

  AppOptions options_;
  std::mutex store_mu_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<gates::GateRegistry> gates_;
  Metrics metrics_;
  SingleFlight<gates::GateResult> flights_;
  gates::PrimaryCache primaries_;  // latest primary snapshot per pair, as digests (sources.h)

  [[nodiscard]] Status refuse_if_damaged() const;
  // Metrics of the audit head; with `action`, also the log line an auditor pins it from.
  void publish_audit_head(int64_t seq, const std::string& hash, const std::string& action);
  void integrity_loop();

  mutable std::mutex state_mu_;
  std::optional<Error> damaged_;  // the failed integrity check (state_mu_)
  std::map<std::string, bool> reachable_;  // instance -> last snapshot attempt succeeded
  std::map<std::string, std::unique_ptr<std::mutex>> sync_locks_;

  std::mutex sched_mu_;
  std::condition_variable sched_cv_;
  bool stopping_ = false;
  std::thread scheduler_;
  std::thread checker_;  // integrity_loop
};

}  // namespace understudy::http
