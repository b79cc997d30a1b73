// wire_odbc_test.cc — the TDS wire layer through the real unixODBC + FreeTDS stack (ODBC C API),
// against the canned protocol-test engine (test_engine.h).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tds/odbc_client.h"
#include "tds/wire_fixture.h"

namespace emu::tds::testing {
namespace {

class WireOdbc : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(conn.connect(srv.connection_string())) << diag_text(conn.diags()); }
  static std::string diag_text(const std::vector<Diag>& ds) {
    std::string out;
    for (const auto& d : ds) out += d.state + " " + std::to_string(d.native) + " " + d.message + "\n";
    return out;
  }
  std::string info(SQLUSMALLINT what) {
    SQLWCHAR buf[256] = {0};
    SQLSMALLINT len = 0;
    SQLGetInfoW(conn.dbc(), what, buf, sizeof buf, &len);
    return narrow(buf, static_cast<size_t>(len / 2));
  }
  bool logged(const std::string& entry) {
    for (const auto& e : srv.instance.log())
      if (e == entry) return true;
    return false;
  }
  CannedServer srv;
  OdbcConnection conn;
};

using Rows = std::vector<std::vector<std::optional<std::string>>>;

TEST_F(WireOdbc, LoginReportsServerDatabaseAndVersion) {
  EXPECT_EQ(info(SQL_DATABASE_NAME), "master");
  EXPECT_EQ(info(SQL_DBMS_NAME), "Microsoft SQL Server");
  EXPECT_EQ(info(SQL_DBMS_VER), "16.00.4135");
  EXPECT_EQ(srv.instance.stats().logins.load(), 1u);
  EXPECT_EQ(srv.instance.stats().connections.load(), 1u);
}

TEST_F(WireOdbc, LoginStartsInTheRequestedDatabaseAndUseChangesIt) {
  OdbcConnection other;
  ASSERT_TRUE(other.connect(srv.connection_string("sa", CannedInstance::kPassword, ";DATABASE=msdb")));
  SQLWCHAR buf[64] = {0};
  SQLSMALLINT len = 0;
  SQLGetInfoW(other.dbc(), SQL_DATABASE_NAME, buf, sizeof buf, &len);
  EXPECT_EQ(narrow(buf, static_cast<size_t>(len / 2)), "msdb");
  const auto r = conn.exec("use tempdb");
  EXPECT_TRUE(SQL_SUCCEEDED(r.rc)) << diag_text(r.diags);
  EXPECT_EQ(info(SQL_DATABASE_NAME), "tempdb");
}

struct LoginFailure {
  std::string user, password;
  std::vector<Diag> diags;
};

TEST(WireOdbcLogin, FailuresSurfaceAs42000WithTheNativeNumber) {
  CannedServer srv;
  const LoginFailure cases[] = {
      {"sa", "wrong",
       {{"42000", 18456, "[FreeTDS][SQL Server]Login failed for user 'sa'."},
        {"08001", 0, "[FreeTDS][SQL Server]Unable to connect to data source"}}},
      {"disabled", CannedInstance::kPassword,
       {{"42000", 18470, "[FreeTDS][SQL Server]Login failed for user 'disabled'. Reason: The account is disabled."},
        {"08001", 0, "[FreeTDS][SQL Server]Unable to connect to data source"}}},
  };
  for (const auto& c : cases) {
    OdbcConnection conn;
    EXPECT_FALSE(conn.connect(srv.connection_string(c.user, c.password)));
    EXPECT_EQ(conn.diags(), c.diags) << c.user;
  }
  EXPECT_EQ(srv.instance.stats().logins.load(), 0u);
  EXPECT_EQ(srv.instance.stats().errors.load(), 2u);
}

TEST(WireOdbcLogin, UnicodeUserNameAndPasswordWithBraces) {
  CannedServer srv;
  OdbcConnection conn;
  EXPECT_TRUE(conn.connect(srv.connection_string("Ünïcødé")));
  EXPECT_EQ(srv.instance.log().front(), "login:Ünïcødé@");
}

TEST(WireOdbcLogin, RefuseLoginsFault) {
  CannedServer srv;
  srv.instance.faults().refuse_logins = true;
  OdbcConnection conn;
  EXPECT_FALSE(conn.connect(srv.connection_string()));
  ASSERT_FALSE(conn.diags().empty());
  EXPECT_EQ(conn.diags()[0], (Diag{"42000", 18456, "[FreeTDS][SQL Server]Login failed for user 'sa'."}));
  srv.instance.faults().refuse_logins = false;
  OdbcConnection again;
  EXPECT_TRUE(again.connect(srv.connection_string()));
}

