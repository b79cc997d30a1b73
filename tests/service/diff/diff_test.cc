// Drift: every category, severities, field changes, target facts, stable order.
#include <gtest/gtest.h>

#include "../catalog/make_object.h"
#include "diff/diff.h"

namespace understudy::diff {
namespace {

using catalog::Kind;
using catalog::ServerObject;
using nlohmann::json;

using understudy::testing::make_object;

ServerObject login(std::string name, std::string sid = "0x11", std::string hash = "0x0200AA", json extra = json::object()) {
  json f = {{"type", "S"}, {"sid", sid}, {"is_disabled", false}, {"default_database_name", "master"}};
  f.update(extra);
  return make_object(Kind::kLogin, std::move(name), f, hash);
}

ServerObject instance(int edition, std::vector<std::string> subsystems) {
  return make_object(Kind::kInstance, "instance", {{"engine_edition", edition}, {"subsystems", subsystems}});
}

ServerObject job(std::string name, std::string subsystem, std::string command = "SELECT 1") {
  return make_object(Kind::kAgentJob, std::move(name),
             {{"enabled", true},
              {"owner_login_name", "sa"},
              {"steps", json::array({{{"step_id", 1}, {"step_name", "s1"}, {"subsystem", subsystem}, {"command", command}, {"proxy_name", nullptr}}})}});
}

std::string summary(const Comparison& c) {
  std::string out;
  for (const auto& f : c.findings) {
    out += std::string(catalog::kind_name(f.kind)) + " " + f.key + ": " + std::string(category_name(f.category)) + "/" +
           std::string(severity_name(f.severity));
    for (const auto& ch : f.changes) out += " " + ch.field + "=" + ch.before.dump() + "->" + ch.after.dump();
    out += "\n";
  }
  return out;
}

TEST(Diff, IdenticalSetsHaveNoDrift) {
  std::vector<ServerObject> a = {instance(3, {"TSQL"}), login("app"), job("nightly", "TSQL")};
  auto c = compare(a, a);
  EXPECT_FALSE(c.drift());
  EXPECT_EQ(c.source_objects, 2u);  // the instance object is facts, not a compared object
}

TEST(Diff, EveryCategoryInStableOrder) {
  std::vector<ServerObject> source = {
      job("nightly", "TSQL", "EXEC dbo.cleanup"),
      login("app", "0x11", "0x0200AA"),
      login("orphaned", "0x21"),
      login("Renamed_Case", "0x31"),
      login("only_source", "0x41"),
      make_object(Kind::kServerRoleMember, "sysadmin|app", {{"role_name", "sysadmin"}, {"member_name", "app"}}),
  };
  std::vector<ServerObject> target = {
      instance(3, {"TSQL", "CmdExec"}),
      job("nightly", "TSQL", "EXEC dbo.cleanup_v2"),
      login("APP", "0x11", "0x0200BB"),                 // password changed only
      login("orphaned", "0x99"),                        // same name, other SID
      login("renamed_case", "0x31"),                    // same login: names compare case-insensitively
      login("only_target", "0x51"),
  };
  auto c = compare(source, target);
  EXPECT_EQ(summary(c),
            "login app: different/high password_hash=\"differs\"->\"differs\"\n"
            "login only_source: missing/high\n"
            "login only_target: extra/low\n"
            "login orphaned: sid_mismatch/critical sid=\"0x21\"->\"0x99\"\n"
            "server_role_member sysadmin|app: missing/high\n"
            "agent_job nightly: different/medium steps[1].command=\"EXEC dbo.cleanup\"->\"EXEC dbo.cleanup_v2\"\n");
  EXPECT_EQ(c.findings[3].reason, "same login name with another sid: database users mapped to it are orphaned");
}

// A password hash readable on one side only (a secondary read by an account without CONTROL
// SERVER, or the other way round) cannot be proven equal: it differs, and says so without a hash.
TEST(Diff, AHashReadableOnOneSideOnlyDiffers) {
  const ServerObject with_hash = login("app", "0x11", "0x0200AA");
  const ServerObject without_hash = make_object(
      Kind::kLogin, "app", {{"type", "S"}, {"sid", "0x11"}, {"is_disabled", false}, {"default_database_name", "master"}});
  for (const auto& [source, target] : {std::pair{with_hash, without_hash}, std::pair{without_hash, with_hash}}) {
    std::vector<ServerObject> s = {source}, t = {target};
    auto c = compare(s, t);
    EXPECT_EQ(summary(c), "login app: different/high password_hash=\"differs\"->\"differs\"\n");
  }
}

// compare_digests() over a set: digests with handle = index, fetched from the set, counting fetches.
struct DigestSet {
  std::vector<ServerObject> objects;
  std::vector<catalog::ObjectDigest> digests;
  size_t fetched = 0;
  explicit DigestSet(std::vector<ServerObject> objs) : objects(std::move(objs)) {
    for (size_t i = 0; i < objects.size(); ++i)
      digests.push_back({objects[i].kind, objects[i].match_key(), catalog::fingerprint_bytes(objects[i].fingerprint),
                         static_cast<int64_t>(i)});
    catalog::sort_digests(digests);
  }
  Fetch fetch() {
    return [this](std::span<const int64_t> handles) -> Result<std::vector<ServerObject>> {
      std::vector<ServerObject> out;
      for (auto h : handles) out.push_back(objects.at(static_cast<size_t>(h)));
      fetched += handles.size();
      return out;
    };
  }
};

TEST(DiffDigests, SameFindingsAsCompareFetchingOnlyWhatDiffers) {
  std::vector<ServerObject> source = {
      job("nightly", "TSQL", "EXEC dbo.cleanup"), job("ps", "PowerShell"), login("app", "0x11", "0x0200AA"),
      login("orphaned", "0x21"), login("Renamed_Case", "0x31"), login("only_source", "0x41"), login("same", "0x61"),
      make_object(Kind::kServerRoleMember, "sysadmin|app", {{"role_name", "sysadmin"}, {"member_name", "app"}}),
  };
  std::vector<ServerObject> target = {
      instance(8, {"TSQL"}),  // a Managed Instance: the PowerShell job is incompatible
      job("nightly", "TSQL", "EXEC dbo.cleanup_v2"), login("APP", "0x11", "0x0200BB"), login("orphaned", "0x99"),
      login("renamed_case", "0x31"), login("only_target", "0x51"), login("same", "0x61"),
  };
  auto expected = compare(source, target);
  DigestSet a(source), b(target);
  auto got = compare_digests(a.digests, b.digests, a.fetch(), b.fetch(), facts_from(target));
  ASSERT_TRUE(got.has_value()) << got.error().to_string();
  EXPECT_EQ(summary(*got), summary(expected));
  EXPECT_EQ(got->source_objects, expected.source_objects);
  EXPECT_EQ(got->target_objects, expected.target_objects);
  EXPECT_EQ(summary(*got),
            "login app: different/high password_hash=\"differs\"->\"differs\"\n"
            "login only_source: missing/high\n"
            "login only_target: extra/low\n"
            "login orphaned: sid_mismatch/critical sid=\"0x21\"->\"0x99\"\n"
            "server_role_member sysadmin|app: missing/high\n"
            "agent_job nightly: different/medium steps[1].command=\"EXEC dbo.cleanup\"->\"EXEC dbo.cleanup_v2\"\n"
            "agent_job ps: incompatible/high\n");
  // Equal fingerprints (same, renamed_case) and the instance are never fetched.
  EXPECT_EQ(a.fetched, 6u);  // nightly, ps, app, orphaned, only_source, sysadmin|app
  EXPECT_EQ(b.fetched, 4u);  // nightly, APP, orphaned, only_target
}

TEST(DiffDigests, AnEmptyTargetIsComparedChunkByChunkInOrder) {
  std::vector<ServerObject> source;
  for (int i = 0; i < 9000; ++i) source.push_back(login("login_" + std::to_string(100000 + i)));
  DigestSet a(source), b({});
  auto got = compare_digests(a.digests, b.digests, a.fetch(), b.fetch(), {});
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->findings.size(), 9000u);
  EXPECT_EQ(got->findings.front().key, "login_100000");
  EXPECT_EQ(got->findings.back().key, "login_108999");
  EXPECT_EQ(a.fetched, 9000u);
}

TEST(DiffDigests, AFetchErrorIsTheResult) {
  DigestSet a({login("app")}), b({});
  Fetch broken = [](std::span<const int64_t>) -> Result<std::vector<ServerObject>> {
    return fail(ErrorCode::kIo, "store: disk gone");
  };
  auto got = compare_digests(a.digests, b.digests, broken, b.fetch(), {});
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().message, "store: disk gone");
}

