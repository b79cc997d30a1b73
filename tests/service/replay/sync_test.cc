// sync_test.cc — replay through two emulated instances (issue 4's test list): convergence of the
// payments fixture onto an empty secondary and onto a Managed Instance, the no-op second sync
// counted with the emulator's write counter, password change, SID mismatch, injected failures,
// missing secrets, the lock (dropped connections: sync_batch_test.cc).
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <regex>

#include "replay/journal.h"
#include "sync_util.h"

namespace understudy::replay {
namespace {

using nlohmann::json;
using testing::SyncPair;
using testing::count;

std::vector<std::string> leftover_of(const SyncReport& r) {
  std::vector<std::string> out;
  for (const auto& a : r.leftover) {
    out.push_back(std::string(catalog::kind_name(a.kind)) + " " + a.key + " " + std::string(block_name(a.block)));
  }
  return out;
}

TEST(Sync, PaymentsConvergesOntoAnEmptySecondary) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  auto dry = pair.sync(false);
  ASSERT_TRUE(dry) << dry.error().to_string();
  EXPECT_EQ(dry->exit_code(), 1);
  EXPECT_EQ(pair.secondary->stats().writes, 0u) << "a dry run writes nothing";
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->converged) << r->to_text();
  EXPECT_EQ(r->execution.failed, 0) << r->to_text();
  EXPECT_EQ(r->exit_code(), 0) << r->to_text();

  const uint64_t writes = pair.secondary->stats().writes;
  auto again = pair.sync(true);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_TRUE(again->converged);
  EXPECT_EQ(again->plan.summary().runnable(), 0) << again->plan.to_text();
  EXPECT_EQ(pair.secondary->stats().writes, writes) << "a converged pair gets no state-changing statement";
}

TEST(Sync, ManagedInstanceGetsEverythingButWindowsLoginsAndCmdExec) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary(8));
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->converged) << r->to_text();
  EXPECT_EQ(r->exit_code(), 0) << r->to_text();
  const auto left = leftover_of(*r);
  EXPECT_NE(std::find(left.begin(), left.end(), "login CONTOSO\\svc_batch incompatible"), left.end()) << r->to_text();
  EXPECT_NE(std::find(left.begin(), left.end(), "agent_job Nightly settlement incompatible"), left.end()) << r->to_text();
  EXPECT_EQ(count(*pair.secondary, "SELECT COUNT(*) FROM msdb.dbo.sysjobs WHERE name = N'Ledger close'"), 1);
}

TEST(Sync, PasswordChangeOnThePrimaryReachesTheTarget) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  ASSERT_TRUE(pair.sync(true));
  auto p = understudy::testing::connect_sa(*pair.primary);
  ASSERT_TRUE(p.execute("ALTER LOGIN [report_reader] WITH PASSWORD = N'Changed-Passw0rd!'"));
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->plan.summary().alter, 1) << r->plan.to_text();
  EXPECT_TRUE(r->converged) << r->to_text();
  auto as_reader = odbc::Connection::connect(
      {.connection_string = pair.secondary->connection_string_without_password("report_reader"),
       .password = Secret("Changed-Passw0rd!"),
       .label = "secondary"});
  EXPECT_TRUE(as_reader) << as_reader.error().to_string();
}

json sid_mismatch_secondary() {
  auto f = json::parse(understudy::testing::slurp(emu::fixture_path("empty-secondary.json")));
  f["logins"] = json::array({{{"name", "report_reader"}, {"sid", "0x99999999999999999999999999999999"},
                              {"password", "Other-Passw0rd!"}, {"default_database", "payments"}}});
  return f;
}

// Syncs without --allow-recreate (refused: exit 4, `leftover` listed), runs `between`, then with
// it (converged, exit 0). Either report is nullopt when its sync failed (already reported).
struct Recreate {
  std::optional<SyncReport> refused, fixed;
};
Recreate refuse_then_recreate(const SyncPair& pair, const std::string& leftover, const std::function<void()>& between) {
  Recreate out;
  auto refused = pair.sync(true);
  EXPECT_TRUE(refused) << refused.error().to_string();
  if (!refused) return out;
  EXPECT_EQ(refused->exit_code(), 4);
  const auto left = leftover_of(*refused);
  EXPECT_NE(std::find(left.begin(), left.end(), leftover), left.end()) << refused->to_text();
  out.refused = std::move(*refused);
  between();
  PlanOptions o;
  o.allow_recreate = true;
  auto fixed = pair.sync(true, o);
  EXPECT_TRUE(fixed) << fixed.error().to_string();
  if (!fixed) return out;
  EXPECT_TRUE(fixed->converged) << fixed->to_text();
  EXPECT_EQ(fixed->exit_code(), 0) << fixed->to_text();
  EXPECT_EQ(fixed->execution.failed, 0) << fixed->to_text();
  out.fixed = std::move(*fixed);
  return out;
}

