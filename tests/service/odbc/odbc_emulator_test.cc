// Tests of service/odbc against the SQL Server emulator over unixODBC + FreeTDS.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "harness.h"
#include "odbc/connection.h"

namespace understudy::odbc {
namespace {

class OdbcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new emu::TestServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static ConnectOptions options(const std::string& password) {
    ConnectOptions o;
    o.connection_string = server_->connection_string_without_password();
    o.password = Secret(password);
    o.label = "primary";
    o.login_timeout_seconds = 5;
    return o;
  }
  static Connection connect() {
    auto c = Connection::connect(options(server_->sa_password()));
    if (!c) throw std::runtime_error(c.error().to_string());
    return std::move(*c);
  }

  static emu::TestServer* server_;
};

emu::TestServer* OdbcTest::server_ = nullptr;

TEST_F(OdbcTest, ConnectsAndSelects) {
  Connection c = connect();
  auto rs = c.query("SELECT 1 AS one, N'two' AS two, CAST(NULL AS int) AS three");
  ASSERT_TRUE(rs) << rs.error().to_string();
  ASSERT_EQ(rs->columns.size(), 3u);
  EXPECT_EQ(rs->columns[0].name, "one");
  EXPECT_EQ(rs->columns[1].name, "two");
  ASSERT_EQ(rs->rows.size(), 1u);
  EXPECT_EQ(*as_int(rs->rows[0][0]), 1);
  EXPECT_EQ(*as_text(rs->rows[0][1]), "two");
  EXPECT_TRUE(is_null(rs->rows[0][2]));
}

TEST_F(OdbcTest, WrongPasswordIsUnavailableWith18456) {
  auto c = Connection::connect(options("wrong-Passw0rd}"));
  ASSERT_FALSE(c);
  const Error& e = c.error();
  EXPECT_EQ(e.code, ErrorCode::kUnavailable);
  EXPECT_EQ(e.exit_code(), 69);
  EXPECT_EQ(e.native, 18456);
  EXPECT_EQ(e.sqlstate, "42000");  // FreeTDS's; Microsoft's driver says 28000 — both map to kUnavailable
  EXPECT_EQ(e.message.rfind("primary: Login failed for user 'sa'.", 0), 0u) << e.message;
  EXPECT_EQ(e.hint, "check UID in the connection string and the instance's password_env or password_file");
  EXPECT_EQ(e.to_string().find("wrong-Passw0rd"), std::string::npos);
}

// The server closes the connection in the middle of a read (a secondary lost mid-run): FreeTDS
// reports it with its own client-library error (20017 "Unexpected EOF from the server", 20004
// "Read from the server failed"), which is a lost link — kUnavailable, exit 69 — and not a SQL
// Server error: no "(SQL Server error 20017)".
TEST_F(OdbcTest, AConnectionDroppedMidReadIsUnavailableNotASqlServerError) {
  Connection c = connect();
  {
    auto& f = server_->faults();
    std::lock_guard<std::mutex> lock(f.mu);
    f.drop_after_statements = 0;
  }
  auto rs = c.query("SELECT name FROM sys.server_principals");
  {
    auto& f = server_->faults();
    std::lock_guard<std::mutex> lock(f.mu);
    f.drop_after_statements = -1;
  }
  ASSERT_FALSE(rs);
  const Error& e = rs.error();
  EXPECT_EQ(e.code, ErrorCode::kUnavailable) << e.to_string() << " sqlstate " << e.sqlstate;
  EXPECT_EQ(e.exit_code(), 69);
  EXPECT_EQ(e.native, 0) << e.to_string();
  EXPECT_EQ(e.to_string().find("SQL Server error"), std::string::npos) << e.to_string();
}

TEST_F(OdbcTest, UnreachablePortIsUnavailable) {
  // A port that was free a moment ago: bind, read the number, close.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  ConnectOptions o;
  o.connection_string = "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=" + std::to_string(ntohs(addr.sin_port)) +
                        ";UID=sa;TDS_Version=7.4;ClientCharset=UTF-8";
  o.password = Secret("x");
  o.label = "secondary";
  o.login_timeout_seconds = 3;
  auto c = Connection::connect(o);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(c.error().sqlstate, "08S01");
  EXPECT_EQ(c.error().native, 0);  // FreeTDS's own 20009 is not a SQL Server error number
  EXPECT_EQ(c.error().message,
            "secondary: Unable to connect: Adaptive Server is unavailable or does not exist; "
            "Unable to connect to data source");
  EXPECT_EQ(c.error().hint,
            "check SERVER and PORT in the connection string and that the instance is running and reachable");
}

TEST_F(OdbcTest, UnknownDriverIsAConfigError) {
  ConnectOptions o;
  o.connection_string = "DRIVER={No Such Driver};SERVER=127.0.0.1";
  o.label = "primary";
  auto c = Connection::connect(o);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kConfig);
  EXPECT_EQ(c.error().message, "primary: Can't open lib 'No Such Driver' : file not found");
  EXPECT_EQ(c.error().hint, "check DRIVER= in the connection string against /etc/odbcinst.ini");
}