TEST(Diff, PasswordHashNeverLeavesAsAValue) {
  auto c = compare(std::vector{login("app", "0x11", "0x0200AA")}, std::vector{login("app", "0x11", "0x0200BB")});
  ASSERT_EQ(c.findings.size(), 1u);
  auto j = to_json(c.findings[0]).dump();
  EXPECT_EQ(j.find("0x0200"), std::string::npos) << j;
  EXPECT_EQ(j,
            R"J({"category":"different","changes":[{"after":"differs","before":"differs","field":"password_hash"}],)J"
            R"J("key":"app","kind":"login","reason":"access differs (password, state, enabled or permission state)","severity":"high"})J");
}

TEST(Diff, FieldChangesCarryBeforeAndAfter) {
  auto a = login("app", "0x11", "0x0200AA", {{"default_database_name", "Sales"}, {"is_disabled", false}});
  auto b = login("app", "0x11", "0x0200AA", {{"default_database_name", "sales"}, {"is_disabled", true}});
  auto c = compare(std::vector{a}, std::vector{b});
  EXPECT_EQ(summary(c), "login app: different/high is_disabled=false->true\n");  // Sales = sales: a name
}

TEST(Diff, StepsAddedAndRemovedByStepId) {
  auto a = job("j", "TSQL");
  auto b = job("j", "TSQL");
  b.fields["steps"].push_back({{"step_id", 2}, {"step_name", "s2"}, {"subsystem", "TSQL"}, {"command", "x"}});
  b.seal();
  auto c = compare(std::vector{a}, std::vector{b});
  ASSERT_EQ(c.findings.size(), 1u);
  ASSERT_EQ(c.findings[0].changes.size(), 1u);
  EXPECT_EQ(c.findings[0].changes[0].field, "steps[2]");
  EXPECT_TRUE(c.findings[0].changes[0].before.is_null());
}

