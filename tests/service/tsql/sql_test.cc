// sql_test.cc — Sql fragments with secret slots and the Exec builder (service/tsql).
#include "tsql/exec.h"
#include "tsql/sql.h"

#include <gtest/gtest.h>

namespace understudy::tsql {
namespace {

const SecretRef kCred{"credential", "backup'sas"};
const SecretRef kHash{"password_hash", "app_svc"};

Sql alter_credential() {
  Sql s("ALTER CREDENTIAL ");
  s.append(ident("backup'sas").value()).raw(" WITH IDENTITY = ").append(literal("SHARED ACCESS SIGNATURE"));
  s.raw(", SECRET = ").secret(kCred, SecretForm::kString).raw(";");
  return s;
}

TEST(Sql, RendersSecretsThreeWays) {
  const Sql s = alter_credential();
  EXPECT_TRUE(s.has_secret());
  EXPECT_EQ(s.render_redacted(),
            "ALTER CREDENTIAL [backup'sas] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', "
            "SECRET = N'<secret:credential:backup''sas>';");
  EXPECT_EQ(s.render_sqlcmd({{kCred, "US_SECRET_1"}}),
            "ALTER CREDENTIAL [backup'sas] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', "
            "SECRET = N'$(US_SECRET_1)';");
  auto lit = s.render_literal([](const SecretRef&) -> Result<std::optional<Secret>> {
    return std::optional<Secret>(Secret("s'ig"));
  });
  ASSERT_TRUE(lit);
  EXPECT_EQ(*lit,
            "ALTER CREDENTIAL [backup'sas] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', SECRET = N's''ig';");
}

TEST(Sql, MissingSecretIsAnErrorNeverBlank) {
  const Sql s = alter_credential();
  auto none = [](const SecretRef&) -> Result<std::optional<Secret>> { return std::optional<Secret>(); };
  auto empty = [](const SecretRef&) -> Result<std::optional<Secret>> { return std::optional<Secret>(Secret("")); };
  for (const SecretResolver& r : {SecretResolver(none), SecretResolver(empty), SecretResolver()}) {
    auto lit = s.render_literal(r);
    ASSERT_FALSE(lit);
    EXPECT_EQ(lit.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(lit.error().message, "secret unknown: credential:backup'sas");
  }
}

TEST(Sql, BinarySecretsAreValidated) {
  Sql s("ALTER LOGIN [app_svc] WITH PASSWORD = ");
  s.secret(kHash, SecretForm::kBinary).raw(" HASHED;");
  EXPECT_EQ(s.render_redacted(), "ALTER LOGIN [app_svc] WITH PASSWORD = N'<secret:password_hash:app_svc>' HASHED;");
  EXPECT_EQ(s.render_sqlcmd({{kHash, "US_SECRET_2"}}), "ALTER LOGIN [app_svc] WITH PASSWORD = $(US_SECRET_2) HASHED;");
  auto good = s.render_literal([](const SecretRef&) -> Result<std::optional<Secret>> {
    return std::optional<Secret>(Secret("0x0200ab"));
  });
  EXPECT_EQ(good.value(), "ALTER LOGIN [app_svc] WITH PASSWORD = 0x0200AB HASHED;");
  auto bad = s.render_literal([](const SecretRef&) -> Result<std::optional<Secret>> {
    return std::optional<Secret>(Secret("0x02' OR 1=1"));
  });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "secret password_hash:app_svc is not a binary value");
}

TEST(Sql, RoundTripsThroughJson) {
  const Sql s = alter_credential();
  const auto j = s.to_json();
  EXPECT_EQ(j.dump().find("s'ig"), std::string::npos);
  auto back = Sql::from_json(j);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->secrets(), std::vector<SecretRef>{kCred});
  EXPECT_EQ(Sql::from_json(nlohmann::json::object()).error().message, "t-sql segments must be an array");
  EXPECT_EQ(Sql::from_json(nlohmann::json::parse(R"([{"x":1}])")).error().message,
            "t-sql segment has neither sql nor secret");
}

TEST(Exec, BuildsNamedArguments) {
  Exec e("msdb.dbo.sp_add_jobstep");
  e.returning("@rc").var("@job_id", "@jobId").num("@step_id", 1).str("@step_name", "it's ]step")
      .opt_str("@database_name", std::nullopt).ascii("@useself", "'FALSE'")
      .guid("@schedule_uid", "631b3284-8cff-4234-a40e-00a2a098fac8").var("@schedule_id", "@sid", true);
  EXPECT_EQ(e.build().value().render_redacted(),
            "EXEC @rc = msdb.dbo.sp_add_jobstep @job_id = @jobId, @step_id = 1, @step_name = N'it''s ]step', "
            "@database_name = NULL, @useself = 'FALSE', @schedule_uid = N'631B3284-8CFF-4234-A40E-00A2A098FAC8', "
            "@schedule_id = @sid OUTPUT;");
}

TEST(Exec, KeepsTheFirstQuotingError) {
  Exec e("msdb.dbo.sp_add_schedule");
  e.str("@schedule_name", "x").guid("@schedule_uid", "nope");
  auto built = e.build();
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().message, "malformed guid");
}

