// `understudy serve` as a runbook, an auditor and an attacker see it: status codes, HEAD, the
// auth matrix, problem documents naming the parameter, unknown/stale inputs as 503 unknown,
// gate files at startup and reload, the CSV formula guard, and no secret in any body or log.
#include <gtest/gtest.h>

#include <signal.h>

#include <set>
#include <thread>

#include <httplib.h>

#include "base/sha256.h"
#include "http/auth.h"
#include "world.h"

namespace e2e {
namespace {

class Serve : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A gate the empty secondary already satisfies (the primary has no Agent proxies).
    world_ = new World({.extra_gate = R"({"format_version": 1, "name": "proxies", "description": "d", "pairs": ["*"],
      "checks": [{"type": "no_drift", "kinds": ["agent_proxy"]}]})",
                        .extra_gate_name = "proxies"});
    // A job category whose name a spreadsheet would run as a formula (CSV guard).
    world_->exec_on_primary(
        "EXEC msdb.dbo.sp_add_category @class = N'JOB', @type = N'LOCAL', @name = N'=HYPERLINK(\"http://x\",\"y\")'");
    // And one starting with TAB, which the drift CSV left unguarded.
    world_->exec_on_primary("EXEC msdb.dbo.sp_add_category @class = N'JOB', @type = N'LOCAL', @name = N'\tTAB_category'");
    auto snap = world_->cli({"snapshot", "--pair", "payments"});
    if (snap.exit_code != 0) throw std::runtime_error("snapshot failed: " + snap.err);
    world_->start_serve();
  }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }
  static World* world_;
  World& w() { return *world_; }
};
World* Serve::world_ = nullptr;

TEST_F(Serve, LivezReadyzMetricsAreOpen) {
  EXPECT_EQ(w().get("/livez", "")->status, 200);
  auto ready = w().get("/readyz", "");
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(body_json(ready)["status"], "ready");
  auto m = w().get("/metrics", "");
  EXPECT_EQ(m->status, 200);
  EXPECT_NE(m->body.find("# TYPE understudy_gate_checks_total counter"), std::string::npos);
}

