// journal.cc — see journal.h.
#include "replay/journal.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "base/time.h"
#include "replay/planner.h"
#include "store/sql.h"

namespace understudy::replay {
namespace {

using store::Stmt;

constexpr store::Migration kMigrations[] = {
    {1, "sync journal and lock",
     "CREATE TABLE sync_run ("
     "  id INTEGER PRIMARY KEY,"
     "  run_id TEXT NOT NULL UNIQUE,"
     "  pair TEXT NOT NULL,"
     "  who TEXT NOT NULL,"
     "  started_at TEXT NOT NULL,"
     "  finished_at TEXT,"
     "  mode TEXT NOT NULL CHECK (mode IN ('plan', 'apply')),"
     "  status TEXT NOT NULL,"
     "  plan_json TEXT NOT NULL,"
     "  summary_json TEXT);"
     "CREATE INDEX sync_run_pair ON sync_run(pair, id);"
     "CREATE TABLE sync_action ("
     "  run INTEGER NOT NULL REFERENCES sync_run(id),"
     "  seq INTEGER NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  key TEXT NOT NULL,"
     "  operation TEXT NOT NULL,"
     "  status TEXT NOT NULL,"
     "  tsql TEXT NOT NULL,"
     "  error_number INTEGER NOT NULL DEFAULT 0,"
     "  error_message TEXT NOT NULL DEFAULT '',"
     "  started_at TEXT NOT NULL,"
     "  duration_ms INTEGER NOT NULL,"
     "  PRIMARY KEY (run, seq));"
     "CREATE TABLE sync_lock ("
     "  pair TEXT PRIMARY KEY,"
     "  run_id TEXT NOT NULL,"
     "  host TEXT NOT NULL,"
     "  pid INTEGER NOT NULL,"
     "  since TEXT NOT NULL);"},
};

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

bool process_alive(int64_t pid) { return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

nlohmann::json parse_or_null(const std::string& s) {
  return s.empty() ? nlohmann::json() : nlohmann::json::parse(s, nullptr, false);
}

}  // namespace

std::span<const store::Migration> Journal::migrations() { return kMigrations; }

Result<Journal> Journal::open(store::Store& s) {
  US_TRY(s.apply_migrations("sync", kMigrations));
  return Journal(s);
}

Journal::Journal(Journal&& o) noexcept
    : store_(o.store_), insert_action_(std::move(o.insert_action_)), grouping_(o.grouping_),
      group_entries_(o.group_entries_), group_opened_(o.group_opened_), saved_synchronous_(o.saved_synchronous_) {
  o.grouping_ = false;
  o.group_entries_ = 0;
}

Journal::~Journal() { (void)end_apply(); }

Result<int64_t> Journal::begin_run(const std::string& run_id, const std::string& pair, const std::string& who,
                                   const std::string& mode, const nlohmann::json& plan) {
  int64_t id = 0;
  US_TRY(store_->in_transaction([&](store::Db& db) -> Status {
    auto st = Stmt::prepare(db,
                            "INSERT INTO sync_run (run_id, pair, who, started_at, mode, status, plan_json) "
                            "VALUES (?, ?, ?, ?, ?, 'running', ?) RETURNING id");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, run_id).bind(2, pair).bind(3, who).bind(4, utc_now()).bind(5, mode).bind(6, plan.dump());
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(ErrorCode::kIo, "store: the new sync_run row has no id");
    id = st->int64(0);
    st->reset();
    return {};
  }));
  return id;
}

Status Journal::record(int64_t run, const JournalAction& a) {
  store::Db& db = store_->db();
  if (!insert_action_) {
    auto st = Stmt::prepare(db,
                            "INSERT INTO sync_action (run, seq, kind, key, operation, status, tsql, "
                            "error_number, error_message, started_at, duration_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                            "ON CONFLICT (run, seq) DO UPDATE SET kind = excluded.kind, key = excluded.key, "
                            "operation = excluded.operation, status = excluded.status, tsql = excluded.tsql, "
                            "error_number = excluded.error_number, error_message = excluded.error_message, "
                            "started_at = excluded.started_at, duration_ms = excluded.duration_ms");
    if (!st) return tl::unexpected(st.error());
    insert_action_ = std::move(*st);
  }
  auto insert = [&]() -> Status {
    Stmt& st = *insert_action_;
    st.bind(1, run).bind(2, int64_t{a.seq}).bind(3, a.kind).bind(4, a.key).bind(5, a.operation).bind(6, a.status);
    st.bind(7, a.tsql).bind(8, int64_t{a.error_number}).bind(9, a.error_message).bind(10, a.started_at);
    st.bind(11, a.duration_ms);
    auto r = st.run();
    if (!r) st.reset();
    return r;
  };
  if (!grouping_) return store_->in_transaction([&](store::Db&) { return insert(); });
  if (group_entries_ == 0) {
    if (auto b = db.begin_write(); !b) {
      if (db.in_transaction()) (void)store::exec(db, "ROLLBACK");
      return b;
    }
    group_opened_ = std::chrono::steady_clock::now();
  }
  ++group_entries_;
  if (auto r = insert(); !r) {
    // On SQLite the failed INSERT undid only itself: keep the group's earlier entries. (On
    // PostgreSQL the failure aborted the group: its COMMIT rolls it back.)
    (void)commit_group();
    return r;
  }
  if (group_entries_ >= kGroupEntries || std::chrono::steady_clock::now() - group_opened_ >= kGroupWindow)
    return commit_group();
  return {};
}

Status Journal::commit_group() {
  if (group_entries_ == 0) return {};
  group_entries_ = 0;
  store::Db& db = store_->db();
  if (auto r = store::exec(db, "COMMIT"); !r) {
    if (db.in_transaction()) (void)store::exec(db, "ROLLBACK");
    return r;
  }
  return {};
}

Status Journal::begin_apply() {
  if (grouping_) return {};
  store::Db& db = store_->db();
  if (db.postgres()) {
    // The same trade on PostgreSQL: the group's commits do not wait for the WAL flush; the run's
    // final entry (finish_run, synchronous_commit on again) waits for it and every commit before.
    US_TRY(store::exec(db, "SET synchronous_commit = off"));
    grouping_ = true;
    return {};
  }
  auto q = Stmt::prepare(db, "PRAGMA synchronous");
  if (!q) return tl::unexpected(q.error());
  auto row = q->step();
  if (!row) return tl::unexpected(row.error());
  // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA: never make a store that is already relaxed stricter.
  saved_synchronous_ = *row ? q->int64(0) : 2;
  if (saved_synchronous_ > 1) US_TRY(store::exec(db, "PRAGMA synchronous=NORMAL"));
  grouping_ = true;
  return {};
}

Status Journal::end_apply() {
  if (!grouping_) return {};
  grouping_ = false;
  auto committed = commit_group();
  Status restored;
  if (store_->db().postgres())
    restored = store::exec(store_->db(), "RESET synchronous_commit");
  else if (saved_synchronous_ > 1)
    restored = store::exec(store_->db(), fmt::format("PRAGMA synchronous={}", saved_synchronous_));
  if (!committed) return committed;
  return restored;
}

Status Journal::finish_run(int64_t run, const std::string& status, const nlohmann::json& summary) {
  return store_->in_transaction([&](store::Db& db) -> Status {
    auto st = Stmt::prepare(db, "UPDATE sync_run SET finished_at = ?, status = ?, summary_json = ? WHERE id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, utc_now()).bind(2, status).bind(3, summary.dump()).bind(4, run);
    return st->run();
  });
}

Result<std::vector<std::string>> Journal::abandon_running(const std::string& pair, const std::string& by_run) {
  std::vector<std::string> ids;
  US_TRY(store_->in_transaction([&](store::Db& db) -> Status {
    auto sel = Stmt::prepare(db,
                             "SELECT run_id FROM sync_run WHERE pair = ? AND mode = 'apply' AND status = 'running' "
                             "AND run_id <> ? ORDER BY id");
    if (!sel) return tl::unexpected(sel.error());
    sel->bind(1, pair).bind(2, by_run);
    while (true) {
      auto row = sel->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      ids.push_back(sel->text(0));
    }
    if (ids.empty()) return {};
    const nlohmann::json summary = {{"abandoned", true},
                                    {"closed_by", by_run},
                                    {"reason", "the process running it ended before the run finished"}};
    auto upd = Stmt::prepare(db,
                             "UPDATE sync_run SET status = 'abandoned', finished_at = ?, summary_json = ? "
                             "WHERE pair = ? AND mode = 'apply' AND status = 'running' AND run_id <> ?");
    if (!upd) return tl::unexpected(upd.error());
    upd->bind(1, utc_now()).bind(2, summary.dump()).bind(3, pair).bind(4, by_run);
    return upd->run();
  }));
  return ids;
}

Result<std::vector<JournalRun>> Journal::runs(const std::string& pair, int limit) {
  store::Db& db = store_->db();
  auto st = Stmt::prepare(db,
                          "SELECT id, run_id, pair, who, started_at, COALESCE(finished_at, ''), mode, status, "
                          "plan_json, COALESCE(summary_json, '') FROM sync_run WHERE ? = '' OR pair = ? "
                          "ORDER BY id DESC LIMIT ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, pair).bind(2, pair).bind(3, int64_t{limit});
  std::vector<JournalRun> out;
  while (true) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    JournalRun r;
    r.id = st->int64(0);
    r.run_id = st->text(1);
    r.pair = st->text(2);
    r.who = st->text(3);
    r.started_at = st->text(4);
    r.finished_at = st->text(5);
    r.mode = st->text(6);
    r.status = st->text(7);
    r.plan = parse_or_null(st->text(8));
    r.summary = parse_or_null(st->text(9));
    out.push_back(std::move(r));
  }
  for (auto& r : out) {
    auto a = Stmt::prepare(db,
                           "SELECT seq, kind, key, operation, status, tsql, error_number, error_message, started_at, "
                           "duration_ms FROM sync_action WHERE run = ? ORDER BY seq");
    if (!a) return tl::unexpected(a.error());
    a->bind(1, r.id);
    while (true) {
      auto row = a->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      r.actions.push_back(JournalAction{static_cast<int>(a->int64(0)), a->text(1), a->text(2), a->text(3), a->text(4),
                                        a->text(5), static_cast<int32_t>(a->int64(6)), a->text(7), a->text(8),
                                        a->int64(9)});
    }
  }
  return out;
}

Status Journal::acquire(const std::string& pair, const std::string& run_id) {
  const std::string host = host_name();
  return store_->in_transaction([&](store::Db& db) -> Status {
    auto q = Stmt::prepare(db, "SELECT run_id, host, pid, since FROM sync_lock WHERE pair = ?");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, pair);
    auto row = q->step();
    if (!row) return tl::unexpected(row.error());
    if (*row) {
      const std::string holder_host = q->text(1);
      const int64_t pid = q->int64(2);
      // A lock left by a killed run on this host is stale; one from another host is respected.
      if (holder_host != host || process_alive(pid)) {
        return fail(ErrorCode::kLockHeld,
                    fmt::format("another sync of pair {} is running (run {}, pid {} on {}, since {})", pair,
                                q->text(0), pid, holder_host, q->text(3)),
                    "wait for it to finish; a lock left by a crashed run on another host is removed with "
                    "`DELETE FROM sync_lock` in the store");
      }
    }
    auto ins = Stmt::prepare(db,
                             "INSERT INTO sync_lock (pair, run_id, host, pid, since) VALUES (?,?,?,?,?) "
                             "ON CONFLICT (pair) DO UPDATE SET run_id = excluded.run_id, host = excluded.host, "
                             "pid = excluded.pid, since = excluded.since");
    if (!ins) return tl::unexpected(ins.error());
    ins->bind(1, pair).bind(2, run_id).bind(3, host).bind(4, int64_t{getpid()}).bind(5, utc_now());
    return ins->run();
  });
}

Status Journal::release(const std::string& pair, const std::string& run_id) {
  return store_->in_transaction([&](store::Db& db) -> Status {
    auto st = Stmt::prepare(db, "DELETE FROM sync_lock WHERE pair = ? AND run_id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, pair).bind(2, run_id);
    return st->run();
  });
}

}  // namespace understudy::replay
