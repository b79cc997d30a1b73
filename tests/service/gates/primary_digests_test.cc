// The service's gate inputs for a large pair (gates/sources.h): the latest primary snapshot kept as
// digests (kind, match key, fingerprint, version id) instead of decoded objects, and the live
// target compared as it streams past them. Against the emulator over TDS: what the streamed
// comparison reports must be exactly what comparing the whole decoded snapshot with the whole
// live target reports, and only the primary objects that differ are loaded from the store.
#include <gtest/gtest.h>

#include <cstdlib>

#include "../catalog/emu_util.h"
#include "catalog/reader.h"
#include "config/config.h"
#include "diff/diff.h"
#include "gates/sources.h"
#include "store/store.h"

namespace understudy::gates {
namespace {

using understudy::testing::TempDir;

constexpr const char* kPasswordEnv = "UNDERSTUDY_PRIMARY_DIGESTS_TEST_PW";

// "<kind> <key> <category>" per finding, one per line.
std::string findings_of(const diff::Comparison& c) {
  std::string out;
  for (const auto& f : c.findings)
    out += std::string(catalog::kind_name(f.kind)) + " " + f.key + " " + std::string(diff::category_name(f.category)) + "\n";
  return out;
}

class PrimaryDigestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv(kPasswordEnv, primary.sa_password().c_str(), 1);
    ASSERT_EQ(primary.sa_password(), target.sa_password());
    std::string toml = "store = \"" + dir.file("understudy.db") + "\"\n";
    for (auto [name, server] : {std::pair{"primary", &primary}, std::pair{"secondary", &target}})
      toml += std::string("[instances.") + name + "]\nconnection = \"" + server->connection_string_without_password() +
              "\"\npassword_env = \"" + kPasswordEnv + "\"\nlogin_timeout = 3\n";
    toml += "[pairs.dr]\nprimary = \"primary\"\nsecondary = \"secondary\"\n";
    // Jobs as the primary runs them: the target, a copy of the primary, holds them enabled too.
    toml += "[pairs.mirror]\nprimary = \"primary\"\nsecondary = \"secondary\"\njobs_on_secondary = \"enabled\"\n";
    toml += "[pairs.logins]\nprimary = \"primary\"\nsecondary = \"secondary\"\nkinds = [\"login\"]\n";
    auto cfg = config::load_from_string(toml, "primary_digests_test.toml");
    ASSERT_TRUE(cfg) << cfg.error().message;
    config = std::make_unique<config::Config>(std::move(*cfg));
    auto st = store::Store::open(dir.file("understudy.db"));
    ASSERT_TRUE(st) << st.error().to_string();
    store = std::move(*st);
    snapshot_primary();
  }

  void snapshot_primary() {
    auto conn = understudy::testing::connect_sa(primary);
    auto objects = catalog::read_objects(conn);
    ASSERT_TRUE(objects) << objects.error().to_string();
    auto info = store->save_snapshot({.instance = "primary"}, *objects);
    ASSERT_TRUE(info) << info.error().to_string();
  }

  void exec_on_target(const std::string& sql) {
    auto conn = understudy::testing::connect_sa(target, "secondary");
    auto st = conn.statement();
    ASSERT_TRUE(st);
    auto r = st->execute_direct(sql);
    ASSERT_TRUE(r) << r.error().to_string();
  }

  const config::Pair& pair(const std::string& name) { return **config->pair(name); }

  diff::Fetch loader() {
    return [this](std::span<const int64_t> ids) {
      loaded += ids.size();
      return store->load_versions(ids, false);
    };
  }

  TempDir dir;
  emu::TestServer primary{{.fixture = emu::fixture_path("payments-primary.json")}};
  emu::TestServer target{{.fixture = emu::fixture_path("payments-primary.json")}};
  std::unique_ptr<config::Config> config;
  std::unique_ptr<store::Store> store;
  size_t loaded = 0;  // versions loaded through loader()
};

