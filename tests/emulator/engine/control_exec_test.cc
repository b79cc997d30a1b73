// Control flow, transactions, XACT_ABORT, locking, faults and counters through the executor.
#include <cstdio>
#include <thread>

#include "engine/exec_test_util.h"

namespace emu::testing {
namespace {

using ControlTest = ExecTest;

int64_t scalar_int(Session& s, const std::string& sql) {
  auto r = run(s, sql);
  EXPECT_EQ(r.first_error(), "") << sql;
  if (r.sets.empty() || r.sets[0].rows.empty()) return -1;
  return std::get<int64_t>(r.sets[0].rows[0][0]);
}

TEST_F(ControlTest, IfNotExistsRunsItsStatementOnce) {
  const char* sql =
      "IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = N'app_x')\n"
      "  CREATE LOGIN [app_x] WITH PASSWORD = N'Pw-12345!x', CHECK_POLICY = OFF\n"
      "ELSE\n"
      "  PRINT 'exists'";
  auto first = q(sql);
  EXPECT_EQ(first.first_error(), "");
  auto second = q(sql);
  EXPECT_EQ(second.first_error(), "");
  ASSERT_EQ(second.messages.size(), 1u);
  EXPECT_EQ(second.messages[0].text, "exists");
  EXPECT_EQ(scalar_int(*session, "SELECT COUNT(*) FROM sys.server_principals WHERE name = 'APP_X'"), 1);
}

TEST_F(ControlTest, IfExpressionAndBeginEndBlocks) {
  auto r = q("DECLARE @n int = 3\n"
             "IF @n > 2 BEGIN SELECT 'big' AS s; SELECT 'still' AS s END ELSE BEGIN SELECT 'small' AS s END");
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 2u);
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "big");
}

TEST_F(ControlTest, WhileLoopWithBreak) {
  auto r = q("DECLARE @i int = 0, @s nvarchar(100) = N''\n"
             "WHILE @i < 10 BEGIN SET @i += 1; IF @i = 4 BREAK; SET @s = @s + CAST(@i AS nvarchar(10)) END\n"
             "SELECT @s AS s, @i AS i");
  ASSERT_EQ(r.first_error(), "");
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "123");
  EXPECT_EQ(text(r.sets[0].rows[0][1]), "4");
}

TEST_F(ControlTest, SelectAssignsVariables) {
  auto r = q("DECLARE @id int, @name sysname; SELECT @id = principal_id, @name = name FROM sys.server_principals "
             "WHERE principal_id = 1; SELECT @id, @name, @@ROWCOUNT");
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 1u);
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "1");
  EXPECT_EQ(text(r.sets[0].rows[0][1]), "sa");
}

TEST_F(ControlTest, GotoSkipsToLabel) {
  auto r = q("DECLARE @rc int = 1\nIF @@ERROR <> 0 OR @rc <> 0 GOTO fail;\nSELECT 'not here'\nRETURN;\n"
             "fail: SELECT 'failed' AS f");
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 1u);
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "failed");
}

TEST_F(ControlTest, ErrorAbortsStatementButBatchContinues) {
  auto r = q("SELECT CAST('x' AS int); SELECT @@ERROR AS e; SELECT @@ERROR AS e2");
  ASSERT_EQ(r.errors().size(), 1u);
  ASSERT_EQ(r.sets.size(), 3u);  // the failed SELECT sent its metadata before the row failed
  EXPECT_EQ(text(r.sets[1].rows[0][0]), "245");
  EXPECT_EQ(text(r.sets[2].rows[0][0]), "0");
}

TEST_F(ControlTest, SyntaxErrorRunsNothing) {
  auto r = q("SELECT 1 AS a; SELECT FROM WHERE");
  EXPECT_EQ(r.first_error(), "156: Incorrect syntax near the keyword 'FROM'.");
  EXPECT_TRUE(r.sets.empty());
}

