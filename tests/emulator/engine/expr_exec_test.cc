// Expressions and query features through the executor, as tables of (SQL, expected value).
#include "engine/exec_test_util.h"

namespace emu::testing {
namespace {

struct Case {
  const char* sql;
  const char* expected;  // text of the first column of the first row; "NULL" for NULL
  const char* type;      // SQL type of that column; "" = not checked
};

const Case kScalars[] = {
    {"SELECT CONVERT(varchar(max), 0x4E616d65, 1)", "0x4E616D65", "varchar(max)"},
    {"SELECT CONVERT(varchar(max), 0x4E616d65, 2)", "4E616D65", "varchar(max)"},
    {"SELECT CONVERT(char(8), 0x4E616d65, 1)", "0x4E616D", "char(8)"},
    {"SELECT CONVERT(varchar(max), CONVERT(varbinary(85), '0x0105abCD', 1), 1)", "0x0105ABCD", "varchar(max)"},
    {"SELECT CONVERT(varchar(max), CONVERT(varbinary(85), '0105ab', 2), 1)", "0x0105AB", "varchar(max)"},
    {"SELECT CONVERT(varchar(max), CAST(NULL AS varbinary(10)), 1)", "NULL", "varchar(max)"},
    {"SELECT CAST(42 AS nvarchar(10)) + N'x'", "42x", "nvarchar(11)"},
    {"SELECT 'a' + 'bc'", "abc", "varchar(3)"},
    {"SELECT 7 / 2", "3", "int"},
    {"SELECT 7 % 4", "3", "int"},
    {"SELECT ISNULL(NULL, 5)", "5", "int"},
    {"SELECT COALESCE(NULL, NULL, N'z')", "z", "nvarchar(1)"},
    {"SELECT NULLIF(1, 1)", "NULL", "int"},
    {"SELECT LEN(N'abc  ')", "3", "int"},
    {"SELECT UPPER(N'abc') + LOWER(N'DEF')", "ABCdef", ""},
    {"SELECT LTRIM(RTRIM(N'  x  '))", "x", ""},
    {"SELECT SUBSTRING(N'abcdef', 2, 3)", "bcd", ""},
    {"SELECT CHARINDEX(N'C', N'abcabc')", "3", "int"},
    {"SELECT CHARINDEX(N'c', N'abcabc', 4)", "6", "int"},
    {"SELECT REPLACE(N'aXbxc', N'x', N'-')", "a-b-c", ""},
    {"SELECT LEFT(N'abcdef', 2) + RIGHT(N'abcdef', 2)", "abef", ""},
    {"SELECT QUOTENAME(N'a]b')", "[a]]b]", "nvarchar(258)"},
    {"SELECT QUOTENAME(N'it''s', '''')", "'it''s'", "nvarchar(258)"},
    {"SELECT QUOTENAME(REPLICATE(N'x', 129))", "NULL", "nvarchar(258)"},
    {"SELECT CASE WHEN 1 = 2 THEN N'no' WHEN 2 = 2 THEN N'yes' ELSE N'else' END", "yes", "nvarchar(4)"},
    {"SELECT CASE 3 WHEN 1 THEN 'one' WHEN 3 THEN 'three' END", "three", "varchar(5)"},
    {"SELECT CASE WHEN N'ABC' = N'abc' THEN 1 ELSE 0 END", "1", "int"},
    {"SELECT CASE WHEN N'abc ' = N'abc' THEN 1 ELSE 0 END", "1", "int"},
    {"SELECT CASE WHEN N'NT SERVICE\\x' LIKE N'nt service\\%' THEN 1 ELSE 0 END", "1", ""},
    {"SELECT CASE WHEN N'##MS_x##' LIKE N'##%##' THEN 1 ELSE 0 END", "1", ""},
    {"SELECT CASE WHEN N'b1' LIKE N'[a-c][0-9]' THEN 1 ELSE 0 END", "1", ""},
    {"SELECT CASE WHEN N'd1' LIKE N'[^a-c]_' THEN 1 ELSE 0 END", "1", ""},
    {"SELECT CASE WHEN 3 IN (1, 2, 3) THEN 1 ELSE 0 END", "1", ""},
    {"SELECT CASE WHEN N'X' NOT IN (N'x', N'y') THEN 1 ELSE 0 END", "0", ""},
    {"SELECT CASE WHEN 5 BETWEEN 1 AND 10 THEN 1 ELSE 0 END", "1", ""},
    {"SELECT CAST('123' AS int) + 1", "124", "int"},
    {"SELECT CAST(N'631b3284-8cff-4234-a40e-00a2a098fac8' AS uniqueidentifier)",
     "631B3284-8CFF-4234-A40E-00A2A098FAC8", "uniqueidentifier"},
    {"SELECT CAST('2024-01-02 03:04:05' AS datetime)", "2024-01-02 03:04:05.000", "datetime"},
    {"SELECT DATEADD(day, 1, CAST('2024-02-28' AS datetime))", "2024-02-29 00:00:00.000", "datetime"},
    {"SELECT DATEDIFF(day, '2024-01-01', '2024-03-01')", "60", "int"},
    {"SELECT CAST(SERVERPROPERTY('EngineEdition') AS int)", "3", "int"},
    {"SELECT SERVERPROPERTY('ServerName')", "UNDERSTUDY-EMU", "sql_variant"},
    {"SELECT @@SERVERNAME", "UNDERSTUDY-EMU", "nvarchar(128)"},
    {"SELECT @@SPID", "51", "smallint"},
    {"SELECT @@TRANCOUNT", "0", "int"},
    {"SELECT DB_NAME()", "master", "nvarchar(128)"},
    {"SELECT SUSER_SNAME()", "sa", "nvarchar(128)"},
    {"SELECT SUSER_SNAME(0x01)", "sa", "nvarchar(128)"},
    {"SELECT CONVERT(varchar(max), SUSER_SID(N'sa'), 1)", "0x01", "varchar(max)"},
    {"SELECT CAST(DATABASEPROPERTYEX(N'master', 'Updateability') AS nvarchar(128))", "READ_WRITE", "nvarchar(128)"},
    {"SELECT IS_SRVROLEMEMBER('sysadmin')", "1", "int"},
    {"SELECT LEN(CAST(NEWID() AS nvarchar(36)))", "36", "int"},
    {"SELECT COUNT(*) FROM sys.server_principals WHERE name = N'sa'", "1", "int"},
    {"SELECT TOP 1 name FROM sys.server_principals ORDER BY principal_id", "sa", "nvarchar(128)"},
    {"SELECT TOP (1) name FROM sys.server_principals ORDER BY 1", "bulkadmin", ""},
    {"SELECT COUNT(DISTINCT type) FROM sys.server_principals WHERE type IN ('S', 'R')", "2", "int"},
    {"SELECT MAX(principal_id) - MIN(principal_id) + 0 FROM sys.server_principals WHERE principal_id <= 2", "1", "int"},
    {"SELECT SUM(principal_id) FROM sys.server_principals WHERE principal_id IN (1, 2)", "3", "int"},
    {"SELECT n FROM (SELECT name AS n FROM sys.server_principals WHERE principal_id = 1) AS d", "sa", "nvarchar(128)"},
    {"SELECT (SELECT name FROM sys.server_principals WHERE principal_id = 1)", "sa", "nvarchar(128)"},
    {"SELECT CASE WHEN EXISTS (SELECT 1 FROM sys.server_principals WHERE name = 'sa') THEN 'y' ELSE 'n' END", "y", ""},
    {"SELECT name FROM sys.server_principals WHERE principal_id IN (SELECT role_principal_id FROM sys.server_role_members) "
     "AND name = 'sysadmin'", "sysadmin", ""},
    {"SELECT x = 5", "5", "int"},
    {"SELECT DISTINCT type FROM sys.server_principals WHERE name = N'sa'", "S", "char(1)"},
    {"SELECT type, COUNT(*) AS n FROM sys.server_principals GROUP BY type HAVING COUNT(*) > 100", "", ""},
};

class ScalarTest : public ::testing::TestWithParam<Case> {};

TEST_P(ScalarTest, Evaluates) {
  static std::unique_ptr<Instance> inst = make_instance();
  auto session = make_session(*inst);
  auto r = run(*session, GetParam().sql);
  ASSERT_EQ(r.first_error(), "") << GetParam().sql;
  ASSERT_EQ(r.sets.size(), 1u) << GetParam().sql;
  if (std::string(GetParam().expected).empty()) {
    EXPECT_EQ(r.sets[0].rows.size(), 0u);
    return;
  }
  ASSERT_GE(r.sets[0].rows.size(), 1u) << GetParam().sql;
  EXPECT_EQ(text(r.sets[0].rows[0][0]), GetParam().expected) << GetParam().sql;
  if (*GetParam().type) {
    EXPECT_EQ(to_string(r.sets[0].columns[0].type), GetParam().type) << GetParam().sql;
  }
}

INSTANTIATE_TEST_SUITE_P(Expressions, ScalarTest, ::testing::ValuesIn(kScalars));

struct ErrorCase {
  const char* sql;
  const char* error;
};

const ErrorCase kErrors[] = {
    {"SELECT * FROM dbo.nothing", "208: Invalid object name 'dbo.nothing'."},
    {"SELECT bogus FROM sys.server_principals", "207: Invalid column name 'bogus'."},
    {"SELECT x.name FROM sys.server_principals p", "4104: The multi-part identifier \"x.name\" could not be bound."},
    {"SELECT name FROM sys.server_principals a, sys.server_principals b", "209: Ambiguous column name 'name'."},
    {"SELECT @nope", "137: Must declare the scalar variable \"@nope\"."},
    {"SELECT FROM", "156: Incorrect syntax near the keyword 'FROM'."},
    {"SELECT 1 +", "102: Incorrect syntax near '+'."},
    {"GO", "102: Incorrect syntax near 'GO'."},
    {"SELECT 1\nGO\nSELECT 2", "102: Incorrect syntax near 'GO'."},
    {"SELECT 'abc", "105: Unclosed quotation mark after the character string 'abc'."},
    {"SELECT CAST('abc' AS int)", "245: Conversion failed when converting the varchar value 'abc' to data type int."},
    {"SELECT CAST('nope' AS uniqueidentifier)",
     "8169: Conversion failed when converting from a character string to uniqueidentifier."},
    {"SELECT 1 / 0", "8134: Divide by zero error encountered."},
    {"EXEC dbo.no_such_proc", "2812: Could not find stored procedure 'dbo.no_such_proc'."},
    {"ROLLBACK", "3903: The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION."},
    {"COMMIT", "3902: The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION."},
    {"USE nodb", "911: Database 'nodb' does not exist. Make sure that the name is entered correctly."},
    {"INSERT INTO sys.server_principals (name) VALUES ('x')", "259: Ad hoc updates to system catalogs are not allowed."},
    {"CREATE TABLE t (a int)",
     "40517: Keyword or statement option 'CREATE TABLE' is not supported in this version of SQL Server."},
    {"SELECT NOPE(1)", "195: 'NOPE' is not a recognized built-in function name."},
    {"GOTO nowhere", "133: A GOTO statement references the label 'nowhere' but the label has not been declared."},
    {"SET FOO ON", "195: 'FOO' is not a recognized SET option."},
};

class ErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ErrorTest, RaisesSqlServersError) {
  static std::unique_ptr<Instance> inst = make_instance();
  auto session = make_session(*inst);
  auto r = run(*session, GetParam().sql);
  EXPECT_EQ(r.first_error(), GetParam().error) << GetParam().sql;
  ASSERT_FALSE(r.dones.empty()) << GetParam().sql;
  EXPECT_TRUE(r.dones.back().error) << GetParam().sql;
}

INSTANTIATE_TEST_SUITE_P(Errors, ErrorTest, ::testing::ValuesIn(kErrors));

}  // namespace
}  // namespace emu::testing

