// hostile_test.cc — names with ], ', ;, --, $(…), line breaks, Unicode (astral plane included) and
// exactly 128 characters, in every kind, arrive on the target exactly (issue 4); and the CLI end
// to end: dry run, apply, script.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "catalog/reader.h"
#include "diff/diff.h"
#include "diff/expectation.h"
#include "report/records.h"
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

// What sqlcmd does with a script file: reads it line by line (a CR before the LF is part of the
// line ending, not of the text), runs the text between GO lines as one batch, and substitutes
// $(VAR). Every batch runs on `server`; returns the first error.
Status run_like_sqlcmd(emu::TestServer& server, const std::string& script) {
  auto conn = understudy::testing::connect_sa(server, "sqlcmd");
  std::string batch;
  std::istringstream in(script);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "GO") {
      if (auto r = conn.execute(batch); !r) return tl::unexpected(r.error());
      batch.clear();
      continue;
    }
    if (line.find("$(") != std::string::npos) return fail(ErrorCode::kInternal, "unexpected variable: " + line);
    batch += line + "\n";
  }
  if (batch.find_first_not_of(" \n") != std::string::npos) {
    if (auto r = conn.execute(batch); !r) return tl::unexpected(r.error());
  }
  return {};
}

// Names and texts with CR LF, lone CR and $( arrive exactly when the script is run as sqlcmd runs
// it — and the emulator runs every batch, the long wrapped ones included (SQL Server does).
TEST(Hostile, ScriptRunAsSqlcmdRunsItRecreatesEveryNameExactly) {
  const std::string crlf = "two\r\nlines\rand $(PATH)";
  std::string long_text;
  for (int i = 0; i < 150; ++i) long_text += "SELECT " + std::to_string(i) + ";\r\n-- $(x) line\n";
  const json primary = {
      {"version", 1},
      {"server_roles", {{{"name", "role " + crlf}}}},
      {"categories", {{{"name", "cat " + crlf}}}},
      {"operators", {{{"name", "op " + crlf}, {"email_address", "a@example.com"}}}},
      {"jobs",
       {{{"name", "job " + crlf},
         {"category", "cat " + crlf},
         {"description", "desc " + crlf},
         {"steps", {{{"step_name", "step " + crlf}, {"subsystem", "TSQL"}, {"database_name", "master"},
                     {"command", long_text}}}},
         {"servers", {"(local)"}}}}},
  };
  understudy::testing::TempDir fx;
  const auto path = understudy::testing::write_fixture(fx, "p", primary);
  testing::SyncPair pair({.fixture = path}, {.fixture = emu::fixture_path("empty-secondary.json")}, "");
  auto run = understudy::testing::understudy(pair.dir, {"script", "--pair", "prod", "--live-source"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find('\r'), std::string::npos) << "every CR is spelled NCHAR(13)";
  auto ran = run_like_sqlcmd(*pair.secondary, run.out);
  ASSERT_TRUE(ran) << ran.error().to_string();
  auto ps = understudy::testing::connect_sa(*pair.primary, "p");
  auto ss = understudy::testing::connect_sa(*pair.secondary, "s");
  auto src = catalog::read_objects(ps);
  auto tgt = catalog::read_objects(ss);
  ASSERT_TRUE(src && tgt);
  // The job as the secondary should hold it: disabled there (jobs_on_secondary, diff/expectation.h).
  const config::Config cfg = pair.config();
  auto prod = cfg.pair("prod");
  ASSERT_TRUE(prod) << prod.error().to_string();
  drift::expect_on_secondary(**prod, *src);
  const auto drift = diff::compare(*src, *tgt);
  std::string found;
  for (const auto& f : drift.findings) {
    found += std::string(catalog::kind_name(f.kind)) + " " + f.key + " " + std::string(diff::category_name(f.category)) + "\n";
  }
  EXPECT_EQ(found, "");
  EXPECT_GE(drift.source_objects, 4u);
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
  // sync.apply.start, then sync.apply
  EXPECT_EQ(audit.out.rfind("audit trail intact: 2 entries\nhead: entry 2 ", 0), 0u) << audit.out;
  for (const auto& out : {dry.out + dry.err, apply.out + apply.err}) {
    EXPECT_EQ(out.find(testing::kCredentialSecret), std::string::npos);
    EXPECT_EQ(out.find(testing::kLinkedPassword), std::string::npos);
  }
}

// kill -9 in the middle of an apply: the intent is in the audit trail before the first write; the
// next apply closes the killed run as `abandoned`, and the audit trail shows both.
TEST(SyncCli, AKilledApplyLeavesItsIntentAndTheNextApplyClosesIt) {
  testing::SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  pair.secondary->faults().reply_delay_ms = 20;  // room to kill it between two writes
  const pid_t pid = understudy::testing::spawn_understudy(
      pair.dir, {"sync", "--pair", "prod", "--live-source", "--apply", "--config", pair.dir.file("understudy.toml")});
  bool exited = false;
  while (pair.secondary->stats().writes == 0 && !exited) {
    int status = 0;
    exited = waitpid(pid, &status, WNOHANG) == pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_FALSE(exited) << "the apply ended before its first write";
  ::kill(pid, SIGKILL);
  understudy::testing::wait_understudy(pair.dir, pid);
  pair.secondary->faults().reply_delay_ms = 0;

  auto audit_actions = [&] {
    auto st = pair.store();
    EXPECT_TRUE(report::migrate(*st));
    auto entries = report::list_audit(*st, 0, 100);
    EXPECT_TRUE(entries) << entries.error().to_string();
    std::vector<std::string> out;
    for (const auto& e : *entries) out.push_back(e.action + " " + e.run_id);
    return out;
  };
  const JournalRun killed = pair.last_run();
  EXPECT_EQ(killed.status, "running");
  EXPECT_EQ(audit_actions(), std::vector<std::string>{"sync.apply.start " + killed.run_id});

  auto again = understudy::testing::understudy(pair.dir, {"sync", "--pair", "prod", "--live-source", "--apply"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  const JournalRun next = pair.last_run();
  ASSERT_NE(next.run_id, killed.run_id);
  EXPECT_EQ(next.status, "converged");
  auto st = pair.store();
  auto j = Journal::open(*st);
  ASSERT_TRUE(j);
  auto runs = j->runs("prod", 10);
  ASSERT_TRUE(runs);
  for (const auto& r : *runs) {
    if (r.run_id != killed.run_id) continue;
    EXPECT_EQ(r.status, "abandoned");
    EXPECT_EQ(r.summary["closed_by"], next.run_id);
    EXPECT_FALSE(r.finished_at.empty());
  }
  EXPECT_EQ(audit_actions(), (std::vector<std::string>{"sync.apply.start " + killed.run_id,
                                                       "sync.apply.abandoned " + killed.run_id,
                                                       "sync.apply.start " + next.run_id, "sync.apply " + next.run_id}));
  auto verify = understudy::testing::understudy(pair.dir, {"audit", "verify"});
  EXPECT_EQ(verify.out.rfind("audit trail intact: 4 entries\n", 0), 0u) << verify.out << verify.err;
}

}  // namespace
}  // namespace understudy::replay
