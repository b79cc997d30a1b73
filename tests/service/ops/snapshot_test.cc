// ops::take_snapshot through the emulator: the catalog read on one thread, the store's writes on
// another (ops/snapshot.cc), and what either side's failure leaves behind — nothing.
#include <gtest/gtest.h>

#include <cstdlib>

#include "config/config.h"
#include "emu_util.h"
#include "ops/snapshot.h"
#include "store/sql.h"
#include "store/store.h"

namespace understudy::ops {
namespace {

using nlohmann::json;
using testing::TempDir;

constexpr const char* kPasswordEnv = "DRIFT_SNAPSHOT_TEST_PW";

// `n` logins, each a member of one role: 3n objects, many batches of the reader's hand-over.
json logins(int n, const std::string& prefix) {
  json f = {{"version", 1}, {"logins", json::array()}, {"server_roles", {{{"name", "bulk"}, {"members", json::array()}}}}};
  for (int i = 0; i < n; ++i) {
    std::string name = prefix + std::to_string(i);
    f["logins"].push_back({{"name", name}, {"type", "S"}, {"password", "Snap-Passw0rd!"}, {"check_policy", false}});
    f["server_roles"][0]["members"].push_back(name);
  }
  return f;
}

config::Config config_for(emu::TestServer& a, emu::TestServer& b, const std::string& store) {
  setenv(kPasswordEnv, a.sa_password().c_str(), 1);
  std::string toml = "store = \"" + store + "\"\n";
  for (auto [name, server] : {std::pair{"primary", &a}, std::pair{"other", &b}})
    toml += std::string("[instances.") + name + "]\nconnection = \"" + server->connection_string_without_password() +
            "\"\npassword_env = \"" + kPasswordEnv + "\"\n";
  auto cfg = config::load_from_string(toml, "snapshot_test.toml");
  EXPECT_TRUE(cfg) << cfg.error().message;
  return *cfg;
}

int64_t scalar(store::Db& db, const std::string& sql) {
  auto st = store::Stmt::prepare(db, sql);
  EXPECT_TRUE(st && st->step());
  return st->int64(0);
}

TEST(Snapshot, ManyObjectsArriveWholeThroughTheHandOver) {
  TempDir dir;
  emu::TestServer a({.fixture = testing::write_fixture(dir, "a", logins(4000, "login_"))});
  emu::TestServer b({.fixture = testing::write_fixture(dir, "b", logins(10, "other_"))});
  auto ctx = Context::open(config_for(a, b, dir.file("understudy.db"))).value();
  // The Context's store, for the checks below (the test's only thread).
  store::Store* st = ctx->with_store([](store::Store& s) { return &s; });
  auto info = take_snapshot(*ctx, "primary", nullptr, "run-1");
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->counts["login"], 4000);
  EXPECT_EQ(info->counts["server_role_member"], 4000);
  auto loaded = st->load_objects(info->id);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(static_cast<int64_t>(loaded->size()), info->object_count);
  auto again = take_snapshot(*ctx, "primary", nullptr, "run-2");  // unchanged: nothing new stored
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->object_count, info->object_count);
  EXPECT_EQ(scalar(st->db(), "SELECT COUNT(*) FROM object_version WHERE from_snapshot = " + std::to_string(again->id)), 0);
}

// The store fails while the reader thread is still reading (the file may not grow): the read is
// stopped, the error is the store's, nothing of the snapshot is visible, and the store and the
// connection work afterwards.
TEST(Snapshot, AStoreFailingMidSnapshotStopsTheReadAndLeavesNothing) {
  TempDir dir;
  emu::TestServer a({.fixture = testing::write_fixture(dir, "a", logins(10, "login_"))});
  emu::TestServer b({.fixture = testing::write_fixture(dir, "b", logins(4000, "other_"))});
  auto ctx = Context::open(config_for(a, b, dir.file("understudy.db"))).value();
  // The Context's store: the snapshots go into it (take_snapshot_into), so its page limit holds.
  store::Store* st = ctx->with_store([](store::Store& s) { return &s; });
  auto first = take_snapshot_into(*ctx, *st, "primary", nullptr, "run-1");
  ASSERT_TRUE(first) << first.error().to_string();
  int64_t pages = scalar(st->db(), "PRAGMA page_count");
  ASSERT_TRUE(store::exec(st->db(), "PRAGMA max_page_count = " + std::to_string(pages)));

  auto failed = take_snapshot_into(*ctx, *st, "other", nullptr, "run-2");
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("full"), std::string::npos) << failed.error().to_string();
  EXPECT_EQ(b.stats().batches, 1u);  // one read, stopped, not retried

  ASSERT_TRUE(store::exec(st->db(), "PRAGMA max_page_count = 1073741823"));
  auto listed = st->list_snapshots();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, first->id);
  EXPECT_EQ(scalar(st->db(), "SELECT COUNT(*) FROM object_version WHERE from_snapshot <> " + std::to_string(first->id)), 0);
  auto check = store::Stmt::prepare(st->db(), "PRAGMA integrity_check");
  ASSERT_TRUE(check && check->step());
  EXPECT_EQ(check->text(0), "ok");

  auto later = take_snapshot_into(*ctx, *st, "other", nullptr, "run-3");  // with room, the same read succeeds
  ASSERT_TRUE(later) << later.error().to_string();
  EXPECT_EQ(later->counts["login"], 4000);
}

}  // namespace
}  // namespace understudy::ops
