// TRY…CATCH, ERROR_*(), XACT_STATE(), THROW, XACT_ABORT and doomed transactions through the
// executor, each against the Microsoft documentation page it follows:
//  TRY…CATCH  https://learn.microsoft.com/en-us/sql/t-sql/language-elements/try-catch-transact-sql
//  XACT_STATE https://learn.microsoft.com/en-us/sql/t-sql/functions/xact-state-transact-sql
//  XACT_ABORT https://learn.microsoft.com/en-us/sql/t-sql/statements/set-xact-abort-transact-sql
//  THROW      https://learn.microsoft.com/en-us/sql/t-sql/language-elements/throw-transact-sql
//  266        https://learn.microsoft.com/en-us/sql/relational-databases/errors-events/mssqlserver-266-database-engine-error
#include "engine/exec_test_util.h"

namespace emu::testing {
namespace {

using TryCatchTest = ExecTest;

constexpr const char* kMakeX = "CREATE LOGIN [tc_x] WITH PASSWORD = N'Pw-12345!x', CHECK_POLICY = OFF";

std::vector<std::string> row_text(const CaptureSink& r, size_t set = 0) {
  std::vector<std::string> out;
  if (set >= r.sets.size() || r.sets[set].rows.empty()) return out;
  for (const auto& v : r.sets[set].rows[0]) out.push_back(text(v));
  return out;
}

int64_t count_logins(Session& s, const std::string& name) {
  auto r = run(s, "SELECT COUNT(*) FROM sys.server_principals WHERE name = N'" + name + "'");
  return std::get<int64_t>(r.sets.at(0).rows.at(0)[0]);
}

// "A TRY…CATCH construct catches all execution errors that have a severity higher than 10";
// "Errors trapped by a CATCH block are not returned to the calling application."
TEST_F(TryCatchTest, CaughtErrorIsNotSentAndErrorFunctionsDescribeIt) {
  ASSERT_EQ(q(kMakeX).first_error(), "");
  auto r = q("BEGIN TRY\n"
             "  CREATE LOGIN [tc_x] WITH PASSWORD = N'Pw-12345!x', CHECK_POLICY = OFF;\n"
             "  SELECT 'not reached' AS n;\n"
             "END TRY\n"
             "BEGIN CATCH\n"
             "  SELECT ERROR_NUMBER() AS n, ERROR_SEVERITY() AS sev, ERROR_STATE() AS st, ERROR_LINE() AS line,\n"
             "         ERROR_MESSAGE() AS msg, @@ERROR AS e;\n"
             "END CATCH;\n"
             "SELECT ERROR_NUMBER() AS after_catch;");
  EXPECT_TRUE(r.errors().empty()) << r.first_error();
  ASSERT_EQ(r.sets.size(), 2u);
  auto row = row_text(r);
  EXPECT_EQ(row[0], "15025");
  EXPECT_EQ(row[1], "16");
  EXPECT_EQ(row[3], "2");
  EXPECT_EQ(row[4], "The server principal 'tc_x' already exists.");
  EXPECT_EQ(row[5], "15025");
  EXPECT_EQ(row_text(r, 1)[0], "NULL");  // ERROR_NUMBER() outside a CATCH block is NULL
}

TEST_F(TryCatchTest, NoErrorSkipsTheCatchBlock) {
  auto r = q("BEGIN TRY SELECT 1 AS a END TRY BEGIN CATCH SELECT 'caught' AS c END CATCH SELECT 2 AS b");
  EXPECT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 2u);
  EXPECT_EQ(row_text(r, 1)[0], "2");
}

// XACT_ABORT ON: the error makes the transaction uncommittable; COMMIT then fails (3930) and only
// a full ROLLBACK is possible.
TEST_F(TryCatchTest, XactAbortDoomsTheTransactionInsideTry) {
  ASSERT_EQ(q(kMakeX).first_error(), "");
  auto r = q("SET XACT_ABORT ON;\n"
             "BEGIN TRY\n"
             "  BEGIN TRANSACTION;\n"
             "  CREATE LOGIN [tc_y] WITH PASSWORD = N'Pw-12345!y', CHECK_POLICY = OFF;\n"
             "  CREATE LOGIN [tc_x] WITH PASSWORD = N'Pw-12345!x', CHECK_POLICY = OFF;\n"
             "  COMMIT;\n"
             "END TRY\n"
             "BEGIN CATCH\n"
             "  SELECT XACT_STATE() AS xs, @@TRANCOUNT AS tc, ERROR_NUMBER() AS n;\n"
             "  BEGIN TRY COMMIT END TRY BEGIN CATCH SELECT ERROR_NUMBER() AS commit_error END CATCH\n"
             "  IF XACT_STATE() <> 0 ROLLBACK;\n"
             "END CATCH");
  EXPECT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 2u);
  EXPECT_EQ(row_text(r), (std::vector<std::string>{"-1", "1", "15025"}));
  EXPECT_EQ(row_text(r, 1)[0], "3930");
  EXPECT_EQ(count_logins(*session, "tc_y"), 0);
  EXPECT_EQ(row_text(q("SELECT @@TRANCOUNT"))[0], "0");
}

