// plan_test.cc — the planner: which action and which T-SQL each finding yields (no SQL Server
// needed; the emulator tests in sync_test.cc run the same plans for real).
#include "../catalog/make_object.h"
#include "replay/planner.h"

#include <gtest/gtest.h>

#include "catalog/key.h"

namespace understudy::replay {
namespace {

using catalog::Kind;
using catalog::ServerObject;
using nlohmann::json;

using understudy::testing::make_object;

json sql_login(const std::string& sid, bool policy = false, bool disabled = false) {
  return {{"type", "S"}, {"type_desc", "SQL_LOGIN"}, {"sid", sid}, {"is_disabled", disabled},
          {"default_database_name", "master"}, {"default_language_name", nullptr},
          {"is_policy_checked", policy}, {"is_expiration_checked", false}, {"deny_connect_sql", false},
          {"credential_name", nullptr}};
}

ServerObject instance(int edition) {
  return make_object(Kind::kInstance, "instance", {{"engine_edition", edition}, {"subsystems", json::array({"tsql"})}});
}

const char* const kHash1 = "0x0200AABBCCDD";
const char* const kHash2 = "0x020011223344";

struct Fixture {
  std::vector<ServerObject> source, target;
  diff::Comparison drift;
  Plan plan(PlanOptions o = {}, std::map<std::string, std::string> w2e = {},
            std::function<bool(const tsql::SecretRef&)> known = nullptr) {
    drift = diff::compare(source, target);
    PlanInput in;
    in.pair = "payments";
    in.target = "secondary";
    in.created_at = "2026-11-27T07:00:00Z";
    in.source = source;
    in.target_objects = target;
    in.drift = &drift;
    in.windows_to_entra = std::move(w2e);
    in.secret_known = std::move(known);
    return build_plan(in, o).value();
  }
};

std::vector<std::string> sql_of(const Action& a) {
  std::vector<std::string> out;
  for (const auto& s : a.statements) out.push_back(s.sql.render_redacted());
  return out;
}

TEST(Planner, MissingSqlLoginIsCreatedWithHashSidAndPolicyRestored) {
  Fixture f;
  f.source = {instance(3), make_object(Kind::kLogin, "app", sql_login("0x01AB", true, true), kHash1)};
  f.target = {instance(3)};
  const Plan p = f.plan();
  ASSERT_EQ(p.actions.size(), 1u);
  const Action& a = p.actions[0];
  EXPECT_EQ(a.op, Operation::kCreate);
  EXPECT_EQ(a.reason, "missing on the target");
  EXPECT_TRUE(a.runnable());
  EXPECT_TRUE(a.needs_secret());
  EXPECT_EQ(sql_of(a), (std::vector<std::string>{
                           "CREATE LOGIN [app] WITH PASSWORD = N'<secret:password_hash:app>' HASHED, SID = 0x01AB, "
                           "DEFAULT_DATABASE = [master], CHECK_POLICY = OFF, CHECK_EXPIRATION = OFF;",
                           "ALTER LOGIN [app] WITH CHECK_POLICY = ON, CHECK_EXPIRATION = OFF;",
                           "ALTER LOGIN [app] DISABLE;"}));
  EXPECT_EQ(a.skip_if.render_redacted(), "EXISTS (SELECT 1 FROM sys.server_principals WHERE name = N'app')");
}

TEST(Planner, PasswordChangeSwitchesPolicyOffAndBack) {
  Fixture f;
  f.source = {instance(3), make_object(Kind::kLogin, "app", sql_login("0x01AB", true), kHash1)};
  f.target = {instance(3), make_object(Kind::kLogin, "app", sql_login("0x01AB", true), kHash2)};
  const Plan p = f.plan();
  ASSERT_EQ(p.actions.size(), 1u);
  EXPECT_EQ(p.actions[0].op, Operation::kAlter);
  EXPECT_EQ(p.actions[0].reason, "different: password_hash");
  EXPECT_EQ(sql_of(p.actions[0]), (std::vector<std::string>{
                                      "ALTER LOGIN [app] WITH CHECK_POLICY = OFF;",
                                      "ALTER LOGIN [app] WITH PASSWORD = N'<secret:password_hash:app>' HASHED;",
                                      "ALTER LOGIN [app] WITH CHECK_POLICY = ON, CHECK_EXPIRATION = OFF;"}));
}

TEST(Planner, LoginFieldsAlterInPlace) {
  Fixture f;
  json src = sql_login("0x01AB");
  src["default_database_name"] = "payments";
  src["is_disabled"] = false;
  json tgt = sql_login("0x01AB", false, true);
  f.source = {instance(3), make_object(Kind::kLogin, "app", src, kHash1)};
  f.target = {instance(3), make_object(Kind::kLogin, "app", tgt, kHash1)};
  const Plan p = f.plan();
  ASSERT_EQ(p.actions.size(), 1u);
  EXPECT_FALSE(p.actions[0].needs_secret());
  EXPECT_EQ(sql_of(p.actions[0]), (std::vector<std::string>{"ALTER LOGIN [app] WITH DEFAULT_DATABASE = [payments];",
                                                             "ALTER LOGIN [app] ENABLE;"}));
}

TEST(Planner, SidMismatchNeedsAllowRecreate) {
  Fixture f;
  f.source = {instance(3), make_object(Kind::kLogin, "app", sql_login("0x01AB"), kHash1),
              make_object(Kind::kServerRoleMember, catalog::make_key({"ops", "app"}),
                  {{"role_name", "ops"}, {"member_name", "app"}, {"member_type", "S"}})};
  f.target = {instance(3), make_object(Kind::kLogin, "app", sql_login("0x99FF"), kHash1),
              make_object(Kind::kServerRoleMember, catalog::make_key({"ops", "app"}),
                  {{"role_name", "ops"}, {"member_name", "app"}, {"member_type", "S"}})};
  const Plan refused = f.plan();
  ASSERT_EQ(refused.actions.size(), 1u);
  EXPECT_EQ(refused.actions[0].block, Block::kNeedsRecreate);
  EXPECT_EQ(refused.actions[0].blocked,
            "a sid mismatch cannot be fixed in place: database users mapped by sid stay orphaned");
  EXPECT_FALSE(refused.actions[0].runnable());

  PlanOptions o;
  o.allow_recreate = true;
  const Plan p = f.plan(o);
  ASSERT_EQ(p.actions.size(), 2u);
  EXPECT_EQ(p.actions[0].op, Operation::kCreate);
  EXPECT_EQ(p.actions[0].reason, "drop and recreate with the source's sid");
  EXPECT_EQ(p.actions[0].loses.size(), 2u);
  EXPECT_EQ(sql_of(p.actions[0])[0], "DROP LOGIN [app];");
  EXPECT_EQ(sql_of(p.actions[0])[1].substr(0, 20), "CREATE LOGIN [app] W");
  EXPECT_EQ(sql_of(p.actions[1]), std::vector<std::string>{"ALTER SERVER ROLE [ops] ADD MEMBER [app];"});
}

TEST(Planner, ExtrasAreKeptUnlessPruned) {
  Fixture f;
  f.source = {instance(3)};
  f.target = {instance(3), make_object(Kind::kLogin, "stray", sql_login("0x02"), kHash1)};
  const Plan kept = f.plan();
  ASSERT_EQ(kept.actions.size(), 1u);
  EXPECT_EQ(kept.actions[0].block, Block::kExtraKept);
  EXPECT_EQ(kept.actions[0].advice, "rerun with --prune disable or --prune drop");
  EXPECT_TRUE(kept.empty());

  PlanOptions o;
  o.prune = PlanOptions::Prune::kDisable;
  EXPECT_EQ(sql_of(f.plan(o).actions[0]), std::vector<std::string>{"ALTER LOGIN [stray] DISABLE;"});
  o.prune = PlanOptions::Prune::kDrop;
  EXPECT_EQ(sql_of(f.plan(o).actions[0]), std::vector<std::string>{"DROP LOGIN [stray];"});
}

TEST(Planner, ManagedInstanceListsWindowsLoginsAndMapsToEntra) {
  Fixture f;
  json win = sql_login("0x0105");
  win["type"] = "U";
  win["type_desc"] = "WINDOWS_LOGIN";
  win["is_policy_checked"] = nullptr;
  win["is_expiration_checked"] = nullptr;
  f.source = {instance(3), make_object(Kind::kLogin, "CONTOSO\\batch", win), make_object(Kind::kLogin, "CONTOSO\\other", win)};
  f.target = {instance(8)};
  const Plan p = f.plan({}, {{"contoso\\batch", "batch@contoso.com"}});
  EXPECT_TRUE(p.target_is_managed_instance);
  ASSERT_EQ(p.actions.size(), 3u);
  EXPECT_EQ(p.actions[0].key, "batch@contoso.com");
  EXPECT_EQ(sql_of(p.actions[0]), (std::vector<std::string>{"CREATE LOGIN [batch@contoso.com] FROM EXTERNAL PROVIDER;",
                                                             "ALTER LOGIN [batch@contoso.com] WITH DEFAULT_DATABASE = [master];"}));
  EXPECT_EQ(p.actions[1].block, Block::kIncompatible);
  EXPECT_EQ(p.actions[1].advice, "mapped to the entra login batch@contoso.com (windows_to_entra)");
  EXPECT_EQ(p.actions[2].block, Block::kIncompatible);
  EXPECT_EQ(p.actions[2].blocked, "windows logins are not supported on a managed instance");
  const Summary s = p.summary();
  EXPECT_EQ(s.create, 1);
  EXPECT_EQ(s.incompatible, 2);
}

TEST(Planner, CredentialWithoutSecretIsBlockedNeverBlank) {
  Fixture f;
  f.source = {instance(3), make_object(Kind::kCredential, "backup", {{"credential_identity", "SHARED ACCESS SIGNATURE"},
                                                             {"target_type", nullptr}})};
  f.target = {instance(3)};
  const Plan blocked = f.plan({}, {}, [](const tsql::SecretRef&) { return false; });
  ASSERT_EQ(blocked.actions.size(), 1u);
  EXPECT_EQ(blocked.actions[0].block, Block::kSecretUnknown);
  EXPECT_EQ(blocked.actions[0].blocked, "secret unknown: credential:backup");
  const Plan ok = f.plan({}, {}, [](const tsql::SecretRef&) { return true; });
  EXPECT_EQ(sql_of(ok.actions[0]), std::vector<std::string>{
                                       "CREATE CREDENTIAL [backup] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', "
                                       "SECRET = N'<secret:credential:backup>';"});
}

json step(int id, const std::string& name, const std::string& command) {
  return {{"step_id", id}, {"step_name", name}, {"subsystem", "TSQL"}, {"command", command},
          {"database_name", "master"}, {"database_user_name", nullptr}, {"on_success_action", 1},
          {"on_success_step_id", 0}, {"on_fail_action", 2}, {"on_fail_step_id", 0}, {"retry_attempts", 0},
          {"retry_interval", 0}, {"os_run_priority", 0}, {"output_file_name", nullptr}, {"flags", 0},
          {"cmdexec_success_code", 0}, {"additional_parameters", nullptr}, {"server", nullptr}, {"proxy_name", nullptr}};
}

json job(json steps, json schedules) {
  return {{"enabled", true}, {"description", "d"}, {"category_name", nullptr}, {"owner_login_name", "sa"},
          {"notify_level_eventlog", 0}, {"notify_level_email", 0}, {"notify_level_netsend", 0},
          {"notify_level_page", 0}, {"notify_email_operator_name", nullptr}, {"notify_netsend_operator_name", nullptr},
          {"notify_page_operator_name", nullptr}, {"delete_level", 0}, {"start_step_id", 1}, {"steps", steps},
          {"schedules", schedules}, {"servers", json::array({"(local)"})}};
}

const char* const kUid = "631B3284-8CFF-4234-A40E-00A2A098FAC8";

TEST(Planner, MissingJobIsOneTransactionWithStepsSchedulesAndServer) {
  Fixture f;
  f.source = {instance(3), make_object(Kind::kAgentJob, "j'1", job(json::array({step(1, "s]1", "SELECT 1;")}), json::array({kUid})))};
  f.target = {instance(3)};
  const Plan p = f.plan();
  ASSERT_EQ(p.actions.size(), 1u);
  EXPECT_TRUE(p.actions[0].transactional);
  EXPECT_EQ(sql_of(p.actions[0]),
            (std::vector<std::string>{
                "EXEC @rc = msdb.dbo.sp_add_job @job_name = N'j''1', @enabled = 1, @description = N'd', "
                "@owner_login_name = N'sa', @notify_level_eventlog = 0, @notify_level_email = 0, "
                "@notify_level_netsend = 0, @notify_level_page = 0, @delete_level = 0;",
                "EXEC @rc = msdb.dbo.sp_add_jobstep @job_name = N'j''1', @step_id = 1, @step_name = N's]1', "
                "@subsystem = N'TSQL', @command = N'SELECT 1;', @additional_parameters = NULL, "
                "@cmdexec_success_code = 0, @on_success_action = 1, @on_success_step_id = 0, @on_fail_action = 2, "
                "@on_fail_step_id = 0, @server = NULL, @database_name = N'master', @database_user_name = NULL, "
                "@retry_attempts = 0, @retry_interval = 0, @os_run_priority = 0, @output_file_name = NULL, "
                "@flags = 0, @proxy_name = NULL;",
                "SET @us_id = NULL;\nSELECT @us_id = schedule_id FROM msdb.dbo.sysschedules WHERE schedule_uid = "
                "N'631B3284-8CFF-4234-A40E-00A2A098FAC8';",
                "EXEC @rc = msdb.dbo.sp_attach_schedule @job_name = N'j''1', @schedule_id = @us_id;",
                "EXEC @rc = msdb.dbo.sp_add_jobserver @job_name = N'j''1', @server_name = N'(local)';"}));
  const std::string batch = p.actions[0].batch().render_redacted();
  EXPECT_NE(batch.find("SET XACT_ABORT ON;\n"), std::string::npos);
  EXPECT_NE(batch.find("IF EXISTS (SELECT 1 FROM msdb.dbo.sysjobs WHERE name = N'j''1') RETURN;\nBEGIN TRANSACTION;\n"),
            std::string::npos);
  EXPECT_NE(batch.find("IF @rc <> 0 GOTO us_fail;\nCOMMIT TRANSACTION;\nRETURN;\nus_fail:\nIF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;"),
            std::string::npos);
}

TEST(Planner, JobAlterUpdatesStepsAndAttachments) {
  Fixture f;
  f.source = {instance(3), make_object(Kind::kAgentJob, "j", job(json::array({step(1, "a", "SELECT 2;")}), json::array()))};
  f.target = {instance(3), make_object(Kind::kAgentJob, "j",
                               job(json::array({step(1, "a", "SELECT 1;"), step(2, "b", "SELECT 3;")}),
                                   json::array({kUid})))};
  const auto stmts = sql_of(f.plan().actions[0]);
  ASSERT_EQ(stmts.size(), 5u);
  EXPECT_EQ(stmts[0].substr(0, 80), "EXEC @rc = msdb.dbo.sp_update_jobstep @job_name = N'j', @step_id = 1, @step_name");
  EXPECT_EQ(stmts[1], "EXEC @rc = msdb.dbo.sp_delete_jobstep @job_name = N'j', @step_id = 2;");
  EXPECT_EQ(stmts[2], "EXEC @rc = msdb.dbo.sp_update_job @job_name = N'j', @start_step_id = 1;");
  EXPECT_EQ(stmts[4], "EXEC @rc = msdb.dbo.sp_detach_schedule @job_name = N'j', @schedule_id = @us_id, "
                      "@delete_unused_schedule = 0;");
}

TEST(Planner, LinkedServersRunOutsideTransactionsAndDropTheDefaultMapping) {
  Fixture f;
  json ls = {{"product", "SQL Server"}, {"provider", "SQLNCLI"}, {"data_source", "h,1433"}, {"location", nullptr},
             {"provider_string", nullptr}, {"catalog", nullptr}, {"connect_timeout", 0}, {"query_timeout", 0},
             {"is_rpc_out_enabled", true}, {"collation_name", nullptr}};
  f.source = {instance(3), make_object(Kind::kLinkedServer, "LS", ls),
              make_object(Kind::kLinkedServerLogin, catalog::make_key({"LS", "app"}),
                  {{"linked_server", "LS"}, {"local_login", "app"}, {"uses_self_credential", false},
                   {"remote_name", "r"}})};
  f.target = {instance(3)};
  const Plan p = f.plan();
  ASSERT_EQ(p.actions.size(), 2u);
  EXPECT_FALSE(p.actions[0].transactional);
  const auto ls_sql = sql_of(p.actions[0]);
  // Product 'SQL Server' takes no provider or data source (error 15428): created by its name, then
  // its network name set with sp_setnetname.
  // https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-addlinkedserver-transact-sql
  EXPECT_EQ(ls_sql.front(), "EXEC @rc = master.dbo.sp_addlinkedserver @server = N'LS', @srvproduct = N'SQL Server';");
  EXPECT_EQ(ls_sql.at(1), "EXEC @rc = master.dbo.sp_setnetname @server = N'LS', @netname = N'h,1433';");
  EXPECT_EQ(ls_sql.back(), "EXEC @rc = master.dbo.sp_droplinkedsrvlogin @rmtsrvname = N'LS', @locallogin = NULL;");
  EXPECT_EQ(sql_of(p.actions[1]), std::vector<std::string>{
                                      "EXEC @rc = master.dbo.sp_addlinkedsrvlogin @rmtsrvname = N'LS', @useself = "
                                      "'FALSE', @locallogin = N'app', @rmtuser = N'r', @rmtpassword = "
                                      "N'<secret:linked_server_login:LS|app>';"});
  EXPECT_EQ(p.actions[0].batch().render_redacted().find("BEGIN TRANSACTION"), std::string::npos);
}

json linked(const std::string& provider, const std::string& source, bool rpc_out = true) {
  return {{"product", ""}, {"provider", provider}, {"data_source", source}, {"location", nullptr},
          {"provider_string", nullptr}, {"catalog", "c"}, {"connect_timeout", 0}, {"query_timeout", 0},
          {"is_rpc_out_enabled", rpc_out}, {"collation_name", nullptr}};
}

ServerObject mapping(const std::string& local, const std::string& remote) {
  return make_object(Kind::kLinkedServerLogin, catalog::make_key({"LS", local}),
                     {{"linked_server", "LS"}, {"local_login", local}, {"uses_self_credential", false},
                      {"remote_name", remote}});
}

TEST(Planner, LinkedServerDefinitionChangeNeedsAllowRecreate) {
  Fixture f;
  f.source = {instance(3), make_object(Kind::kLinkedServer, "LS", linked("SQLNCLI", "h,1433")), mapping("app", "r")};
  f.target = {instance(3), make_object(Kind::kLinkedServer, "ls", linked("MSOLEDBSQL", "other,1433")),
              mapping("app", "r"), mapping("old", "x")};
  const Plan refused = f.plan();
  ASSERT_EQ(refused.actions.size(), 2u);
  const Action& r = refused.actions[0];
  EXPECT_EQ(r.kind, Kind::kLinkedServer);
  EXPECT_EQ(r.op, Operation::kSkip);
  EXPECT_EQ(r.block, Block::kNeedsRecreate);
  EXPECT_EQ(r.blocked, "linked server provider, data_source differ and cannot be changed in place");
  EXPECT_EQ(r.advice, "rerun with --allow-recreate to drop the target linked server and create it as on the primary");
  EXPECT_TRUE(r.statements.empty());
  EXPECT_EQ(refused.actions[1].block, Block::kExtraKept);  // LS|old

  PlanOptions o;
  o.allow_recreate = true;
  const Plan p = f.plan(o);
  ASSERT_EQ(p.actions.size(), 3u) << p.to_text();
  const Action& a = p.actions[0];
  EXPECT_EQ(a.op, Operation::kCreate);
  EXPECT_TRUE(a.runnable());
  EXPECT_FALSE(a.transactional);
  EXPECT_EQ(a.reason, "drop and recreate: provider, data_source differ");
  EXPECT_EQ(a.loses, (std::vector<std::string>{
                         "the target linked server's own login mappings (the plan re-adds the source's; remote "
                         "passwords come from the secrets source)",
                         "sessions and queries using the linked server while it is dropped"}));
  const auto stmts = sql_of(a);
  ASSERT_GE(stmts.size(), 3u);
  EXPECT_EQ(stmts[0], "EXEC @rc = master.dbo.sp_dropserver @server = N'ls', @droplogins = 'droplogins';");
  EXPECT_EQ(stmts[1], "EXEC @rc = master.dbo.sp_addlinkedserver @server = N'LS', @srvproduct = N'', "
                      "@provider = N'SQLNCLI', @datasrc = N'h,1433', @location = NULL, @provstr = NULL, "
                      "@catalog = N'c';");
  EXPECT_EQ(stmts.back(), "EXEC @rc = master.dbo.sp_droplinkedsrvlogin @rmtsrvname = N'LS', @locallogin = NULL;");
  EXPECT_EQ(p.actions[1].key, "LS|old");
  EXPECT_EQ(p.actions[1].op, Operation::kSkip);
  const Action& m = p.actions[2];
  EXPECT_EQ(m.key, "LS|app");
  EXPECT_EQ(m.reason, "re-added after the linked server is recreated");
  EXPECT_EQ(sql_of(m), std::vector<std::string>{
                           "EXEC @rc = master.dbo.sp_addlinkedsrvlogin @rmtsrvname = N'LS', @useself = 'FALSE', "
                           "@locallogin = N'app', @rmtuser = N'r', @rmtpassword = "
                           "N'<secret:linked_server_login:LS|app>';"});

  // The target's own mapping goes with the drop: even --prune drop has nothing left to drop.
  o.prune = PlanOptions::Prune::kDrop;
  const Plan pruned = f.plan(o);
  ASSERT_EQ(pruned.actions.size(), 3u) << pruned.to_text();
  EXPECT_EQ(pruned.actions[1].key, "LS|old");
  EXPECT_EQ(pruned.actions[1].op, Operation::kSkip);
  EXPECT_EQ(pruned.actions[1].block, Block::kNone);
  EXPECT_EQ(pruned.actions[1].reason, "exists only on the target; dropped with its linked server, which is recreated");
  o.prune = PlanOptions::Prune::kNone;

  // The re-added mapping's remote password follows the secrets rules of any create.
  const Plan unknown = f.plan(o, {}, [](const tsql::SecretRef&) { return false; });
  EXPECT_TRUE(unknown.actions[0].runnable());
  EXPECT_EQ(unknown.actions[2].block, Block::kSecretUnknown);
  EXPECT_EQ(unknown.actions[2].blocked, "secret unknown: linked_server_login:LS|app");
}

TEST(Planner, LinkedServerOptionChangesStayInPlace) {
  Fixture f;
  f.source = {instance(3), make_object(Kind::kLinkedServer, "LS", linked("SQLNCLI", "h,1433", true))};
  f.target = {instance(3), make_object(Kind::kLinkedServer, "LS", linked("SQLNCLI", "h,1433", false))};
  const Plan p = f.plan();
  ASSERT_EQ(p.actions.size(), 1u);
  EXPECT_EQ(p.actions[0].op, Operation::kAlter);
  EXPECT_EQ(sql_of(p.actions[0]), std::vector<std::string>{
                                      "EXEC @rc = master.dbo.sp_serveroption @server = N'LS', @optname = 'rpc out', "
                                      "@optvalue = N'true';"});
}

TEST(Planner, DependencyOrderAndFilters) {
  Fixture f;
  f.source = {instance(3),
              make_object(Kind::kAgentJob, "j", job(json::array(), json::array())),
              make_object(Kind::kServerRole, "r", {{"owner_name", "sa"}}),
              make_object(Kind::kLogin, "app", sql_login("0x01"), kHash1),
              make_object(Kind::kCredential, "c", {{"credential_identity", "i"}, {"target_type", nullptr}})};
  f.target = {instance(3)};
  std::vector<std::string> order;
  for (const auto& a : f.plan().actions) order.push_back(std::string(catalog::kind_name(a.kind)));
  EXPECT_EQ(order, (std::vector<std::string>{"credential", "login", "server_role", "agent_job"}));
  PlanOptions o;
  o.kinds = {Kind::kLogin, Kind::kAgentJob};
  o.exclude = {"J*"};
  const Plan narrowed = f.plan(o);
  ASSERT_EQ(narrowed.actions.size(), 1u);
  EXPECT_EQ(narrowed.actions[0].key, "app");
}

TEST(Planner, HostileNamesAreQuotedAndTooLongNamesBlock) {
  Fixture f;
  const std::string hostile = "x]; DROP LOGIN sa; --'\xF0\x9F\x90\x98";
  f.source = {instance(3), make_object(Kind::kServerRole, hostile, {{"owner_name", "sa"}}),
              make_object(Kind::kServerRole, std::string(129, 'r'), {{"owner_name", "sa"}})};
  f.target = {instance(3)};
  const Plan p = f.plan();
  ASSERT_EQ(p.actions.size(), 2u);
  const Action& hostile_action = p.actions[0].key == hostile ? p.actions[0] : p.actions[1];
  const Action& long_action = p.actions[0].key == hostile ? p.actions[1] : p.actions[0];
  EXPECT_EQ(sql_of(hostile_action), std::vector<std::string>{
                                        "CREATE SERVER ROLE [x]]; DROP LOGIN sa; --'\xF0\x9F\x90\x98] AUTHORIZATION [sa];"});
  EXPECT_EQ(long_action.block, Block::kUnsupported);
  EXPECT_EQ(long_action.blocked, "identifier of 129 characters exceeds 128");
}

TEST(Plan, RoundTripsThroughJsonWithoutSecrets) {
  Fixture f;
  f.source = {instance(3), make_object(Kind::kLogin, "app", sql_login("0x01AB", true, true), kHash1),
              make_object(Kind::kAgentJob, "j", job(json::array({step(1, "s", "SELECT 1;")}), json::array({kUid})))};
  f.target = {instance(3), make_object(Kind::kLogin, "stray", sql_login("0x02"), kHash2)};
  const Plan p = f.plan();
  const json j = to_json(p);
  const std::string text = j.dump();
  EXPECT_EQ(text.find("AABBCCDD"), std::string::npos);
  EXPECT_EQ(p.to_text().find("AABBCCDD"), std::string::npos);
  auto back = plan_from_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(to_json(*back), j);
  EXPECT_EQ(back->actions[1].batch(), p.actions[1].batch());
  EXPECT_EQ(plan_from_json(json::object({{"version", 2}})).error().message, "unsupported plan version 2");
}

}  // namespace
}  // namespace understudy::replay
