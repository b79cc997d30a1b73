// sync_test.cc — replay through two emulated instances (issue 4's test list): convergence of the
// payments fixture onto an empty secondary and onto a Managed Instance, the no-op second sync
// counted with the emulator's write counter, password change, SID mismatch, injected failures,
// missing secrets, the lock (dropped connections: sync_batch_test.cc).
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <optional>
#include <regex>
#include <thread>

#include "catalog/reader.h"
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

const Action* action_for(const Plan& p, catalog::Kind kind, const std::string& key);

// The next statement matching `pattern` fails with error 50001 and `message`.
void fail_next(emu::TestServer& server, const std::string& pattern, const std::string& text, const std::string& message) {
  auto& f = server.faults();
  std::lock_guard<std::mutex> lock(f.mu);
  f.fail_pattern = std::regex(pattern, std::regex::icase | std::regex::ECMAScript);
  f.fail_pattern_text = text;
  f.fail_error = emu::Message{50001, 1, 16, message, 1, ""};
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
  // Custom message 50001, which the settlement job raises, in both its languages (us_english
  // first: sp_addmessage refuses another language before it).
  EXPECT_EQ(count(*pair.secondary, "SELECT COUNT(*) FROM sys.messages WHERE message_id = 50001 AND severity = 16 AND "
                                   "is_event_logged = 1"),
            2);
  auto raised = understudy::testing::connect_sa(*pair.secondary, "raise").query("RAISERROR(50001, 16, 1, N'Close batches')");
  ASSERT_FALSE(raised);
  EXPECT_EQ(raised.error().native, 50001);
  EXPECT_NE(raised.error().message.find("Settlement step Close batches failed; see the job history"), std::string::npos)
      << raised.error().message;
  // Two non-default settings, both advanced: set and in use, and 'show advanced options' back off.
  EXPECT_EQ(count(*pair.secondary, "SELECT CAST(value_in_use AS int) FROM sys.configurations WHERE name = "
                                   "N'cost threshold for parallelism'"),
            50);
  EXPECT_EQ(count(*pair.secondary, "SELECT CAST(value_in_use AS int) FROM sys.configurations WHERE name = N'xp_cmdshell'"),
            1);
  EXPECT_EQ(count(*pair.secondary, "SELECT CAST(value AS int) + CAST(value_in_use AS int) FROM sys.configurations "
                                   "WHERE name = N'show advanced options'"),
            0);

  const uint64_t writes = pair.secondary->stats().writes;
  auto again = pair.sync(true);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_TRUE(again->converged);
  EXPECT_EQ(again->plan.summary().runnable(), 0) << again->plan.to_text();
  EXPECT_EQ(pair.secondary->stats().writes, writes) << "a converged pair gets no state-changing statement";
}