TEST_F(WireOdbc, SimpleSelect) {
  const auto r = conn.exec("select 1");
  ASSERT_EQ(r.rc, SQL_SUCCESS) << diag_text(r.diags);
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].columns[0].name, "one");
  EXPECT_EQ(r.results[0].rows, (Rows{{"1"}}));
  EXPECT_EQ(r.results[0].row_count, 1);
  EXPECT_EQ(srv.instance.stats().batches.load(), 1u);
  EXPECT_EQ(srv.instance.stats().rows.load(), 1u);
}

TEST_F(WireOdbc, LargeReplyIsSplitIntoPackets) {
  const auto r = conn.exec("rows 100000");
  ASSERT_EQ(r.rc, SQL_SUCCESS) << diag_text(r.diags);
  ASSERT_EQ(r.results.size(), 1u);
  ASSERT_EQ(r.results[0].rows.size(), 100000u);
  EXPECT_EQ(r.results[0].rows[99999], (std::vector<std::optional<std::string>>{"100000", "row-100000"}));
  EXPECT_EQ(r.results[0].columns[0].nullable, SQL_NO_NULLS);
  EXPECT_EQ(r.results[0].columns[1].nullable, SQL_NULLABLE);
}

TEST_F(WireOdbc, LargeUnicodeBatchIsReassembledAndEchoed) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "Grüße 😀 日本 ]'; -- ";
  const auto r = conn.exec("echo " + text);
  ASSERT_EQ(r.rc, SQL_SUCCESS) << diag_text(r.diags);
  ASSERT_EQ(r.results.size(), 1u);
  ASSERT_EQ(r.results[0].rows.size(), 1u);
  EXPECT_EQ(r.results[0].rows[0][0], text);
  EXPECT_TRUE(logged("batch:echo " + text));
}

struct ColumnCase {
  std::string name;
  SQLSMALLINT sql_type;
  SQLULEN size;
  SQLSMALLINT digits;
  std::optional<std::string> value;
};

TEST_F(WireOdbc, EveryTypeIsDescribedAndReadBack) {
  const auto r = conn.exec("types");
  ASSERT_EQ(r.rc, SQL_SUCCESS) << diag_text(r.diags);
  ASSERT_EQ(r.results.size(), 1u);
  const auto& rs = r.results[0];
  const std::vector<ColumnCase> expected = {
      {"c_bit", SQL_BIT, 1, 0, "1"},
      {"c_tinyint", SQL_TINYINT, 3, 0, "255"},
      {"c_smallint", SQL_SMALLINT, 5, 0, "-32768"},
      {"c_int", SQL_INTEGER, 10, 0, "-2147483648"},
      {"c_bigint", SQL_BIGINT, 19, 0, "9223372036854775807"},
      {"c_float", SQL_DOUBLE, 53, 0, "0.5"},
      {"c_decimal", SQL_NUMERIC, 10, 2, "-12345.67"},
      {"c_numeric", SQL_NUMERIC, 25, 0, "1234567890123456789012345"},
      {"c_char", SQL_CHAR, 5, 0, "ab   "},
      {"c_varchar", SQL_VARCHAR, 20, 0, "café"},
      {"c_nchar", SQL_WCHAR, 4, 0, "日本  "},
      {"c_nvarchar", SQL_WVARCHAR, 50, 0, "Grüße 😀"},
      {"c_nvarchar_max", SQL_WVARCHAR, 0, 0, std::string(5000, 'x')},
      {"c_binary", SQL_BINARY, 4, 0, "0x01020000"},
      {"c_varbinary", SQL_VARBINARY, 16, 0, "0x00FF10"},
      {"c_varbinary_max", SQL_VARBINARY, 0, 0, "0x" + [] { std::string s; for (int i = 0; i < 10000; ++i) s += "5A"; return s; }()},
      {"c_datetime", SQL_TYPE_TIMESTAMP, 23, 3, "2024-01-02 03:04:05.123"},
      {"c_datetime2", SQL_TYPE_TIMESTAMP, 27, 7, "2024-01-02 03:04:05.1234567"},
      {"c_datetimeoffset", -155, 34, 7, "2024-01-02 03:04:05.1234567 +02:00"},
      {"c_guid", SQL_GUID, 36, 0, "6F9619FF-8B86-D011-B42D-00C04FC964FF"},
      {"c_variant", -150 /* SQL_SS_VARIANT: TDS SSVARIANT, base type nvarchar */, 8000, 0, "variant text"},
  };
  ASSERT_EQ(rs.columns.size(), expected.size());
  ASSERT_EQ(rs.rows.size(), 2u);
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& e = expected[i];
    EXPECT_EQ(rs.columns[i].name, e.name);
    EXPECT_EQ(rs.columns[i].sql_type, e.sql_type) << e.name;
    EXPECT_EQ(rs.columns[i].size, e.size) << e.name;
    EXPECT_EQ(rs.columns[i].digits, e.digits) << e.name;
    EXPECT_EQ(rs.columns[i].nullable, SQL_NULLABLE) << e.name;
    EXPECT_EQ(rs.rows[0][i], e.value) << e.name;
    EXPECT_EQ(rs.rows[1][i], std::nullopt) << e.name;
  }
}

