// `understudy gate` with the cutover gates, against the real binary and an emulated cluster:
// exit 0 pass, 1 fail, 2 unknown, 64 for a malformed parameter — and the same JSON body.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cluster/cluster.h"

namespace {

const std::string kFixtures = std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/emulator/cluster/fixtures/";

struct Outcome {
  int exit_code = -1;
  std::string out;
};

Outcome run(const std::string& command) {
  Outcome r;
  FILE* p = popen((command + " 2>/dev/null").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class CutoverCli : public ::testing::Test {
 protected:
  void SetUp() override {
    emu::ClusterOptions o;
    o.fixtures[0] = kFixtures + "ha-primary.json";
    o.fixtures[1] = kFixtures + "ha-secondary.json";
    cluster = std::make_unique<emu::Cluster>(o);
    setenv("UNDERSTUDY_CUTOVER_CLI_PW", cluster->sa_password().c_str(), 1);
    dir = std::filesystem::temp_directory_path() /
          ("understudy-cutover-cli-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  // Writes the config (secondary at `secondary_port`) and runs `understudy gate ARGS --format json`.
  Outcome gate(const std::string& args, uint16_t secondary_port = 0) {
    auto cs = [&](uint16_t port) { return cluster->connection_string_without_password(port); };
    std::ofstream f(dir / "understudy.toml");
    f << "store = \"" << (dir / "u.db").string() << "\"\n"
      << "[instances.primary]\nconnection = \"" << cs(cluster->port(0)) << "\"\npassword_env = \"UNDERSTUDY_CUTOVER_CLI_PW\"\n"
      << "[instances.secondary]\nconnection = \"" << cs(secondary_port ? secondary_port : cluster->port(1))
      << "\"\npassword_env = \"UNDERSTUDY_CUTOVER_CLI_PW\"\nlogin_timeout = \"3s\"\n"
      << "[pairs.dr]\nprimary = \"primary\"\nsecondary = \"secondary\"\n"
      << "read_write_listener = \"" << cs(cluster->rw_port()) << "\"\n"
      << "read_only_listener = \"" << cs(cluster->ro_port()) << "\"\n";
    f.close();
    return run(std::string(UNDERSTUDY_BIN) + " gate " + args + " --pair dr --format json --config " +
               (dir / "understudy.toml").string());
  }

  std::unique_ptr<emu::Cluster> cluster;
  std::filesystem::path dir;
};

TEST_F(CutoverCli, ExitCodesFollowTheVerdict) {
  struct Row {
    std::string args;
    int exit_code;
    std::string status;
  };
  const Row rows[] = {
      {"landing", 0, "pass"},
      {"replication --state synchronized --max-lag-seconds 0", 0, "pass"},
      {"orphaned-users", 1, "fail"},                   // app_svc recreated with a new SID
      {"landing --expect swapped", 1, "fail"},         // no failover happened
      {"freshness", 1, "fail"},                        // no snapshot in the store
  };
  for (const auto& row : rows) {
    auto r = gate(row.args);
    EXPECT_EQ(r.exit_code, row.exit_code) << row.args << "\n" << r.out;
    auto body = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << row.args << ": " << r.out;
    EXPECT_EQ(body["status"], row.status) << row.args;
  }
}

TEST_F(CutoverCli, UnknownWhenTheTargetCannotBeReadAndUsageForBadParameters) {
  auto r = gate("replication", 1);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["status"], "unknown");
  EXPECT_EQ(gate("replication --max-lag-seconds -3").exit_code, 64);
  EXPECT_EQ(gate("landing --expect sideways").exit_code, 64);
}

TEST_F(CutoverCli, AfterAPlannedFailoverPostFailoverLandingPasses) {
  ASSERT_EQ(cluster->failover("planned"), "");
  auto r = gate("landing --expect swapped");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["checks"][0]["details"]["read_write"]["reached"], "MI-PROD-WESTUS2");
}

}  // namespace
