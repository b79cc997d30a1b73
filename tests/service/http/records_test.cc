// The audit trail chains; edits, deletions and reorderings are named by verify. On both backends.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "report/records.h"
#include "store/sql.h"
#include "pg_server.h"

namespace understudy::report {
namespace {

using understudy::testing::Backend;

class Audit : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    path_ = GetParam() == Backend::kPostgres
                ? understudy::testing::new_store(Backend::kPostgres, "")
                : (std::filesystem::temp_directory_path() / ("audit-test-" + std::to_string(::getpid()) + ".db")).string();
    if (GetParam() == Backend::kSqlite) std::filesystem::remove(path_);
    auto s = store::Store::open(path_, understudy::testing::store_options(GetParam()));
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    ASSERT_TRUE(migrate(*store_));
    for (int i = 1; i <= 4; ++i) {
      AuditEntry e;
      e.at = "2026-11-27T08:00:0" + std::to_string(i) + "Z";
      e.actor = "dba";
      e.action = "sync.apply";
      e.pair = "payments";
      e.run_id = "run" + std::to_string(i);
      e.detail = {{"actions", i}};
      auto r = append_audit(*store_, e);
      ASSERT_TRUE(r) << r.error().message;
      EXPECT_EQ(r->seq, i);
    }
  }
  void TearDown() override {
    store_.reset();
    if (GetParam() == Backend::kSqlite) std::filesystem::remove(path_);
  }
  void sql(const std::string& s) { ASSERT_TRUE(store::exec(store_->db(), s)); }
  std::string path_;
  std::unique_ptr<store::Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, Audit, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return understudy::testing::backend_name(info.param); });

TEST_P(Audit, IntactChainVerifies) {
  auto v = verify_audit(*store_);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->entries, 4);
  EXPECT_FALSE(v->first_broken);
  auto list = list_audit(*store_, 0, 10);
  ASSERT_TRUE(list);
  EXPECT_EQ((*list)[0].prev_hash, std::string(64, '0'));
  EXPECT_EQ((*list)[1].prev_hash, (*list)[0].hash);
}

struct TamperCase {
  const char* sql;
  int64_t first_broken;
  const char* problem;
};

TEST_P(Audit, TamperingIsNamed) {
  const TamperCase cases[] = {
      {"UPDATE audit_entry SET detail = '{\"actions\":99}' WHERE seq = 3", 3,
       "entry 3 was changed after it was written: its hash does not match"},
      {"DELETE FROM audit_entry WHERE seq = 2", 3, "entry 3 follows entry 1: entries are missing"},
      {"UPDATE audit_entry SET prev_hash = hash WHERE seq = 2", 2, "entry 2 does not chain to the entry before it"},
      {"DELETE FROM audit_entry WHERE seq = 1", 2, "entry 2 follows entry 0: entries are missing"},
  };
  for (const auto& c : cases) {
    TearDown();
    SetUp();
    sql(c.sql);
    auto v = verify_audit(*store_);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->first_broken, c.first_broken) << c.sql;
    EXPECT_EQ(v->problem, c.problem) << c.sql;
  }
}