TEST_F(ControlTest, TransactionRollbackUndoesDdl) {
  auto r = q("BEGIN TRAN; CREATE LOGIN t_login WITH PASSWORD = N'Pw-12345!x'; SELECT @@TRANCOUNT AS n; ROLLBACK; "
             "SELECT @@TRANCOUNT AS n");
  ASSERT_EQ(r.first_error(), "");
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "1");
  EXPECT_EQ(text(r.sets[1].rows[0][0]), "0");
  EXPECT_EQ(scalar_int(*session, "SELECT COUNT(*) FROM sys.server_principals WHERE name = N't_login'"), 0);
}

TEST_F(ControlTest, TransactionSpansBatchesAndCommits) {
  EXPECT_EQ(q("BEGIN TRANSACTION").first_error(), "");
  EXPECT_NE(session->transaction_id(), 0u);
  EXPECT_EQ(q("CREATE LOGIN t2 WITH PASSWORD = N'Pw-12345!x'").first_error(), "");
  EXPECT_EQ(q("COMMIT TRANSACTION").first_error(), "");
  EXPECT_EQ(session->transaction_id(), 0u);
  EXPECT_EQ(scalar_int(*session, "SELECT COUNT(*) FROM sys.server_principals WHERE name = N't2'"), 1);
}

TEST_F(ControlTest, XactAbortRollsBackAndEndsTheBatch) {
  auto r = q("SET XACT_ABORT ON; BEGIN TRAN; CREATE LOGIN xa1 WITH PASSWORD = N'Pw-12345!x';\n"
             "CREATE LOGIN xa1 WITH PASSWORD = N'Pw-12345!x';\nSELECT 'after' AS a");
  ASSERT_EQ(r.errors().size(), 1u);
  EXPECT_EQ(r.errors()[0].number, 15025);
  EXPECT_TRUE(r.sets.empty());
  EXPECT_EQ(session->transaction_id(), 0u);
  EXPECT_EQ(scalar_int(*session, "SELECT COUNT(*) FROM sys.server_principals WHERE name = N'xa1'"), 0);
}

TEST_F(ControlTest, WithoutXactAbortTheTransactionStaysOpen) {
  auto r = q("BEGIN TRAN; CREATE LOGIN xb1 WITH PASSWORD = N'Pw-12345!x';\n"
             "CREATE LOGIN xb1 WITH PASSWORD = N'Pw-12345!x';\nSELECT @@TRANCOUNT AS n");
  ASSERT_EQ(r.errors().size(), 1u);
  ASSERT_EQ(r.sets.size(), 1u);
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "1");
  EXPECT_EQ(q("COMMIT").first_error(), "");
  EXPECT_EQ(scalar_int(*session, "SELECT COUNT(*) FROM sys.server_principals WHERE name = N'xb1'"), 1);
}

TEST_F(ControlTest, OpenTransactionBlocksOtherSessionsUntilLockTimeout) {
  EXPECT_EQ(q("BEGIN TRAN").first_error(), "");
  auto other = make_session(*inst, "master", 52);
  auto blocked = run(*other, "SET LOCK_TIMEOUT 100; SELECT 1 AS one");
  EXPECT_EQ(blocked.first_error(), "1222: Lock request time out period exceeded.");
  EXPECT_TRUE(blocked.sets.empty());
  EXPECT_EQ(q("COMMIT").first_error(), "");
  EXPECT_EQ(scalar_int(*other, "SELECT 7"), 7);
}

TEST_F(ControlTest, UseChangesDatabase) {
  auto r = q("USE MSDB");
  EXPECT_EQ(r.first_error(), "");
  EXPECT_EQ(session->current_database(), "msdb");
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].number, 5701);
  EXPECT_EQ(scalar_int(*session, "SELECT COUNT(*) FROM dbo.syscategories WHERE category_id = 0"), 1);
}

TEST_F(ControlTest, PrintAndRaiserror) {
  auto r = q("PRINT N'hello'; RAISERROR('bad %s %d', 16, 1, N'thing', 42); SELECT @@ERROR AS e");
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].text, "hello");
  EXPECT_EQ(r.messages[0].severity, 0);
  EXPECT_EQ(r.messages[1].number, 50000);
  EXPECT_EQ(r.messages[1].text, "bad thing 42");
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "50000");
}

TEST_F(ControlTest, ThrowEndsTheBatch) {
  auto r = q("THROW 51000, N'custom', 1; SELECT 1");
  EXPECT_EQ(r.first_error(), "51000: custom");
  EXPECT_TRUE(r.sets.empty());
}

