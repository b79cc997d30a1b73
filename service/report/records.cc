#include "report/records.h"

#include "base/time.h"
#include "base/sha256.h"

#include <cstdio>

#include "store/sqlite.h"

namespace understudy::report {
namespace {

using store::Stmt;

constexpr store::Migration kMigrations[] = {
    {1, "runs, gate evaluations, audit trail", R"sql(
CREATE TABLE run (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  pair TEXT NOT NULL,
  status TEXT NOT NULL,
  actor TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX run_pair_time ON run(pair, started_at);
CREATE TABLE gate_evaluation (
  id INTEGER PRIMARY KEY,
  gate TEXT NOT NULL,
  pair TEXT NOT NULL,
  status TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  primary_snapshot_id TEXT,
  body TEXT NOT NULL
);
CREATE INDEX gate_evaluation_pair_time ON gate_evaluation(pair, checked_at);
CREATE TABLE audit_entry (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  pair TEXT NOT NULL,
  run_id TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
)sql"},
};

const std::string kGenesis(64, '0');


template <typename T>
Result<T> parse_json_column(const std::string& text, const char* what) {
  try {
    return T(nlohmann::json::parse(text));
  } catch (const std::exception&) {
    return fail(ErrorCode::kDataErr, std::string("store: unreadable ") + what);
  }
}

Run run_from(const Stmt& st) {
  Run r;
  r.id = st.text(0);
  r.type = st.text(1);
  r.pair = st.text(2);
  r.status = st.text(3);
  r.actor = st.text(4);
  r.started_at = st.text(5);
  r.finished_at = st.text(6);
  auto j = parse_json_column<nlohmann::json>(st.text(7), "run result");
  r.result = j ? *j : nlohmann::json::object();
  return r;
}

constexpr const char* kRunColumns = "id, type, pair, status, actor, started_at, finished_at, result";

}  // namespace

std::span<const store::Migration> service_migrations() { return kMigrations; }

Status migrate(store::Store& store) { return store.apply_migrations("service", kMigrations); }

Status save_run(store::Store& store, const Run& run) {
  return store.in_transaction([&](sqlite3* db) -> Status {
    auto st = Stmt::prepare(db,
                            "INSERT INTO run(id, type, pair, status, actor, started_at, finished_at, result) "
                            "VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET status=excluded.status, "
                            "finished_at=excluded.finished_at, result=excluded.result");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, run.id).bind(2, run.type).bind(3, run.pair).bind(4, run.status).bind(5, run.actor);
    st->bind(6, run.started_at).bind(7, run.finished_at).bind(8, run.result.dump());
    return st->run();
  });
}

Result<std::optional<Run>> get_run(store::Store& store, const std::string& id) {
  auto st = Stmt::prepare(store.db(), std::string("SELECT ") + kRunColumns + " FROM run WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<Run>();
  return std::optional<Run>(run_from(*st));
}

nlohmann::json to_json(const Run& r) {
  return {{"id", r.id},         {"type", r.type},     {"pair", r.pair},
          {"status", r.status}, {"actor", r.actor},   {"started_at", r.started_at},
          {"finished_at", r.finished_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.finished_at)},
          {"result", r.result}};
}

Result<std::vector<Run>> list_runs(store::Store& store, const std::string& pair, const std::string& type,
                                   const std::string& since, const std::string& until) {
  auto st = Stmt::prepare(store.db(), std::string("SELECT ") + kRunColumns +
                                          " FROM run WHERE pair = ? AND type = ? AND started_at >= ? AND "
                                          "(? = '' OR started_at < ?) ORDER BY started_at, id");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, pair).bind(2, type).bind(3, since).bind(4, until).bind(5, until);
  std::vector<Run> out;
  while (true) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(run_from(*st));
  }
  return out;
}

// The value of a PRAGMA that answers one row ("wal", "2", …).
Result<std::string> pragma_value(sqlite3* db, const char* name) {
  auto st = Stmt::prepare(db, std::string("PRAGMA ") + name);
  if (!st) return tl::unexpected(st.error());
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::string();
  return st->text(0);
}