TEST_F(OdbcTest, ParametersRoundTripHostileValues) {
  Connection c = connect();
  const std::string hostile = "O'Brien]]; DROP LOGIN sa;-- 名前 é 😀 \"q\" \t\n end";
  const Bytes blob = [] {
    Bytes b;
    for (int i = 0; i < 256; ++i) b.push_back(static_cast<uint8_t>(i));
    return b;
  }();
  auto rs = c.query("SELECT ? AS t, ? AS i, ? AS b, ? AS n, ? AS e",
                    {text(hostile), Value{int64_t{-9007199254740993}}, bytes(blob), null(), text("")});
  ASSERT_TRUE(rs) << rs.error().to_string();
  ASSERT_EQ(rs->rows.size(), 1u);
  const Row& r = rs->rows[0];
  ASSERT_NE(as_text(r[0]), nullptr);
  EXPECT_EQ(*as_text(r[0]), hostile);
  ASSERT_NE(as_int(r[1]), nullptr);
  EXPECT_EQ(*as_int(r[1]), -9007199254740993);
  ASSERT_NE(as_bytes(r[2]), nullptr);
  EXPECT_EQ(*as_bytes(r[2]), blob);
  EXPECT_TRUE(is_null(r[3]));
  ASSERT_NE(as_text(r[4]), nullptr);
  EXPECT_EQ(*as_text(r[4]), "");
}

TEST_F(OdbcTest, LongTextAndBinaryValuesAreNotTruncated) {
  Connection c = connect();
  std::string long_text;
  for (int i = 0; i < 40000; ++i) long_text += (i % 7 == 0) ? "é" : "x";
  long_text += "😀end";
  Bytes long_bin(100000);
  for (size_t i = 0; i < long_bin.size(); ++i) long_bin[i] = static_cast<uint8_t>(i * 31);
  auto rs = c.query("SELECT ? AS t, ? AS b", {text(long_text), bytes(long_bin)});
  ASSERT_TRUE(rs) << rs.error().to_string();
  ASSERT_EQ(rs->rows.size(), 1u);
  ASSERT_NE(as_text(rs->rows[0][0]), nullptr);
  EXPECT_EQ(as_text(rs->rows[0][0])->size(), long_text.size());
  EXPECT_EQ(*as_text(rs->rows[0][0]), long_text);
  ASSERT_NE(as_bytes(rs->rows[0][1]), nullptr);
  EXPECT_EQ(*as_bytes(rs->rows[0][1]), long_bin);
}

TEST_F(OdbcTest, BlockFetchReadsManyRows) {
  Connection c = connect();
  std::string batch;
  for (int i = 0; i < 1500; ++i)
    batch += "CREATE LOGIN [bulk_" + std::to_string(i) + "] WITH PASSWORD = N'Bulk-Passw0rd!';\n";
  auto created = c.execute(batch);
  ASSERT_TRUE(created) << created.error().to_string();

  auto st = c.statement();
  ASSERT_TRUE(st);
  st->set_block_size(100);
  ASSERT_TRUE(st->execute_direct(
      "SELECT name, sid, principal_id FROM sys.server_principals WHERE name LIKE ? ORDER BY principal_id",
      {text("bulk[_]%")}));
  ASSERT_EQ(st->columns().size(), 3u);
  EXPECT_EQ(st->columns()[0].name, "name");
  EXPECT_EQ(st->columns()[1].name, "sid");
  auto rows = st->fetch_all();
  ASSERT_TRUE(rows) << rows.error().to_string();
  ASSERT_EQ(rows->size(), 1500u);
  EXPECT_EQ(*as_text((*rows)[0][0]), "bulk_0");
  EXPECT_EQ(*as_text((*rows)[1499][0]), "bulk_1499");
  for (const auto& r : *rows) {
    ASSERT_NE(as_bytes(r[1]), nullptr);
    EXPECT_EQ(as_bytes(r[1])->size(), 16u);
  }
}

