// engine_wire_test.cc — the real emulator (engine + wire, through harness.h) reached through
// unixODBC + FreeTDS: logins against the fixture, catalog types as ODBC reports them, errors,
// RPCs, database and transaction changes, hostile names, counters, faults set by a hosting test.
#include <gtest/gtest.h>

#include <regex>

#include "harness.h"
#include "tds/odbc_client.h"

namespace emu::tds::testing {
namespace {

using Rows = std::vector<std::vector<std::optional<std::string>>>;

std::string diag_text(const std::vector<Diag>& ds) {
  std::string out;
  for (const auto& d : ds) out += d.state + " " + std::to_string(d.native) + " " + d.message + "\n";
  return out;
}

// DDL returns no result set and no row count: FreeTDS reports SQL_NO_DATA, which is success.
bool ran(const ExecOutcome& r) { return SQL_SUCCEEDED(r.rc) || r.rc == SQL_NO_DATA; }

std::string database_of(OdbcConnection& c) {
  SQLWCHAR buf[256] = {0};
  SQLSMALLINT len = 0;
  SQLGetInfoW(c.dbc(), SQL_DATABASE_NAME, buf, sizeof buf, &len);
  return narrow(buf, static_cast<size_t>(len / 2));
}

class EngineWire : public ::testing::Test {
 protected:
  EngineWire() : server({.fixture = fixture_path("payments-primary.json")}) {}
  void SetUp() override { ASSERT_TRUE(sa.connect(server.connection_string())) << diag_text(sa.diags()); }
  TestServer server;
  OdbcConnection sa;
};

TEST_F(EngineWire, FixtureLoginLogsInToItsDefaultDatabase) {
  OdbcConnection c;
  ASSERT_TRUE(c.connect(server.connection_string("app_settlement_svc", "Settle-Passw0rd!"))) << diag_text(c.diags());
  EXPECT_EQ(database_of(c), "payments");
  EXPECT_EQ(database_of(sa), "master");
}

TEST_F(EngineWire, LoginFailuresCarrySqlServersNumbersAndTexts) {
  struct Case {
    std::string user, password;
    Diag first;
  };
  const Case cases[] = {
      {"app_settlement_svc", "wrong", {"42000", 18456, "[FreeTDS][SQL Server]Login failed for user 'app_settlement_svc'."}},
      {"nobody", "x", {"42000", 18456, "[FreeTDS][SQL Server]Login failed for user 'nobody'."}},
      {"legacy_etl", "Legacy-Passw0rd!",
       {"42000", 18470, "[FreeTDS][SQL Server]Login failed for user 'legacy_etl'. Reason: The account is disabled."}},
  };
  for (const auto& c : cases) {
    OdbcConnection conn;
    EXPECT_FALSE(conn.connect(server.connection_string(c.user, c.password)));
    ASSERT_FALSE(conn.diags().empty()) << c.user;
    EXPECT_EQ(conn.diags()[0], c.first);
  }
}

TEST_F(EngineWire, CatalogSelectTypesAndValues) {
  const auto r = sa.exec("SELECT name, sid, type_desc FROM sys.server_principals WHERE name = 'app_settlement_svc'");
  ASSERT_EQ(r.rc, SQL_SUCCESS) << diag_text(r.diags);
  ASSERT_EQ(r.results.size(), 1u);
  const auto& cols = r.results[0].columns;
  ASSERT_EQ(cols.size(), 3u);
  EXPECT_EQ(cols[0].name, "name");
  EXPECT_EQ(cols[0].sql_type, SQL_WVARCHAR);
  EXPECT_EQ(cols[0].size, 128u);
  EXPECT_EQ(cols[1].sql_type, SQL_VARBINARY);
  EXPECT_EQ(cols[1].size, 85u);
  EXPECT_EQ(cols[2].sql_type, SQL_WVARCHAR);
  EXPECT_EQ(cols[2].size, 60u);
  EXPECT_EQ(r.results[0].rows, (Rows{{"app_settlement_svc", "0x5E117A0E3C2D4B8F9A1B2C3D4E5F6071", "SQL_LOGIN"}}));
}

TEST_F(EngineWire, UnknownObjectIs208) {
  const auto r = sa.exec("SELECT * FROM sys.nope");
  EXPECT_EQ(r.rc, SQL_ERROR);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0], (Diag{"42S02", 208, "[FreeTDS][SQL Server]Invalid object name 'sys.nope'."}));
  EXPECT_EQ(server.stats().errors.load(), 1u);
}

TEST_F(EngineWire, ParameterizedAndPreparedStatements) {
  SQLHSTMT st = sa.new_statement();
  auto name = wide("app_ledger_svc");
  SQLLEN nts = SQL_NTS;
  SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR, 128, 0, name.data(), 0, &nts);
  auto sql = wide("SELECT sid FROM sys.server_principals WHERE name = ?");
  ASSERT_TRUE(SQL_SUCCEEDED(SQLPrepareW(st, sql.data(), SQL_NTS)));
  for (int k = 0; k < 2; ++k) {
    ExecOutcome out;
    out.rc = SQLExecute(st);
    ASSERT_EQ(out.rc, SQL_SUCCESS) << diag_text(diagnostics(SQL_HANDLE_STMT, st));
    read_results(st, &out);
    EXPECT_EQ(out.results[0].rows, (Rows{{"0x1ED6E5A0B1C2D3E4F5061728394A5B6C"}}));
    SQLFreeStmt(st, SQL_CLOSE);
  }
  SQLFreeHandle(SQL_HANDLE_STMT, st);
  EXPECT_EQ(server.stats().rpcs.load(), 3u);  // sp_prepexec, sp_execute, sp_unprepare
}