TEST_F(ControlTest, TediousConnectBatchProducesNoResults) {
  auto r = q("set ansi_nulls on\nset ansi_null_dflt_on on\nset ansi_padding on\nset ansi_warnings on\n"
             "set arithabort on\nset concat_null_yields_null on\nset datefirst 7\nset dateformat mdy\n"
             "set implicit_transactions off\nset language us_english\nset numeric_roundabort off\n"
             "set quoted_identifier on\nset textsize 2147483647\nset transaction isolation level read committed\n"
             "set xact_abort off");
  EXPECT_EQ(r.first_error(), "");
  EXPECT_TRUE(r.sets.empty());
  EXPECT_TRUE(r.dones.empty());
}

TEST_F(ControlTest, NamesWithHostileCharactersRoundTrip) {
  const std::string names[] = {"we]ird", "it's", "semi;colon", "dash--dash", "Jürgen_日本", std::string(128, 'n')};
  for (const auto& name : names) {
    std::string bracketed, literal;
    for (char c : name) {
      bracketed += c == ']' ? std::string("]]") : std::string(1, c);
      literal += c == '\'' ? std::string("''") : std::string(1, c);
    }
    auto created = q("CREATE LOGIN [" + bracketed + "] WITH PASSWORD = N'Pw-12345!x'");
    ASSERT_EQ(created.first_error(), "") << name;
    auto r = q("SELECT name, QUOTENAME(name) AS q FROM sys.server_principals WHERE name = N'" + literal + "'");
    ASSERT_EQ(r.first_error(), "") << name;
    ASSERT_EQ(r.sets[0].rows.size(), 1u) << name;
    EXPECT_EQ(text(r.sets[0].rows[0][0]), name);
    EXPECT_EQ(text(r.sets[0].rows[0][1]), "[" + bracketed + "]");
  }
}

TEST(Faults, FailPatternFailsTheMatchingStatementOnce) {
  auto inst = make_instance();
  auto s = make_session(*inst);
  {
    std::lock_guard<std::mutex> lk(inst->faults().mu);
    inst->faults().fail_pattern = std::regex("sysjobs", std::regex::icase | std::regex::ECMAScript);
    inst->faults().fail_error = Message{1205, 45, 13, "Transaction (Process ID 51) was deadlocked.", 1, {}};
  }
  auto r = run(*s, "SELECT 1 AS a; SELECT COUNT(*) FROM msdb.dbo.sysjobs; SELECT 2 AS b");
  EXPECT_EQ(r.first_error(), "1205: Transaction (Process ID 51) was deadlocked.");
  EXPECT_EQ(r.sets.size(), 2u);
  auto again = run(*s, "SELECT COUNT(*) FROM msdb.dbo.sysjobs");
  EXPECT_EQ(again.first_error(), "");
}

TEST(Faults, DropAfterStatements) {
  auto inst = make_instance();
  auto s = make_session(*inst);
  inst->faults().drop_after_statements = 2;
  CaptureSink sink;
  EXPECT_THROW(s->execute_batch("SELECT 1; SELECT 2; SELECT 3", sink), DropConnection);
  EXPECT_EQ(sink.sets.size(), 2u);
  EXPECT_EQ(inst->faults().drop_after_statements, -1);
  auto after = run(*s, "SELECT 4");  // the instance itself stays usable
  EXPECT_EQ(after.first_error(), "");
}

TEST(Counters, StatementsWritesAndJson) {
  auto inst = make_instance();
  auto s = make_session(*inst);
  run(*s, "SELECT 1; CREATE LOGIN c1 WITH PASSWORD = N'Pw-12345!x'; SET NOCOUNT ON");
  EXPECT_EQ(inst->stats().statements.load(), 3u);
  EXPECT_EQ(inst->stats().writes.load(), 1u);
  EXPECT_EQ(inst->stats().rows.load(), 0u);  // rows are counted by the wire layer
  EXPECT_EQ(inst->stats().to_json(),
            R"({"attentions":0,"batches":0,"connections":0,"errors":0,"logins":0,"logins_tds8":0,"logins_tls":0,"logins_tls_login_only":0,"rows":0,"rpcs":0,"statements":3,"writes":1})");
}

