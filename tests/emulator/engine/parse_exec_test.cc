// Batches through the executor: statement boundaries, syntax errors, variables, control flow.
#include "engine/exec_test_util.h"

namespace emu::testing {
namespace {

using BatchTest = ExecTest;

TEST_F(BatchTest, StatementsWithoutSemicolons) {
  auto r = q("SELECT 1 SELECT 2\nSELECT 3");
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 3u);
  EXPECT_EQ(text(r.sets[2].rows[0][0]), "3");
}

TEST_F(BatchTest, VariablesDeclareSetSelect) {
  auto r = q("DECLARE @a int = 5, @b nvarchar(10); SET @b = N'x' + CAST(@a AS nvarchar(10)); SELECT @a + 1 AS a, @b AS b");
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 1u);
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "6");
  EXPECT_EQ(text(r.sets[0].rows[0][1]), "x5");
}

// Regression (demo run): the GRANT of WITH GRANT OPTION was taken for the start of a new statement,
// so replaying a GRANT … WITH GRANT OPTION failed with 102.
TEST_F(BatchTest, GrantWithGrantOptionIsOneStatement) {
  auto r = q("CREATE LOGIN [op;1] WITH PASSWORD = N'Op-Passw0rd!1'\n"
             "USE [master]; GRANT VIEW ANY DEFINITION TO [op;1] WITH GRANT OPTION; SELECT 1");
  ASSERT_EQ(r.first_error(), "");
  auto p = q("SELECT state FROM sys.server_permissions pe JOIN sys.server_principals sp "
             "ON sp.principal_id = pe.grantee_principal_id WHERE sp.name = N'op;1' AND pe.permission_name = N'VIEW ANY DEFINITION'");
  ASSERT_EQ(p.first_error(), "");
  ASSERT_EQ(p.sets.size(), 1u);
  ASSERT_EQ(p.sets[0].rows.size(), 1u);
  EXPECT_EQ(text(p.sets[0].rows[0][0]), "W");
}

}  // namespace
}  // namespace emu::testing

namespace emu::testing {
namespace {

// Inputs that once could throw or read past the tokens: each must come back as an error.
TEST(HostileBatches, AreErrorsNotCrashes) {
  auto inst = make_instance();
  auto s = make_session(*inst);
  for (const char* sql : {"SET LOCK_TIMEOUT -", "DECLARE @x nvarchar(99999999999999)", "SELECT 1 ORDER BY 99999999999999999",
                          "SELECT CAST(1 AS decimal(10, 99999))", "EXEC sp_executesql N'SELECT @a', N'@a varchar(99999999999)', 1",
                          "IF", "BEGIN", "SELECT * FROM", "EXEC", "SELECT 1 UNION"}) {
    auto r = run(*s, sql);
    EXPECT_FALSE(r.errors().empty()) << sql;
  }
  auto deep = run(*s, "SELECT " + std::string(300, '(') + "1" + std::string(300, ')'));
  EXPECT_EQ(deep.first_error(),
            "191: Some part of your SQL statement is nested too deeply. Rewrite the query or break it up into smaller queries.");
}

}  // namespace
}  // namespace emu::testing
