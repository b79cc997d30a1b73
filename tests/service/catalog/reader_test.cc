// Catalog readers through the emulator over TDS: every field of every kind from fixture to
// objects exactly, default exclusions, filters, hostile names, scale, round trips, errors.
#include <gtest/gtest.h>

#include <map>

#include "all_kinds_fixture.h"
#include "catalog/canonical.h"
#include "catalog/key.h"
#include "catalog/reader.h"
#include "emu_util.h"
#include "store/store.h"

namespace understudy::catalog {
namespace {

using nlohmann::json;
using testing::TempDir;

std::string ops_hash() {
  std::string h = "0x0200";
  for (int i = 0; i < 68; ++i) h += "CD";
  return h;
}

json all_kinds() {
  auto f = testing::all_kinds_fixture();
  f["logins"][0]["password_hash"] = testing::app_hash();
  f["logins"][1]["password_hash"] = ops_hash();
  return f;
}

std::map<std::string, const ServerObject*> by_kind_key(const std::vector<ServerObject>& objects) {
  std::map<std::string, const ServerObject*> out;
  for (const auto& o : objects) out[std::string(kind_name(o.kind)) + " " + o.key] = &o;
  return out;
}

std::vector<std::string> keys_of(const std::vector<ServerObject>& objects, Kind kind) {
  std::vector<std::string> out;
  for (const auto& o : objects)
    if (o.kind == kind) out.push_back(o.key);
  return out;
}

const json kStepExtract = {
    {"step_id", 1}, {"step_name", "extract"}, {"subsystem", "CmdExec"}, {"command", "run.exe --all"},
    {"flags", 2}, {"additional_parameters", "-x"}, {"cmdexec_success_code", 3}, {"on_success_action", 4},
    {"on_success_step_id", 2}, {"on_fail_action", 3}, {"on_fail_step_id", 0}, {"server", "srv"},
    {"database_name", nullptr}, {"database_user_name", nullptr}, {"retry_attempts", 4}, {"retry_interval", 7},
    {"os_run_priority", 1}, {"output_file_name", "C:\\out.txt"}, {"proxy_name", "win_proxy"}};
const json kStepLoad = {
    {"step_id", 2}, {"step_name", "load"}, {"subsystem", "TSQL"}, {"command", "EXEC dbo.load;"}, {"flags", 0},
    {"additional_parameters", nullptr}, {"cmdexec_success_code", 0}, {"on_success_action", 1},
    {"on_success_step_id", 0}, {"on_fail_action", 2}, {"on_fail_step_id", 0}, {"server", nullptr},
    {"database_name", "master"}, {"database_user_name", "dbo"}, {"retry_attempts", 0}, {"retry_interval", 0},
    {"os_run_priority", 0}, {"output_file_name", nullptr}, {"proxy_name", nullptr}};

// Expected compared fields, by "kind key" (docs/object-model.md).
std::map<std::string, json> expected_fields() {
  return {
      {"credential cred_sas", {{"credential_identity", "SHARED ACCESS SIGNATURE"}, {"target_type", nullptr}}},
      {"credential cred_win", {{"credential_identity", "CONTOSO\\svc_agent"}, {"target_type", nullptr}}},
      {"server_role app_admins", {{"owner_name", "sa"}}},
      {"login app",
       {{"type", "S"}, {"type_desc", "SQL_LOGIN"}, {"sid", "0x0102030405060708090A0B0C0D0E0F10"},
        {"is_disabled", false}, {"default_database_name", "master"}, {"default_language_name", "Deutsch"},
        {"is_policy_checked", false}, {"is_expiration_checked", false}, {"deny_connect_sql", false},
        {"credential_name", "cred_sas"}}},
      {"login ops",
       {{"type", "S"}, {"type_desc", "SQL_LOGIN"}, {"sid", "0x1112131415161718191A1B1C1D1E1F20"},
        {"is_disabled", true}, {"default_database_name", "master"}, {"default_language_name", "us_english"},
        {"is_policy_checked", true}, {"is_expiration_checked", true}, {"deny_connect_sql", true},
        {"credential_name", nullptr}}},
      {"login CONTOSO\\dba",
       {{"type", "U"}, {"type_desc", "WINDOWS_LOGIN"}, {"sid", "(windows)"}, {"is_disabled", false},
        {"default_database_name", "tempdb"}, {"default_language_name", "us_english"}, {"is_policy_checked", nullptr},
        {"is_expiration_checked", nullptr}, {"deny_connect_sql", false}, {"credential_name", nullptr}}},
      {"login CONTOSO\\dbas",
       {{"type", "G"}, {"type_desc", "WINDOWS_GROUP"}, {"sid", "(windows)"}, {"is_disabled", false},
        {"default_database_name", "master"}, {"default_language_name", "us_english"}, {"is_policy_checked", nullptr},
        {"is_expiration_checked", nullptr}, {"deny_connect_sql", false}, {"credential_name", nullptr}}},
      {"server_role_member app_admins|app", {{"role_name", "app_admins"}, {"member_name", "app"}, {"member_type", "S"}}},
      {"server_role_member sysadmin|ops", {{"role_name", "sysadmin"}, {"member_name", "ops"}, {"member_type", "S"}}},
      {"server_permission app|SERVER||VIEW SERVER STATE",
       {{"grantee", "app"}, {"grantee_type", "S"}, {"class_desc", "SERVER"}, {"securable", ""},
        {"securable_type", nullptr}, {"permission_name", "VIEW SERVER STATE"}, {"type", "VWSS"}, {"state", "G"},
        {"state_desc", "GRANT"}}},
      {"server_permission app|SERVER_PRINCIPAL|ops|IMPERSONATE",
       {{"grantee", "app"}, {"grantee_type", "S"}, {"class_desc", "SERVER_PRINCIPAL"}, {"securable", "ops"},
        {"securable_type", "S"}, {"permission_name", "IMPERSONATE"}, {"type", "IM"}, {"state", "W"},
        {"state_desc", "GRANT_WITH_GRANT_OPTION"}}},
      {"server_permission app_admins|SERVER||ALTER ANY LOGIN",
       {{"grantee", "app_admins"}, {"grantee_type", "R"}, {"class_desc", "SERVER"}, {"securable", ""},
        {"securable_type", nullptr}, {"permission_name", "ALTER ANY LOGIN"}, {"type", "ALLG"}, {"state", "D"},
        {"state_desc", "DENY"}}},
      {"linked_server REMOTE1",
       {{"product", "SQL Server"}, {"provider", "MSOLEDBSQL"}, {"data_source", "remote1.example,1433"},
        {"location", "rack 4"}, {"provider_string", "Encrypt=yes"}, {"catalog", "sales"}, {"connect_timeout", 10},
        {"query_timeout", 20}, {"is_linked", true}, {"is_remote_login_enabled", true}, {"is_rpc_out_enabled", true},
        {"is_data_access_enabled", false}, {"is_collation_compatible", true}, {"uses_remote_collation", false},
        {"collation_name", nullptr}, {"lazy_schema_validation", true}, {"is_system", false},
        {"is_publisher", false}, {"is_subscriber", false}, {"is_distributor", false},
        {"is_nonsql_subscriber", false}, {"is_remote_proc_transaction_promotion_enabled", false}}},
      {"linked_server_login REMOTE1|",
       {{"linked_server", "REMOTE1"}, {"local_login", nullptr}, {"uses_self_credential", true},
        {"remote_name", nullptr}}},
      {"linked_server_login REMOTE1|app",
       {{"linked_server", "REMOTE1"}, {"local_login", "app"}, {"uses_self_credential", false},
        {"remote_name", "remote_app"}}},
      {"agent_category Nightly", {{"category_class", 1}, {"category_type", 1}}},
      {"agent_operator oncall",
       {{"enabled", false}, {"email_address", "a@example.com"}, {"pager_address", "p@example.com"},
        {"netsend_address", "ops-pc"}, {"weekday_pager_start_time", 80000}, {"weekday_pager_end_time", 170000},
        {"saturday_pager_start_time", 90000}, {"saturday_pager_end_time", 120000},
        {"sunday_pager_start_time", 100000}, {"sunday_pager_end_time", 110000}, {"pager_days", 65},
        {"category_name", "[Uncategorized]"}}},
      {"agent_proxy win_proxy",
       {{"credential_name", "cred_win"}, {"enabled", true}, {"description", "runs cmdexec"},
        {"granted_logins", nlohmann::json::array()}, {"granted_subsystems", nlohmann::json::array()}}},
      {"agent_schedule 11111111-2222-3333-4444-555555555555",
       {{"name", "Every 15 min"}, {"owner_login_name", "app"}, {"enabled", false}, {"freq_type", 4},
        {"freq_interval", 1}, {"freq_subday_type", 4}, {"freq_subday_interval", 15}, {"freq_relative_interval", 0},
        {"freq_recurrence_factor", 0}, {"active_start_date", 20250101}, {"active_end_date", 20301231},
        {"active_start_time", 60000}, {"active_end_time", 220000}}},
      {"agent_schedule AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE",
       {{"name", "Month end"}, {"owner_login_name", "sa"}, {"enabled", true}, {"freq_type", 32},
        {"freq_interval", 8}, {"freq_subday_type", 1}, {"freq_subday_interval", 0}, {"freq_relative_interval", 16},
        {"freq_recurrence_factor", 1}, {"active_start_date", nullptr}, {"active_end_date", 99991231},
        {"active_start_time", 0}, {"active_end_time", 235959}}},
      {"agent_job Load",
       {{"enabled", false}, {"description", "loads"}, {"category_name", "Nightly"}, {"owner_login_name", "app"},
        {"notify_level_eventlog", 3}, {"notify_level_email", 1}, {"notify_level_netsend", 2},
        {"notify_level_page", 3}, {"notify_email_operator_name", "oncall"},
        {"notify_netsend_operator_name", "oncall"}, {"notify_page_operator_name", "oncall"}, {"delete_level", 1},
        {"start_step_id", 2}, {"steps", json::array({kStepExtract, kStepLoad})},
        {"schedules", {"11111111-2222-3333-4444-555555555555", "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"}},
        {"servers", {"(local)"}}}},
  };
}

TEST(Reader, EveryFieldOfEveryKindRoundTripsFromTheFixture) {
  TempDir dir;
  emu::TestServer server({.fixture = testing::write_fixture(dir, "all", all_kinds())});
  auto conn = testing::connect_sa(server);
  auto objects = read_objects(conn);
  ASSERT_TRUE(objects.has_value()) << objects.error().to_string();
  auto got = by_kind_key(*objects);
  for (const auto& [name, fields] : expected_fields()) {
    SCOPED_TRACE(name);
    auto it = got.find(name);
    ASSERT_NE(it, got.end()) << "missing";
    json want = fields;
    if (want.contains("sid") && want["sid"] == "(windows)") want["sid"] = it->second->fields["sid"];
    EXPECT_EQ(it->second->fields, want);
    EXPECT_EQ(it->second->fingerprint.size(), 64u);
  }
  EXPECT_EQ(got.at("login app")->password_hash->reveal(), testing::app_hash());
  EXPECT_EQ(got.at("login ops")->password_hash->reveal(), ops_hash());
  EXPECT_FALSE(got.at("login CONTOSO\\dba")->password_hash.has_value());
  EXPECT_EQ(got.at("agent_job Idle")->fields["schedules"], json({"11111111-2222-3333-4444-555555555555"}));
  const auto& inst = got.at("instance instance")->fields;
  EXPECT_EQ(inst["server_name"], "UNDERSTUDY-EMU");
  EXPECT_EQ(inst["engine_edition"], 3);
  EXPECT_TRUE(inst["subsystems"].is_array());
  EXPECT_EQ(got.at("agent_job Load")->volatile_fields["step_uids"].size(), 2u);
}

TEST(Reader, EveryFieldSurvivesTheStoreExactly) {
  TempDir dir;
  emu::TestServer server({.fixture = testing::write_fixture(dir, "all", all_kinds())});
  auto conn = testing::connect_sa(server);
  auto objects = read_objects(conn).value();
  auto st = store::Store::open(dir.file("understudy.db")).value();
  auto info = st->save_snapshot({.instance = "primary"}, objects).value();
  auto loaded = st->load_objects(info.id, {.kind = std::nullopt, .with_password_hashes = true}).value();
  ASSERT_EQ(loaded.size(), objects.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    SCOPED_TRACE(objects[i].key);
    EXPECT_EQ(loaded[i].kind, objects[i].kind);
    EXPECT_EQ(loaded[i].key, objects[i].key);
    EXPECT_EQ(loaded[i].fields, objects[i].fields);
    EXPECT_EQ(loaded[i].volatile_fields, objects[i].volatile_fields);
    EXPECT_EQ(loaded[i].fingerprint, objects[i].fingerprint);
    EXPECT_EQ(loaded[i].password_hash, objects[i].password_hash);
  }
}

TEST(Reader, DefaultExclusionsDropSystemPrincipalsButKeepFixedRoleMemberships) {
  TempDir dir;
  auto f = all_kinds();
  f["logins"].push_back({{"name", "##MS_PolicyEventProcessingLogin##"}, {"type", "S"}, {"password", "x-Passw0rd!"}});
  f["logins"].push_back({{"name", "NT SERVICE\\SQLSERVERAGENT"}, {"type", "U"}});
  f["logins"].push_back({{"name", "NT AUTHORITY\\SYSTEM"}, {"type", "U"}});
  f["logins"].push_back({{"name", "BUILTIN\\Administrators"}, {"type", "G"}});
  f["server_roles"][1]["members"].push_back("NT SERVICE\\SQLSERVERAGENT");
  emu::TestServer server({.fixture = testing::write_fixture(dir, "excl", f)});
  auto conn = testing::connect_sa(server);
  auto objects = read_objects(conn).value();
  EXPECT_EQ(keys_of(objects, Kind::kLogin), (std::vector<std::string>{"app", "CONTOSO\\dba", "CONTOSO\\dbas", "ops"}));
  EXPECT_EQ(keys_of(objects, Kind::kServerRole), (std::vector<std::string>{"app_admins"}));
  EXPECT_EQ(keys_of(objects, Kind::kServerRoleMember), (std::vector<std::string>{"app_admins|app", "sysadmin|ops"}));
  for (const auto& k : keys_of(objects, Kind::kServerPermission)) EXPECT_NE(k.rfind("sa|", 0), 0u) << k;

  // Overridable: an include pattern keeps what a default exclusion drops.
  ReadOptions opts;
  opts.filters[Kind::kLogin].include = {"NT SERVICE\\*", "app"};
  auto some = read_objects(conn, opts).value();
  EXPECT_EQ(keys_of(some, Kind::kLogin), (std::vector<std::string>{"app", "NT SERVICE\\SQLSERVERAGENT"}));
  ReadOptions kinds_only;
  kinds_only.kinds = {Kind::kAgentJob};
  kinds_only.filters[Kind::kAgentJob].exclude = {"l*"};
  auto jobs = read_objects(conn, kinds_only).value();
  ASSERT_EQ(jobs.size(), 2u);  // the instance facts, and Idle
  EXPECT_EQ(jobs[1].key, "Idle");
}

TEST(Reader, EmptyInstanceHasOnlyFactsPublicGrantsAndItsComparedSettings) {
  emu::TestServer server({.fixture = emu::fixture_path("empty-secondary.json")});
  auto conn = testing::connect_sa(server);
  auto objects = read_objects(conn).value();
  ASSERT_FALSE(objects.empty());
  EXPECT_EQ(objects[0].kind, Kind::kInstance);
  // Every instance has its settings: the options compared by default (docs/object-model.md), no
  // memory or other machine-dependent one.
  EXPECT_EQ(keys_of(objects, Kind::kConfiguration),
            (std::vector<std::string>{"Ad Hoc Distributed Queries", "backup compression default", "clr enabled",
                                      "contained database authentication", "cost threshold for parallelism",
                                      "Database Mail XPs", "max degree of parallelism", "optimize for ad hoc workloads",
                                      "remote access", "xp_cmdshell"}));
  for (const auto& o : objects) {
    if (o.kind == Kind::kInstance || o.kind == Kind::kConfiguration) continue;
    EXPECT_EQ(o.kind, Kind::kServerPermission) << o.key;
    EXPECT_EQ(o.fields["grantee"], "public") << o.key;
  }
}

TEST(Reader, HostileNamesRoundTrip) {
  std::vector<std::string> names = {
      "a]b", "it's", "semi;colon -- DROP LOGIN sa", "pipe|and\\back", "  spaced  ", "\xC3\xA9t\xC3\xA9 \xE2\x9C\x93",
      "\xF0\x9F\x94\x91 key", std::string(128, 'x'), "[bracketed]", "percent%_under"};
  json f = {{"version", 1}, {"logins", json::array()}, {"server_roles", json::array()}, {"jobs", json::array()}};
  f["server_roles"].push_back({{"name", "role ]|\\ x"}, {"members", json::array()}});
  for (const auto& n : names) {
    f["logins"].push_back({{"name", n}, {"type", "S"}, {"password", "Hostile-Passw0rd!"}, {"check_policy", false}});
    f["server_roles"][0]["members"].push_back(n);
    f["jobs"].push_back({{"name", n}, {"steps", {{{"step_name", n}, {"command", "SELECT N'" + n + "'"}}}}});
  }
  TempDir dir;
  emu::TestServer server({.fixture = testing::write_fixture(dir, "hostile", f)});
  auto conn = testing::connect_sa(server);
  auto objects = read_objects(conn);
  ASSERT_TRUE(objects.has_value()) << objects.error().to_string();
  auto got = by_kind_key(*objects);
  for (const auto& n : names) {
    SCOPED_TRACE(n);
    ASSERT_TRUE(got.count("login " + n));
    ASSERT_TRUE(got.count("server_role_member " + make_key({"role ]|\\ x", n})));
    EXPECT_EQ(split_key(got.at("server_role_member " + make_key({"role ]|\\ x", n}))->key)[1], n);
    ASSERT_TRUE(got.count("agent_job " + n));
    EXPECT_EQ(got.at("agent_job " + n)->fields["steps"][0]["command"], "SELECT N'" + n + "'");
    EXPECT_EQ(got.at("agent_job " + n)->fields["steps"][0]["step_name"], n);
  }
}

// The reader writes each object's text directly (record.h); it must be byte for byte the text of
// the tree the same values make, in both forms, or content ids and fingerprints would depend on
// the path an object took. Hostile and mixed-case names exercise escaping and folding.
TEST(Reader, RecordTextIsTheTreeTextByteForByte) {
  auto f = all_kinds();
  std::vector<std::string> names = {"Mixed]Case", "it's \\ \"quoted\"", "\xC3\x89T\xC3\x89 \xE2\x9C\x93", "tab\there",
                                    std::string(128, 'Q')};
  for (const auto& n : names) {
    f["logins"].push_back({{"name", n}, {"type", "S"}, {"password", "Hostile-Passw0rd!"}, {"check_policy", false}});
    f["server_roles"][0]["members"].push_back(n);
    f["jobs"].push_back({{"name", n}, {"steps", {{{"step_name", n}, {"command", "SELECT N'" + n + "'"}, {"database_name", "Master"}}}}});
  }
  TempDir dir;
  emu::TestServer server({.fixture = testing::write_fixture(dir, "records", f)});
  auto conn = testing::connect_sa(server);
  size_t count = 0, folded = 0;
  auto st = read_records(conn, {}, [&](ObjectRecord& r) -> Status {
    SCOPED_TRACE(std::string(kind_name(r.kind)) + " " + r.key);
    json fields = json::parse(r.fields), vol = json::parse(r.volatile_fields);
    std::string text, canonical, vol_text;
    append_json_text(fields, text);
    append_canonical(fields, canonical);
    append_json_text(vol, vol_text);
    EXPECT_EQ(r.fields, text);
    EXPECT_EQ(r.canonical_text(), canonical);
    EXPECT_TRUE(r.canonical.empty() || r.canonical != r.fields);
    EXPECT_EQ(r.volatile_fields, vol_text);
    EXPECT_EQ(r.fields, fields.dump());
    auto o = r.to_object();
    EXPECT_TRUE(o.has_value());
    if (o) {
      EXPECT_EQ(o->fingerprint, r.compute_fingerprint());
      EXPECT_EQ(ObjectRecord::from_object(*o).canonical_text(), r.canonical_text());
    }
    folded += !r.canonical.empty();
    ++count;
    return {};
  });
  ASSERT_TRUE(st.has_value()) << st.error().to_string();
  EXPECT_GT(count, 40u);
  EXPECT_GT(folded, 10u);  // name fields with capitals: the canonical form differs
}

TEST(Reader, RoundTripsDoNotGrowWithTheObjectCount) {
  auto make = [](int n) {
    json f = {{"version", 1}, {"logins", json::array()}, {"server_roles", {{{"name", "bulk"}, {"members", json::array()}}}}};
    for (int i = 0; i < n; ++i) {
      std::string name = "login_" + std::to_string(i);
      f["logins"].push_back({{"name", name}, {"type", "S"}, {"password_hash", testing::app_hash()}});
      f["server_roles"][0]["members"].push_back(name);
    }
    return f;
  };
  TempDir dir;
  std::map<int, uint64_t> trips;
  // 7000 logins: 21,000 objects (logins, memberships, CONNECT SQL grants).
  for (int n : {10, 7000}) {
    emu::TestServer server({.fixture = testing::write_fixture(dir, "n" + std::to_string(n), make(n))});
    auto conn = testing::connect_sa(server);
    uint64_t before = testing::round_trips(server);
    auto objects = read_objects(conn);
    ASSERT_TRUE(objects.has_value()) << objects.error().to_string();
    trips[n] = testing::round_trips(server) - before;
    EXPECT_EQ(keys_of(*objects, Kind::kLogin).size(), static_cast<size_t>(n));
    EXPECT_EQ(keys_of(*objects, Kind::kServerRoleMember).size(), static_cast<size_t>(n));
  }
  EXPECT_EQ(trips[10], 1u);
  EXPECT_EQ(trips[7000], trips[10]);
}

TEST(Reader, AQueryFailingMidBatchIsAnErrorNamingIt) {
  emu::TestServer server({.fixture = emu::fixture_path("payments-primary.json")});
  {
    std::lock_guard lock(server.faults().mu);
    server.faults().fail_pattern = std::regex("sysjobsteps", std::regex::ECMAScript | std::regex::icase);
    server.faults().fail_pattern_text = "sysjobsteps";
    server.faults().fail_error = {.number = 1205, .state = 51, .severity = 13,
                                  .text = "Transaction (Process ID 52) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction."};
  }
  auto conn = testing::connect_sa(server);
  auto objects = read_objects(conn);
  ASSERT_FALSE(objects.has_value());
  EXPECT_EQ(objects.error().code, ErrorCode::kSql);
  EXPECT_EQ(objects.error().native, 1205);
}

}  // namespace
}  // namespace understudy::catalog