namespace emu::testing {
namespace {

TEST(Paging, OffsetFetch) {
  auto inst = make_instance();
  auto s = make_session(*inst);
  auto r = run(*s, "SELECT principal_id FROM sys.server_principals ORDER BY principal_id OFFSET 1 ROWS FETCH NEXT 2 ROWS ONLY");
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets[0].rows.size(), 2u);
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "2");
}

TEST(Union, UnionAllKeepsDuplicatesAndOrdersByName) {
  auto inst = make_instance();
  auto s = make_session(*inst);
  auto r = run(*s, "SELECT N'b' AS v UNION ALL SELECT N'a' UNION ALL SELECT N'b' ORDER BY v");
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets[0].rows.size(), 3u);
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "a");
  EXPECT_EQ(text(r.sets[0].rows[2][0]), "b");
}

TEST(Joins, InnerLeftAndCrossJoin) {
  auto inst = make_instance(3, EMU_FIXTURE_DIR "/payments-primary.json");
  auto s = make_session(*inst);
  auto r = run(*s,
               "SELECT r.name AS role_name, COUNT(m.member_principal_id) AS members "
               "FROM sys.server_principals r LEFT JOIN sys.server_role_members m ON m.role_principal_id = r.principal_id "
               "WHERE r.type = 'R' GROUP BY r.name HAVING COUNT(m.member_principal_id) >= 2 ORDER BY r.name");
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets[0].rows.size(), 2u);  // payments_operators (2 members) and sysadmin (sa + CONTOSO\svc_batch)
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "payments_operators");
  EXPECT_EQ(to_string(r.sets[0].columns[1].type), "int");
  auto cross = run(*s, "SELECT COUNT(*) FROM sys.server_principals a CROSS JOIN sys.server_principals b");
  auto single = run(*s, "SELECT COUNT(*) FROM sys.server_principals");
  int64_t n = std::get<int64_t>(single.sets[0].rows[0][0]);
  EXPECT_EQ(std::get<int64_t>(cross.sets[0].rows[0][0]), n * n);
}

}  // namespace
}  // namespace emu::testing
