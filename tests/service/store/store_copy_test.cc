// `understudy store copy` end to end (the real binary): a store with snapshots, secrets, a sync
// journal, runs, evaluations and an audit trail arrives whole — SQLite and PostgreSQL either side —
// and the copy goes on where the source stopped; a non-empty target is refused with nothing written.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <tuple>

#include "../config/temp_dir.h"
#include "pg_server.h"
#include "replay/journal.h"
#include "report/records.h"
#include "store/store.h"

namespace understudy::store {
namespace {

using understudy::testing::Backend;
using understudy::testing::TempDir;

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the binary with `args` (already shell-quoted where needed).
CliRun understudy_cli(const TempDir& dir, const std::string& args) {
  const std::string cmd = std::string(UNDERSTUDY_BIN) + " " + args + " >" + dir.path() + "/out 2>" + dir.path() + "/err";
  int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read_all(dir.path() + "/out"), read_all(dir.path() + "/err")};
}

catalog::ServerObject login(const std::string& name, const std::string& hash) {
  catalog::ServerObject o;
  o.kind = catalog::Kind::kLogin;
  o.key = name;
  o.fields = {{"sid", "0x01"}, {"type", "S"}};
  o.volatile_fields = {{"principal_id", 260}};
  o.password_hash = Secret(hash);
  o.seal();
  return o;
}

// A source store with something in every table.
void fill(Store& s) {
  ASSERT_TRUE(s.save_snapshot({.instance = "primary", .run_id = "r1"}, std::vector{login("app", "0x0200AA")}));
  ASSERT_TRUE(s.save_snapshot({.instance = "primary", .run_id = "r2"},
                              std::vector{login("app", "0x0200BB"), login("report", "0x0200CC")}));
  ASSERT_TRUE(s.save_snapshot({.instance = "secondary", .run_id = "r3"}, std::vector{login("app", "0x0200AA")}));
  auto journal = replay::Journal::open(s);
  ASSERT_TRUE(journal);
  auto run = journal->begin_run("sync-1", "prod", "dba", "apply", {{"source_snapshot", 2}});
  ASSERT_TRUE(run);
  ASSERT_TRUE(journal->record(*run, {1, "login", "report", "create", "applied", "CREATE LOGIN [report] …", 0, "",
                                     "2026-12-01T08:00:00Z", 3}));
  ASSERT_TRUE(journal->finish_run(*run, "converged", {{"applied", 1}}));
  ASSERT_TRUE(report::migrate(s));
  for (const char* id : {"run-a", "run-b"})
    ASSERT_TRUE(report::save_run(s, {id, "sync", "prod", "succeeded", "dba", "2026-12-01T08:00:00Z",
                                     "2026-12-01T08:00:01Z", {{"actions", 1}}}));
  gates::GateResult g;
  g.gate = "logins";
  g.pair = "prod";
  g.verdict = gates::Verdict::kPass;
  g.checked_at = 1796112000;
  ASSERT_TRUE(report::record_evaluation(s, g));
  for (int i = 1; i <= 3; ++i) {
    report::AuditEntry e;
    e.actor = "dba";
    e.action = "sync.apply";
    e.pair = "prod";
    e.run_id = "run-" + std::to_string(i);
    e.detail = {{"n", i}};
    ASSERT_TRUE(report::append_audit(s, e));
  }
}

using Direction = std::tuple<Backend, Backend>;

class StoreCopyTest : public ::testing::TestWithParam<Direction> {
 protected:
  void SetUp() override {
    from_ = understudy::testing::new_store(std::get<0>(GetParam()), dir_.path());
    to_ = std::get<1>(GetParam()) == Backend::kSqlite ? dir_.path() + "/copy.db"
                                                      : understudy::testing::new_store(Backend::kPostgres, "");
    // The password of either PostgreSQL side comes from the config, as it would for a node.
    config_ = dir_.write("understudy.toml", std::string("store_password_env = \"") + understudy::testing::kPasswordEnv +
                                                "\"\nstore = \"postgresql://understudy@localhost/unused\"\n");
  }
  std::unique_ptr<Store> open(const std::string& where, Backend b) {
    auto s = Store::open(where, understudy::testing::store_options(b));
    EXPECT_TRUE(s) << s.error().to_string();
    return s ? std::move(*s) : nullptr;
  }
  CliRun copy() { return understudy_cli(dir_, "store copy --config " + config_ + " --from '" + from_ + "' --to '" + to_ + "'"); }
  TempDir dir_;
  std::string from_, to_, config_;
};

INSTANTIATE_TEST_SUITE_P(
    Directions, StoreCopyTest,
    ::testing::Combine(::testing::Values(Backend::kSqlite, Backend::kPostgres),
                       ::testing::Values(Backend::kSqlite, Backend::kPostgres)),
    [](const auto& info) {
      return understudy::testing::backend_name(std::get<0>(info.param)) + "_to_" +
             understudy::testing::backend_name(std::get<1>(info.param));
    });

TEST_P(StoreCopyTest, EverythingArrivesVerifiedAndTheCopyGoesOn) {
  {
    auto src = open(from_, std::get<0>(GetParam()));
    ASSERT_TRUE(src);
    fill(*src);
  }
  auto r = copy();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("  object_version: 4\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  object_secret: 4\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  audit_entry: 3\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("audit trail intact on the copy: 3 entries, head "), std::string::npos) << r.out;

  auto src = open(from_, std::get<0>(GetParam()));
  auto dst = open(to_, std::get<1>(GetParam()));
  ASSERT_TRUE(src && dst);
  auto a = src->list_snapshots().value(), b = dst->list_snapshots().value();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].instance, b[i].instance);
    EXPECT_EQ(a[i].taken_at, b[i].taken_at);
    EXPECT_EQ(a[i].counts, b[i].counts);
    auto oa = src->load_objects(a[i].id, {.with_password_hashes = true}).value();
    auto ob = dst->load_objects(b[i].id, {.with_password_hashes = true}).value();
    ASSERT_EQ(oa.size(), ob.size());
    for (size_t k = 0; k < oa.size(); ++k) {
      EXPECT_EQ(oa[k].fingerprint, ob[k].fingerprint);
      EXPECT_EQ(oa[k].fields, ob[k].fields);
      ASSERT_TRUE(ob[k].password_hash);
      EXPECT_EQ(oa[k].password_hash->reveal(), ob[k].password_hash->reveal());
    }
  }
  auto ja = replay::Journal::open(*dst);
  ASSERT_TRUE(ja);
  auto runs = ja->runs("prod").value();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "converged");
  ASSERT_EQ(runs[0].actions.size(), 1u);
  EXPECT_EQ(runs[0].actions[0].key, "report");
  EXPECT_EQ(report::latest_run(*dst, "prod", "sync").value()->id, "run-b");
  EXPECT_EQ(report::list_evaluations(*dst, "prod", "", "").value().size(), 1u);
  auto va = report::verify_audit(*src).value(), vb = report::verify_audit(*dst).value();
  EXPECT_FALSE(vb.first_broken);
  EXPECT_EQ(vb.head_hash, va.head_hash);

  // The copy goes on: new rows get ids past the copied ones, the chain grows from its head.
  auto next = dst->save_snapshot({.instance = "primary"}, std::vector{login("app", "0x0200DD")});
  ASSERT_TRUE(next) << next.error().to_string();
  EXPECT_EQ(next->id, a.front().id + 1);
  report::AuditEntry e;
  e.actor = "dba";
  e.action = "snapshot";
  auto appended = report::append_audit(*dst, e);
  ASSERT_TRUE(appended);
  EXPECT_EQ(appended->seq, 4);
  EXPECT_FALSE(report::verify_audit(*dst).value().first_broken);
  ASSERT_TRUE(report::save_run(*dst, {"run-c", "sync", "prod", "succeeded", "dba", "2026-12-01T08:00:00Z", "", {}}));
  EXPECT_EQ(report::latest_run(*dst, "prod", "sync").value()->id, "run-c") << "ordered after the copied runs";

  // A second copy into it: refused, nothing written.
  dst.reset();
  auto again = copy();
  EXPECT_EQ(again.exit_code, 65) << again.out << again.err;
  EXPECT_NE(again.err.find("is not empty (2 instance row(s)"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("nothing was copied"), std::string::npos) << again.err;
  EXPECT_EQ(open(to_, std::get<1>(GetParam()))->list_snapshots().value().size(), a.size() + 1);
}