TEST_F(Serve, PassingGateIs200AndExitZero) {
  auto r = w().get("/v1/gates/proxies?pair=payments", kRunbookToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  auto j = body_json(r);
  EXPECT_EQ(j["status"], "pass");
  EXPECT_EQ(j["reason"], "all 1 check(s) passed");
  EXPECT_TRUE(j["failures"].empty());
  EXPECT_EQ(w().head("/v1/gates/proxies?pair=payments", kRunbookToken)->status, 200);
  auto cli = w().cli({"gate", "proxies", "--pair", "payments"});
  EXPECT_EQ(cli.exit_code, 0) << cli.out << cli.err;
  EXPECT_EQ(cli.out.substr(0, cli.out.find('\n')), "gate proxies for pair payments: PASS");
}

TEST_F(Serve, HeadAnswersTheStatusLineOnly) {
  auto r = w().head("/v1/gates/logins?pair=payments", kRunbookToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(w().head("/livez", "")->status, 200);
}

struct AuthCase {
  const char* method;
  const char* path;
  const char* token;
  int status;
};

TEST_F(Serve, AuthMatrix) {
  const AuthCase cases[] = {
      {"GET", "/v1/gates/logins?pair=payments", "", 401},
      {"GET", "/v1/gates/logins?pair=payments", "not-a-token", 401},
      {"GET", "/v1/gates/logins?pair=payments", kRunbookToken, 503},
      {"GET", "/v1/gates/logins?pair=payments", kAuditorToken, 503},
      {"GET", "/v1/pairs", kRunbookToken, 200},
      {"GET", "/v1/pairs/payments/snapshots", "", 401},
      {"GET", "/v1/pairs/payments/snapshots", kRunbookToken, 403},
      {"GET", "/v1/pairs/payments/snapshots", kAuditorToken, 200},
      {"GET", "/v1/audit", kRunbookToken, 403},
      {"GET", "/v1/audit", kAuditorToken, 200},
      {"GET", "/v1/reports/drift?pair=payments", kRunbookToken, 403},
      {"GET", "/v1/reports/drift?pair=payments", kAuditorToken, 200},
      {"POST", "/v1/pairs/payments/sync", "", 401},
      {"POST", "/v1/pairs/payments/sync", kRunbookToken, 403},
      {"POST", "/v1/pairs/payments/sync", kAuditorToken, 403},
      {"POST", "/v1/pairs/payments/sync", kOperatorToken, 200},
      {"POST", "/v1/pairs/payments/snapshots", kAuditorToken, 403},
      {"POST", "/v1/gates/reload", kAuditorToken, 403},
      {"POST", "/v1/gates/reload", kOperatorToken, 200},
  };
  for (const auto& c : cases) {
    auto r = std::string(c.method) == "GET" ? w().get(c.path, c.token) : w().post(c.path, "{}", c.token);
    ASSERT_TRUE(r) << c.path;
    EXPECT_EQ(r->status, c.status) << c.method << " " << c.path << " token=" << c.token << "\n" << r->body;
    if (c.status == 401 || c.status == 403) {
      EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json") << c.path;
      EXPECT_EQ(body_json(r)["parameter"], "Authorization") << c.path;
    }
    if (c.status == 401) {
      EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer realm=\"understudy\"");
    }
  }
  auto forbidden = body_json(w().post("/v1/pairs/payments/sync", "{}", kRunbookToken));
  EXPECT_EQ(forbidden["detail"], "token 'cutover-runbook' has role runbook; this route needs operator");
}

struct ProblemCase {
  const char* method;
  const char* path;
  std::string body;
  int status;
  const char* parameter;
  const char* detail;
};

TEST_F(Serve, RequestErrorsAreProblemsNamingTheParameter) {
  const ProblemCase cases[] = {
      {"GET", "/v1/gates/logins", "", 400, "pair", "query parameter 'pair' is required"},
      {"GET", "/v1/gates/logins?pair=payments&max_age=soon", "", 400, "max_age",
       "max_age must be a whole number from 1 to 31622400"},
      {"GET", "/v1/gates/logins?pair=payments&maxage=60", "", 400, "maxage", "unknown query parameter 'maxage'"},
      {"GET", "/v1/gates/nope?pair=payments", "", 404, "gate", "gate 'nope' does not exist"},
      {"GET", "/v1/gates/logins?pair=billing", "", 404, "pair", ""},
      {"GET", "/v1/gates/..?pair=payments", "", 400, "gate", "gate is not a valid name"},
      {"GET", "/v1/gates/%2e%2e?pair=payments", "", 400, "gate", "gate is not a valid name"},
      {"GET", "/v1/pairs/..%2f..%2fetc/drift", "", 400, "pair", "pair is not a valid name"},
      {"GET", "/v1/pairs/pay%20ments/drift", "", 400, "pair", "pair is not a valid name"},
      {"GET", "/v1/runs/does-not-exist", "", 404, "id", "run 'does-not-exist' does not exist"},
      {"GET", "/v1/nothing-here", "", 404, "path", "no such route"},
      {"POST", "/v1/pairs/payments/sync", "{\"apply\": tru", 400, "body", "request body is not valid JSON (byte 14)"},
      {"POST", "/v1/pairs/payments/sync", "[1]", 400, "body", "request body must be a JSON object"},
      {"POST", "/v1/pairs/payments/sync", "{\"apply\": \"yes\"}", 400, "/apply", "apply must be true or false"},
      {"POST", "/v1/pairs/payments/sync", "{\"force\": true}", 400, "/force", "unknown member 'force'"},
      {"POST", "/v1/pairs/payments/sync", std::string(70 * 1024, ' '), 413, "body", "request body larger than 65536 bytes"},
      {"POST", "/v1/pairs/billing/sync", "{}", 404, "pair", ""},
      {"POST", "/v1/gates/logins", "{}", 405, "method", "method POST is not allowed on /v1/gates/logins"},
      {"GET", "/v1/reports/drift?pair=payments&since=yesterday", "", 400, "since",
       "since must be an RFC 3339 UTC time such as 2026-11-27T00:00:00Z"},
      {"GET", "/v1/pairs/payments/drift?format=xlsx", "", 400, "format", "format must be one of json, csv, html"},
      {"GET", "/v1/audit?limit=0", "", 400, "limit", "limit must be a whole number from 1 to 1000"},
  };
  for (const auto& c : cases) {
    auto r = std::string(c.method) == "GET" ? w().get(c.path) : w().post(c.path, c.body);
    ASSERT_TRUE(r) << c.path;
    EXPECT_EQ(r->status, c.status) << c.path << "\n" << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json") << c.path;
    auto j = body_json(r);
    EXPECT_EQ(j["status"], c.status) << c.path;
    EXPECT_EQ(j["parameter"], c.parameter) << c.path;
    if (*c.detail) {
      EXPECT_EQ(j["detail"], c.detail) << c.path;
    }
    EXPECT_TRUE(j["type"].get<std::string>().rfind("urn:understudy:problem:", 0) == 0) << c.path;
  }
  auto allow = w().post("/v1/gates/logins", "{}");
  EXPECT_EQ(allow->get_header_value("Allow"), "GET, HEAD");
}

TEST_F(Serve, StaleSnapshotIsUnknownAnd503) {
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // let the snapshot age past 1 s
  auto r = w().get("/v1/gates/logins?pair=payments&max_age=1", kRunbookToken);
  EXPECT_EQ(r->status, 503);
  auto j = body_json(r);
  EXPECT_EQ(j["status"], "unknown");
  EXPECT_TRUE(j["reason"].get<std::string>().find("s old, more than the allowed 1 s") != std::string::npos) << j.dump();
  EXPECT_TRUE(j["failures"].empty());
}

TEST_F(Serve, ConcurrentIdenticalRequestsShareEvaluations) {
  auto metric = [&] {
    auto m = w().get("/metrics", "")->body;
    auto key = std::string("understudy_gate_evaluations_total{gate=\"agent-jobs\"} ");
    auto pos = m.find(key);
    return pos == std::string::npos ? 0.0 : std::stod(m.substr(pos + key.size()));
  };
  double before = metric();
  std::vector<std::thread> threads;
  std::atomic<int> answered{0};
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&] {
      auto r = w().get("/v1/gates/agent-jobs?pair=payments", kRunbookToken);
      if (r && r->status == 503) answered++;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered, 16);
  double evaluations = metric() - before;
  EXPECT_GE(evaluations, 1);
  EXPECT_LE(evaluations, 16);
}

