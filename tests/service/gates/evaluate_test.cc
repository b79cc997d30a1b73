// The evaluator: three-valued verdicts from primary snapshot, live target and the gate's rules.
#include <gtest/gtest.h>

#include "base/time.h"
#include "diff/diff.h"
#include "gates/drift.h"
#include "gates/evaluate.h"
#include "gates/loader.h"

namespace understudy::gates {
namespace {

using catalog::Kind;
using catalog::ServerObject;

constexpr int64_t kNow = 1795000000;  // 2026-11-18T11:06:40Z

ServerObject login(const std::string& name, const std::string& sid = "0x01", bool disabled = false) {
  ServerObject o;
  o.kind = Kind::kLogin;
  o.key = name;
  o.fields = {{"sid", sid}, {"type", "S"}, {"is_disabled", disabled ? 1 : 0}};
  o.seal();
  return o;
}
ServerObject job(const std::string& name) {
  ServerObject o;
  o.kind = Kind::kAgentJob;
  o.key = name;
  o.fields = {{"enabled", 1}, {"steps", nlohmann::json::array()}};
  o.seal();
  return o;
}

Gate gate_from(const std::string& json) {
  auto g = parse_gate(json, "t.json");
  EXPECT_TRUE(g) << g.error().message;
  return *g;
}

const char* kLoginsAndJob = R"({"format_version": 1, "name": "t", "description": "d", "pairs": ["*"],
  "checks": [{"type": "no_drift", "kinds": ["login"]},
             {"type": "required_objects", "objects": [{"kind": "agent_job", "key": "Nightly settlement"}]}],
  "exceptions": [{"kind": "login", "key": "legacy_rpt", "reason": "retired in Q1", "approved_by": "cab-1234",
                  "until": "2027-01-01T00:00:00Z"},
                 {"kind": "login", "key": "old_svc", "reason": "expired", "approved_by": "cab-1",
                  "until": "2020-01-01T00:00:00Z"}]})";

EvalInput input(std::vector<ServerObject> primary, std::vector<ServerObject> target, int64_t taken_at = kNow - 60) {
  EvalInput in;
  in.pair = "payments";
  in.now = kNow;
  in.primary_reachable = true;
  in.primary = PrimarySnapshot{"42", "PRIMARY-1", taken_at, primary};
  in.target = TargetState{"SECONDARY-1", target};
  in.drift = drift_from(diff::compare(primary, target));
  return in;
}

std::string failures_of(const GateResult& r) {
  std::string out;
  for (const auto& f : r.failures)
    out += std::string(catalog::kind_name(f.kind)) + " " + f.key + " " + f.problem + "\n";
  return out;
}

TEST(Evaluate, PassWhenTargetMatches) {
  auto g = gate_from(kLoginsAndJob);
  std::vector<ServerObject> objs = {login("app_settlement_svc"), job("Nightly settlement")};
  auto r = evaluate(g, input(objs, objs));
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, "all 2 check(s) passed");
  EXPECT_EQ(r.primary_snapshot_id, "42");
  EXPECT_EQ(r.primary_snapshot_age_seconds, 60);
  EXPECT_EQ(r.max_age_seconds, 3600);
  EXPECT_EQ(r.target_instance, "SECONDARY-1");
  EXPECT_TRUE(r.failures.empty());
}

TEST(Evaluate, FailListsExactlyWhatIsMissingSorted) {
  auto g = gate_from(kLoginsAndJob);
  auto r = evaluate(g, input({login("zeta_svc"), login("App_Ledger_Svc"), login("app_settlement_svc", "0x01"),
                              login("legacy_rpt"), login("old_svc"), job("Nightly settlement")},
                             {login("app_settlement_svc", "0x02")}));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(failures_of(r),
            "login App_Ledger_Svc missing\n"
            "login app_settlement_svc sid_mismatch\n"
            "login old_svc missing\n"
            "login zeta_svc missing\n"
            "agent_job Nightly settlement missing\n");
  EXPECT_EQ(r.reason, "5 failures: 3 login missing, 1 login sid_mismatch, 1 agent_job missing");
  ASSERT_EQ(r.waived.size(), 1u);  // the unexpired exception only
  EXPECT_EQ(r.waived[0].failure.key, "legacy_rpt");
  EXPECT_EQ(r.waived[0].approved_by, "cab-1234");
  EXPECT_EQ(r.failures[1].fields["sid_matches"], false);
  ASSERT_EQ(r.checks.size(), 2u);
  EXPECT_EQ(r.checks[0].verdict, Verdict::kFail);
  EXPECT_EQ(r.checks[1].reason, "1 of 1 required object(s) not ready");
}