TEST_F(WireOdbc, ErrorsCarryNativeNumberAndSqlState) {
  struct Case {
    std::string batch;
    Diag diag;
  };
  const Case cases[] = {
      {"error 50000 boom", {"42000", 50000, "[FreeTDS][SQL Server]boom"}},
      {"error 2627 Violation of PRIMARY KEY constraint 'pk'.",
       {"23000", 2627, "[FreeTDS][SQL Server]Violation of PRIMARY KEY constraint 'pk'."}},
      {"error 208 Invalid object name 'sys.nope'.", {"42S02", 208, "[FreeTDS][SQL Server]Invalid object name 'sys.nope'."}},
  };
  for (const auto& c : cases) {
    const auto r = conn.exec(c.batch);
    EXPECT_EQ(r.rc, SQL_ERROR) << c.batch;
    ASSERT_EQ(r.diags.size(), 1u) << c.batch;
    EXPECT_EQ(r.diags[0], c.diag);
  }
  EXPECT_EQ(srv.instance.stats().errors.load(), 3u);
  EXPECT_EQ(conn.exec("select 1").rc, SQL_SUCCESS);
}

TEST_F(WireOdbc, InfoMessagesComeWithTheResult) {
  const auto r = conn.exec("info hello there");
  EXPECT_EQ(r.rc, SQL_SUCCESS_WITH_INFO);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0], (Diag{"01000", 0, "[FreeTDS][SQL Server]hello there"}));
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].rows, (Rows{{"7"}}));
}

TEST_F(WireOdbc, MultipleResultSetsAndRowCounts) {
  const auto r = conn.exec("multi");
  ASSERT_EQ(r.rc, SQL_SUCCESS) << diag_text(r.diags);
  ASSERT_EQ(r.results.size(), 3u);
  EXPECT_EQ(r.results[0].rows, (Rows{{"1"}}));
  EXPECT_TRUE(r.results[1].columns.empty());
  EXPECT_EQ(r.results[1].row_count, 3);
  EXPECT_EQ(r.results[2].rows, (Rows{{"x"}, {"y"}}));
}

