// journal_test.cc — the sync journal's group commit (replay/journal.h): every action row of an
// apply arrives whole, groups are committed by size while the apply runs, the rest by end_apply()
// or by the journal's destructor, and the store's connection is back at synchronous=FULL after.
#include <gtest/gtest.h>

#include "../config/temp_dir.h"
#include "replay/journal.h"
#include "store/sqlite.h"

namespace understudy::replay {
namespace {

using understudy::testing::TempDir;

std::unique_ptr<store::Store> open_store(const TempDir& dir) {
  auto s = store::Store::open(dir.path() + "/understudy.db");
  if (!s) {
    ADD_FAILURE() << s.error().to_string();
    std::abort();
  }
  return std::move(*s);
}

int64_t scalar(store::Store& st, const char* sql) {
  auto q = store::Stmt::prepare(st.db(), sql);
  if (!q) {
    ADD_FAILURE() << q.error().to_string();
    return -1;
  }
  auto row = q->step();
  if (!row || !*row) {
    ADD_FAILURE() << sql << ": no row";
    return -1;
  }
  return q->int64(0);
}

JournalAction action(int seq) {
  return {seq, "login", "login_" + std::to_string(seq), "create", "applied", "CREATE LOGIN …", 0, "",
          "2026-11-27T10:00:00Z", 1};
}

constexpr int64_t kSyncNormal = 1, kSyncFull = 2;

TEST(Journal, AnApplyGroupCommitsItsActionsAndRestoresFullSync) {
  TempDir dir;
  auto writer = open_store(dir);
  auto reader = open_store(dir);  // another connection: sees committed rows only
  auto journal = Journal::open(*writer);
  ASSERT_TRUE(journal) << journal.error().to_string();
  auto run = journal->begin_run("run-1", "prod", "test", "apply", nlohmann::json::object());
  ASSERT_TRUE(run) << run.error().to_string();
  EXPECT_EQ(scalar(*writer, "PRAGMA synchronous"), kSyncFull);

  ASSERT_TRUE(journal->begin_apply());
  EXPECT_EQ(scalar(*writer, "PRAGMA synchronous"), kSyncNormal);
  const int n = Journal::kGroupEntries + 10;
  for (int seq = 1; seq <= n; ++seq) ASSERT_TRUE(journal->record(*run, action(seq)));
  EXPECT_GE(scalar(*reader, "SELECT COUNT(*) FROM sync_action"), Journal::kGroupEntries)
      << "a full group is committed while the apply runs";

  ASSERT_TRUE(journal->end_apply());
  EXPECT_EQ(scalar(*reader, "SELECT COUNT(*) FROM sync_action"), n);
  EXPECT_EQ(scalar(*writer, "PRAGMA synchronous"), kSyncFull);
  ASSERT_TRUE(journal->finish_run(*run, "converged", nlohmann::json::object()));

  auto runs = journal->runs("prod");
  ASSERT_TRUE(runs) << runs.error().to_string();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().status, "converged");
  ASSERT_EQ(runs->front().actions.size(), static_cast<size_t>(n));
  EXPECT_EQ(runs->front().actions.back().key, "login_" + std::to_string(n));
}

TEST(Journal, AnOpenGroupIsCommittedWhenTheJournalGoes) {
  TempDir dir;
  auto writer = open_store(dir);
  {
    auto journal = Journal::open(*writer);
    ASSERT_TRUE(journal) << journal.error().to_string();
    auto run = journal->begin_run("run-1", "prod", "test", "apply", nlohmann::json::object());
    ASSERT_TRUE(run) << run.error().to_string();
    ASSERT_TRUE(journal->begin_apply());
    for (int seq = 1; seq <= 3; ++seq) ASSERT_TRUE(journal->record(*run, action(seq)));
  }
  EXPECT_EQ(scalar(*writer, "SELECT COUNT(*) FROM sync_action"), 3);
  EXPECT_EQ(scalar(*writer, "PRAGMA synchronous"), kSyncFull);
  auto journal = Journal::open(*writer);
  ASSERT_TRUE(journal);
  EXPECT_TRUE(journal->acquire("prod", "run-2")) << "no transaction is left open on the store";
}

TEST(Journal, OutsideAnApplyEachEntryIsItsOwnTransaction) {
  TempDir dir;
  auto writer = open_store(dir);
  auto reader = open_store(dir);
  auto journal = Journal::open(*writer);
  ASSERT_TRUE(journal) << journal.error().to_string();
  auto run = journal->begin_run("run-1", "prod", "test", "apply", nlohmann::json::object());
  ASSERT_TRUE(run) << run.error().to_string();
  ASSERT_TRUE(journal->record(*run, action(1)));
  EXPECT_EQ(scalar(*reader, "SELECT COUNT(*) FROM sync_action"), 1);
  ASSERT_TRUE(journal->end_apply()) << "end_apply without begin_apply does nothing";
  EXPECT_EQ(scalar(*writer, "PRAGMA synchronous"), kSyncFull);
}

}  // namespace
}  // namespace understudy::replay
