// journal.h — the sync journal and the per-pair sync lock, kept in the store.
//
// Tables (component "sync", forward migrations through Store::apply_migrations; docs/replay.md):
//   sync_run     one row per run: run id, pair, who, when, mode (plan | apply), the plan as JSON
//                (T-SQL with secrets as placeholders), final status and summary (counts and
//                what is left; each action's outcome is its sync_action row)
//   sync_action  one row per action of a run: kind, key, operation, status, redacted T-SQL,
//                SQL Server error number and message, start time, duration
//   sync_lock    one row per pair being synced: run id, host, pid, since
// Every journal entry (run start, each action, run end) is written whole inside one SQLite
// transaction (design invariant 6): readers never see half of one. Outside an apply, each entry is
// its own transaction at the store's synchronous=FULL. Between begin_apply() and end_apply() the
// action entries are group-committed: one transaction holds the entries of up to kGroupEntries
// actions or kGroupWindow of time, whichever comes first, at synchronous=NORMAL (WAL: a commit
// survives a killed process; only an OS crash or power loss can take back the last commits, and
// the run's final entry, written at FULL again, syncs the log and every entry before it). A killed
// run loses at most its open group; why that is safe (a rerun re-reads the target and converges):
// docs/replay.md, "Journal durability". Nothing here ever holds a secret: callers pass redacted
// text only.
// A killed apply leaves its run `running`; the next apply of the pair marks it `abandoned`
// (abandon_running) and the sync audits both (replay/sync.h).
// The lock: acquire() inserts the pair's row; a row left by a process on this host that no
// longer exists (killed run) is taken over; otherwise kLockHeld (exit 3) names the holder.
// Thread-safety: like Store — one thread at a time. Ownership: borrows the Store.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "store/sql.h"
#include "store/store.h"

namespace understudy::replay {

struct JournalAction {
  int seq = 0;
  std::string kind, key, operation;
  std::string status;          // applied | failed | blocked | incompatible | skipped | not_run
  std::string tsql;            // redacted
  int32_t error_number = 0;    // SQL Server's native error, 0 when none
  std::string error_message;
  std::string started_at;
  int64_t duration_ms = 0;
};

struct JournalRun {
  int64_t id = 0;
  std::string run_id, pair, who, started_at, finished_at, mode, status;
  nlohmann::json plan;
  nlohmann::json summary;
  std::vector<JournalAction> actions;
};

class Journal {
 public:
  // Brings the journal tables up to date. REQUIRES: a writable store.
  [[nodiscard]] static Result<Journal> open(store::Store& store);
  // The journal's ("sync") migrations, for docs and `store copy`.
  static std::span<const store::Migration> migrations();
  Journal(Journal&& o) noexcept;
  Journal& operator=(Journal&&) = delete;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();  // commits an open group (end_apply)

  [[nodiscard]] Result<int64_t> begin_run(const std::string& run_id, const std::string& pair, const std::string& who,
                                          const std::string& mode, const nlohmann::json& plan);
  [[nodiscard]] Status record(int64_t run, const JournalAction& action);
  [[nodiscard]] Status finish_run(int64_t run, const std::string& status, const nlohmann::json& summary);

  // Group commit for the actions of an apply (see above). end_apply() commits the open group and
  // restores the connection's synchronous setting (FULL for a store); it must run before any
  // other write (finish_run, release) and is safe to call when begin_apply() was not.
  static constexpr int kGroupEntries = 256;
  static constexpr std::chrono::milliseconds kGroupWindow{100};
  [[nodiscard]] Status begin_apply();
  [[nodiscard]] Status end_apply();
  // Commits the open group now (a no-op when none is open): the journal writer calls it when no
  // entry came for kGroupWindow — the executor is waiting on the target — so the store's write
  // lock is not held across that wait (the service's other writers go on meanwhile).
  [[nodiscard]] Status commit_open_group() { return commit_group(); }

  // Closes the apply runs of `pair` a killed process left `running`: status `abandoned`, the
  // summary naming the run that closed them. REQUIRES: the caller holds the pair's lock (a live
  // apply holds it too, so every other running apply of the pair is dead). Returns their run ids.
  [[nodiscard]] Result<std::vector<std::string>> abandon_running(const std::string& pair, const std::string& by_run);

  // Runs of a pair, newest first (actions included); all pairs when empty.
  [[nodiscard]] Result<std::vector<JournalRun>> runs(const std::string& pair = {}, int limit = 20);

  // The per-pair lock. kLockHeld when another live run holds it.
  [[nodiscard]] Status acquire(const std::string& pair, const std::string& run_id);
  [[nodiscard]] Status release(const std::string& pair, const std::string& run_id);

 private:
  explicit Journal(store::Store& s) : store_(&s) {}
  [[nodiscard]] Status commit_group();

  store::Store* store_;
  std::optional<store::Stmt> insert_action_;  // prepared on first use, then reused for every action
  bool grouping_ = false;      // between begin_apply() and end_apply()
  int group_entries_ = 0;      // entries in the open group transaction (0: none open)
  std::chrono::steady_clock::time_point group_opened_;
  int64_t saved_synchronous_ = 2;  // the connection's setting before begin_apply(), restored after
};

}  // namespace understudy::replay