Status record_evaluation(store::Store& store, const gates::GateResult& r) {
  auto body = gates::to_json(r).dump();
  // An evaluation row is history (what a gate answered, for the drift report), not a change
  // Understudy made, so it is committed with synchronous=NORMAL: in WAL mode that skips the fsync
  // of the commit (the WAL is synced at the next checkpoint or FULL commit), which is most of a
  // payments-size evaluation's store time. A power cut can then lose the last evaluation rows but
  // never corrupts the store and never loses or reorders a runs/audit row: those keep the
  // connection's synchronous=FULL (restored right after), and a FULL commit syncs every WAL frame
  // before it. Only in WAL mode — in rollback-journal mode NORMAL is not corruption-safe.
  auto journal = pragma_value(store.db(), "journal_mode");
  auto sync = pragma_value(store.db(), "synchronous");
  bool relax = journal && *journal == "wal" && sync && (*sync == "2" || *sync == "3");  // FULL or EXTRA
  if (relax) US_TRY(store::exec(store.db(), "PRAGMA synchronous=NORMAL"));
  auto written = store.in_transaction([&](sqlite3* db) -> Status {
    auto st = Stmt::prepare(db,
                            "INSERT INTO gate_evaluation(gate, pair, status, checked_at, primary_snapshot_id, body) "
                            "VALUES(?,?,?,?,?,?)");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, r.gate).bind(2, r.pair).bind(3, gates::verdict_name(r.verdict)).bind(4, format_utc(r.checked_at));
    if (r.primary_snapshot_id) st->bind(5, *r.primary_snapshot_id);
    else st->bind_null(5);
    st->bind(6, body);
    return st->run();
  });
  if (relax) US_TRY(store::exec(store.db(), "PRAGMA synchronous=" + *sync));
  return written;
}

namespace {
// The (id, body) rows of a gate_evaluation query, bodies parsed.
Result<std::vector<EvaluationRecord>> evaluation_rows(Stmt& st) {
  std::vector<EvaluationRecord> out;
  while (true) {
    auto row = st.step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    auto body = parse_json_column<nlohmann::json>(st.text(1), "gate evaluation");
    if (!body) return tl::unexpected(body.error());
    out.push_back({st.int64(0), std::move(*body)});
  }
  return out;
}
}  // namespace

Result<std::vector<EvaluationRecord>> list_evaluations(store::Store& store, const std::string& pair,
                                                       const std::string& since, const std::string& until) {
  auto st = Stmt::prepare(store.db(),
                          "SELECT id, body FROM gate_evaluation WHERE pair = ? AND checked_at >= ? AND "
                          "(? = '' OR checked_at < ?) ORDER BY checked_at, id");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, pair).bind(2, since).bind(3, until).bind(4, until);
  return evaluation_rows(*st);
}

Result<std::vector<EvaluationRecord>> latest_evaluations(store::Store& store, const std::string& pair) {
  auto st = Stmt::prepare(store.db(),
                          "SELECT id, body FROM gate_evaluation WHERE id IN "
                          "(SELECT max(id) FROM gate_evaluation WHERE pair = ? GROUP BY gate) ORDER BY gate");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, pair);
  return evaluation_rows(*st);
}

Result<std::optional<Run>> latest_run(store::Store& store, const std::string& pair, const std::string& type) {
  auto st = Stmt::prepare(store.db(), std::string("SELECT ") + kRunColumns +
                                          " FROM run WHERE pair = ? AND type = ? ORDER BY started_at DESC, rowid DESC "
                                          "LIMIT 1");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, pair).bind(2, type);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<Run>();
  return std::optional<Run>(run_from(*st));
}

std::string audit_hash(const AuditEntry& e) {
  // Length-prefixed fields: no two different entries serialise to the same bytes.
  std::string data;
  auto add = [&](const std::string& s) { data += std::to_string(s.size()) + ":" + s + ";"; };
  add(std::to_string(e.seq));
  add(e.at);
  add(e.actor);
  add(e.action);
  add(e.pair);
  add(e.run_id);
  add(e.detail.dump());
  add(e.prev_hash);
  return sha256_hex(data);
}