TEST_F(WireOdbc, ParameterizedStatementGoesAsSpExecuteSql) {
  SQLHSTMT stmt = conn.new_statement();
  SQLINTEGER i = 42;
  auto text = wide("Grüße 😀");
  SQLBIGINT big = -5000000000LL;
  unsigned char bit = 1;
  unsigned char bin[3] = {0xDE, 0xAD, 0x01};
  SQL_TIMESTAMP_STRUCT ts{2024, 1, 2, 3, 4, 5, 123456000};
  SQLLEN text_len = SQL_NTS, bin_len = 3, null_len = SQL_NULL_DATA, zero = 0;
  SQLINTEGER unused = 0;
  SQLBindParameter(stmt, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &i, 0, &zero);
  SQLBindParameter(stmt, 2, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR, 30, 0, text.data(), 0, &text_len);
  SQLBindParameter(stmt, 3, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0, &big, 0, &zero);
  SQLBindParameter(stmt, 4, SQL_PARAM_INPUT, SQL_C_BIT, SQL_BIT, 0, 0, &bit, 0, &zero);
  SQLBindParameter(stmt, 5, SQL_PARAM_INPUT, SQL_C_BINARY, SQL_VARBINARY, 16, 0, bin, 3, &bin_len);
  SQLBindParameter(stmt, 6, SQL_PARAM_INPUT, SQL_C_TYPE_TIMESTAMP, SQL_TYPE_TIMESTAMP, 27, 7, &ts, 0, &zero);
  SQLBindParameter(stmt, 7, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &unused, 0, &null_len);
  auto sql = wide("select ?, ?, ?, ?, ?, ?, ?");
  ExecOutcome out;
  out.rc = SQLExecDirectW(stmt, sql.data(), SQL_NTS);
  ASSERT_EQ(out.rc, SQL_SUCCESS) << diag_text(diagnostics(SQL_HANDLE_STMT, stmt));
  read_results(stmt, &out);
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  ASSERT_EQ(out.results.size(), 1u);
  EXPECT_EQ(out.results[0].rows, (Rows{{"42", "Grüße 😀", "-5000000000", "1", "0xDEAD01",
                                       "2024-01-02 03:04:05.1234560", std::nullopt}}));
  const auto log = srv.instance.log();
  EXPECT_EQ(log.back(),
            "rpc:sp_executesql|=select @P1, @P2, @P3, @P4, @P5, @P6, @P7|=@P1 INT,@P2 NVARCHAR(30),@P3 BIGINT,@P4 BIT,"
            "@P5 VARBINARY(16),@P6 DATETIME2,@P7 INT|=42|=Grüße 😀|=-5000000000|=1|=0x3bytes|=2024-01-02 "
            "03:04:05.1234560|=NULL");
  EXPECT_EQ(srv.instance.stats().rpcs.load(), 1u);
}

TEST_F(WireOdbc, PreparedStatementPrepexecThenExecuteThenUnprepare) {
  SQLHSTMT stmt = conn.new_statement();
  auto sql = wide("select ?");
  ASSERT_TRUE(SQL_SUCCEEDED(SQLPrepareW(stmt, sql.data(), SQL_NTS)));
  SQLINTEGER v = 5;
  SQLLEN zero = 0;
  SQLBindParameter(stmt, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &v, 0, &zero);
  for (int k = 0; k < 2; ++k) {
    ExecOutcome out;
    out.rc = SQLExecute(stmt);
    ASSERT_EQ(out.rc, SQL_SUCCESS) << diag_text(diagnostics(SQL_HANDLE_STMT, stmt));
    read_results(stmt, &out);
    EXPECT_EQ(out.results[0].rows, (Rows{{std::to_string(v)}}));
    SQLFreeStmt(stmt, SQL_CLOSE);
    v = 6;
  }
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  const auto log = srv.instance.log();
  ASSERT_GE(log.size(), 3u);
  EXPECT_EQ(log[log.size() - 3], "rpc:sp_prepexec|=NULL out|=@P1 INT|=select @P1|=5");
  EXPECT_EQ(log[log.size() - 2], "rpc:sp_execute|=1|=6");
  EXPECT_EQ(log[log.size() - 1], "rpc:sp_unprepare|=1");
}

TEST_F(WireOdbc, OutputParameterComesBackFromReturnValue) {
  SQLHSTMT stmt = conn.new_statement();
  SQLINTEGER v = 77;
  SQLLEN len = 0;
  SQLBindParameter(stmt, 1, SQL_PARAM_INPUT_OUTPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &v, 0, &len);
  auto sql = wide("{call echo_out(?)}");
  const SQLRETURN rc = SQLExecDirectW(stmt, sql.data(), SQL_NTS);
  EXPECT_TRUE(rc == SQL_SUCCESS || rc == SQL_NO_DATA) << rc;
  while (SQLMoreResults(stmt) == SQL_SUCCESS) {
  }
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  EXPECT_EQ(v, 1077);
}

TEST_F(WireOdbc, ErrorInsideAnRpc) {
  SQLHSTMT stmt = conn.new_statement();
  SQLINTEGER v = 1;
  SQLLEN zero = 0;
  SQLBindParameter(stmt, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &v, 0, &zero);
  auto sql = wide("error ?");
  EXPECT_EQ(SQLExecDirectW(stmt, sql.data(), SQL_NTS), SQL_ERROR);
  const auto d = diagnostics(SQL_HANDLE_STMT, stmt);
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], (Diag{"23000", 547, "[FreeTDS][SQL Server]The INSERT statement conflicted with the FOREIGN KEY constraint."}));
  const auto r = conn.exec("{call nope}");
  EXPECT_EQ(r.rc, SQL_ERROR);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].native, 2812);
}