// The payments primary of the incident in docs/runbook.md onto a Managed Instance: "Nightly
// settlement" (a CmdExec step) cannot exist there. Everything else arrives, but the sync is not
// converged (exit 4) until the incompatible objects are excluded or accepted by a gate exception —
// and it says so, everywhere.
TEST(Sync, ManagedInstanceGetsEverythingButWindowsLoginsAndCmdExecAndIsNotConvergedUntilTheyAreSettled) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary(8));
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->converged) << r->to_text();
  EXPECT_EQ(r->exit_code(), 4) << r->to_text();
  EXPECT_EQ(r->execution.failed, 0) << r->to_text();
  const auto left = leftover_of(*r);
  EXPECT_NE(std::find(left.begin(), left.end(), "login CONTOSO\\svc_batch incompatible"), left.end()) << r->to_text();
  EXPECT_NE(std::find(left.begin(), left.end(), "agent_job Nightly settlement incompatible"), left.end()) << r->to_text();
  // xp_cmdshell is not an option a managed instance has: named, never attempted; the other setting arrives.
  EXPECT_NE(std::find(left.begin(), left.end(), "configuration xp_cmdshell incompatible"), left.end()) << r->to_text();
  EXPECT_NE(r->to_text().find("sp_configure option 'xp_cmdshell' is not supported on a managed instance"),
            std::string::npos)
      << r->to_text();
  EXPECT_EQ(count(*pair.secondary, "SELECT CAST(value_in_use AS int) FROM sys.configurations WHERE name = "
                                   "N'cost threshold for parallelism'"),
            50);
  EXPECT_EQ(count(*pair.secondary, "SELECT COUNT(*) FROM msdb.dbo.sysjobs WHERE name = N'Ledger close'"), 1);
  const std::string text = r->to_text();
  EXPECT_NE(text.find("not converged"), std::string::npos) << text;
  EXPECT_NE(text.find("or approve a gate exception for it"), std::string::npos) << text;
  EXPECT_FALSE(r->to_json()["converged"].get<bool>());
  EXPECT_EQ(r->to_json()["exit_code"], 4);
  EXPECT_FALSE(r->audit_detail()["converged"].get<bool>());
  EXPECT_EQ(pair.last_run().status, "not_converged");

  // Accepted by a gate exception: the incompatible objects no longer keep it from converging.
  std::vector<AcceptedException> accepted;
  for (const auto& a : r->leftover) {
    if (a.block == Block::kIncompatible) accepted.push_back({a.kind, a.key, "exception of gate dr, approved by CAB-1"});
  }
  auto ok = pair.sync(true, {}, false, accepted);
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_TRUE(ok->converged) << ok->to_text();
  EXPECT_EQ(ok->exit_code(), 0) << ok->to_text();
  EXPECT_NE(ok->to_text().find("(accepted: exception of gate dr, approved by CAB-1)"), std::string::npos)
      << ok->to_text();
  EXPECT_EQ(pair.last_run().status, "converged");

  // Excluded from the run: the same.
  PlanOptions o;
  for (const auto& a : r->leftover) {
    if (a.block == Block::kIncompatible) o.exclude.push_back(a.key);
  }
  auto excluded = pair.sync(true, o);
  ASSERT_TRUE(excluded) << excluded.error().to_string();
  EXPECT_TRUE(excluded->converged) << excluded->to_text();
  EXPECT_EQ(excluded->exit_code(), 0) << excluded->to_text();
}

// Server configuration (sys.configurations): only the options compared by default, or those a
// pair lists; an option that is not dynamic is set but takes effect at a restart, which
// understudy never does — reported as such, and the next sync sends nothing.
// https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-configurations-transact-sql
TEST(Sync, ConfigurationNeedingARestartIsSetAndReportedNeverRestarted) {
  understudy::testing::TempDir fixtures;
  const json primary = {{"version", 1}, {"configuration", {{"remote access", 0}, {"max server memory (MB)", 4096}}}};
  SyncPair pair(emu::TestServerOptions{.fixture = understudy::testing::write_fixture(fixtures, "p", primary)}, testing::empty_secondary());
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->converged) << r->to_text();
  EXPECT_EQ(count(*pair.secondary, "SELECT CAST(value AS int) * 10 + CAST(value_in_use AS int) FROM sys.configurations "
                                   "WHERE name = N'remote access'"),
            1);  // configured 0, still 1 in use until a restart
  EXPECT_EQ(count(*pair.secondary, "SELECT CAST(value AS int) FROM sys.configurations WHERE name = N'max server memory (MB)'"),
            2147483647)
      << "memory is not compared unless the pair lists it";
  EXPECT_EQ(leftover_of(*r), (std::vector<std::string>{"configuration remote access unsupported"})) << r->to_text();
  EXPECT_NE(r->to_text().find("until the target restarts"), std::string::npos) << r->to_text();

  const uint64_t writes = pair.secondary->stats().writes;
  auto again = pair.sync(true);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->plan.summary().runnable(), 0) << again->plan.to_text();
  EXPECT_EQ(pair.secondary->stats().writes, writes) << "a restart is never attempted";
}