// Deleting the last entries, or rewriting the tail and chaining it anew, leaves a chain that
// holds; a head pinned outside the store before catches both.
TEST_P(Audit, TruncationIsCaughtByAPinnedHead) {
  auto before = verify_audit(*store_);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->head_seq, 4);
  std::string pinned = before->head_hash;
  ASSERT_EQ(pinned.size(), 64u);
  auto same = verify_audit(*store_, pinned);
  ASSERT_TRUE(same);
  EXPECT_FALSE(same->first_broken) << same->problem;
  EXPECT_EQ(same->pinned_seq, 4);

  AuditEntry later;
  later.at = "2026-11-27T09:00:00Z";
  later.actor = "dba";
  later.action = "snapshot";
  ASSERT_TRUE(append_audit(*store_, later));
  auto grown = verify_audit(*store_, pinned);
  ASSERT_TRUE(grown);
  EXPECT_FALSE(grown->first_broken) << grown->problem;
  EXPECT_EQ(grown->pinned_seq, 4);  // an earlier head is a prefix of the longer trail
  EXPECT_EQ(grown->head_seq, 5);

  sql("DELETE FROM audit_entry WHERE seq >= 4");
  auto cut = verify_audit(*store_);
  ASSERT_TRUE(cut);
  EXPECT_FALSE(cut->first_broken) << "without a pinned head the cut chain holds";
  auto caught = verify_audit(*store_, pinned);
  ASSERT_TRUE(caught);
  EXPECT_EQ(caught->first_broken, 4);
  EXPECT_EQ(caught->problem, "the pinned head " + pinned +
                                 " is not the hash of any entry: entries were removed from the end or the tail was "
                                 "rewritten");

  later.detail = {{"rewritten", true}};  // the tail rewritten and chained anew: seq 4 again
  ASSERT_TRUE(append_audit(*store_, later));
  auto rewritten = verify_audit(*store_, pinned);
  ASSERT_TRUE(rewritten);
  EXPECT_EQ(rewritten->first_broken, 5);
  EXPECT_FALSE(rewritten->pinned_seq);
}

// Several writers append at once, each on a connection of its own (several nodes on one
// PostgreSQL store; processes on one SQLite file): the trail stays one chain — every entry once,
// numbered without a gap, each chained to the one before — because every write transaction is
// serialised (the store's write lock; pg_advisory_xact_lock on PostgreSQL).
TEST_P(Audit, ConcurrentWritersKeepOneChain) {
  constexpr int kWriters = 3, kEach = 20;
  std::vector<std::unique_ptr<store::Store>> conns;
  for (int w = 0; w < kWriters; ++w) {
    auto c = store::Store::open(path_, understudy::testing::store_options(GetParam()));
    ASSERT_TRUE(c) << c.error().to_string();
    conns.push_back(std::move(*c));
  }
  std::vector<std::string> errors(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kEach && errors[static_cast<size_t>(w)].empty(); ++i) {
        AuditEntry e;
        e.actor = "node" + std::to_string(w);
        e.action = "gate.evaluate";
        e.detail = {{"i", i}};
        auto r = append_audit(*conns[static_cast<size_t>(w)], e);
        if (!r) errors[static_cast<size_t>(w)] = r.error().to_string();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  auto v = verify_audit(*store_);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->first_broken) << v->problem;
  EXPECT_EQ(v->entries, 4 + kWriters * kEach);
  EXPECT_EQ(v->head_seq, 4 + kWriters * kEach);
}

// An evaluation row is committed with synchronous=NORMAL (records.cc says why; on PostgreSQL
// synchronous_commit off for its transaction); everything else the connection writes afterwards —
// runs, the audit trail — must still be FULL (synchronous_commit on).
TEST_P(Audit, EvaluationIsRecordedAndTheConnectionStaysFullyDurable) {
  auto sync = [&] {
    auto st = store::Stmt::prepare(store_->db(), store_->postgres() ? "SHOW synchronous_commit" : "PRAGMA synchronous");
    EXPECT_TRUE(st && st->step().value_or(false));
    if (store_->postgres()) return st && st->text(0) == "on" ? int64_t{2} : int64_t{-1};  // FULL's equivalent
    return st ? st->int64(0) : -1;
  };
  ASSERT_EQ(sync(), 2);  // FULL, as the store opens
  gates::GateResult r;
  r.gate = "logins";
  r.pair = "payments";
  r.verdict = gates::Verdict::kPass;
  r.checked_at = 1796112000;  // 2026-12-01T08:00:00Z
  r.primary_snapshot_id = "7";
  ASSERT_TRUE(record_evaluation(*store_, r));
  EXPECT_EQ(sync(), 2);
  auto rows = list_evaluations(*store_, "payments", "", "");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].body["gate"], "logins");
  EXPECT_EQ((*rows)[0].body["status"], "pass");
  EXPECT_EQ((*rows)[0].body["checked_at"], "2026-12-01T08:00:00.000Z");
}

}  // namespace
}  // namespace understudy::report