Result<AuditEntry> append_audit(store::Store& store, AuditEntry e) {
  if (e.at.empty()) e.at = format_utc(static_cast<int64_t>(std::time(nullptr)));
  auto st = store.in_transaction([&](sqlite3* db) -> Status {
    auto last = Stmt::prepare(db, "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1");
    if (!last) return tl::unexpected(last.error());
    auto row = last->step();
    if (!row) return tl::unexpected(row.error());
    e.seq = *row ? last->int64(0) + 1 : 1;
    e.prev_hash = *row ? last->text(1) : kGenesis;
    e.hash = audit_hash(e);
    auto ins = Stmt::prepare(db,
                             "INSERT INTO audit_entry(seq, at, actor, action, pair, run_id, detail, prev_hash, hash) "
                             "VALUES(?,?,?,?,?,?,?,?,?)");
    if (!ins) return tl::unexpected(ins.error());
    ins->bind(1, e.seq).bind(2, e.at).bind(3, e.actor).bind(4, e.action).bind(5, e.pair).bind(6, e.run_id);
    ins->bind(7, e.detail.dump()).bind(8, e.prev_hash).bind(9, e.hash);
    return ins->run();
  });
  if (!st) return tl::unexpected(st.error());
  return e;
}

Result<std::vector<AuditEntry>> list_audit(store::Store& store, int64_t after_seq, int64_t limit) {
  auto st = Stmt::prepare(store.db(),
                          "SELECT seq, at, actor, action, pair, run_id, detail, prev_hash, hash FROM audit_entry "
                          "WHERE seq > ? ORDER BY seq LIMIT ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, after_seq).bind(2, limit);
  std::vector<AuditEntry> out;
  while (true) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    AuditEntry e;
    e.seq = st->int64(0);
    e.at = st->text(1);
    e.actor = st->text(2);
    e.action = st->text(3);
    e.pair = st->text(4);
    e.run_id = st->text(5);
    try {
      e.detail = nlohmann::json::parse(st->text(6));
    } catch (const std::exception&) {
      e.detail = st->text(6);  // kept as text: verify will show the hash no longer holds
    }
    e.prev_hash = st->text(7);
    e.hash = st->text(8);
    out.push_back(std::move(e));
  }
  return out;
}

nlohmann::json to_json(const AuditEntry& e) {
  return {{"seq", e.seq},       {"at", e.at},         {"actor", e.actor},         {"action", e.action},
          {"pair", e.pair},     {"run_id", e.run_id}, {"detail", e.detail},       {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

Status for_each_audit(store::Store& store, const std::function<void(const AuditEntry&)>& f) {
  int64_t after = 0;
  while (true) {
    auto page = list_audit(store, after, 1000);
    if (!page) return tl::unexpected(page.error());
    if (page->empty()) return {};
    for (const auto& e : *page) {
      after = e.seq;
      f(e);
    }
  }
}

Result<AuditVerdict> verify_audit(store::Store& store, const std::string& pinned_head) {
  AuditVerdict v;
  std::string prev = kGenesis;
  int64_t expected_seq = 1;
  int64_t after = 0;
  while (true) {
    auto page = list_audit(store, after, 1000);
    if (!page) return tl::unexpected(page.error());
    if (page->empty()) break;
    for (const auto& e : *page) {
      ++v.entries;
      after = e.seq;
      if (v.first_broken) continue;
      if (e.seq != expected_seq) {
        v.first_broken = e.seq;
        v.problem = "entry " + std::to_string(e.seq) + " follows entry " + std::to_string(expected_seq - 1) +
                    ": entries are missing";
      } else if (e.prev_hash != prev) {
        v.first_broken = e.seq;
        v.problem = "entry " + std::to_string(e.seq) + " does not chain to the entry before it";
      } else if (audit_hash(e) != e.hash) {
        v.first_broken = e.seq;
        v.problem = "entry " + std::to_string(e.seq) + " was changed after it was written: its hash does not match";
      }
      if (!pinned_head.empty() && e.hash == pinned_head && !v.pinned_seq) v.pinned_seq = e.seq;
      prev = e.hash;
      expected_seq = e.seq + 1;
      v.head_seq = e.seq;
      v.head_hash = e.hash;
    }
  }
  if (!pinned_head.empty() && !v.first_broken && !v.pinned_seq) {
    v.first_broken = v.head_seq + 1;
    v.problem = "the pinned head " + pinned_head + " is not the hash of any entry: entries were removed from the end "
                "or the tail was rewritten";
  }
  return v;
}

}  // namespace understudy::report