// XACT_ABORT OFF: a statement error leaves the transaction committable (XACT_STATE() = 1).
TEST_F(TryCatchTest, WithoutXactAbortTheTransactionStaysCommittable) {
  ASSERT_EQ(q(kMakeX).first_error(), "");
  auto r = q("BEGIN TRY\n"
             "  BEGIN TRAN;\n"
             "  CREATE LOGIN [tc_y] WITH PASSWORD = N'Pw-12345!y', CHECK_POLICY = OFF;\n"
             "  CREATE LOGIN [tc_x] WITH PASSWORD = N'Pw-12345!x', CHECK_POLICY = OFF;\n"
             "END TRY\n"
             "BEGIN CATCH\n"
             "  SELECT XACT_STATE() AS xs;\n"
             "  IF XACT_STATE() = 1 COMMIT;\n"
             "END CATCH");
  EXPECT_EQ(r.first_error(), "");
  EXPECT_EQ(row_text(r)[0], "1");
  EXPECT_EQ(count_logins(*session, "tc_y"), 1);
}

// "When a batch finishes running, the Database Engine rolls back any active uncommittable
// transactions" with error 3998; writes before that fail with 3930.
TEST_F(TryCatchTest, DoomedTransactionRefusesWritesAndIsRolledBackAtEndOfBatch) {
  ASSERT_EQ(q(kMakeX).first_error(), "");
  auto r = q("SET XACT_ABORT ON;\n"
             "BEGIN TRAN;\n"
             "BEGIN TRY CREATE LOGIN [tc_x] WITH PASSWORD = N'Pw-12345!x', CHECK_POLICY = OFF; END TRY\n"
             "BEGIN CATCH PRINT 'caught' END CATCH\n"
             "SET XACT_ABORT OFF;\n"
             "CREATE LOGIN [tc_z] WITH PASSWORD = N'Pw-12345!z', CHECK_POLICY = OFF;\n"
             "SELECT XACT_STATE() AS xs;");
  auto errors = r.errors();
  ASSERT_EQ(errors.size(), 2u) << r.first_error();
  EXPECT_EQ(errors[0].number, 3930);
  EXPECT_EQ(errors[0].text,
            "The current transaction cannot be committed and cannot support operations that write to the log file. "
            "Roll back the transaction.");
  EXPECT_EQ(errors[1].number, 3998);
  EXPECT_EQ(errors[1].text, "Uncommittable transaction is detected at the end of the batch. The transaction is rolled back.");
  EXPECT_EQ(row_text(r)[0], "-1");
  EXPECT_EQ(row_text(q("SELECT @@TRANCOUNT"))[0], "0");
  EXPECT_EQ(count_logins(*session, "tc_z"), 0);
}

