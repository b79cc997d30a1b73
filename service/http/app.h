// app.h — the service's state around the use-case layer (service/ops/): the ops::Context (config,
// store, clock), the gate registry, the metrics, request coalescing and the snapshot scheduler.
// Each method is a thin call of one operation (ops/*.h) plus the service's metrics: the CLI calls
// the same operations, so neither face holds logic the other lacks.
//
// Gate answers: ops::evaluate_gate behind SingleFlight — concurrent identical requests (same gate,
// pair, max_age and parameters) share one evaluation. Every error becomes an `unknown` answer,
// never an error document: a gate that cannot tell must not pass.
// Changes (snapshot on request, sync apply, activate, gate reload) are appended to the audit
// trail; each entry's hash is logged and its head published in the metrics (an auditor pins it
// outside the store: `audit verify --head`).
// The scheduler snapshots every configured primary every `service.snapshot_interval`; another
// thread checks the store's integrity every kIntegrityInterval.
//
// Thread-safety: every method is thread-safe (the Context serialises the shared store, and the
// operations that read an instance live use a store connection of their own). Ownership: App
// owns the Context, the gate registry, the metrics and the two threads; stop() (or the
// destructor) joins them.
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
#include "ops/context.h"
#include "replay/activate.h"
#include "report/drift_report.h"
#include "report/records.h"
#include "store/store.h"

namespace understudy::http {

struct AppOptions {
  config::Config config;
  std::function<int64_t()> clock;          // unix seconds; default: system clock
};

class App {
 public:
  // Opens the store (creating it and applying the service migrations) and loads the gates.
  // Errors: the store's (kIo, kDataErr), the gate loader's (kDataErr naming file and pointer).
  [[nodiscard]] static Result<std::unique_ptr<App>> open(AppOptions options);
  ~App();

  const config::Config& config() const { return ctx_->config(); }
  gates::GateRegistry& gates() { return *gates_; }
  Metrics& metrics() { return metrics_; }
  int64_t now() const { return ctx_->now(); }

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
  // What POST /v1/pairs/{pair}/sync asks for (the body's members; replay/sync.h says what each does).
  struct SyncAsk {
    bool apply = false;
    bool carry_stranded = false;        // `sync --carry-stranded`: stranded objects onto the live primary
    bool configured_direction = false;  // `sync --configured-direction`: the group vanished, run the configured way
  };
  // Plans (apply=false) or applies a sync. kLockHeld when a sync of the pair is running.
  [[nodiscard]] Result<report::Run> sync(const config::Pair& pair, const SyncAsk& ask, const std::string& actor);
  // Activates the pair's jobs for the live roles (ops/activate.h), under the pair's sync lock;
  // audited when it changed something. kLockHeld when a sync of the pair is running.
  [[nodiscard]] Result<replay::ActivateReport> activate(const config::Pair& pair, const std::string& actor);
  [[nodiscard]] Result<std::optional<report::Run>> run(const std::string& id);
  [[nodiscard]] Result<report::DriftReport> drift_report(const std::string& pair, const std::string& since,
                                                         const std::string& until);
  [[nodiscard]] Result<std::vector<report::AuditEntry>> audit(int64_t after_seq, int64_t limit);
  [[nodiscard]] Result<report::AuditVerdict> verify_audit();
  // Re-reads the gate files; keeps the last good set on error (and says why).
  [[nodiscard]] Status reload_gates(const std::string& actor);

  // Sets the per-pair gauges (snapshot age, open findings, last gate answers, last sync) from the
  // store (ops/status.h); /metrics calls it before rendering. Errors are logged, never thrown.
  void refresh_pair_metrics();

  // Readiness: the store answers a trivial query and its last integrity check passed.
  bool store_ok();
  // SQLite's quick_check of the store on a connection of its own (a large store takes seconds;
  // nothing waits for it). A failure marks the store damaged for the rest of the process: /readyz
  // answers 503 and snapshot, sync and the audit trail refuse to write (kStoreDamaged). Run at
  // open (Store::open) and every kIntegrityInterval by a thread of its own.
  [[nodiscard]] Status check_store();
  static constexpr std::chrono::seconds kIntegrityInterval{3600};

  // Scheduled snapshots of every primary (interval from config; 0 = off).
  void start_scheduler();
  void stop();
  // Whether the last attempt to snapshot `instance` succeeded (true before any attempt).
  bool primary_reachable(const std::string& instance) const;

 private:
  App() = default;
  // ops::take_snapshot of the pair's primary, with the service's snapshot metrics.
  [[nodiscard]] Result<store::SnapshotInfo> snapshot_instance(const config::Pair& pair, const std::string& run_id);
  void snapshot_metrics(const Result<store::SnapshotInfo>& info, std::chrono::steady_clock::time_point started);
  void scheduler_loop();
  void integrity_loop();
  // Metrics of the audit head; with `action`, also the log line an auditor pins it from.
  void publish_audit_head(int64_t seq, const std::string& hash, const std::string& action);

  std::unique_ptr<ops::Context> ctx_;
  std::unique_ptr<gates::GateRegistry> gates_;
  Metrics metrics_;
  SingleFlight<gates::GateResult> flights_;
  gates::PrimaryCache primaries_;  // latest primary snapshot per pair, as digests (sources.h)

  std::mutex sched_mu_;
  std::condition_variable sched_cv_;
  bool stopping_ = false;
  std::thread scheduler_;
  std::thread checker_;  // integrity_loop
};

}  // namespace understudy::http