TEST(RequestLog, RecordsBatchesAndRpcs) {
  auto inst = make_instance();
  auto s = make_session(*inst);
  run(*s, "SELECT 1");
  CaptureSink sink;
  RpcRequest req;
  req.proc_id = 10;
  req.params.push_back(RpcParam{"", SqlType::NVarChar(-1), std::string("SELECT @P1"), false});
  req.params.push_back(RpcParam{"", SqlType::NVarChar(-1), std::string("@P1 int"), false});
  req.params.push_back(RpcParam{"", SqlType::Int(), int64_t{5}, false});
  s->execute_rpc(req, sink);
  auto log = request_log(*inst);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0], "BATCH SELECT 1");
  EXPECT_EQ(log[1], "RPC sp_executesql(?=N'SELECT @P1', ?=N'@P1 int', ?=5)");
}

}  // namespace
}  // namespace emu::testing

namespace emu::testing {
namespace {

TEST(InitSql, RunsBatchesSeparatedByGoLines) {
  std::string path = ::testing::TempDir() + "/h2_init.sql";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("CREATE LOGIN init_a WITH PASSWORD = N'Pw-12345!x'\ngo\nDECLARE @x int = 1\nGO  \n"
               "DECLARE @x int = 2; IF @x = 2 CREATE LOGIN init_b WITH PASSWORD = N'Pw-12345!x'\n", f);
    std::fclose(f);
  }
  auto inst = make_instance(3, "", path);
  ASSERT_NE(inst, nullptr);
  auto s = make_session(*inst);
  auto r = run(*s, "SELECT COUNT(*) FROM sys.server_principals WHERE name IN (N'init_a', N'init_b')");
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "2");
}

TEST(InitSql, FirstErrorFailsTheInstance) {
  std::string path = ::testing::TempDir() + "/h2_init_bad.sql";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("SELECT 1\nSELECT * FROM sys.nope\n", f);
    std::fclose(f);
  }
  InstanceOptions o;
  o.sa_password = kSaPassword;
  o.init_sql_path = path;
  std::string error;
  EXPECT_EQ(create_instance(o, &error), nullptr);
  EXPECT_EQ(error, "init sql: line 2: error 208: Invalid object name 'sys.nope'.");
}

}  // namespace
}  // namespace emu::testing

namespace emu::testing {
namespace {

TEST_F(ControlTest, TransactionManagerRequestsAndReset) {
  Message err;
  ASSERT_TRUE(session->begin_transaction(&err));
  EXPECT_NE(session->transaction_id(), 0u);
  EXPECT_EQ(q("CREATE LOGIN tm1 WITH PASSWORD = N'Pw-12345!x'; SELECT @@TRANCOUNT AS n").sets[0].rows[0][0],
            Value{int64_t{1}});
  ASSERT_TRUE(session->rollback_transaction(&err));
  EXPECT_EQ(session->transaction_id(), 0u);
  EXPECT_FALSE(session->commit_transaction(&err));
  EXPECT_EQ(err.number, 3902);
  ASSERT_TRUE(session->begin_transaction(&err));
  q("CREATE LOGIN tm2 WITH PASSWORD = N'Pw-12345!x'; USE msdb");
  session->reset();  // RESETCONNECTION: rolls back and returns to the login's database
  EXPECT_EQ(session->transaction_id(), 0u);
  EXPECT_EQ(session->current_database(), "master");
  auto r = q("SELECT COUNT(*) FROM sys.server_principals WHERE name IN (N'tm1', N'tm2')");
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "0");
}

TEST_F(ControlTest, ClosingASessionRollsBackItsTransaction) {
  auto other = make_session(*inst, "master", 53);
  run(*other, "BEGIN TRAN; CREATE LOGIN gone1 WITH PASSWORD = N'Pw-12345!x'");
  other.reset();
  auto r = q("SELECT COUNT(*) FROM sys.server_principals WHERE name = N'gone1'");
  ASSERT_EQ(r.first_error(), "");
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "0");
}

}  // namespace
}  // namespace emu::testing
