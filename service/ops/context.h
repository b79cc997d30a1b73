// context.h — what every operation of the use-case layer works with.
//
// The use-case layer (service/ops/) is where each top-level operation — snapshot, diff, sync,
// gate, report, audit — is coded once. `service/cli` and `service/http` both call it and hold no
// logic of their own beyond parsing a request and printing an answer. An operation opens the
// connections it needs, takes the store, records the run (run row, audit entry) and calls the pure
// libraries below it (diff, gates, replay planning, report rendering). See docs/architecture.md
// for the layering and for how to add an operation.
//
// A Context holds the configuration, the opened store (behind one mutex: the service shares it
// between request threads, the CLI uses it from one), a clock, the in-process lock of each pair's
// syncs and whether the last snapshot of each primary reached it.
//
// An operation that reads or writes an instance (snapshot, diff, sync, activate, a gate's jobs
// check) works on a store connection of its own (own_store()): the shared one is never held
// across a live read, so the service's /readyz and the other pairs' gates do not wait on a slow
// instance. SQLite (WAL) lets readers on other connections go on; the snapshot writer holds no
// write transaction while it waits for the instance (store/snapshot_writer.h).
//
// Thread-safety: every method is thread-safe. with_store() holds the store mutex for the duration
// of the callable only. Ownership: the Context owns its store and its copy of the configuration.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/progress.h"
#include "base/result.h"
#include "config/config.h"
#include "report/records.h"
#include "store/store.h"

namespace understudy::ops {

struct ContextOptions {
  bool create_store = true;           // false: a missing store is kNotFound (read-only commands)
  std::function<int64_t()> clock;     // unix seconds; default: the system clock
};

class Context {
 public:
  // Opens config.store. Errors: the store's (kIo, kDataErr, kNotFound when !create_store).
  [[nodiscard]] static Result<std::unique_ptr<Context>> open(config::Config config, ContextOptions options = {});

  const config::Config& config() const { return config_; }
  int64_t now() const { return clock_(); }

  // Runs `f(store::Store&)` holding the store mutex.
  template <typename F>
  auto with_store(F&& f) {
    std::lock_guard lock(store_mu_);
    return f(*store_);
  }
  // The service's record tables (report/records.h), migrated once per Context before the first
  // operation that records a run, an evaluation or an audit entry.
  [[nodiscard]] Status records_ready();

  // A connection of its own to the store (see above); kStoreDamaged once mark_damaged() was called.
  [[nodiscard]] Result<std::unique_ptr<store::Store>> own_store();
  // A failed integrity check (the service checks the store periodically): from then on
  // refuse_if_damaged() returns it, and own_store() and audit appends refuse to write.
  void mark_damaged(Error e);
  [[nodiscard]] Status refuse_if_damaged() const;

  // Called after each audit entry is appended through ops::audit_append (the service publishes
  // the chain's head in its log and metrics). Set before the first operation.
  void set_audit_listener(std::function<void(const report::AuditEntry&)> f) { audit_listener_ = std::move(f); }
  const std::function<void(const report::AuditEntry&)>& audit_listener() const { return audit_listener_; }

  // The in-process lock of `pair`'s syncs, not yet held when another thread holds it (the store's
  // lock, replay/journal.h, covers other processes).
  std::unique_lock<std::mutex> try_lock_pair(const std::string& pair);

  // Whether the last attempt to snapshot `instance` reached it (true before any attempt).
  bool primary_reachable(const std::string& instance) const;
  void set_primary_reachable(const std::string& instance, bool reachable);

  // Where long runs (snapshot, diff, sync) report their progress (base/progress.h): the CLI's
  // terminal line, the service's log. None by default. Set before the first operation.
  void set_progress(ProgressSink sink, std::chrono::milliseconds interval) {
    progress_ = std::move(sink);
    progress_interval_ = interval;
  }
  // A Progress for one run, reporting to that sink (nothing when none is set).
  Progress progress(std::string what, std::string unit, int64_t total) const {
    return progress_ ? Progress(progress_, std::move(what), std::move(unit), total, progress_interval_) : Progress();
  }
  const ProgressSink& progress_sink() const { return progress_; }

 private:
  Context() = default;
  config::Config config_;
  std::function<int64_t()> clock_;
  std::mutex store_mu_;
  std::unique_ptr<store::Store> store_;
  bool records_ready_ = false;  // under store_mu_
  ProgressSink progress_;
  std::chrono::milliseconds progress_interval_{200};
  std::function<void(const report::AuditEntry&)> audit_listener_;

  mutable std::mutex state_mu_;
  std::map<std::string, bool> reachable_;
  std::map<std::string, std::unique_ptr<std::mutex>> pair_locks_;
  std::optional<Error> damaged_;  // state_mu_
};

// Opens the configured store (config.store, with its password from store_password_env / _file
// when it is PostgreSQL). Errors: the password source's (kConfig) and Store::open's.
[[nodiscard]] Result<std::unique_ptr<store::Store>> open_store(const config::Config& config,
                                                               store::OpenOptions options = {});

// Who started a run from the command line: "cli:<user name>" (or "cli:<uid>").
std::string cli_actor();

}  // namespace understudy::ops