TEST(Sync, SidMismatchIsRefusedWithoutAllowRecreateAndFixedWithIt) {
  understudy::testing::TempDir fx;
  const auto path = understudy::testing::write_fixture(fx, "s", sid_mismatch_secondary());
  SyncPair pair(testing::payments_primary(), {.fixture = path});
  const std::string kLogin = "SELECT COUNT(*) FROM sys.server_principals WHERE name = N'report_reader' AND sid = ";
  const auto r = refuse_then_recreate(pair, "login report_reader needs --allow-recreate", [&] {
    EXPECT_EQ(count(*pair.secondary, kLogin + "0x99999999999999999999999999999999"), 1);
  });
  ASSERT_TRUE(r.fixed);
  EXPECT_EQ(count(*pair.secondary, kLogin + "0xAE9012030A1B2C3D4E5F60718293A4B5"), 1);
}

// The secondary holds LEDGER_ARCHIVE pointing elsewhere, with its own all-logins mapping.
json moved_linked_server_secondary() {
  auto f = json::parse(understudy::testing::slurp(emu::fixture_path("empty-secondary.json")));
  f["linked_servers"] = json::array(
      {{{"name", "LEDGER_ARCHIVE"}, {"product", ""}, {"provider", "MSOLEDBSQL"},
        {"data_source", "old-archive.contoso.local,1433"}, {"catalog", "ledger_archive"},
        {"options", {{"rpc", true}, {"rpc out", true}, {"data access", true}, {"connect timeout", 30},
                     {"query timeout", 600}, {"remote proc transaction promotion", false}}},
        {"self_mapping", false},
        {"logins", json::array({{{"use_self", false}, {"remote_user", "old_reader"}, {"remote_password", "Old-Passw0rd!"}}})}}});
  return f;
}

const Action* action_for(const Plan& p, catalog::Kind kind, const std::string& key) {
  for (const auto& a : p.actions) {
    if (a.kind == kind && a.key == key) return &a;
  }
  return nullptr;
}

TEST(Sync, LinkedServerDefinitionChangeIsRefusedWithoutAllowRecreateAndRecreatedWithIt) {
  understudy::testing::TempDir fx;
  const auto path = understudy::testing::write_fixture(fx, "s", moved_linked_server_secondary());
  SyncPair pair(testing::payments_primary(), {.fixture = path});
  const std::string kServer = "SELECT COUNT(*) FROM sys.servers WHERE name = N'LEDGER_ARCHIVE' AND data_source = ";
  const auto r = refuse_then_recreate(pair, "linked_server LEDGER_ARCHIVE needs --allow-recreate", [&] {
    EXPECT_EQ(count(*pair.secondary, kServer + "N'old-archive.contoso.local,1433'"), 1);
  });
  ASSERT_TRUE(r.refused && r.fixed);
  const Action* refused = action_for(r.refused->plan, catalog::Kind::kLinkedServer, "LEDGER_ARCHIVE");
  ASSERT_NE(refused, nullptr) << r.refused->plan.to_text();
  EXPECT_EQ(refused->blocked, "linked server data_source differs and cannot be changed in place");
  EXPECT_EQ(refused->advice,
            "rerun with --allow-recreate to drop the target linked server and create it as on the primary");
  const Action* a = action_for(r.fixed->plan, catalog::Kind::kLinkedServer, "LEDGER_ARCHIVE");
  ASSERT_NE(a, nullptr) << r.fixed->plan.to_text();
  EXPECT_EQ(a->reason, "drop and recreate: data_source differs");
  EXPECT_EQ(a->loses.size(), 2u);
  EXPECT_EQ(count(*pair.secondary, kServer + "N'ledger-archive.contoso.local,1433'"), 1);
  // The source's mappings, and not the target's own all-logins one (it went with the drop).
  const std::string kLogins = "SELECT COUNT(*) FROM sys.linked_logins l JOIN sys.servers s ON s.server_id = "
                              "l.server_id WHERE s.name = N'LEDGER_ARCHIVE'";
  EXPECT_EQ(count(*pair.secondary, kLogins), count(*pair.primary, kLogins));
  EXPECT_EQ(count(*pair.secondary, kLogins + " AND l.remote_name = N'old_reader'"), 0);
  EXPECT_EQ(count(*pair.secondary, kLogins + " AND l.remote_name = N'archive_reader'"), 1);

  const uint64_t writes = pair.secondary->stats().writes;
  PlanOptions o;
  o.allow_recreate = true;
  auto again = pair.sync(true, o);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_TRUE(again->converged) << again->to_text();
  EXPECT_EQ(again->plan.summary().runnable(), 0) << again->plan.to_text();
  for (const auto& act : again->plan.actions) {
    EXPECT_NE(act.kind, catalog::Kind::kLinkedServer) << again->plan.to_text();
    EXPECT_NE(act.kind, catalog::Kind::kLinkedServerLogin) << again->plan.to_text();
  }
  EXPECT_EQ(pair.secondary->stats().writes, writes) << "a converged pair gets no state-changing statement";
}

