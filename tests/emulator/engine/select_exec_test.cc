// SELECT over the catalog through the executor: names, types, joins, functions.
#include "engine/exec_test_util.h"

namespace emu::testing {
namespace {

using SelectTest = ExecTest;

TEST_F(SelectTest, SelectWithoutFromTypesLiterals) {
  auto r = q("SELECT 1 AS one, N'abc' AS n, 'xy' AS v, 0x0AFF AS b, NULL AS nothing");
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 1u);
  const auto& c = r.sets[0].columns;
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[0].name, "one");
  EXPECT_EQ(to_string(c[0].type), "int");
  EXPECT_EQ(to_string(c[1].type), "nvarchar(3)");
  EXPECT_EQ(to_string(c[2].type), "varchar(2)");
  EXPECT_EQ(to_string(c[3].type), "varbinary(2)");
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "1");
  EXPECT_EQ(text(r.sets[0].rows[0][1]), "abc");
  EXPECT_EQ(std::get<Blob>(r.sets[0].rows[0][3]).bytes, std::string("\x0a\xff", 2));
  EXPECT_TRUE(is_null(r.sets[0].rows[0][4]));
  ASSERT_EQ(r.dones.size(), 1u);
  EXPECT_TRUE(r.dones[0].count_valid);
  EXPECT_EQ(r.dones[0].count, 1);
}

TEST_F(SelectTest, ServerPrincipalsByOneTwoThreePartNames) {
  for (const char* sql : {"SELECT name, principal_id, sid FROM sys.server_principals WHERE name = 'SA'",
                          "SELECT name, principal_id, sid FROM master.sys.server_principals WHERE name = N'sa'",
                          "SELECT [name], principal_id, sid FROM [master].[sys].[server_principals] WHERE principal_id = 1"}) {
    auto r = q(sql);
    ASSERT_EQ(r.first_error(), "") << sql;
    ASSERT_EQ(r.sets.size(), 1u) << sql;
    ASSERT_EQ(r.sets[0].rows.size(), 1u) << sql;
    EXPECT_EQ(text(r.sets[0].rows[0][0]), "sa");
    EXPECT_EQ(to_string(r.sets[0].columns[0].type), "nvarchar(128)");
    EXPECT_EQ(to_string(r.sets[0].columns[2].type), "varbinary(85)");
    EXPECT_EQ(std::get<Blob>(r.sets[0].rows[0][2]).bytes, std::string("\x01", 1));
  }
}

TEST_F(SelectTest, InvalidObjectAndColumn) {
  EXPECT_EQ(q("SELECT * FROM sys.nothing_here").first_error(), "208: Invalid object name 'sys.nothing_here'.");
  EXPECT_EQ(q("SELECT nope FROM sys.server_principals").first_error(), "207: Invalid column name 'nope'.");
}

}  // namespace
}  // namespace emu::testing