TEST_F(Serve, CsvReportsGuardAgainstFormulas) {
  auto r = w().get("/v1/pairs/payments/drift?format=csv", kAuditorToken);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("'=HYPERLINK("), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find(",=HYPERLINK"), std::string::npos);
  EXPECT_NE(r->body.find(",agent_category,'\tTAB_category,"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find(",\tTAB_category"), std::string::npos) << r->body;
  w().get("/v1/gates/agent-jobs?pair=payments", kRunbookToken);  // recorded, with the hostile name
  auto rep = w().get("/v1/reports/drift?pair=payments&format=csv", kAuditorToken);
  ASSERT_EQ(rep->status, 200);
  EXPECT_NE(rep->body.find("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""), std::string::npos) << rep->body;
  EXPECT_EQ(rep->body.find(",=HYPERLINK"), std::string::npos);
  EXPECT_EQ(rep->body.find(",\"=HYPERLINK"), std::string::npos);
  auto html = w().get("/v1/reports/drift?pair=payments&format=html", kAuditorToken);
  EXPECT_EQ(html->body.find("\"http://x\""), std::string::npos) << "html must escape quotes";
}

TEST_F(Serve, MetricsNeverNameObjects) {
  w().get("/v1/gates/logins?pair=payments", kRunbookToken);
  auto m = w().get("/metrics", "")->body;
  // Object names never; the pair and instance names of the config file are bounded labels.
  for (const char* name : {"app_settlement_svc", "app_ledger_svc", "Nightly settlement", "HYPERLINK"})
    EXPECT_EQ(m.find(name), std::string::npos) << name;
  std::set<std::string> labels;
  for (size_t pos = m.find('{'); pos != std::string::npos; pos = m.find('{', pos + 1)) {
    auto eq = m.find('=', pos);
    labels.insert(m.substr(pos + 1, eq - pos - 1));
  }
  for (const auto& l : labels)
    EXPECT_TRUE(l == "kind" || l == "gate" || l == "result" || l == "pair" || l == "instance") << l;
}

TEST_F(Serve, NoSecretInAnyBodyOrLog) {
  std::string all;
  for (const char* path : {"/v1/gates/pre-cutover?pair=payments", "/v1/gates", "/v1/pairs", "/v1/pairs/payments/snapshots",
                           "/v1/pairs/payments/drift", "/v1/pairs/payments/drift?format=csv",
                           "/v1/pairs/payments/drift?format=html", "/v1/reports/drift?pair=payments",
                           "/v1/reports/drift?pair=payments&format=csv", "/v1/reports/drift?pair=payments&format=html",
                           "/v1/audit", "/metrics", "/readyz"})
    all += w().get(path, kAuditorToken)->body;
  all += w().post("/v1/pairs/payments/sync", "{}")->body;
  all += read_file(w().serve_log());
  const char* secrets[] = {
      kSaPassword, kRunbookToken, kAuditorToken, kOperatorToken, kCredentialSecret, kLinkedLoginSecret,
      "FIXTURE-SECRET",
      // password hashes of the fixture's logins (any 24 hex digits of them would do)
      "5E117A01FABE5C6E62601FDBEB8D9787", "1ED60C02EB59DE88F0DBEE7DE78BD3CE", "AE901203099FDC78F4A51453765650",
  };
  for (const char* s : secrets) EXPECT_EQ(all.find(s), std::string::npos) << s;
  using understudy::sha256_hex;
  for (const char* t : {kRunbookToken, kAuditorToken, kOperatorToken})
    EXPECT_EQ(all.find(sha256_hex(t)), std::string::npos) << "token hash in output";
}

// The target's port is closed: every gate is unknown, 503, with the reason.
TEST(ServeUnreachable, TargetUnreachableIsUnknown) {
  World w({.secondary = false});
  ASSERT_EQ(w.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
  w.start_serve();
  auto r = w.get("/v1/gates/pre-cutover?pair=payments", kRunbookToken);
  EXPECT_EQ(r->status, 503);
  auto j = body_json(r);
  EXPECT_EQ(j["status"], "unknown");
  EXPECT_EQ(j["reason"].get<std::string>().rfind("target unreachable: ", 0), 0u) << j.dump();
  EXPECT_EQ(j["target_instance"], "");
  auto cli = w.cli({"gate", "pre-cutover", "--pair", "payments"});
  EXPECT_EQ(cli.exit_code, 2) << cli.out << cli.err;
}

// No snapshot of the primary yet: unknown, never a pass.
TEST(ServeNoSnapshot, NoSnapshotIsUnknown) {
  World w;
  w.start_serve();
  auto j = body_json(w.get("/v1/gates/logins?pair=payments", kRunbookToken));
  EXPECT_EQ(j["status"], "unknown");
  EXPECT_EQ(j["reason"], "no snapshot of primary instance 'primary' in the store");
}

TEST(ServeTls, ServesHttpsWhenCertificateAndKeyAreConfigured) {
  World w({.tls = true});
  auto port = w.start_serve();
  httplib::SSLClient tls("127.0.0.1", port);
  tls.enable_server_certificate_verification(false);  // self-signed, made by this test
  auto r = tls.Get("/livez");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  auto gate = tls.Get("/v1/gates/logins?pair=payments", {{"Authorization", std::string("Bearer ") + kRunbookToken}});
  ASSERT_TRUE(gate);
  EXPECT_EQ(gate->status, 503);  // no snapshot yet: unknown
  httplib::Client plain("127.0.0.1", port);
  auto p = plain.Get("/livez");
  EXPECT_TRUE(!p || p->status != 200) << "plain HTTP must not be answered on the TLS port";
}

const char* kBadGate = R"({"format_version": 1, "name": "site", "description": "d", "pairs": ["*"],
  "checks": [{"type": "no_drift", "kinds": ["logn"]}]})";
const char* kGoodGate = R"({"format_version": 1, "name": "site", "description": "d", "pairs": ["payments"],
  "checks": [{"type": "required_objects", "objects": [{"kind": "login", "key": "app_settlement_svc"}]}]})";