TEST(Sync, AFailingObjectDoesNotStopTheOthers) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  {
    auto& f = pair.secondary->faults();
    std::lock_guard<std::mutex> lock(f.mu);
    f.fail_pattern = std::regex("sp_add_operator", std::regex::icase | std::regex::ECMAScript);
    f.fail_pattern_text = "sp_add_operator";
    f.fail_error = emu::Message{50001, 1, 16, "injected failure", 1, ""};
  }
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->exit_code(), 4);
  EXPECT_GE(r->execution.failed, 1);
  EXPECT_NE(r->to_text().find("failed #"), std::string::npos);
  EXPECT_NE(r->to_text().find("agent_operator \"Payments DBA\": error 50001: "), std::string::npos) << r->to_text();
  EXPECT_EQ(count(*pair.secondary, "SELECT COUNT(*) FROM sys.sql_logins WHERE name IN (N'app_settlement_svc', "
                                   "N'app_ledger_svc', N'report_reader', N'legacy_etl')"),
            4);
  auto again = pair.sync(true);  // the fault cleared: the rest follows
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->converged) << again->to_text();
}

TEST(Sync, MissingSecretsBlockAndNothingIsBlanked) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary(), "");
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->exit_code(), 4);
  const auto left = leftover_of(*r);
  EXPECT_NE(std::find(left.begin(), left.end(), "credential payments_backup_url secret unknown"), left.end())
      << r->to_text();
  EXPECT_NE(std::find(left.begin(), left.end(), "linked_server_login LEDGER_ARCHIVE|app_ledger_svc secret unknown"),
            left.end())
      << r->to_text();
  EXPECT_EQ(count(*pair.secondary, "SELECT COUNT(*) FROM sys.credentials"), 0);
}

TEST(Sync, NoSecretInPlansJournalStoreOrOutput) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->converged) << r->to_text();
  const std::string seen = r->to_text() + r->to_json().dump() + r->plan.to_text() +
                           understudy::testing::slurp(pair.dir.file("understudy.db")) +
                           understudy::testing::slurp(pair.dir.file("understudy.db-wal"));
  const auto fixture = json::parse(understudy::testing::slurp(emu::fixture_path("payments-primary.json")));
  std::vector<std::string> secrets = {testing::kCredentialSecret, testing::kLinkedPassword};
  for (const auto& l : fixture["logins"]) {
    if (l.contains("password_hash")) secrets.push_back(l["password_hash"].get<std::string>().substr(2));
  }
  for (const auto& s : secrets) EXPECT_EQ(seen.find(s), std::string::npos) << s;
}

TEST(Sync, OneSyncPerPairAtATime) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  auto st = pair.store();
  auto journal = Journal::open(*st);
  ASSERT_TRUE(journal);
  ASSERT_TRUE(journal->acquire("prod", "holder"));
  auto r = pair.sync(true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kLockHeld);
  EXPECT_EQ(r.error().exit_code(), 3);
  ASSERT_TRUE(journal->release("prod", "holder"));
  EXPECT_TRUE(pair.sync(true));
}

}  // namespace
}  // namespace understudy::replay