TEST_F(PrimaryDigestsTest, StreamedComparisonReportsWhatTheWholeComparisonReports) {
  exec_on_target("ALTER LOGIN report_reader DISABLE");
  exec_on_target("CREATE LOGIN only_on_target WITH PASSWORD = 'Only-On-Target-Pw1!'");
  PrimaryCache cache;
  auto digests = cache.latest(*store, pair("dr"));
  ASSERT_TRUE(digests) << digests.error().to_string();

  // Whole: the decoded snapshot against the whole live target.
  auto whole_primary = load_primary(*store, pair("dr"), **digests);
  ASSERT_TRUE(whole_primary) << whole_primary.error().to_string();
  auto whole_target = read_target(*config, pair("dr"));
  ASSERT_TRUE(whole_target) << whole_target.error().to_string();
  auto whole = diff::compare(whole_primary->objects, whole_target->objects);
  ASSERT_TRUE(whole.drift());

  // Streamed: equal objects only counted; the primary's side of the rest loaded by version id.
  auto streamed = read_target_against(*config, pair("dr"), **digests, loader());
  ASSERT_TRUE(streamed) << streamed.error().to_string();
  EXPECT_EQ(findings_of(diff::compare(streamed->primary_rest, streamed->target.objects)), findings_of(whole));
  EXPECT_EQ(streamed->target.instance, whole_target->instance);
  EXPECT_EQ(loaded, streamed->primary_rest.size());
  EXPECT_LT(loaded, (*digests)->digests.size());
  EXPECT_EQ(streamed->equal + streamed->primary_rest.size(), (*digests)->digests.size());
  // The digests are the snapshot's objects, `instance` aside, as the checks would see them.
  EXPECT_EQ((*digests)->digests.size() + 1, whole_primary->objects.size());
  EXPECT_EQ((*digests)->header.id, whole_primary->id);
}

TEST_F(PrimaryDigestsTest, EqualTargetLoadsNothingFromTheStore) {
  PrimaryCache cache;
  auto digests = cache.latest(*store, pair("mirror"));
  ASSERT_TRUE(digests) << digests.error().to_string();
  auto streamed = read_target_against(*config, pair("mirror"), **digests, loader());
  ASSERT_TRUE(streamed) << streamed.error().to_string();
  EXPECT_EQ(findings_of(diff::compare(streamed->primary_rest, streamed->target.objects)), "");
  EXPECT_EQ(loaded, 0u);
  EXPECT_EQ(streamed->equal, (*digests)->digests.size());
  ASSERT_EQ(streamed->target.objects.size(), 1u);  // the instance object: the target's facts
  EXPECT_EQ(streamed->target.objects[0].kind, catalog::Kind::kInstance);
}

// The pair's default (jobs_on_secondary = disabled): the snapshot's enabled jobs are compared as
// the secondary should hold them, disabled — a copy that runs them differs in exactly those jobs.
TEST_F(PrimaryDigestsTest, JobsAreComparedAsTheSecondaryShouldHoldThem) {
  PrimaryCache cache;
  auto digests = cache.latest(*store, pair("dr"));
  ASSERT_TRUE(digests) << digests.error().to_string();
  auto streamed = read_target_against(*config, pair("dr"), **digests, loader());
  ASSERT_TRUE(streamed) << streamed.error().to_string();
  EXPECT_EQ(findings_of(diff::compare(streamed->primary_rest, streamed->target.objects)),
            "agent_job Ledger close different\nagent_job Nightly settlement different\n");
  EXPECT_EQ(loaded, 2u);
  for (const auto& o : streamed->primary_rest) EXPECT_EQ(o.fields.value("enabled", true), false) << o.key;
}

TEST_F(PrimaryDigestsTest, CacheHoldsThePairsSelectionAndFollowsTheLatestSnapshot) {
  PrimaryCache cache;
  auto all = cache.latest(*store, pair("dr"));
  auto logins = cache.latest(*store, pair("logins"));
  ASSERT_TRUE(all && logins);
  EXPECT_EQ(cache.decodes(), 2u);
  ASSERT_FALSE((*logins)->digests.empty());
  for (const auto& d : (*logins)->digests) EXPECT_EQ(d.kind, catalog::Kind::kLogin) << d.match_key;
  EXPECT_LT((*logins)->digests.size(), (*all)->digests.size());
  EXPECT_TRUE(std::is_sorted((*all)->digests.begin(), (*all)->digests.end(), catalog::digest_less));

  auto again = cache.latest(*store, pair("dr"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->get(), all->get());  // the same entry, not loaded again
  EXPECT_EQ(cache.decodes(), 2u);

  snapshot_primary();  // a newer snapshot replaces the entry on the next call
  auto newer = cache.latest(*store, pair("dr"));
  ASSERT_TRUE(newer);
  EXPECT_NE((*newer)->header.id, (*all)->header.id);
  EXPECT_EQ(cache.decodes(), 3u);
}

}  // namespace
}  // namespace understudy::gates