TEST_F(OdbcTest, BlockFetchAcrossManyBlocksMatchesRowByRow) {
  Connection c = connect();
  const char* sql =
      "SELECT a.name AS a, b.name AS b, a.sid AS sid FROM sys.server_principals a CROSS JOIN "
      "sys.server_principals b ORDER BY a.principal_id, b.principal_id";
  auto fetch = [&](size_t block) {
    auto st = c.statement();
    if (!st) throw std::runtime_error(st.error().to_string());
    st->set_block_size(block);
    auto ok = st->execute_direct(sql);
    if (!ok) throw std::runtime_error(ok.error().to_string());
    auto rows = st->fetch_all();
    if (!rows) throw std::runtime_error(rows.error().to_string());
    return *rows;
  };
  std::vector<Row> blocked = fetch(7);  // many blocks, the last one partial
  std::vector<Row> single = fetch(1);
  ASSERT_GE(blocked.size(), 100u);  // at least the 10 built-in principals squared
  EXPECT_EQ(blocked, single);
}

TEST_F(OdbcTest, MultipleResultSetsAndRowCounts) {
  Connection c = connect();
  auto all = c.execute("SELECT 1 AS a; SELECT N'x' AS b, 2 AS c UNION ALL SELECT N'y', 3");
  ASSERT_TRUE(all) << all.error().to_string();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].columns[0].name, "a");
  EXPECT_EQ((*all)[0].rows.size(), 1u);
  ASSERT_EQ((*all)[1].rows.size(), 2u);
  EXPECT_EQ(*as_text((*all)[1].rows[1][0]), "y");
  EXPECT_EQ(*as_int((*all)[1].rows[1][1]), 3);
}

TEST_F(OdbcTest, SqlErrorCarriesNativeNumberAndSqlstate) {
  Connection c = connect();
  auto rs = c.query("SELECT * FROM dbo.no_such_table");
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().code, ErrorCode::kSql);
  EXPECT_EQ(rs.error().exit_code(), 70);
  EXPECT_EQ(rs.error().native, 208);
  EXPECT_EQ(rs.error().sqlstate, "42S02");
  EXPECT_EQ(rs.error().message, "primary: Invalid object name 'dbo.no_such_table'.");
  EXPECT_EQ(rs.error().to_string(), "primary: Invalid object name 'dbo.no_such_table'. (SQL Server error 208)");
  // The connection stays usable after a statement error.
  auto again = c.query("SELECT 2");
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(*as_int(again->rows[0][0]), 2);
}

TEST_F(OdbcTest, StatementWithoutResultsIsNotAnError) {
  Connection c = connect();
  auto r = c.execute("CREATE LOGIN [no_rows_login] WITH PASSWORD = N'NoRows-Passw0rd!'");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_FALSE(r->empty());
  EXPECT_TRUE((*r)[0].columns.empty());
  auto q = c.query("SELECT name FROM sys.server_principals WHERE name = ?", {text("no_rows_login")});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->rows.size(), 1u);
}

TEST_F(OdbcTest, PreparedStatementRunsWithNewParameters) {
  Connection c = connect();
  auto st = c.statement();
  ASSERT_TRUE(st);
  ASSERT_TRUE(st->prepare("SELECT ? + 1 AS n"));
  for (int64_t i : {1, 41, -5}) {
    ASSERT_TRUE(st->execute({Value{i}}));
    Row row;
    auto got = st->fetch(row);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ(*as_int(row[0]), i + 1);
    auto end = st->fetch(row);
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
  }
}

TEST_F(OdbcTest, RollbackUndoesWorkWithAutocommitOff) {
  Connection c = connect();
  ASSERT_TRUE(c.set_autocommit(false));
  ASSERT_TRUE(c.execute("CREATE LOGIN [rolled_back] WITH PASSWORD = N'Rolled-Passw0rd!'"));
  ASSERT_TRUE(c.rollback());
  ASSERT_TRUE(c.execute("CREATE LOGIN [committed] WITH PASSWORD = N'Committed-Passw0rd!'"));
  ASSERT_TRUE(c.commit());
  ASSERT_TRUE(c.set_autocommit(true));
  Connection other = connect();
  auto q = other.query("SELECT name FROM sys.server_principals WHERE name IN (?, ?) ORDER BY name",
                       {text("committed"), text("rolled_back")});
  ASSERT_TRUE(q) << q.error().to_string();
  ASSERT_EQ(q->rows.size(), 1u);
  EXPECT_EQ(*as_text(q->rows[0][0]), "committed");
}

}  // namespace
}  // namespace understudy::odbc