TEST(ServeGateFiles, BadGateFileStopsStartup) {
  World w({.extra_gate = kBadGate, .extra_gate_name = "site"});
  auto r = w.serve_expecting_failure();
  EXPECT_EQ(r.exit_code, 65);
  EXPECT_NE(r.err.find("error: " + w.gates_dir() + "/site.json: /checks/0/kinds/0: unknown kind \"logn\"\n"),
            std::string::npos)
      << r.err;
}

TEST(ServeGateFiles, ReloadKeepsTheLastGoodSet) {
  World w({.extra_gate = kGoodGate, .extra_gate_name = "site"});
  w.start_serve();
  EXPECT_EQ(body_json(w.get("/v1/gates/site?pair=payments", kRunbookToken))["gate"], "site");
  write_file(w.gates_dir() + "/site.json", kBadGate);
  auto r = w.post("/v1/gates/reload", "", kOperatorToken);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_json(r)["detail"], w.gates_dir() + "/site.json: /checks/0/kinds/0: unknown kind \"logn\"");
  EXPECT_EQ(body_json(r)["hint"], "kept the last good set of 11 gate(s)");
  EXPECT_EQ(body_json(w.get("/readyz", ""))["gates_reload_error"],
            w.gates_dir() + "/site.json: /checks/0/kinds/0: unknown kind \"logn\"");
  // The old definition still answers.
  EXPECT_EQ(body_json(w.get("/v1/gates/site?pair=payments", kRunbookToken))["gate"], "site");
  // SIGHUP reloads too; a fixed file is taken.
  write_file(w.gates_dir() + "/site.json", kGoodGate);
  w.serve().signal(SIGHUP);
  for (int i = 0; i < 100; ++i) {
    if (body_json(w.get("/readyz", ""))["gates_reload_error"].is_null()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(body_json(w.get("/readyz", ""))["gates_reload_error"].is_null());
}

}  // namespace
}  // namespace e2e