namespace understudy::catalog {
namespace {

// sysjobservers.server_id names a target server (msdb.dbo.systargetservers), not a sys.servers row:
// with a linked server and a target server both of id 1, the job is targeted at the target server.
// https://learn.microsoft.com/sql/relational-databases/system-tables/dbo-sysjobservers-transact-sql
// https://learn.microsoft.com/sql/relational-databases/system-tables/dbo-systargetservers-transact-sql
TEST(Reader, JobServersNameTargetServersNotLinkedServers) {
  TempDir dir;
  json f = {{"version", 1},
            {"linked_servers", json::array({{{"name", "LINKED_ONE"}, {"product", ""}, {"provider", "MSOLEDBSQL"},
                                             {"data_source", "one.contoso.local"}}})},
            {"target_servers", json::array({"TSX01"})},
            {"jobs", json::array({{{"name", "Fan out"}, {"servers", json::array({"(local)", "TSX01"})}}})}};
  emu::TestServer server({.fixture = testing::write_fixture(dir, "tsx", f)});
  auto conn = testing::connect_sa(server);
  auto objects = read_objects(conn);
  ASSERT_TRUE(objects.has_value()) << objects.error().to_string();
  EXPECT_EQ(by_kind_key(*objects).at("agent_job Fan out")->fields["servers"], json({"(local)", "TSX01"}));
}

// Class 108 permissions name their availability group (major_id is the group's local
// replica_metadata_id in sys.availability_replicas); two groups give two objects.
// https://learn.microsoft.com/sql/t-sql/statements/grant-availability-group-permissions-transact-sql
TEST(Reader, AvailabilityGroupPermissionsAreKeyedByTheGroupName) {
  TempDir dir;
  json f = {{"version", 1},
            {"logins", json::array({{{"name", "ag_operator"}, {"type", "S"}, {"password_hash", testing::app_hash()}}})},
            {"ha",
             {{"availability_groups", json::array({{{"group_id", "6A0C3D20-0000-4000-8000-000000000101"}, {"name", "ag one"}},
                                                   {{"group_id", "6A0C3D20-0000-4000-8000-000000000102"}, {"name", "ag two"}}})},
              {"availability_replicas",
               json::array({{{"replica_id", "6A0C3D20-0000-4000-8000-000000000201"},
                             {"group_id", "6A0C3D20-0000-4000-8000-000000000101"},
                             {"replica_server_name", "UNDERSTUDY-EMU"}},
                            {{"replica_id", "6A0C3D20-0000-4000-8000-000000000202"},
                             {"group_id", "6A0C3D20-0000-4000-8000-000000000102"},
                             {"replica_server_name", "UNDERSTUDY-EMU"}}})}}}};
  emu::TestServer server({.fixture = testing::write_fixture(dir, "ags", f)});
  auto conn = testing::connect_sa(server);
  ASSERT_TRUE(conn.execute("GRANT VIEW DEFINITION ON AVAILABILITY GROUP::[ag one] TO [ag_operator]; "
                           "GRANT VIEW DEFINITION ON AVAILABILITY GROUP::[ag two] TO [ag_operator];"));
  auto bad = conn.execute("GRANT VIEW DEFINITION ON AVAILABILITY GROUP::[no such ag] TO [ag_operator]");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().native, 15151);
  auto objects = read_objects(conn);
  ASSERT_TRUE(objects.has_value()) << objects.error().to_string();
  std::vector<std::string> securables;
  for (const auto& o : *objects) {
    if (o.kind == Kind::kServerPermission && o.fields["class_desc"] == "AVAILABILITY GROUP") {
      securables.push_back(o.fields["securable"].get<std::string>());
    }
  }
  std::sort(securables.begin(), securables.end());
  EXPECT_EQ(securables, (std::vector<std::string>{"ag one", "ag two"}));
}

}  // namespace
}  // namespace understudy::catalog

