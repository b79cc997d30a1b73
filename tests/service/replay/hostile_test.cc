// hostile_test.cc — names with ], ', ;, --, $(…), line breaks, Unicode (astral plane included) and
// exactly 128 characters, in every kind, arrive on the target exactly (issue 4); and the CLI end
// to end: dry run, apply, script.
#include <gtest/gtest.h>

#include "catalog/reader.h"
#include "sync_util.h"

namespace understudy::replay {
namespace {

using nlohmann::json;

std::string name128() {
  std::string s = "\xF0\x9F\x90\x98]'";  // 2 + 2 UTF-16 code units
  while (s.size() < 4 + 124) s += 'n';
  return s;  // 128 UTF-16 code units
}

json hostile_primary() {
  const std::string h = "x]; DROP LOGIN sa; --'\xF0\x9F\x90\x98 $(PATH)";
  return {
      {"version", 1},
      {"credentials", {{{"name", "cred " + h}, {"identity", "id'" + h}, {"secret", "s"}}}},
      {"server_roles", {{{"name", "role " + h}, {"members", {"login " + h}}}}},
      {"logins",
       {{{"name", "login " + h}, {"password", "Hostile-Passw0rd!"}, {"check_policy", false}},
        {{"name", name128()}, {"password", "Hostile-Passw0rd!"}, {"check_policy", false}}}},
      {"permissions", {{{"grantee", "login " + h}, {"permission", "VIEW SERVER STATE"}}}},
      {"linked_servers", {{{"name", "LS " + h}, {"logins", json::array()}}}},
      {"categories", {{{"name", "cat " + h}}}},
      {"operators", {{{"name", "op " + h}, {"email_address", "a'b@example.com"}}}},
      {"schedules", {{{"schedule_uid", "11111111-2222-3333-4444-555555555555"}, {"name", "sched " + h}, {"freq_type", 4},
                      {"freq_interval", 1}, {"freq_subday_type", 1}}}},
      {"jobs",
       {{{"name", "job " + h},
         {"category", "cat " + h},
         {"description", "line1\nGO\n:!! echo pwned\n" + h},
         {"steps", {{{"step_name", "step " + h}, {"subsystem", "TSQL"}, {"database_name", "master"},
                     {"command", "SELECT N'it''s';\nGO\n$(x)"}}}},
         {"schedules", {"11111111-2222-3333-4444-555555555555"}},
         {"servers", {"(local)"}}}}},
  };
}

TEST(Hostile, NamesInEveryKindArriveExactly) {
  understudy::testing::TempDir fx;
  const auto path = understudy::testing::write_fixture(fx, "p", hostile_primary());
  testing::SyncPair pair({.fixture = path}, {.fixture = emu::fixture_path("empty-secondary.json")},
                         "[secrets.credentials]\n\"cred x]; DROP LOGIN sa; --'\xF0\x9F\x90\x98 $(PATH)\" = "
                         "{ file = '@DIR@/credential.secret' }\n");
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->converged) << r->to_text();
  EXPECT_EQ(r->exit_code(), 0) << r->to_text();
  // Exactly, not just equal under the case-insensitive collation.
  auto ps = understudy::testing::connect_sa(*pair.primary, "p");
  auto ss = understudy::testing::connect_sa(*pair.secondary, "s");
  auto src = catalog::read_objects(ps);
  auto tgt = catalog::read_objects(ss);
  ASSERT_TRUE(src && tgt);
  std::set<std::string> src_keys, tgt_keys;
  for (const auto& o : *src) {
    if (o.kind != catalog::Kind::kInstance) src_keys.insert(std::string(catalog::kind_name(o.kind)) + " " + o.key);
  }
  for (const auto& o : *tgt) {
    if (o.kind != catalog::Kind::kInstance) tgt_keys.insert(std::string(catalog::kind_name(o.kind)) + " " + o.key);
  }
  EXPECT_EQ(src_keys, tgt_keys);
  EXPECT_GE(src_keys.size(), 10u);
}

TEST(Hostile, ScriptKeepsSqlcmdAwayFromTheData) {
  understudy::testing::TempDir fx;
  const auto path = understudy::testing::write_fixture(fx, "p", hostile_primary());
  testing::SyncPair pair({.fixture = path}, {.fixture = emu::fixture_path("empty-secondary.json")});
  auto run = understudy::testing::understudy(pair.dir, {"script", "--pair", "prod", "--live-source"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Outside our own variables, no "$(" and no line sqlcmd would run reaches sqlcmd.
  std::string text = run.out;
  for (size_t at = text.find("$(US_SECRET_"); at != std::string::npos; at = text.find("$(US_SECRET_")) text.erase(at, 2);
  EXPECT_EQ(text.find("$("), std::string::npos);
  EXPECT_EQ(text.find("\n:"), std::string::npos);
  EXPECT_EQ(text.find("\nGO\n:"), std::string::npos);
  EXPECT_NE(run.out.find("EXEC (@us_sql);"), std::string::npos);
}

TEST(SyncCli, DryRunThenApplyThenNothingToDo) {
  testing::SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  auto dry = understudy::testing::understudy(pair.dir, {"sync", "--pair", "prod", "--live-source"});
  EXPECT_EQ(dry.exit_code, 1) << dry.err;
  EXPECT_NE(dry.out.find("N'<secret:credential:payments_backup_url>'"), std::string::npos);
  EXPECT_EQ(pair.secondary->stats().writes, 0u);
  auto apply = understudy::testing::understudy(pair.dir, {"sync", "--pair", "prod", "--live-source", "--apply"});
  EXPECT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(apply.out.find("converged"), std::string::npos);
  auto again = understudy::testing::understudy(pair.dir, {"sync", "--pair", "prod", "--live-source"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  // The applied sync is in the audit trail (CLI and HTTP faces audit alike); the dry runs are not.
  auto audit = understudy::testing::understudy(pair.dir, {"audit", "verify"});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_EQ(audit.out.rfind("audit trail intact: 1 entry\nhead: entry 1 ", 0), 0u) << audit.out;
  for (const auto& out : {dry.out + dry.err, apply.out + apply.err}) {
    EXPECT_EQ(out.find(testing::kCredentialSecret), std::string::npos);
    EXPECT_EQ(out.find(testing::kLinkedPassword), std::string::npos);
  }
}

}  // namespace
}  // namespace understudy::replay