TEST(Sync, APairListsTheConfigurationOptionsItCompares) {
  understudy::testing::TempDir fixtures;
  const json primary = {{"version", 1}, {"configuration", {{"clr enabled", 1}, {"max server memory (MB)", 4096}}}};
  SyncPair pair(emu::TestServerOptions{.fixture = understudy::testing::write_fixture(fixtures, "p", primary)}, testing::empty_secondary(),
                SyncPair::default_secrets() + "[pairs.prod.include]\nconfiguration = ['max server memory (MB)']\n");
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->converged) << r->to_text();
  EXPECT_EQ(count(*pair.secondary, "SELECT CAST(value_in_use AS int) FROM sys.configurations WHERE name = N'max server memory (MB)'"),
            4096);
  EXPECT_EQ(count(*pair.secondary, "SELECT CAST(value AS int) FROM sys.configurations WHERE name = N'clr enabled'"), 0)
      << "an option the pair does not list is not compared";
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

// DROP LOGIN takes with it what the login holds (memberships, permissions granted to it) and what
// is granted ON it (IMPERSONATE ON LOGIN::[report_reader] TO [app_ledger_svc]: the securable is
// gone). The recreate re-adds every one of them as on the primary — none fewer.
TEST(Sync, RecreatedLoginGetsBackEveryMembershipAndPermissionHeldByOrGrantedOnIt) {
  understudy::testing::TempDir fx;
  const auto path = understudy::testing::write_fixture(fx, "s", sid_mismatch_secondary());
  SyncPair pair(testing::payments_primary(), {.fixture = path});
  {
    auto p = understudy::testing::connect_sa(*pair.primary);
    ASSERT_TRUE(p.execute("ALTER SERVER ROLE [payments_operators] ADD MEMBER [report_reader]"));
    ASSERT_TRUE(p.execute("GRANT VIEW ANY DATABASE TO [report_reader]"));
  }
  const std::string kHeld =
      "SELECT COUNT(*) FROM sys.server_permissions p JOIN sys.server_principals g ON g.principal_id = "
      "p.grantee_principal_id WHERE g.name = N'report_reader'";
  const std::string kOnIt =
      "SELECT COUNT(*) FROM sys.server_permissions p JOIN sys.server_principals s ON s.principal_id = p.major_id "
      "WHERE p.class = 101 AND s.name = N'report_reader' AND p.permission_name = N'IMPERSONATE'";
  const std::string kMember =
      "SELECT COUNT(*) FROM sys.server_role_members m JOIN sys.server_principals g ON g.principal_id = "
      "m.member_principal_id WHERE g.name = N'report_reader'";
  ASSERT_EQ(count(*pair.primary, kOnIt), 1);
  ASSERT_EQ(count(*pair.primary, kHeld), 3);  // CONNECT SQL, DENY VIEW SERVER STATE, GRANT VIEW ANY DATABASE
  ASSERT_EQ(count(*pair.primary, kMember), 1);
  const auto r = refuse_then_recreate(pair, "login report_reader needs --allow-recreate", [&] {
    EXPECT_EQ(count(*pair.secondary, kOnIt), 1) << "the refused sync granted it on the old login";
  });
  ASSERT_TRUE(r.fixed);
  EXPECT_EQ(count(*pair.secondary, kOnIt), 1) << r.fixed->plan.to_text();
  EXPECT_EQ(count(*pair.secondary, kHeld), 3) << r.fixed->plan.to_text();
  EXPECT_EQ(count(*pair.secondary, kMember), 1) << r.fixed->plan.to_text();
  const Action* again = action_for(r.fixed->plan, catalog::Kind::kServerPermission,
                                   "app_ledger_svc|SERVER_PRINCIPAL|report_reader|IMPERSONATE");
  ASSERT_NE(again, nullptr) << r.fixed->plan.to_text();
  EXPECT_EQ(again->reason, "re-added after the login is recreated");
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
  fail_next(*pair.secondary, "sp_add_operator", "sp_add_operator", "injected failure");
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->exit_code(), 4);
  EXPECT_GE(r->execution.failed, 1);
  EXPECT_NE(r->to_text().find("failed #"), std::string::npos);
  EXPECT_NE(r->to_text().find("agent_operator \"Payments DBA\": error 50001: "), std::string::npos) << r->to_text();
  // The re-read still finds the operator missing (and the jobs that notify it): not converged,
  // in the text, the JSON, the audit detail and the journal's run row alike.
  EXPECT_FALSE(r->converged) << r->to_text();
  EXPECT_NE(r->to_text().find("not converged"), std::string::npos) << r->to_text();
  EXPECT_FALSE(r->to_json()["converged"].get<bool>());
  EXPECT_FALSE(r->audit_detail()["converged"].get<bool>());
  EXPECT_EQ(pair.last_run().status, "not_converged");
  EXPECT_EQ(pair.last_run().summary["converged"], false);
  EXPECT_EQ(count(*pair.secondary, "SELECT COUNT(*) FROM sys.sql_logins WHERE name IN (N'app_settlement_svc', "
                                   "N'app_ledger_svc', N'report_reader', N'legacy_etl')"),
            4);
  auto again = pair.sync(true);  // the fault cleared: the rest follows
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->converged) << again->to_text();
}