// THROW honours XACT_ABORT; RAISERROR does not.
TEST_F(TryCatchTest, RaiserrorDoesNotDoomButThrowDoes) {
  auto r = q("SET XACT_ABORT ON; BEGIN TRAN;\n"
             "BEGIN TRY RAISERROR('r', 16, 1) END TRY BEGIN CATCH SELECT XACT_STATE() AS xs END CATCH\n"
             "BEGIN TRY THROW 50010, 't', 1 END TRY BEGIN CATCH SELECT XACT_STATE() AS xs, ERROR_NUMBER() AS n END CATCH\n"
             "ROLLBACK");
  EXPECT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 2u);
  EXPECT_EQ(row_text(r)[0], "1");
  EXPECT_EQ(row_text(r, 1), (std::vector<std::string>{"-1", "50010"}));
}

TEST_F(TryCatchTest, RaiserrorOutsideTryWithXactAbortContinuesTheBatch) {
  auto r = q("SET XACT_ABORT ON; BEGIN TRAN; RAISERROR('r', 16, 1); SELECT @@TRANCOUNT AS tc; ROLLBACK");
  ASSERT_EQ(r.errors().size(), 1u);
  EXPECT_EQ(row_text(r)[0], "1");
}

TEST_F(TryCatchTest, ThrowWithoutArgumentsRethrowsTheCaughtError) {
  ASSERT_EQ(q(kMakeX).first_error(), "");
  auto r = q("BEGIN TRY CREATE LOGIN [tc_x] WITH PASSWORD = N'Pw-12345!x', CHECK_POLICY = OFF END TRY\n"
             "BEGIN CATCH PRINT 'cleanup'; THROW; END CATCH\n"
             "SELECT 'not reached' AS n");
  ASSERT_EQ(r.errors().size(), 1u);
  EXPECT_EQ(r.errors()[0].number, 15025);
  EXPECT_EQ(r.errors()[0].text, "The server principal 'tc_x' already exists.");
  EXPECT_TRUE(r.sets.empty());
  ASSERT_FALSE(r.messages.empty());
  EXPECT_EQ(r.messages[0].text, "cleanup");
}

TEST_F(TryCatchTest, ThrowChecksItsArgumentsAndEndsTheBatch) {
  auto r = q("THROW; SELECT 1 AS n");
  EXPECT_EQ(r.errors().at(0).number, 10704);
  r = q("THROW 50001, N'Required login(s) missing on MI -- do not cut over.', 1; PRINT 'after'");
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].number, 50001);
  EXPECT_EQ(r.messages[0].severity, 16);
  EXPECT_EQ(r.messages[0].state, 1);
  r = q("THROW 49999, N'x', 1");
  EXPECT_EQ(r.first_error(),
            "35100: Error number 49999 in the THROW statement is outside the valid range. Specify an error number in "
            "the valid range of 50000 to 2147483647.");
  // THROW in dynamic SQL ends the calling batch too.
  r = q("EXEC (N'THROW 50002, N''inner'', 3'); PRINT 'after'");
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].number, 50002);
}

// Name resolution errors are not caught by a TRY of the same scope but by the caller's.
TEST_F(TryCatchTest, DeferredNameResolutionErrorsGoToTheCallersCatch) {
  auto r = q("BEGIN TRY SELECT * FROM sys.no_such_view END TRY BEGIN CATCH SELECT 'caught' AS c END CATCH");
  EXPECT_EQ(r.first_error(), "208: Invalid object name 'sys.no_such_view'.");
  EXPECT_TRUE(r.sets.empty());
  r = q("BEGIN TRY EXEC (N'SELECT * FROM sys.no_such_view') END TRY\n"
        "BEGIN CATCH SELECT ERROR_NUMBER() AS n END CATCH");
  EXPECT_EQ(r.first_error(), "");
  EXPECT_EQ(row_text(r)[0], "208");
  // A syntax error in dynamic SQL is the caller's to catch as well.
  r = q("BEGIN TRY EXEC sp_executesql N'SELECT FROM' END TRY BEGIN CATCH SELECT ERROR_NUMBER() AS n END CATCH");
  EXPECT_EQ(r.first_error(), "");
  EXPECT_EQ(row_text(r)[0], "156");
}

