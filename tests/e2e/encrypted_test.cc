// The product over encrypted connections, as production runs it: both emulated instances hold a
// certificate from a CA made by the test and require encryption (SQL Server's Force Encryption),
// so an unencrypted session is closed by the server; the connection strings ask FreeTDS for
// encryption with the certificate verified. Snapshot, gate, sync --apply and the gate again all
// work; trusting another CA, nothing connects and the command says so.
#include <gtest/gtest.h>

#include "world.h"

namespace e2e {
namespace {

TEST(EncryptedConnections, SnapshotGateAndSyncRunOverVerifiedTls) {
  World w({.encrypted_sql = true});
  auto snap = w.cli({"snapshot", "--pair", "payments"});
  ASSERT_EQ(snap.exit_code, 0) << snap.err;
  auto gate = w.cli({"gate", "logins", "--pair", "payments"});
  EXPECT_EQ(gate.exit_code, 1) << gate.err;  // the empty secondary lacks the logins
  auto sync = w.cli({"sync", "--pair", "payments", "--apply"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  auto after = w.cli({"gate", "pre-cutover", "--pair", "payments"});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  // This process reads the secondary through the same verified, encrypted connection string.
  EXPECT_EQ(w.query(false, "SELECT name FROM sys.server_principals WHERE name = N'app_settlement_svc'"),
            (std::vector<std::string>{"app_settlement_svc"}));
}

TEST(EncryptedConnections, ACertificateFromAnotherCaConnectsNothing) {
  World w({.encrypted_sql = true, .trust_another_ca = true});
  auto snap = w.cli({"snapshot", "--pair", "payments"});
  // Neither instance can be asked for its role: exit 5, nothing written (docs/errors.md).
  EXPECT_EQ(snap.exit_code, 5) << snap.out << snap.err;
  EXPECT_NE(snap.err.find("primary is unreachable"), std::string::npos) << snap.err;
  EXPECT_NE(snap.err.find("nothing was written"), std::string::npos) << snap.err;
  EXPECT_EQ(snap.err.find(kSaPassword), std::string::npos) << "the password must never be printed";
}

}  // namespace
}  // namespace e2e