TEST(Evaluate, RequiredObjectAbsentOnPrimaryFails) {
  auto g = gate_from(kLoginsAndJob);
  auto r = evaluate(g, input({}, {job("nightly SETTLEMENT")}));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(failures_of(r), "agent_job Nightly settlement absent_on_primary\n");
  EXPECT_EQ(r.failures[0].fields.dump(), R"({"present_on_target":true})");
}

TEST(Evaluate, DifferentSettingsFailWithFieldNames) {
  auto g = gate_from(kLoginsAndJob);
  auto r = evaluate(g, input({login("a", "0x01", false), job("Nightly settlement")},
                             {login("a", "0x01", true), job("Nightly settlement")}));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(failures_of(r), "login a different\n");
  EXPECT_EQ(r.failures[0].fields["changes"].dump(), R"([{"after":1,"before":0,"field":"is_disabled"}])");
}

struct UnknownCase {
  const char* name;
  std::function<void(EvalInput&)> mutate;
  const char* reason;
};

TEST(Evaluate, EveryMissingOrStaleInputIsUnknown) {
  auto g = gate_from(kLoginsAndJob);
  const UnknownCase cases[] = {
      {"target unreachable",
       [](EvalInput& in) { in.target = tl::unexpected(Error(ErrorCode::kUnavailable, "login timeout expired")); },
       "target unreachable: login timeout expired"},
      {"no snapshot",
       [](EvalInput& in) {
         in.primary = tl::unexpected(Error(ErrorCode::kNotFound, "no snapshot of primary instance 'primary'"));
       },
       "no snapshot of primary instance 'primary'"},
      {"snapshot too old",
       [](EvalInput& in) { (*in.primary)->taken_at = kNow - 3601; },
       "primary snapshot 42 is 3601 s old, more than the allowed 3600 s"},
      {"max_age override",
       [](EvalInput& in) { in.max_age_seconds = 30; },
       "primary snapshot 42 is 60 s old, more than the allowed 30 s"},
      {"inputs not gathered", [](EvalInput& in) { in.primary.reset(); }, "no snapshot of the primary was read"},
  };
  for (const auto& c : cases) {
    std::vector<ServerObject> objs = {login("a"), job("Nightly settlement")};
    auto in = input(objs, objs);
    c.mutate(in);
    auto r = evaluate(g, in);
    EXPECT_EQ(r.verdict, Verdict::kUnknown) << c.name;
    EXPECT_EQ(r.reason, c.reason) << c.name;
  }
}

TEST(Evaluate, UnknownWinsOverFail) {
  auto g = gate_from(R"({"format_version": 1, "name": "t", "description": "d", "pairs": ["*"],
    "max_snapshot_age_seconds": 10, "checks": [{"type": "no_drift", "kinds": ["login"]}]})");
  auto r = evaluate(g, input({login("a")}, {}));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.reason, "primary snapshot 42 is 60 s old, more than the allowed 10 s");
  EXPECT_TRUE(r.failures.empty());
}

// Both bounds set: the runbook's tighter ?max_age= decides, not the gate file's looser
// max_snapshot_age_seconds — for the object checks and for the freshness check alike.
TEST(Evaluate, RequestMaxAgeWinsOverTheGateFilesBound) {
  auto g = gate_from(R"({"format_version": 1, "name": "t", "description": "d", "pairs": ["*"],
    "max_snapshot_age_seconds": 1800,
    "checks": [{"type": "no_drift", "kinds": ["login"]}, {"type": "freshness"}]})");
  std::vector<ServerObject> objs = {login("a")};
  auto in = input(objs, objs, kNow - 600);
  auto loose = evaluate(g, in);  // 600 s is within the file's 1800 s
  EXPECT_EQ(loose.verdict, Verdict::kPass) << loose.reason;
  EXPECT_EQ(loose.max_age_seconds, 1800);
  in.max_age_seconds = 60;
  auto r = evaluate(g, in);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.max_age_seconds, 60);
  EXPECT_EQ(r.reason, "primary snapshot 42 is 600 s old, more than the allowed 60 s");
  ASSERT_EQ(r.checks.size(), 2u);
  EXPECT_NE(r.checks[1].reason.find("more than the allowed 60 s"), std::string::npos) << r.checks[1].reason;
}

