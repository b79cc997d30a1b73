// Type rules through the executor, each against its Microsoft page:
//  LEN / DATALENGTH of supplementary characters under the default (non-SC) collation count UTF-16
//  code units: https://learn.microsoft.com/en-us/sql/t-sql/functions/len-transact-sql and
//  https://learn.microsoft.com/en-us/sql/relational-databases/collations/collation-and-unicode-support
//  Data type precedence (uniqueidentifier above binary and strings):
//  https://learn.microsoft.com/en-us/sql/t-sql/data-types/data-type-precedence-transact-sql
//  uniqueidentifier ↔ binary(16): https://learn.microsoft.com/en-us/sql/t-sql/data-types/uniqueidentifier-transact-sql
#include "engine/exec_test_util.h"

namespace emu::testing {
namespace {

using TypesTest = ExecTest;

std::vector<std::string> first_row(const CaptureSink& r) {
  std::vector<std::string> out;
  if (r.sets.empty() || r.sets[0].rows.empty()) return out;
  for (const auto& v : r.sets[0].rows[0]) out.push_back(text(v));
  return out;
}

TEST_F(TypesTest, LenAndDatalengthCountUtf16CodeUnits) {
  // U+1F600 (4 UTF-8 bytes, a surrogate pair in UTF-16) and é (U+00E9, one code unit).
  auto r = q("SELECT LEN(N'a\xF0\x9F\x98\x80\xC3\xA9') AS l, DATALENGTH(N'a\xF0\x9F\x98\x80\xC3\xA9') AS d, "
             "LEN(N'x  ') AS trailing");
  ASSERT_EQ(r.first_error(), "");
  EXPECT_EQ(first_row(r), (std::vector<std::string>{"4", "8", "1"}));
}

TEST_F(TypesTest, GuidAndBinary16RoundTripInSqlServersByteOrder) {
  auto r = q("DECLARE @g uniqueidentifier = '6F9619FF-8B86-D011-B42D-00C04FC964FF';\n"
             "SELECT CONVERT(varchar(40), CAST(@g AS binary(16)), 1) AS b,\n"
             "       CAST(0xFF19966F868B11D0B42D00C04FC964FF AS uniqueidentifier) AS g");
  ASSERT_EQ(r.first_error(), "");
  EXPECT_EQ(first_row(r), (std::vector<std::string>{"0xFF19966F868B11D0B42D00C04FC964FF",
                                                    "6F9619FF-8B86-D011-B42D-00C04FC964FF"}));
}

TEST_F(TypesTest, BinaryParameterComparedWithAUniqueidentifierColumnConvertsToGuid) {
  ASSERT_EQ(q("USE msdb; EXEC sp_add_job @job_name = N'cmp', @owner_login_name = N'sa'").first_error(), "");
  auto r = q("DECLARE @id uniqueidentifier = (SELECT job_id FROM msdb.dbo.sysjobs WHERE name = N'cmp');\n"
             "DECLARE @b varbinary(16) = CAST(@id AS varbinary(16));\n"
             "EXEC sp_executesql N'SELECT name FROM msdb.dbo.sysjobs WHERE job_id = @p', N'@p varbinary(16)', @p = @b");
  ASSERT_EQ(r.first_error(), "");
  EXPECT_EQ(first_row(r), (std::vector<std::string>{"cmp"}));
  // A string that is no GUID cannot be compared with one (8169).
  r = q("SELECT name FROM msdb.dbo.sysjobs WHERE job_id = 'not a guid'");
  EXPECT_EQ(r.first_error(), "8169: Conversion failed when converting from a character string to uniqueidentifier.");
}

// sp_executesql OUTPUT parameters of each type, converted to the receiving variable's type
// (https://learn.microsoft.com/en-us/sql/relational-databases/system-stored-procedures/sp-executesql-transact-sql).
TEST_F(TypesTest, ExecutesqlOutputParametersOfEveryType) {
  auto r = q("DECLARE @i int, @b bigint, @bit bit, @d decimal(10,2), @f float, @s nvarchar(50), @v varchar(10),\n"
             "        @vb varbinary(8), @g uniqueidentifier, @g16 binary(16), @dt datetime2(3);\n"
             "EXEC sp_executesql N'SELECT @i = 42, @b = 9000000000, @bit = 1, @d = 12.5, @f = 0.25, @s = N''caf\xC3\xA9'',\n"
             "  @v = ''abc'', @vb = 0x0102, @g = ''6F9619FF-8B86-D011-B42D-00C04FC964FF'',\n"
             "  @g16 = CAST(''6F9619FF-8B86-D011-B42D-00C04FC964FF'' AS uniqueidentifier), @dt = ''2026-12-07 19:30:00.123''',\n"
             "  N'@i int OUTPUT, @b bigint OUTPUT, @bit bit OUTPUT, @d decimal(10,2) OUTPUT, @f float OUTPUT,\n"
             "    @s nvarchar(50) OUTPUT, @v varchar(10) OUTPUT, @vb varbinary(8) OUTPUT, @g uniqueidentifier OUTPUT,\n"
             "    @g16 binary(16) OUTPUT, @dt datetime2(3) OUTPUT',\n"
             "  @i = @i OUTPUT, @b = @b OUTPUT, @bit = @bit OUTPUT, @d = @d OUTPUT, @f = @f OUTPUT, @s = @s OUTPUT,\n"
             "  @v = @v OUTPUT, @vb = @vb OUTPUT, @g = @g OUTPUT, @g16 = @g16 OUTPUT, @dt = @dt OUTPUT;\n"
             "SELECT @i, @b, @bit, CAST(@d AS varchar(20)), @f, @s, @v, CONVERT(varchar(20), @vb, 1), @g,\n"
             "       CONVERT(varchar(40), @g16, 1), CONVERT(varchar(30), @dt, 121)");
  ASSERT_EQ(r.first_error(), "");
  EXPECT_EQ(first_row(r), (std::vector<std::string>{"42", "9000000000", "1", "12.50", "0.250000", "caf\xC3\xA9", "abc",
                                                    "0x0102", "6F9619FF-8B86-D011-B42D-00C04FC964FF",
                                                    "0xFF19966F868B11D0B42D00C04FC964FF", "2026-12-07 19:30:00.123"}));
}

// WITH: https://learn.microsoft.com/en-us/sql/t-sql/queries/with-common-table-expression-transact-sql
TEST_F(TypesTest, CommonTableExpressions) {
  auto r = q(";WITH fixed (name, id) AS (SELECT name, principal_id FROM sys.server_principals WHERE type = 'R' "
             "AND principal_id BETWEEN 3 AND 10),\n"
             "     admins AS (SELECT f.name FROM fixed f WHERE f.name LIKE '%admin')\n"
             "SELECT COUNT(*) AS n, MIN(name) AS first FROM admins");
  ASSERT_EQ(r.first_error(), "");
  EXPECT_EQ(first_row(r), (std::vector<std::string>{"7", "bulkadmin"}));
  EXPECT_EQ(q("WITH c (a, b) AS (SELECT 1 AS x) SELECT * FROM c").first_error(),
            "8159: 'c' has fewer columns than were specified in the column list.");
  EXPECT_EQ(q("WITH c AS (SELECT 1) SELECT * FROM c").first_error(), "8155: No column name was specified for column 1 of 'c'.");
  EXPECT_EQ(q("WITH c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3) SELECT * FROM c").errors().at(0).number,
            40517);
}

}  // namespace
}  // namespace emu::testing
