// The whole story against real processes: the pre-cutover gate fails listing exactly what is
// missing on the DR target, sync applies it, the gate passes, the drift report and the audit
// trail show what happened, and tampering with the audit trail is detected.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <set>

#include "world.h"

namespace e2e {
namespace {

// What the empty secondary lacks of the payments primary (tests/fixtures), in the gates' order.
const char* kLoginFailures = R"(server_role payments_operators missing
login app_ledger_svc missing
login app_settlement_svc missing
login CONTOSO\svc_batch missing
login legacy_etl missing
login report_reader missing
server_role_member payments_operators|app_ledger_svc missing
server_role_member payments_operators|app_settlement_svc missing
server_role_member sysadmin|CONTOSO\\svc_batch missing
server_permission app_ledger_svc|SERVER_PRINCIPAL|report_reader|IMPERSONATE missing
server_permission app_ledger_svc|SERVER||CONNECT SQL missing
server_permission app_settlement_svc|SERVER||CONNECT SQL missing
server_permission app_settlement_svc|SERVER||VIEW ANY DEFINITION missing
server_permission CONTOSO\\svc_batch|SERVER||CONNECT SQL missing
server_permission legacy_etl|SERVER||CONNECT SQL missing
server_permission payments_operators|SERVER||VIEW SERVER STATE missing
server_permission report_reader|SERVER||CONNECT SQL missing
server_permission report_reader|SERVER||VIEW SERVER STATE missing
)";
const char* kAgentJobFailures = R"(agent_category Payments Settlement missing
agent_operator Payments DBA missing
agent_schedule 631B3284-8CFF-4234-A40E-00A2A098FAC8 missing
agent_schedule 8F3E9C21-5B7A-4D2E-9C61-3A4B5C6D7E8F missing
agent_job Ledger close missing
agent_job Nightly settlement missing
)";

std::string failure_lines(const nlohmann::json& body) {
  std::string out;
  for (const auto& f : body["failures"])
    out += f["kind"].get<std::string>() + " " + f["key"].get<std::string>() + " " + f["problem"].get<std::string>() + "\n";
  return out;
}