TEST_P(StoreCopyTest, AMissingSourceIsNotFoundAndTheTargetStaysEmpty) {
  if (std::get<0>(GetParam()) == Backend::kSqlite) from_ = dir_.path() + "/missing.db";
  auto r = copy();
  EXPECT_EQ(r.exit_code, 66) << r.out << r.err;
  EXPECT_EQ(r.out, "");
}

// An unreachable store at start: a clear error naming the store and why, exit 69, for any command.
TEST(StoreCopyCli, AnUnreachableStoreAtStartExits69WithTheReason) {
  TempDir dir;
  const std::string url = "postgresql://understudy@%2F" + dir.path().substr(1) + "%2Fnone:5432/us?connect_timeout=2";
  for (const std::string& args : {"snapshots list --store '" + url + "'", "audit verify --store '" + url + "'"}) {
    auto r = understudy_cli(dir, args);
    EXPECT_EQ(r.exit_code, 69) << args << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("store " + url + ": cannot connect to the PostgreSQL store: "), std::string::npos) << r.err;
  }
}

TEST(StoreCopyCli, APasswordInAURLIsRefusedWithoutShowingIt) {
  TempDir dir;
  auto r = understudy_cli(dir, "store copy --from " + dir.path() + "/a.db --to 'postgresql://u:hunter2@localhost/db'");
  EXPECT_EQ(r.exit_code, 78) << r.out << r.err;
  EXPECT_NE(r.err.find("the PostgreSQL URL carries a password"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace understudy::store