// Another session changes the target while the apply runs: the verdict is the re-read's, so the
// sync's "converged" never contradicts the plan (diff) taken right after it. The change lands at
// a fixed point — when the run audits its intent, after the plan and before the first write — so
// the test does not race the apply: the intruder creates `report_reader` (another SID, disabled)
// that the plan was about to create; the guarded create leaves it, and the re-read finds it.
TEST(Sync, AConcurrentChangeOnTheTargetDuringTheApplyIsNotCalledConverged) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  auto intruder = understudy::testing::connect_sa(*pair.secondary, "intruder");
  bool altered = false;
  const config::Config cfg = pair.config();
  auto st = pair.store();
  SyncRequest req;
  req.pair = "prod";
  req.apply = true;
  req.who = "test";
  req.live_source = true;
  req.audit = [&](const std::string& action, const std::string&, const nlohmann::json&) -> Status {
    if (action != "sync.apply.start") return {};
    altered = static_cast<bool>(intruder.execute("CREATE LOGIN [report_reader] WITH PASSWORD = N'Intruder#Pw1'")) &&
              static_cast<bool>(intruder.execute("ALTER LOGIN [report_reader] DISABLE"));
    return {};
  };
  auto r = replay::sync(cfg, *st, req);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_TRUE(altered) << "the intruder's change did not run";
  auto after = pair.sync(false);
  ASSERT_TRUE(after) << after.error().to_string();
  EXPECT_GT(after->plan.summary().runnable() + after->plan.summary().blocked, 0) << after->plan.to_text();
  EXPECT_FALSE(r->converged) << r->to_text();
  EXPECT_EQ(r->exit_code(), 4) << r->to_text();
  EXPECT_EQ(pair.last_run().status, "planned");  // the dry run after it; the apply's row:
  auto j = Journal::open(*st);
  ASSERT_TRUE(j);
  auto runs = j->runs("prod", 2);
  ASSERT_TRUE(runs && runs->size() == 2);
  EXPECT_EQ(runs->back().status, "not_converged");
}

void drop_after(emu::TestServer& server, int64_t n) {
  auto& f = server.faults();
  std::lock_guard<std::mutex> lock(f.mu);
  f.drop_after_statements = n;
}