// A login whose password hash only one side shows (the secondary read without CONTROL SERVER, or
// a hash on the target only) is not "in sync": its hash cannot be proven equal. diff reports it
// and the no_drift gate fails on it.
TEST(Evaluate, AHashReadableOnOneSideOnlyFailsNoDrift) {
  auto g = gate_from(R"({"format_version": 1, "name": "t", "description": "d", "pairs": ["*"],
    "checks": [{"type": "no_drift", "kinds": ["login"]}]})");
  ServerObject with_hash = login("app");
  with_hash.password_hash = Secret("0x0200AABBCC");
  with_hash.seal();
  const ServerObject without_hash = login("app");
  for (const auto& [primary, target] : {std::pair{with_hash, without_hash}, std::pair{without_hash, with_hash}}) {
    auto r = evaluate(g, input({primary}, {target}));
    EXPECT_EQ(r.verdict, Verdict::kFail) << r.reason;
    EXPECT_EQ(failures_of(r), "login app different\n");
  }
}

TEST(Evaluate, PrimaryUnreachableWithFreshSnapshotPassesAndSaysSo) {
  auto g = gate_from(kLoginsAndJob);
  std::vector<ServerObject> objs = {login("a"), job("Nightly settlement")};
  auto in = input(objs, objs);
  in.primary_reachable = false;
  auto r = evaluate(g, in);
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, "all 2 check(s) passed; primary unreachable, compared against snapshot 42");
  auto j = to_json(r);
  EXPECT_EQ(j["primary_reachable"], false);
  EXPECT_EQ(j["primary_snapshot"]["age_seconds"], 60);
}

// Which instance is primary could not be told (service/roles): no comparison means anything, so
// every check is unknown with the reason — even when the inputs would pass.
TEST(Evaluate, RolesThatCannotBeEstablishedMakeEveryCheckUnknown) {
  auto g = gate_from(kLoginsAndJob);
  std::vector<ServerObject> objs = {login("a"), job("Nightly settlement")};
  auto in = input(objs, objs);
  in.roles_error = Error(ErrorCode::kRolesUnknown,
                         "pair payments: the roles cannot be established (both instances report PRIMARY: split brain): …");
  auto r = evaluate(g, in);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.reason, in.roles_error->message);
  ASSERT_EQ(r.checks.size(), 2u);
  for (const auto& c : r.checks) EXPECT_EQ(c.verdict, Verdict::kUnknown) << c.type;
  EXPECT_TRUE(r.failures.empty());
}

TEST(Evaluate, BodyShape) {
  auto g = gate_from(kLoginsAndJob);
  auto r = evaluate(g, input({login("a"), job("Nightly settlement")}, {job("Nightly settlement")}));
  auto j = to_json(r);
  EXPECT_EQ(j["status"], "fail");
  EXPECT_EQ(j["checked_at"], "2026-11-18T11:06:40.000Z");
  EXPECT_EQ(j["failures"].dump(), R"([{"fields":{"reason":"on the source, not on the target","severity":"high"},"key":"a","kind":"login","problem":"missing"}])")
      << j.dump();
  EXPECT_EQ(j["primary_snapshot"]["id"], "42");
  EXPECT_EQ(j["target_instance"], "SECONDARY-1");
}

TEST(Rfc3339, RoundTrip) {
  EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(parse_utc("2024-02-29T12:00:00Z"), 1709208000);
  EXPECT_EQ(parse_utc("2024-02-29T12:00:00.123Z"), 1709208000);
  EXPECT_FALSE(parse_utc("2023-02-29T12:00:00Z"));
  EXPECT_FALSE(parse_utc("2024-02-29T12:00:00+01:00"));
  EXPECT_FALSE(parse_utc("2024-02-29"));
}

}  // namespace
}  // namespace understudy::gates