TEST_F(EngineWire, UseChangesTheDatabaseTheClientSees) {
  const auto r = sa.exec("USE msdb");
  EXPECT_TRUE(ran(r)) << diag_text(r.diags);
  EXPECT_EQ(database_of(sa), "msdb");
  const auto jobs = sa.exec("SELECT name FROM dbo.sysjobs ORDER BY name");
  ASSERT_EQ(jobs.rc, SQL_SUCCESS) << diag_text(jobs.diags);
  EXPECT_EQ(jobs.results[0].rows, (Rows{{"Ledger close"}, {"Nightly settlement"}}));
}

TEST_F(EngineWire, TransactionsThroughTheTransactionManager) {
  ASSERT_TRUE(SQL_SUCCEEDED(
      SQLSetConnectAttr(sa.dbc(), SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), 0)));
  auto r = sa.exec("CREATE LOGIN wire_tx WITH PASSWORD = N'Tx-Passw0rd!1'");
  ASSERT_TRUE(ran(r)) << r.rc << " " << diag_text(r.diags);
  ASSERT_TRUE(SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, sa.dbc(), SQL_ROLLBACK)));
  r = sa.exec("SELECT COUNT(*) FROM sys.server_principals WHERE name = 'wire_tx'");
  EXPECT_EQ(r.results[0].rows, (Rows{{"0"}}));
  r = sa.exec("CREATE LOGIN wire_tx WITH PASSWORD = N'Tx-Passw0rd!1'");
  ASSERT_TRUE(ran(r)) << r.rc << " " << diag_text(r.diags);
  ASSERT_TRUE(SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, sa.dbc(), SQL_COMMIT)));
  ASSERT_TRUE(SQL_SUCCEEDED(
      SQLSetConnectAttr(sa.dbc(), SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON), 0)));
  r = sa.exec("SELECT COUNT(*) FROM sys.server_principals WHERE name = 'wire_tx'");
  EXPECT_EQ(r.results[0].rows, (Rows{{"1"}}));
}

// Names that break naive quoting travel through LOGIN7, batches and RPC parameters intact.
TEST_F(EngineWire, HostileLoginNamesRoundTrip) {
  const std::string names[] = {"we]ird", "o'brien", "semi;colon", "dash--dash", "名前😀", std::string(128, 'n')};
  for (const auto& n : names) {
    std::string bracketed;
    for (char ch : n) bracketed += ch == ']' ? std::string("]]") : std::string(1, ch);
    const auto r = sa.exec("CREATE LOGIN [" + bracketed + "] WITH PASSWORD = N'Pw]'';--1!', CHECK_POLICY = OFF");
    ASSERT_TRUE(ran(r)) << n << ": " << r.rc << " " << diag_text(r.diags);
    OdbcConnection as;
    ASSERT_TRUE(as.connect(server.connection_string(n, "Pw]';--1!"))) << n << ": " << diag_text(as.diags());
    const auto who = as.exec("SELECT SUSER_SNAME()");
    ASSERT_EQ(who.rc, SQL_SUCCESS) << diag_text(who.diags);
    EXPECT_EQ(who.results[0].rows, (Rows{{n}}));
  }
}

TEST_F(EngineWire, CountersCountWhatWasServed) {
  const uint64_t batches = server.stats().batches.load();
  sa.exec("SELECT name FROM sys.server_principals WHERE name IN ('sa', 'app_ledger_svc')");
  sa.exec("SELECT 1");
  EXPECT_EQ(server.stats().batches.load(), batches + 2);
  EXPECT_GE(server.stats().rows.load(), 3u);
  EXPECT_EQ(server.stats().logins.load(), 1u);
}

TEST_F(EngineWire, FaultsSetByTheHostingTest) {
  {
    std::lock_guard<std::mutex> lock(server.faults().mu);
    server.faults().fail_pattern = std::regex("sys\\.databases", std::regex::ECMAScript | std::regex::icase);
    server.faults().fail_pattern_text = "sys\\.databases";
    server.faults().fail_error = Message{1205, 45, 13, "Transaction (Process ID 51) was deadlocked.", 1, {}};
  }
  auto r = sa.exec("SELECT name FROM sys.databases");
  EXPECT_EQ(r.rc, SQL_ERROR);
  ASSERT_FALSE(r.diags.empty());
  EXPECT_EQ(r.diags[0].native, 1205);
  r = sa.exec("SELECT name FROM sys.databases WHERE name = 'master'");
  EXPECT_EQ(r.rc, SQL_SUCCESS) << "the fault clears after one use";
  {
    std::lock_guard<std::mutex> lock(server.faults().mu);
    server.faults().drop_after_statements = 0;
  }
  r = sa.exec("SELECT 1");
  EXPECT_EQ(r.rc, SQL_ERROR);
  EXPECT_EQ(r.diags, (std::vector<Diag>{{"01000", 20017, "[FreeTDS][SQL Server]Unexpected EOF from the server"}}));
}

}  // namespace
}  // namespace emu::tds::testing