TEST_F(TryCatchTest, NestedTryAndErrorsInsideCatch) {
  auto r = q("BEGIN TRY\n"
             "  BEGIN TRY RAISERROR('inner', 16, 1) END TRY\n"
             "  BEGIN CATCH\n"
             "    SELECT ERROR_MESSAGE() AS m;\n"
             "    RAISERROR('from catch %s %d', 16, 2, N'x', 7);\n"
             "  END CATCH\n"
             "END TRY\n"
             "BEGIN CATCH SELECT ERROR_MESSAGE() AS m, ERROR_STATE() AS st END CATCH");
  EXPECT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 2u);
  EXPECT_EQ(row_text(r)[0], "inner");
  EXPECT_EQ(row_text(r, 1), (std::vector<std::string>{"from catch x 7", "2"}));
}

TEST_F(TryCatchTest, ErrorFunctionsWorkInCodeCalledFromCatch) {
  auto r = q("BEGIN TRY RAISERROR('boom', 16, 1) END TRY\n"
             "BEGIN CATCH EXEC sp_executesql N'SELECT ERROR_MESSAGE() AS m' END CATCH");
  EXPECT_EQ(r.first_error(), "");
  EXPECT_EQ(row_text(r)[0], "boom");
}

TEST_F(TryCatchTest, TrancountMismatchAfterExecIs266) {
  auto r = q("EXEC (N'BEGIN TRAN'); SELECT @@TRANCOUNT AS tc; ROLLBACK");
  EXPECT_EQ(r.first_error(),
            "266: Transaction count after EXECUTE indicates a mismatching number of BEGIN and COMMIT statements. "
            "Previous count = 0, current count = 1.");
  EXPECT_EQ(row_text(r)[0], "1");
}

// The pattern a replay uses to send many objects in one batch: each object in its own
// transaction and TRY, failures reported as rows, the others kept.
TEST_F(TryCatchTest, ManyObjectsPerBatchEachInItsOwnTransaction) {
  ASSERT_EQ(q(kMakeX).first_error(), "");
  std::string batch = "SET XACT_ABORT ON;\nDECLARE @results TABLE (n int, err int, msg nvarchar(4000));\n";
  const char* names[] = {"tc_a", "tc_x", "tc_b"};
  for (int i = 0; i < 3; ++i) {
    batch += "BEGIN TRY BEGIN TRAN; CREATE LOGIN [" + std::string(names[i]) +
             "] WITH PASSWORD = N'Pw-12345!q', CHECK_POLICY = OFF; COMMIT; INSERT INTO @results VALUES (" +
             std::to_string(i) + ", 0, NULL); END TRY\n"
             "BEGIN CATCH IF XACT_STATE() <> 0 ROLLBACK; INSERT INTO @results VALUES (" + std::to_string(i) +
             ", ERROR_NUMBER(), ERROR_MESSAGE()); END CATCH\n";
  }
  batch += "SELECT n, err, msg FROM @results ORDER BY n;";
  auto r = q(batch);
  EXPECT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 1u);
  ASSERT_EQ(r.sets[0].rows.size(), 3u);
  EXPECT_EQ(text(r.sets[0].rows[0][1]), "0");
  EXPECT_EQ(text(r.sets[0].rows[1][1]), "15025");
  EXPECT_EQ(text(r.sets[0].rows[2][1]), "0");
  EXPECT_EQ(count_logins(*session, "tc_a"), 1);
  EXPECT_EQ(count_logins(*session, "tc_b"), 1);
  EXPECT_EQ(row_text(q("SELECT @@TRANCOUNT"))[0], "0");
}

TEST_F(TryCatchTest, CatchMustFollowTry) {
  EXPECT_EQ(q("BEGIN TRY SELECT 1 END TRY SELECT 2").first_error(), "156: Incorrect syntax near the keyword 'SELECT'.");
  EXPECT_EQ(q("BEGIN CATCH SELECT 1 END CATCH").first_error(), "102: Incorrect syntax near 'CATCH'.");
}

}  // namespace
}  // namespace emu::testing
