// The service keeps the latest primary snapshot decoded between gate evaluations
// (gates::PrimaryCache). A snapshot taken by another process on the same store while serve runs
// must be the one the very next answer compares against — its id and its objects.
#include <gtest/gtest.h>

#include "world.h"

namespace e2e {
namespace {

bool lists_missing_login(const nlohmann::json& body, const std::string& login) {
  for (const auto& f : body["failures"])
    if (f["kind"] == "login" && f["key"] == login && f["problem"] == "missing") return true;
  return false;
}

TEST(GatePrimaryCache, NextAnswerUsesTheSnapshotTheCliTookWhileServing) {
  World w;
  ASSERT_EQ(w.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
  w.start_serve();

  auto first = body_json(w.get("/v1/gates/logins?pair=payments", kRunbookToken));
  auto first_id = first["primary_snapshot"]["id"].get<std::string>();
  // Answered from the cached snapshot: the same snapshot, the same findings.
  auto again = body_json(w.get("/v1/gates/logins?pair=payments", kRunbookToken));
  EXPECT_EQ(again["primary_snapshot"]["id"], first_id);
  EXPECT_EQ(again["failures"], first["failures"]);
  EXPECT_FALSE(lists_missing_login(again, "cache_probe"));

  // Another process (the CLI) snapshots a primary that gained a login.
  w.exec_on_primary("CREATE LOGIN cache_probe WITH PASSWORD = 'Cache-Pr0be-Passw0rd!'");
  auto snap = w.cli({"snapshot", "--pair", "payments"});
  ASSERT_EQ(snap.exit_code, 0) << snap.err;

  auto after = body_json(w.get("/v1/gates/logins?pair=payments", kRunbookToken));
  EXPECT_NE(after["primary_snapshot"]["id"], first_id);
  EXPECT_TRUE(lists_missing_login(after, "cache_probe")) << after["failures"].dump();
}

// Equal objects are counted as the target streams past the cached snapshot, not diffed; an object
// that differs on one side must still be named, with the snapshot that says so.
TEST(GatePrimaryCache, AfterSyncOnlyTheObjectChangedSinceIsReported) {
  World w;
  ASSERT_EQ(w.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
  w.start_serve();
  auto applied = w.post("/v1/pairs/payments/sync", R"({"apply": true})");
  ASSERT_TRUE(applied);
  ASSERT_EQ(applied->status, 200) << applied->body;
  auto equal = body_json(w.get("/v1/gates/logins?pair=payments", kRunbookToken));
  EXPECT_EQ(equal["status"], "pass") << equal.dump();

  w.exec_on_primary("ALTER LOGIN report_reader DISABLE");
  ASSERT_EQ(w.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
  auto changed = body_json(w.get("/v1/gates/logins?pair=payments", kRunbookToken));
  EXPECT_EQ(changed["status"], "fail");
  std::string lines;
  for (const auto& f : changed["failures"])
    lines += f["kind"].get<std::string>() + " " + f["key"].get<std::string>() + " " + f["problem"].get<std::string>() + "\n";
  EXPECT_EQ(lines, "login report_reader different\n");
  EXPECT_NE(changed["primary_snapshot"]["id"], equal["primary_snapshot"]["id"]);
}

}  // namespace
}  // namespace e2e