TEST(Exec, SecretArgument) {
  Exec e("master.dbo.sp_addlinkedsrvlogin");
  e.str("@rmtsrvname", "LS").ascii("@useself", "'FALSE'").null("@locallogin").str("@rmtuser", "u")
      .secret("@rmtpassword", SecretRef{"linked_server_login", "LS|"});
  EXPECT_EQ(e.build().value().render_redacted(),
            "EXEC master.dbo.sp_addlinkedsrvlogin @rmtsrvname = N'LS', @useself = 'FALSE', @locallogin = NULL, "
            "@rmtuser = N'u', @rmtpassword = N'<secret:linked_server_login:LS|>';");
}

}  // namespace
}  // namespace understudy::tsql

#include "tsql/sqlcmd.h"

namespace understudy::tsql {
namespace {

TEST(Sqlcmd, PlainBatchesStayReadable) {
  Sql s("ALTER CREDENTIAL [c] WITH IDENTITY = N'i', SECRET = ");
  s.secret(kCred, SecretForm::kString).raw(";\n");
  EXPECT_EQ(sqlcmd_batch(s, {{kCred, "US_SECRET_1"}}),
            "ALTER CREDENTIAL [c] WITH IDENTITY = N'i', SECRET = N'$(US_SECRET_1)';\n");
}

TEST(Sqlcmd, DataThatSqlcmdWouldReadIsSentAsDynamicSql) {
  struct Case {
    std::string data;
    bool sensitive;
  };
  const Case cases[] = {
      {"plain", false},        {"cost $5", false},       {"$(PATH)", true},   {"a\n:!! rm -rf /", true},
      {"a\n  :r evil.sql", true}, {"a\nGO\nb", true},    {"a\ngo 5", true},   {"a\nGOTO x", false},
      {"a\n!!ls", true},       {"a:b", false},
  };
  for (const auto& c : cases) EXPECT_EQ(sqlcmd_sensitive(c.data), c.sensitive) << c.data;

  Sql s("EXEC msdb.dbo.sp_add_jobstep @command = ");
  s.append(literal("x\nGO\n$(PATH)'")).raw(", @p = ").secret(kCred, SecretForm::kString).raw(";");
  EXPECT_EQ(sqlcmd_batch(s, {{kCred, "US_SECRET_1"}}),
            "DECLARE @us_sql nvarchar(max) = CAST(N'' AS nvarchar(max)) + N'EXEC msdb.dbo.sp_add_jobstep @command = "
            "N''x' + NCHAR(10) + N'GO' + NCHAR(10) + NCHAR(36) + N'(PATH)'''''', @p = ' + N'N''' + "
            "REPLACE(N'$(US_SECRET_1)', N'''', N'''''') + N'''' + N';';\nEXEC (@us_sql);\n");
}

TEST(Sqlcmd, CommentsCannotCarryVariables) {
  EXPECT_EQ(sqlcmd_comment("job $(x)\n:r y"), "job $ (x)\\u000A:r y");
}

}  // namespace
}  // namespace understudy::tsql