struct IncompatibleCase {
  const char* name;
  ServerObject object;
  int edition;
  std::vector<std::string> subsystems;
  std::string reason;  // "" = compatible (missing)
};

TEST(Diff, IncompatibleWithTheTarget) {
  std::vector<IncompatibleCase> cases = {
      {"windows login on mi", make_object(Kind::kLogin, "DOM\\bob", {{"type", "U"}}), 8, {"TSQL"},
       "windows logins are not supported on a managed instance"},
      {"windows group on mi", make_object(Kind::kLogin, "DOM\\ops", {{"type", "G"}}), 8, {"TSQL"},
       "windows logins are not supported on a managed instance"},
      {"windows login on a box", make_object(Kind::kLogin, "DOM\\bob", {{"type", "U"}}), 3, {"TSQL"}, ""},
      {"sql login on mi", make_object(Kind::kLogin, "app", {{"type", "S"}}), 8, {"TSQL"}, ""},
      {"proxy on mi", make_object(Kind::kAgentProxy, "p", {{"credential_name", "c"}}), 8, {"TSQL"},
       "sql server agent proxies are not supported on a managed instance"},
      {"oracle linked server on mi", make_object(Kind::kLinkedServer, "ORA", {{"provider", "OraOLEDB.Oracle"}}), 8, {"TSQL"},
       "linked server provider OraOLEDB.Oracle is not supported on a managed instance"},
      {"msoledbsql linked server on mi", make_object(Kind::kLinkedServer, "SQL2", {{"provider", "MSOLEDBSQL"}}), 8, {"TSQL"}, ""},
      {"cmdexec step without the subsystem", job("j", "CmdExec"), 8, {"TSQL", "SSIS"},
       "step 1 uses subsystem CmdExec, which the target does not have"},
      {"cmdexec step with the subsystem", job("j", "CmdExec"), 3, {"TSQL", "CMDEXEC"}, ""},
      {"tsql has no syssubsystems row", job("j", "TSQL"), 8, {"SSIS", "Snapshot"}, ""},
      {"cpu idle schedule on mi", make_object(Kind::kAgentSchedule, "UID", {{"freq_type", 128}}), 8, {"TSQL"},
       "cpu-idle schedules (freq_type 128) are not supported on a managed instance"},
      // MI: credentials with SHARED ACCESS SIGNATURE or Managed Identity only; no EKM providers; no
      // pager / net send; no MSX (https://learn.microsoft.com/azure/azure-sql/managed-instance/job-automation-managed-instance).
      {"windows credential on mi", make_object(Kind::kCredential, "c", {{"credential_identity", "DOM\\svc"}}), 8, {"TSQL"},
       "credential identity DOM\\svc is not supported on a managed instance (only SHARED ACCESS SIGNATURE or Managed "
       "Identity): create a SAS or managed-identity credential on the target by hand, and exclude this one"},
      {"sas credential on mi", make_object(Kind::kCredential, "c", {{"credential_identity", "SHARED ACCESS SIGNATURE"}}), 8,
       {"TSQL"}, ""},
      {"managed identity credential on mi", make_object(Kind::kCredential, "c", {{"credential_identity", "Managed Identity"}}),
       8, {"TSQL"}, ""},
      {"ekm credential on mi",
       make_object(Kind::kCredential, "c", {{"credential_identity", "vault"}, {"target_type", "CRYPTOGRAPHIC PROVIDER"}}), 8,
       {"TSQL"},
       "credentials of a cryptographic provider (EKM) are not supported on a managed instance: configure the key vault "
       "on the instance itself, and exclude this credential"},
      {"pager operator on mi", make_object(Kind::kAgentOperator, "o", {{"pager_address", "p@x"}}), 8, {"TSQL"},
       "pager and net send notifications are not supported on a managed instance (e-mail only): remove the operator's "
       "pager and net send addresses on the primary, or exclude it"},
      {"pager operator on a box", make_object(Kind::kAgentOperator, "o", {{"pager_address", "p@x"}}), 3, {"TSQL"}, ""},
      {"msx category on mi", make_object(Kind::kAgentCategory, "Fleet", {{"category_type", 2}}), 8, {"TSQL"},
       "multi-server (MSX/TSX) job categories are not supported on a managed instance: exclude it"},
      {"merge step on mi", job("j", "Merge"), 8, {"TSQL", "Merge"},
       "step 1 uses subsystem Merge, which a managed instance does not support: rewrite the step on the primary, or "
       "exclude the job"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto c = compare(std::vector{tc.object}, std::vector{instance(tc.edition, tc.subsystems)});
    ASSERT_EQ(c.findings.size(), 1u);
    if (tc.reason.empty()) {
      EXPECT_EQ(c.findings[0].category, Category::kMissing);
    } else {
      EXPECT_EQ(c.findings[0].category, Category::kIncompatible);
      EXPECT_EQ(c.findings[0].severity, Severity::kHigh);
      EXPECT_EQ(c.findings[0].reason, tc.reason);
    }
  }
}

TEST(Diff, GivenTargetFactsWinOverTheTargetSet) {
  auto c = compare(std::vector{make_object(Kind::kLogin, "DOM\\bob", {{"type", "U"}})}, std::vector<ServerObject>{},
                   Options{.target_facts = TargetFacts{.engine_edition = 8, .subsystems = std::nullopt}});
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].category, Category::kIncompatible);
}

}  // namespace
}  // namespace understudy::diff
