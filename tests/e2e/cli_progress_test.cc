// Progress of long commands on stderr: a line on a terminal (objects done / total, rate, ETA,
// then the time taken), nothing with --quiet, nothing when stderr is not a terminal — so cron
// mails and pipes stay clean. stdout (the answer) never carries it.
#include <gtest/gtest.h>

#include "world.h"

namespace e2e {
namespace {

TEST(CliProgress, ATerminalSeesProgressAPipeAndQuietSeeNone) {
  World w;
  auto first = w.cli_on_terminal({"snapshot", "--pair", "payments"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  // The first snapshot has no estimate of the total; the line ends with the time taken.
  EXPECT_NE(first.err.find("snapshot of primary: "), std::string::npos) << first.err;
  EXPECT_NE(first.err.find(" objects in "), std::string::npos) << first.err;
  EXPECT_EQ(first.out.find("snapshot of primary:"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("snapshot 1 of primary"), std::string::npos) << first.out;

  auto diff = w.cli_on_terminal({"diff", "--pair", "payments"});
  EXPECT_EQ(diff.exit_code, 1) << diff.err;  // the secondary lacks the payments objects
  EXPECT_NE(diff.err.find("diff of payments: "), std::string::npos) << diff.err;

  auto sync = w.cli_on_terminal({"sync", "--pair", "payments", "--apply"});
  EXPECT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  EXPECT_NE(sync.err.find("sync of payments: "), std::string::npos) << sync.err;
  EXPECT_NE(sync.err.find(" actions in "), std::string::npos) << sync.err;

  auto quiet = w.cli_on_terminal({"snapshot", "--pair", "payments", "--quiet"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("snapshot of primary:"), std::string::npos) << quiet.err;

  auto piped = w.cli({"snapshot", "--pair", "payments"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err.find("snapshot of primary:"), std::string::npos) << piped.err;
}

}  // namespace
}  // namespace e2e