// The secondary lost during the first read or during the final verification read: exit 69,
// "secondary lost mid-run" — not 70 with a FreeTDS client error shown as "(SQL Server error
// 20017)", and not 4.
TEST(Sync, ASecondaryLostDuringEitherReadExits69) {
  // How many statements a read of the target, a dry run (roles + read) and an apply take on the
  // secondary (the plan is deterministic).
  uint64_t read = 0, dry = 0, apply = 0;
  {
    SyncPair probe(testing::payments_primary(), testing::empty_secondary());
    auto conn = understudy::testing::connect_sa(*probe.secondary, "probe");
    const uint64_t before = probe.secondary->stats().statements;
    ASSERT_TRUE(catalog::read_objects(conn));
    read = probe.secondary->stats().statements - before;
    const uint64_t before_dry = probe.secondary->stats().statements;
    ASSERT_TRUE(probe.sync(false));
    dry = probe.secondary->stats().statements - before_dry;
  }
  {
    SyncPair probe(testing::payments_primary(), testing::empty_secondary());
    const uint64_t before = probe.secondary->stats().statements;
    ASSERT_TRUE(probe.sync(true));
    apply = probe.secondary->stats().statements - before;
  }
  ASSERT_GE(dry, read);
  ASSERT_GT(apply, dry + read);
  {
    SyncPair pair(testing::payments_primary(), testing::empty_secondary());
    drop_after(*pair.secondary, static_cast<int64_t>(dry - read + 1));  // the first read's first statement
    auto r = pair.sync(true);
    drop_after(*pair.secondary, -1);
    ASSERT_FALSE(r) << r->to_text();
    EXPECT_EQ(r.error().exit_code(), 69) << r.error().to_string();
    EXPECT_EQ(r.error().message.rfind("secondary lost mid-run: ", 0), 0u) << r.error().to_string();
    EXPECT_EQ(r.error().to_string().find("SQL Server error"), std::string::npos) << r.error().to_string();
  }
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  drop_after(*pair.secondary, static_cast<int64_t>(apply - read + 1));  // the final read's first statement
  auto r = pair.sync(true);
  drop_after(*pair.secondary, -1);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->execution.failed, 0) << r->to_text();
  EXPECT_EQ(r->exit_code(), 69) << r->to_text();
  EXPECT_FALSE(r->converged);
  EXPECT_NE(r->to_text().find("run stopped: secondary lost mid-run: "), std::string::npos) << r->to_text();
  EXPECT_EQ(r->to_text().find("SQL Server error"), std::string::npos) << r->to_text();
  EXPECT_EQ(pair.last_run().status, "not_converged");
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
  // The login mapped to the blocked credential, and what hangs on that login, are blocked with
  // the root cause — never sent to fail with error 15151 (cannot find the credential/login).
  EXPECT_EQ(r->execution.failed, 0) << r->to_text();
  const Action* login = action_for(r->plan, catalog::Kind::kLogin, "app_ledger_svc");
  ASSERT_NE(login, nullptr) << r->plan.to_text();
  EXPECT_EQ(login->block, Block::kDependency);
  EXPECT_EQ(login->blocked, "depends on credential \"payments_backup_url\" (secret unknown)");
  EXPECT_NE(r->to_text().find("blocked login \"app_ledger_svc\": depends on credential \"payments_backup_url\" "
                              "(secret unknown)"),
            std::string::npos)
      << r->to_text();
  const Action* impersonate =
      action_for(r->plan, catalog::Kind::kServerPermission, "app_ledger_svc|SERVER_PRINCIPAL|report_reader|IMPERSONATE");
  ASSERT_NE(impersonate, nullptr) << r->plan.to_text();
  EXPECT_EQ(impersonate->block, Block::kDependency);
  EXPECT_EQ(impersonate->blocked, "depends on login \"app_ledger_svc\" (depends on credential \"payments_backup_url\" "
                                  "(secret unknown))");
  EXPECT_FALSE(r->converged);
}

