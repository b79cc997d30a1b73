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

}  // namespace
}  // namespace emu::testing