TEST(GateFlow, FailsListingMissingObjectsPassesAfterSyncAndLeavesAnAuditTrail) {
  World w;
  auto snap = w.cli({"snapshot", "--pair", "payments"});
  ASSERT_EQ(snap.exit_code, 0) << snap.err;
  w.start_serve();

  // 1. The gate fails and lists exactly the missing objects.
  auto r = w.get("/v1/gates/logins?pair=payments", kRunbookToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  auto body = body_json(r);
  EXPECT_EQ(body["status"], "fail");
  EXPECT_EQ(failure_lines(body), kLoginFailures);

  auto jobs = body_json(w.get("/v1/gates/agent-jobs?pair=payments", kRunbookToken));
  EXPECT_EQ(jobs["status"], "fail");
  EXPECT_EQ(failure_lines(jobs), kAgentJobFailures);
  auto pre = body_json(w.get("/v1/gates/pre-cutover?pair=payments", kRunbookToken));
  EXPECT_EQ(pre["status"], "fail");
  EXPECT_EQ(pre["reason"],
            "35 failures: 1 credential missing, 1 server_role missing, 5 login missing, 3 server_role_member missing, "
            "9 server_permission missing, 1 linked_server missing, 2 linked_server_login missing, 1 agent_category "
            "missing, 1 agent_operator missing, 2 agent_schedule missing, 2 agent_job missing, "
            "2 custom_message missing, 2 configuration different, 3 database_user orphaned");  // the secondary's payments users carry the primary's SIDs (issue 6)

  // The CLI gives the same answer with exit code 1.
  auto cli = w.cli({"gate", "logins", "--pair", "payments", "--format", "json"});
  EXPECT_EQ(cli.exit_code, 1) << cli.err;
  EXPECT_EQ(failure_lines(nlohmann::json::parse(cli.out)), kLoginFailures);

  // 2. A fresh snapshot on request, then a plan (changes nothing), then apply: the gate passes.
  auto taken = w.post("/v1/pairs/payments/snapshots", "");
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->status, 201) << taken->body;
  EXPECT_EQ(taken->get_header_value("Location"), "/v1/runs/" + body_json(taken)["id"].get<std::string>());
  auto plan = w.post("/v1/pairs/payments/sync", "{}");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->status, 200) << plan->body;
  EXPECT_EQ(body_json(plan)["result"]["apply"], false);
  EXPECT_EQ(w.get("/v1/gates/logins?pair=payments", kRunbookToken)->status, 503);

  auto applied = w.post("/v1/pairs/payments/sync", R"({"apply": true})");
  ASSERT_TRUE(applied);
  ASSERT_EQ(applied->status, 200) << applied->body;
  auto run = body_json(applied);
  EXPECT_EQ(run["result"]["apply"], true);
  EXPECT_EQ(run["result"]["converged"], true) << applied->body;
  EXPECT_EQ(run["result"]["exit_code"], 0) << applied->body;
  auto run_again = body_json(w.get("/v1/runs/" + run["id"].get<std::string>(), kAuditorToken));
  EXPECT_EQ(run_again["id"], run["id"]);

  for (const char* gate : {"logins", "agent-jobs", "linked-servers", "credentials", "pre-cutover"}) {
    auto after = w.get(std::string("/v1/gates/") + gate + "?pair=payments", kRunbookToken);
    EXPECT_EQ(after->status, 200) << gate << ": " << after->body;
    EXPECT_EQ(body_json(after)["status"], "pass") << gate;
  }
  EXPECT_EQ(w.cli({"gate", "pre-cutover", "--pair", "payments"}).exit_code, 0);

  // 3. The drift report holds the failing and the passing evaluation and the applied sync.
  auto rep = body_json(w.get("/v1/reports/drift?pair=payments", kAuditorToken));
  std::set<std::string> events, statuses;
  for (const auto& row : rep["rows"]) {
    events.insert(row["event"].get<std::string>());
    statuses.insert(row["status"].get<std::string>());
  }
  EXPECT_EQ(events, (std::set<std::string>{"gate_evaluation", "sync_apply", "sync_plan"}));
  EXPECT_TRUE(statuses.count("fail") && statuses.count("pass") && statuses.count("applied") && statuses.count("planned"))
      << rep["rows"].size() << " rows";
  auto html = w.get("/v1/reports/drift?pair=payments&format=html", kAuditorToken);
  EXPECT_EQ(html->status, 200);
  EXPECT_NE(html->body.find("<h2>Summary</h2>"), std::string::npos);
  EXPECT_NE(html->body.find("app_settlement_svc"), std::string::npos);

  // 4. The audit trail records the sync, chains, and `audit verify` holds…
  auto audit = body_json(w.get("/v1/audit", kAuditorToken));
  ASSERT_FALSE(audit["entries"].empty());
  bool saw_sync = false;
  bool saw_start = false;  // the intent, written before the first write to the target
  for (const auto& e : audit["entries"]) {
    saw_sync |= e["action"] == "sync.apply" && e["actor"] == "dba-on-call" && e["detail"]["converged"] == true;
    saw_start |= e["action"] == "sync.apply.start" && e["actor"] == "dba-on-call" && e["run_id"] == run["id"];
  }
  EXPECT_TRUE(saw_sync) << audit.dump();
  EXPECT_TRUE(saw_start) << audit.dump();
  auto ok = w.cli({"audit", "verify"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("audit trail intact"), std::string::npos);

  // The head it prints is the hash the service logged for the last entry: an auditor pins it.
  auto head_at = ok.out.find("head: entry ");
  ASSERT_NE(head_at, std::string::npos) << ok.out;
  std::string head = ok.out.substr(ok.out.find(' ', head_at + 12) + 1, 64);
  EXPECT_NE(read_file(w.serve_log()).find(head), std::string::npos) << "the service did not log the entry's hash";
  auto pinned = w.cli({"audit", "verify", "--head", head});
  EXPECT_EQ(pinned.exit_code, 0) << pinned.err;
  EXPECT_NE(pinned.out.find("the trail it ended is still a prefix"), std::string::npos) << pinned.out;

  // Cutting the last entry (in a copy of the store) leaves a chain that holds; the pinned head
  // does not.
  w.stop_serve();
  std::string copy = w.dir() + "/cut.db";
  {
    sqlite3* src = nullptr;
    ASSERT_EQ(sqlite3_open((w.dir() + "/understudy.db").c_str(), &src), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(src, ("VACUUM INTO '" + copy + "'").c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(src);
    sqlite3* cutdb = nullptr;
    ASSERT_EQ(sqlite3_open(copy.c_str(), &cutdb), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(cutdb, "DELETE FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry)", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(cutdb);
  }
  EXPECT_EQ(w.cli({"audit", "verify", "--store", copy}).exit_code, 0);
  auto cut = w.cli({"audit", "verify", "--store", copy, "--head", head});
  EXPECT_EQ(cut.exit_code, 65) << cut.out;
  EXPECT_NE(cut.err.find("the pinned head " + head + " is not the hash of any entry"), std::string::npos) << cut.err;

  // …and someone editing an entry in the store is named.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((w.dir() + "/understudy.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE audit_entry SET actor = 'someone-else' WHERE seq = 2", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto broken = w.cli({"audit", "verify"});
  EXPECT_EQ(broken.exit_code, 65);
  EXPECT_EQ(broken.err,
            "error: audit trail broken at entry 2: entry 2 was changed after it was written: its hash does not match\n"
            "HINT: entries from 2 on cannot be trusted; compare with a backup of the store\n");
}

// POST …/sync {"apply": true} when an object fails (the secondary refuses the credential, quoting
// a piece of its secret): the answer and GET /v1/runs/{id} say not converged, exit 4, the failure
// with the secret's fragment redacted, and what depends on the credential is blocked, not failed.
TEST(GateFlow, AnApplyWithAFailedObjectIsNotConvergedAndItsErrorKeepsNoSecret) {
  const std::string fragment = std::string(kCredentialSecret).substr(4);  // "credential-secret-7Hq"
  World w({.secondary_flags = {"--fail-pattern", "CREATE CREDENTIAL", "--fail-error",
                               "50001:secret '" + fragment + "' rejected", "--fail-repeat"}});
  ASSERT_EQ(w.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
  w.start_serve();
  auto applied = w.post("/v1/pairs/payments/sync", R"({"apply": true})");
  ASSERT_TRUE(applied);
  auto run = body_json(applied);
  auto again = body_json(w.get("/v1/runs/" + run["id"].get<std::string>(), kAuditorToken));
  for (const auto& body : {run, again}) {
    EXPECT_EQ(body["result"]["converged"], false) << body.dump();
    EXPECT_EQ(body["result"]["exit_code"], 4) << body.dump();
    EXPECT_GE(body["result"]["failed"].get<int>(), 1) << body.dump();
    EXPECT_EQ(body.dump().find("secret-7Hq"), std::string::npos) << body.dump();
    bool credential_failed = false, login_blocked = false;
    for (const auto& a : body["result"]["actions"]) {
      if (a["kind"] == "credential") {
        credential_failed = a["outcome"] == "failed" && a["error"].get<std::string>().find("[redacted]") != std::string::npos;
      }
      if (a["kind"] == "login" && a["key"] == "app_ledger_svc") {
        login_blocked = a["outcome"] == "blocked" && a["error"] == "depends on credential \"payments_backup_url\" (failed)";
      }
    }
    EXPECT_TRUE(credential_failed) << body.dump();
    EXPECT_TRUE(login_blocked) << body.dump();
  }
}

}  // namespace
}  // namespace e2e