TEST_F(WireOdbc, ClosingACursorEarlySendsAnAttentionThatCutsTheReplyShort) {
  SQLHSTMT stmt = conn.new_statement();
  auto sql = wide("endless");
  ASSERT_EQ(SQLExecDirectW(stmt, sql.data(), SQL_NTS), SQL_SUCCESS);
  for (int k = 0; k < 10; ++k) ASSERT_EQ(SQLFetch(stmt), SQL_SUCCESS);
  EXPECT_EQ(SQLCloseCursor(stmt), SQL_SUCCESS);
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  EXPECT_EQ(srv.instance.stats().attentions.load(), 1u);
  const auto r = conn.exec("select 1");
  EXPECT_EQ(r.rc, SQL_SUCCESS);
  EXPECT_EQ(r.results[0].rows, (Rows{{"1"}}));
}

TEST_F(WireOdbc, QueryTimeoutDuringAReplyDelayIsCancelled) {
  srv.instance.faults().reply_delay_ms = 10000;
  SQLHSTMT stmt = conn.new_statement();
  SQLSetStmtAttr(stmt, SQL_ATTR_QUERY_TIMEOUT, reinterpret_cast<SQLPOINTER>(1), 0);
  auto sql = wide("select 1");
  EXPECT_EQ(SQLExecDirectW(stmt, sql.data(), SQL_NTS), SQL_ERROR);
  const auto d = diagnostics(SQL_HANDLE_STMT, stmt);
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].state, "HYT00");
  srv.instance.faults().reply_delay_ms = 0;
  const auto r = conn.exec("select 1");
  EXPECT_EQ(r.rc, SQL_SUCCESS) << diag_text(r.diags);
  EXPECT_EQ(srv.instance.stats().attentions.load(), 1u);
}

TEST_F(WireOdbc, TransactionsThroughAutocommitAndEndTran) {
  ASSERT_TRUE(SQL_SUCCEEDED(SQLSetConnectAttr(conn.dbc(), SQL_ATTR_AUTOCOMMIT,
                                              reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), 0)));
  EXPECT_EQ(conn.exec("select 1").rc, SQL_SUCCESS);
  ASSERT_TRUE(SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, conn.dbc(), SQL_COMMIT)));
  ASSERT_TRUE(SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, conn.dbc(), SQL_ROLLBACK)));
  ASSERT_TRUE(SQL_SUCCEEDED(SQLSetConnectAttr(conn.dbc(), SQL_ATTR_AUTOCOMMIT,
                                              reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON), 0)));
  std::vector<std::string> trans;
  for (const auto& e : srv.instance.log())
    if (e == "begin" || e == "commit" || e == "rollback") trans.push_back(e);
  EXPECT_EQ(trans, (std::vector<std::string>{"begin", "commit", "begin", "rollback", "begin", "rollback"}));
}

TEST_F(WireOdbc, DroppedConnectionIsACommunicationLinkFailure) {
  const auto r = conn.exec("drop");
  EXPECT_EQ(r.rc, SQL_ERROR);
  // FreeTDS reports the closed socket as a warning-class diagnostic with its own number 20017.
  EXPECT_EQ(r.diags, (std::vector<Diag>{{"01000", 20017, "[FreeTDS][SQL Server]Unexpected EOF from the server"}}));
  OdbcConnection again;
  EXPECT_TRUE(again.connect(srv.connection_string()));
}

TEST(WireOdbcConcurrency, ManyConnectionsAtOnce) {
  CannedServer srv;
  constexpr int kThreads = 24;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      OdbcConnection conn;
      if (!conn.connect(srv.connection_string())) return;
      for (int k = 0; k < 10; ++k) {
        const auto r = conn.exec("rows 500");
        if (r.rc != SQL_SUCCESS || r.results.size() != 1 || r.results[0].rows.size() != 500) return;
      }
      ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads);
  EXPECT_EQ(srv.instance.stats().logins.load(), static_cast<uint64_t>(kThreads));
  EXPECT_EQ(srv.instance.stats().rows.load(), static_cast<uint64_t>(kThreads) * 10 * 500);
}

}  // namespace
}  // namespace emu::tds::testing
