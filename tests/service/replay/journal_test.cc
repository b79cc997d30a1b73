// journal_test.cc — the sync journal's group commit (replay/journal.h): every action row of an
// apply arrives whole, groups are committed by size while the apply runs, the rest by end_apply()
// or by the journal's destructor, and the store's connection is back at full durability after
// (SQLite synchronous=FULL, PostgreSQL synchronous_commit on). Each case runs on both backends.
#include <gtest/gtest.h>

#include "../config/temp_dir.h"
#include "replay/journal.h"
#include "store/sql.h"
#include "pg_server.h"

namespace understudy::replay {
namespace {

using understudy::testing::Backend;
using understudy::testing::TempDir;

class JournalTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { location_ = understudy::testing::new_store(GetParam(), dir_.path()); }
  std::unique_ptr<store::Store> open_store();
  // "full" or "relaxed": the connection's commit durability.
  std::string durability(store::Store& st);
  TempDir dir_;
  std::string location_;
};
INSTANTIATE_TEST_SUITE_P(Backends, JournalTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return understudy::testing::backend_name(info.param); });

std::unique_ptr<store::Store> JournalTest::open_store() {
  auto s = store::Store::open(location_, understudy::testing::store_options(GetParam()));
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

std::string JournalTest::durability(store::Store& st) {
  auto q = store::Stmt::prepare(st.db(), st.postgres() ? "SHOW synchronous_commit" : "PRAGMA synchronous");
  if (!q || !q->step().value_or(false)) return "?";
  if (st.postgres()) return q->text(0) == "on" ? "full" : q->text(0) == "off" ? "relaxed" : q->text(0);
  return q->int64(0) == 2 ? "full" : q->int64(0) == 1 ? "relaxed" : std::to_string(q->int64(0));
}

TEST_P(JournalTest, AnApplyGroupCommitsItsActionsAndRestoresFullSync) {
  auto writer = open_store();
  auto reader = open_store();  // another connection: sees committed rows only
  auto journal = Journal::open(*writer);
  ASSERT_TRUE(journal) << journal.error().to_string();
  auto run = journal->begin_run("run-1", "prod", "test", "apply", nlohmann::json::object());
  ASSERT_TRUE(run) << run.error().to_string();
  EXPECT_EQ(durability(*writer), "full");

  ASSERT_TRUE(journal->begin_apply());
  EXPECT_EQ(durability(*writer), "relaxed");
  const int n = Journal::kGroupEntries + 10;
  for (int seq = 1; seq <= n; ++seq) ASSERT_TRUE(journal->record(*run, action(seq)));
  // A group closes at kGroupEntries entries or after kGroupWindow, whichever comes first (on a
  // loaded machine, or over PostgreSQL's round trips, the window may close it sooner): every
  // group but the open one — at most kGroupEntries - 1 entries — is committed while the apply runs.
  EXPECT_GE(scalar(*reader, "SELECT COUNT(*) FROM sync_action"), n - Journal::kGroupEntries + 1)
      << "the groups before the open one are committed while the apply runs";

  ASSERT_TRUE(journal->end_apply());
  EXPECT_EQ(scalar(*reader, "SELECT COUNT(*) FROM sync_action"), n);
  EXPECT_EQ(durability(*writer), "full");
  ASSERT_TRUE(journal->finish_run(*run, "converged", nlohmann::json::object()));

  auto runs = journal->runs("prod");
  ASSERT_TRUE(runs) << runs.error().to_string();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().status, "converged");
  ASSERT_EQ(runs->front().actions.size(), static_cast<size_t>(n));
  EXPECT_EQ(runs->front().actions.back().key, "login_" + std::to_string(n));
}

TEST_P(JournalTest, AnOpenGroupIsCommittedWhenTheJournalGoes) {
  auto writer = open_store();
  {
    auto journal = Journal::open(*writer);
    ASSERT_TRUE(journal) << journal.error().to_string();
    auto run = journal->begin_run("run-1", "prod", "test", "apply", nlohmann::json::object());
    ASSERT_TRUE(run) << run.error().to_string();
    ASSERT_TRUE(journal->begin_apply());
    for (int seq = 1; seq <= 3; ++seq) ASSERT_TRUE(journal->record(*run, action(seq)));
  }
  EXPECT_EQ(scalar(*writer, "SELECT COUNT(*) FROM sync_action"), 3);
  EXPECT_EQ(durability(*writer), "full");
  auto journal = Journal::open(*writer);
  ASSERT_TRUE(journal);
  EXPECT_TRUE(journal->acquire("prod", "run-2")) << "no transaction is left open on the store";
}

TEST_P(JournalTest, OutsideAnApplyEachEntryIsItsOwnTransaction) {
  auto writer = open_store();
  auto reader = open_store();
  auto journal = Journal::open(*writer);
  ASSERT_TRUE(journal) << journal.error().to_string();
  auto run = journal->begin_run("run-1", "prod", "test", "apply", nlohmann::json::object());
  ASSERT_TRUE(run) << run.error().to_string();
  ASSERT_TRUE(journal->record(*run, action(1)));
  EXPECT_EQ(scalar(*reader, "SELECT COUNT(*) FROM sync_action"), 1);
  ASSERT_TRUE(journal->end_apply()) << "end_apply without begin_apply does nothing";
  EXPECT_EQ(durability(*writer), "full");
}

}  // namespace
}  // namespace understudy::replay
