// instance_impl.h — the executor's Instance: owns the CatalogState (one SQLite connection), the
// instance lock, the statement cache, faults, counters and the request log. Sessions
// (session.h) execute under its lock.
//
// Locking: one instance-wide lock serialises execution on the single SQLite connection. A
// session takes it for one request (batch, RPC, transaction-manager call) and keeps it while it
// holds an open user transaction (BEGIN TRAN … COMMIT/ROLLBACK spans requests). Another session
// waits up to its lock timeout (10 s, or SET LOCK_TIMEOUT) and then gets error 1222. Logins
// and new sessions only take the short per-statement SQLite mutex.
// Thread-safety: all public members are thread-safe; state()/cache() only under the lock.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/api.h"
#include "engine/context.h"
#include "engine/instance.h"
#include "engine/state.h"

struct sqlite3_stmt;

namespace emu {

class InstanceImpl final : public Instance {
 public:
  static std::unique_ptr<InstanceImpl> create(const InstanceOptions& options, std::string* error);
  ~InstanceImpl() override;

  LoginResult login(const LoginRequest& req) override;
  std::unique_ptr<Session> open_session(const LoginRequest& req, const std::string& database, uint16_t spid) override;
  std::string server_name() const override { return config_.server_name; }
  Stats& stats() override { return stats_; }
  FaultPlan& faults() override { return faults_; }

  // ---- for sessions ----
  // Waits until the lock is free or owned by `owner`; false after timeout_ms (-1 = forever).
  bool acquire(const void* owner, int timeout_ms);
  void release(const void* owner);
  // Held while one statement touches SQLite (recursive: EXEC(…) nests). Logins take only this,
  // so a connection can log in while another session idles in an open transaction.
  std::recursive_mutex& sqlite_mutex() { return sqlite_mu_; }
  CatalogState& state() { return *state_; }
  const InstanceConfig& config() const { return config_; }
  // Cached prepared statement for `sql` (reset and unbound); nullptr with *error on failure.
  sqlite3_stmt* prepare(const std::string& sql, std::string* error);
  uint64_t next_transaction_id() { return ++last_tran_id_; }

  // Fault hooks, called for every statement. Before: throws DropConnection when the drop
  // countdown is exhausted; returns true and fills *err when the statement must fail instead.
  bool fault_before_statement(const std::string& text, Message* err);
  // After: counts the statement down and throws DropConnection when the countdown reaches 0.
  void fault_after_statement();

  void log_request(std::string entry);
  std::vector<std::string> request_log() const;
  void clear_request_log();

 private:
  InstanceImpl() = default;

  InstanceConfig config_;
  std::unique_ptr<CatalogState> state_;
  Stats stats_;
  FaultPlan faults_;

  std::recursive_mutex sqlite_mu_;
  std::mutex lock_mu_;
  std::condition_variable lock_cv_;
  const void* lock_owner_ = nullptr;

  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  std::atomic<uint64_t> last_tran_id_{0};

  mutable std::mutex log_mu_;
  std::deque<std::string> log_;
};

}  // namespace emu
