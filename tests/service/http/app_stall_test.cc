// The service's store is never held across a live read: while a slow primary is being
// snapshotted (its read held in the emulator by a latch), readiness, another pair's gate, that
// gate's record in the store and the other pair's snapshots all answer. Before, the snapshot held
// the shared store's lock for the whole read, and each of these waited as long as the read.
// No timing is asserted: the latch stays closed until they have answered (or a generous bound
// passes, which fails the test).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <thread>

#include "config/config.h"
#include "emu_util.h"
#include "http/app.h"

namespace understudy::http {
namespace {

using testing::TempDir;

constexpr const char* kPasswordEnv = "APP_STALL_TEST_PW";

struct Answers {
  bool ready = false;
  gates::Verdict verdict = gates::Verdict::kUnknown;
  std::string reason;
  size_t snapshots = 0;
  size_t evaluations = 0;
};

TEST(AppStall, ASlowPrimarysSnapshotHoldsNeitherReadinessNorAnotherPair) {
  TempDir dir;
  emu::TestServer slow({.fixture = emu::fixture_path("payments-primary.json")});
  emu::TestServer fast({.fixture = emu::fixture_path("payments-primary.json")});
  emu::TestServer target;
  setenv(kPasswordEnv, slow.sa_password().c_str(), 1);
  std::string toml = "store = \"" + dir.file("understudy.db") + "\"\n";
  for (auto [name, server] : {std::pair{"slow", &slow}, std::pair{"fast", &fast}, std::pair{"target", &target}})
    toml += std::string("[instances.") + name + "]\nconnection = \"" + server->connection_string_without_password() +
            "\"\npassword_env = \"" + kPasswordEnv + "\"\n";
  toml += "[pairs.a]\nprimary = \"slow\"\nsecondary = \"target\"\n";
  toml += "[pairs.b]\nprimary = \"fast\"\nsecondary = \"target\"\n";
  toml += "[service]\nsnapshot_interval = \"0\"\n";
  auto cfg = config::load_from_string(toml, "app_stall_test.toml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  auto opened = App::open({.config = *cfg});
  ASSERT_TRUE(opened) << opened.error().to_string();
  App& app = **opened;
  const config::Pair& a = *app.pair("a").value();
  const config::Pair& b = *app.pair("b").value();
  ASSERT_TRUE(app.snapshot(b, "test"));  // pair b's gate can be judged

  slow.faults().hold_requests = true;
  auto snapshot = std::async(std::launch::async, [&] { return app.snapshot(a, "test"); });
  for (int i = 0; i < 600 && slow.faults().held_requests.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_GT(slow.faults().held_requests.load(), 0) << "the snapshot's read never reached the slow primary";

  auto answers = std::async(std::launch::async, [&] {
    Answers out;
    out.ready = app.store_ok();
    auto gate = app.gate("logins", "b");
    if (gate) {
      auto r = app.evaluate(**gate, b, std::nullopt);
      out.verdict = r.verdict;
      out.reason = r.reason;
    }
    auto snaps = app.snapshots(b);
    if (snaps) out.snapshots = snaps->size();
    auto rep = app.drift_report("b", "", "");
    if (rep)
      for (const auto& row : rep->rows) out.evaluations += row.event == "gate_evaluation" ? 1 : 0;
    return out;
  });
  bool answered = answers.wait_for(std::chrono::seconds(45)) == std::future_status::ready;
  int still_held = slow.faults().held_requests.load();
  slow.faults().hold_requests = false;  // the snapshot goes on either way
  EXPECT_TRUE(answered) << "readiness or pair b waited on pair a's live read";
  EXPECT_GT(still_held, 0) << "the slow read ended before the others answered: the test proved nothing";
  auto got = answers.get();
  EXPECT_TRUE(got.ready);
  EXPECT_EQ(got.verdict, gates::Verdict::kFail) << got.reason;  // the empty target lacks the logins
  EXPECT_EQ(got.snapshots, 1u);
  EXPECT_GE(got.evaluations, 1u) << "the evaluation was not recorded (the store's write lock was held)";
  auto done = snapshot.get();
  ASSERT_TRUE(done) << done.error().to_string();
  EXPECT_EQ(done->status, "succeeded");
}

}  // namespace
}  // namespace understudy::http
