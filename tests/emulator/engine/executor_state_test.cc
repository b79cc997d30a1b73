// The state layer through the executor (create_instance + Session): T-SQL batches that replay
// server-level state, as Understudy's replay sends them, with SQL Server's errors.
#include <gtest/gtest.h>

#include "engine/exec_test_util.h"

namespace emu {
namespace {

using testing::make_instance;
using testing::make_session;
using testing::run;

std::string fixture(const char* name) { return std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/fixtures/" + name; }

std::string cell(const testing::CaptureSink& s, size_t set, size_t row, size_t col) {
  const Value& v = s.sets.at(set).rows.at(row).at(col);
  if (auto* t = std::get_if<std::string>(&v)) return *t;
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (is_null(v)) return "NULL";
  return "?";
}

// A replayed job that shares a schedule the target already has: sp_add_schedule with the source's
// schedule_uid returns the existing schedule (no copy), whose id is then attached.
TEST(ExecutorState, SharedScheduleIsReusedByUid) {
  auto inst = make_instance(3, fixture("payments-primary.json"));
  auto s = make_session(*inst);
  const std::string batch = R"SQL(
DECLARE @rc int, @jobId uniqueidentifier, @schedId int, @schedUid uniqueidentifier = N'631b3284-8cff-4234-a40e-00a2a098fac8';
EXEC @rc = msdb.dbo.sp_add_job @job_name = N'Ledger archive', @owner_login_name = N'app_ledger_svc', @job_id = @jobId OUTPUT;
IF @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_add_jobstep @job_id = @jobId, @step_name = N'Archive', @database_name = N'payments', @command = N'EXEC a;';
IF @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_add_schedule @schedule_name = N'Nightly 01:30', @freq_type = 4, @freq_interval = 1,
     @freq_subday_type = 1, @active_start_date = 20240101, @active_start_time = 13000,
     @schedule_uid = @schedUid OUTPUT, @schedule_id = @schedId OUTPUT;
IF @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_attach_schedule @job_id = @jobId, @schedule_id = @schedId;
IF @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_add_jobserver @job_id = @jobId;
SELECT @schedId, CONVERT(nvarchar(36), @schedUid);
RETURN;
fail: SELECT 'failed';
)SQL";
  auto r = run(*s, batch);
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 1u);
  EXPECT_EQ(cell(r, 0, 0, 1), "631B3284-8CFF-4234-A40E-00A2A098FAC8");
  auto q = run(*s, "SELECT COUNT(*) FROM msdb.dbo.sysschedules WHERE schedule_uid = '631B3284-8CFF-4234-A40E-00A2A098FAC8';"
                   "SELECT COUNT(*) FROM msdb.dbo.sysjobschedules WHERE schedule_id = " + cell(r, 0, 0, 0));
  ASSERT_EQ(q.first_error(), "");
  EXPECT_EQ(cell(q, 0, 0, 0), "1");
  EXPECT_EQ(cell(q, 1, 0, 0), "3");  // Nightly settlement, Ledger close, and the new job
}

TEST(ExecutorState, ErrorsSurfaceWithTheirNumbers) {
  auto inst = make_instance(3, fixture("payments-primary.json"));
  auto s = make_session(*inst);
  struct Case {
    std::string sql;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"EXEC dbo.sp_no_such_proc", "2812: Could not find stored procedure 'dbo.sp_no_such_proc'."},
      {"EXEC sp_add_job @job_name = N'x'", "2812: Could not find stored procedure 'sp_add_job'."},
      {"CREATE LOGIN [app_ledger_svc] WITH PASSWORD = N'Str0ng-Passw0rd!'", "15025: The server principal 'app_ledger_svc' already exists."},
      {"CREATE LOGIN [x1] WITH PASSWORD = N'x', CHECK_POLICY = OFF, SID = 0x5E117A0E3C2D4B8F9A1B2C3D4E5F6071", "15433: Supplied parameter sid is in use."},
      {"ALTER SERVER ROLE [nosuch] ADD MEMBER [app_ledger_svc]", "15151: Cannot alter the server role 'nosuch', because it does not exist or you do not have permission."},
      {"EXEC msdb.dbo.sp_add_job @job_name = N'Ledger close'", "14261: The specified @name ('Ledger close') already exists."},
      {"EXEC msdb.dbo.sp_add_jobstep @job_name = N'nope', @step_name = N's'", "14262: The specified @job_name ('nope') does not exist."},
      {"EXEC msdb.dbo.sp_add_jobserver @job_name = N'Ledger close'", "14269: Job 'Ledger close' is already targeted at server 'UNDERSTUDY-EMU'."},
      {"BEGIN TRAN; EXEC sp_addlinkedserver @server = N'L9', @srvproduct = N'SQL Server'; ROLLBACK",
       "15002: The procedure 'sp_addlinkedserver' cannot be executed within a transaction."},
      {"EXEC sp_addlinkedserver @server = N'L9', @srvproduct = N'SQL Server', @bogus = 1", "8145: @bogus is not a parameter for procedure sp_addlinkedserver."},
      {"EXEC sp_addlinkedsrvlogin", "201: Procedure or function 'sp_addlinkedsrvlogin' expects parameter '@rmtsrvname', which was not supplied."},
  };
  for (const auto& c : cases) {
    auto r = run(*s, c.sql);
    EXPECT_EQ(r.first_error(), c.error) << c.sql;
  }
}

TEST(ExecutorState, CreatedLoginCanLogIn) {
  auto inst = make_instance(3);
  auto s = make_session(*inst);
  auto r = run(*s, "CREATE LOGIN [o'brien;--]]x] WITH PASSWORD = N'Pässwörd-1!', DEFAULT_DATABASE = [tempdb]");
  ASSERT_EQ(r.first_error(), "");
  LoginRequest req;
  req.user = "o'brien;--]x";
  req.password = "Pässwörd-1!";
  auto ok = inst->login(req);
  EXPECT_TRUE(ok.ok) << ok.error.text;
  EXPECT_EQ(ok.database, "tempdb");
  req.password = "wrong";
  auto bad = inst->login(req);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.error.number, 18456);
  ASSERT_EQ(run(*s, "ALTER LOGIN [o'brien;--]]x] DISABLE").first_error(), "");
  req.password = "Pässwörd-1!";
  EXPECT_EQ(inst->login(req).error.number, 18470);
}

TEST(ExecutorState, ManagedInstanceRefusesWindowsLoginsAndCmdExec) {
  auto inst = make_instance(8, fixture("empty-secondary.json"));
  auto s = make_session(*inst);
  EXPECT_EQ(run(*s, "CREATE LOGIN [CONTOSO\\svc_batch] FROM WINDOWS").first_error(),
            "41906: Statement 'CREATE LOGIN FROM WINDOWS' is not supported in SQL Database Managed Instance.");
  ASSERT_EQ(run(*s, "EXEC msdb.dbo.sp_add_job @job_name = N'j'").first_error(), "");
  EXPECT_EQ(run(*s, "EXEC msdb.dbo.sp_add_jobstep @job_name = N'j', @step_name = N's', @subsystem = N'CmdExec', @command = N'dir'").first_error(),
            "14234: The specified '@subsystem' is invalid (valid values are returned by sp_enum_sqlagent_subsystems).");
  auto ed = run(*s, "SELECT CAST(SERVERPROPERTY('EngineEdition') AS int)");
  EXPECT_EQ(cell(ed, 0, 0, 0), "8");
}

}  // namespace
}  // namespace emu