namespace understudy::catalog {
namespace {

// With fewer rights SQL Server shows less: password_hash NULL without CONTROL SERVER
// (LOGINPROPERTY), provider_string NULL without ALTER ANY LINKED SERVER. A snapshot read that way
// would make hashes and provider strings look changed: the reader refuses it (kPermission).
// https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-sql-logins-transact-sql
// https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-servers-transact-sql
// https://learn.microsoft.com/sql/t-sql/functions/has-perms-by-name-transact-sql
TEST(Reader, ALoginWithoutControlServerIsRefusedNotReadAsTheTruth) {
  TempDir dir;
  emu::TestServer server({.fixture = testing::write_fixture(dir, "all", all_kinds())});
  {
    auto sa = testing::connect_sa(server);
    ASSERT_TRUE(sa.execute("CREATE LOGIN [reader] WITH PASSWORD = N'Reader-Passw0rd!', CHECK_POLICY = OFF; "
                           "GRANT VIEW ANY DEFINITION TO [reader]; GRANT VIEW SERVER STATE TO [reader];"));
  }
  auto conn = odbc::Connection::connect({.connection_string = server.connection_string_without_password("reader"),
                                         .password = Secret(std::string("Reader-Passw0rd!")),
                                         .label = "reader"});
  ASSERT_TRUE(conn) << conn.error().to_string();
  auto rights = conn->query(
      "SELECT HAS_PERMS_BY_NAME(NULL, NULL, 'CONTROL SERVER'), HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW ANY DEFINITION'), "
      "HAS_PERMS_BY_NAME(NULL, NULL, 'ALTER ANY LINKED SERVER')");
  ASSERT_TRUE(rights && rights->rows.size() == 1) << (rights ? "" : rights.error().to_string());
  EXPECT_EQ(*odbc::as_int(rights->rows[0][0]), 0);
  EXPECT_EQ(*odbc::as_int(rights->rows[0][1]), 1);
  EXPECT_EQ(*odbc::as_int(rights->rows[0][2]), 0);
  auto hashes = conn->query("SELECT COUNT(*) FROM sys.sql_logins WHERE password_hash IS NOT NULL");
  ASSERT_TRUE(hashes) << hashes.error().to_string();
  EXPECT_EQ(*odbc::as_int(hashes->rows[0][0]), 0) << "password_hash needs CONTROL SERVER";
  auto provstr = conn->query("SELECT COUNT(*) FROM sys.servers WHERE provider_string IS NOT NULL");
  ASSERT_TRUE(provstr) << provstr.error().to_string();
  EXPECT_EQ(*odbc::as_int(provstr->rows[0][0]), 0) << "provider_string needs ALTER ANY LINKED SERVER";

  // Metadata visibility: with VIEW ANY DEFINITION every principal; without it, itself, the system
  // logins and the fixed roles. DMVs need VIEW SERVER STATE (error 300).
  auto others = conn->query("SELECT COUNT(*) FROM sys.server_principals WHERE name = N'app'");
  ASSERT_TRUE(others) << others.error().to_string();
  EXPECT_EQ(*odbc::as_int(others->rows[0][0]), 1);
  {
    auto sa = testing::connect_sa(server);
    ASSERT_TRUE(sa.execute("CREATE LOGIN [nobody] WITH PASSWORD = N'Nobody-Passw0rd!', CHECK_POLICY = OFF"));
  }
  auto nobody = odbc::Connection::connect({.connection_string = server.connection_string_without_password("nobody"),
                                           .password = Secret(std::string("Nobody-Passw0rd!")),
                                           .label = "nobody"});
  ASSERT_TRUE(nobody) << nobody.error().to_string();
  auto seen = nobody->query("SELECT COUNT(*) FROM sys.server_principals WHERE name IN (N'app', N'reader', N'nobody', N'sysadmin')");
  ASSERT_TRUE(seen) << seen.error().to_string();
  EXPECT_EQ(*odbc::as_int(seen->rows[0][0]), 2) << "itself and the fixed role";
  auto dmv = nobody->query("SELECT COUNT(*) FROM sys.dm_hadr_database_replica_states");
  ASSERT_FALSE(dmv);
  EXPECT_EQ(dmv.error().native, 300);

  auto objects = read_objects(*conn);
  ASSERT_FALSE(objects);
  EXPECT_EQ(objects.error().code, ErrorCode::kPermission);
  EXPECT_EQ(objects.error().message, "reader: the login cannot see every server-level object (it lacks CONTROL SERVER)");

  // CONTROL SERVER is enough: everything, hashes included, as sa sees it.
  {
    auto sa = testing::connect_sa(server);
    ASSERT_TRUE(sa.execute("GRANT CONTROL SERVER TO [reader]"));
  }
  auto full = read_objects(*conn);
  ASSERT_TRUE(full) << full.error().to_string();
  auto sa = testing::connect_sa(server);
  auto as_sa = read_objects(sa);
  ASSERT_TRUE(as_sa);
  auto got = by_kind_key(*full);
  EXPECT_EQ(got.at("login app")->password_hash->reveal(), testing::app_hash());
}

}  // namespace
}  // namespace understudy::catalog