// A create that fails at run time: what needs the object is not sent (reported blocked, naming
// it), so one failure is one failure, not a cascade of 15151s.
TEST(Sync, AFailedLoginBlocksWhatDependsOnIt) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  fail_next(*pair.secondary, "CREATE LOGIN \\[app_ledger_svc\\]", "CREATE LOGIN [app_ledger_svc]", "injected failure");
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->execution.failed, 1) << r->to_text();
  EXPECT_GE(r->execution.blocked, 1) << r->to_text();
  // The login and what depends on it were in one batch: the batch itself held them back
  // (Action::try_block's dependency check), not a second round trip.
  EXPECT_EQ(r->execution.batches, 1) << r->to_text();
  EXPECT_NE(r->to_text().find("depends on login \"app_ledger_svc\" (failed)"), std::string::npos) << r->to_text();
  EXPECT_EQ(r->to_text().find("15151"), std::string::npos) << r->to_text();
  EXPECT_FALSE(r->converged);
  EXPECT_EQ(r->exit_code(), 4);
  auto again = pair.sync(true);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_TRUE(again->converged) << again->to_text();
}

// One secret file open to others blocks the one action that needs it, with the reason; the
// configuration still loads and everything else is replayed.
TEST(Sync, AnOpenSecretFileBlocksOnlyTheActionThatNeedsIt) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  ASSERT_EQ(::chmod(pair.dir.file("ledger.secret").c_str(), 0604), 0);
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->exit_code(), 4) << r->to_text();
  EXPECT_EQ(r->execution.blocked, 1) << r->to_text();
  EXPECT_EQ(r->execution.failed, 0) << r->to_text();
  EXPECT_NE(r->to_text().find("blocked #"), std::string::npos) << r->to_text();
  EXPECT_NE(r->to_text().find("linked_server_login \"LEDGER_ARCHIVE|app_ledger_svc\": secret of "
                              "linked_server_login:LEDGER_ARCHIVE|app_ledger_svc file '" +
                              pair.dir.file("ledger.secret") + "' is accessible by group or others (mode 0604)"),
            std::string::npos)
      << r->to_text();
  EXPECT_EQ(count(*pair.secondary, "SELECT COUNT(*) FROM sys.credentials"), 1);
  EXPECT_EQ(count(*pair.secondary, "SELECT COUNT(*) FROM msdb.dbo.sysjobs"), 2);
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

// A server error quoting a piece of a secret (not the whole of it) is redacted wherever the text
// is kept or shown: the outcome, the text and JSON reports, the journal's sync_action row.
TEST(Sync, AFragmentOfASecretQuotedInAServerErrorIsRedacted) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  const std::string fragment = "sig=FIXTURE-SECRET";  // the tail of kCredentialSecret
  fail_next(*pair.secondary, "CREATE CREDENTIAL", "CREATE CREDENTIAL", "secret '" + fragment + "' rejected");
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_GE(r->execution.failed, 1) << r->to_text();
  const std::string seen = r->to_text() + r->to_json().dump();
  EXPECT_EQ(seen.find("FIXTURE-SECRET"), std::string::npos) << seen;
  EXPECT_NE(seen.find("secret '[redacted]' rejected"), std::string::npos) << r->to_text();
  const JournalRun run = pair.last_run();
  bool found = false;
  for (const auto& a : run.actions) {
    EXPECT_EQ(a.error_message.find("FIXTURE-SECRET"), std::string::npos) << a.error_message;
    found = found || a.error_message.find("secret '[redacted]' rejected") != std::string::npos;
  }
  EXPECT_TRUE(found) << "the failed credential's row";
  EXPECT_EQ(understudy::testing::slurp(pair.dir.file("understudy.db")).find("FIXTURE-SECRET"), std::string::npos);
  EXPECT_EQ(understudy::testing::slurp(pair.dir.file("understudy.db-wal")).find("FIXTURE-SECRET"), std::string::npos);
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
