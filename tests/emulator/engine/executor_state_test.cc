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

TEST(ExecutorState, JobReplayBatchFromTheReference) {
  auto inst = make_instance(3, fixture("payments-primary.json"));
  auto s = make_session(*inst);
  const std::string batch = R"SQL(
DECLARE @rc int, @jobId uniqueidentifier, @schedId int, @schedUid uniqueidentifier;
BEGIN TRANSACTION;
IF NOT EXISTS (SELECT 1 FROM msdb.dbo.syscategories WHERE name = N'My Cat' AND category_class = 1)
BEGIN
  EXEC @rc = msdb.dbo.sp_add_category @class = 'JOB', @type = 'LOCAL', @name = N'My Cat';
  IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
END;
EXEC @rc = msdb.dbo.sp_add_job @job_name = N'Nightly load', @enabled = 1,
     @description = N'loads', @category_name = N'My Cat', @owner_login_name = N'app_ledger_svc',
     @notify_level_eventlog = 0, @notify_level_email = 2,
     @notify_email_operator_name = N'Payments DBA', @job_id = @jobId OUTPUT;
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_add_jobstep @job_id = @jobId, @step_id = 1, @step_name = N'Load',
     @subsystem = N'TSQL', @database_name = N'payments', @command = N'EXEC dbo.Load;',
     @on_success_action = 1, @on_fail_action = 2, @retry_attempts = 0, @retry_interval = 0, @flags = 0;
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_update_job @job_id = @jobId, @start_step_id = 1;
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
SET @schedUid = N'631B3284-8CFF-4234-A40E-00A2A098FAC8';
EXEC @rc = msdb.dbo.sp_add_schedule @schedule_name = N'Nightly 01:30', @enabled = 1,
     @freq_type = 4, @freq_interval = 1, @freq_subday_type = 1, @freq_subday_interval = 0,
     @freq_relative_interval = 0, @freq_recurrence_factor = 0,
     @active_start_date = 20240101, @active_end_date = 99991231,
     @active_start_time = 13000, @active_end_time = 235959,
     @owner_login_name = N'sa', @schedule_uid = @schedUid OUTPUT, @schedule_id = @schedId OUTPUT;
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_attach_schedule @job_id = @jobId, @schedule_id = @schedId;
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_add_jobserver @job_id = @jobId, @server_name = N'(local)';
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
COMMIT TRANSACTION;
SELECT CONVERT(varchar(36), @jobId), @schedId;
RETURN;
fail: IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
SELECT 'failed';
)SQL";
  auto r = run(*s, batch);
  ASSERT_EQ(r.first_error(), "");
  ASSERT_FALSE(r.sets.empty());
  EXPECT_EQ(cell(r, r.sets.size() - 1, 0, 0).size(), 36u);
  // The shared schedule was reused (same uid → same schedule_id, no copy).
  auto q = run(*s, "SELECT COUNT(*) FROM msdb.dbo.sysschedules WHERE schedule_uid = '631B3284-8CFF-4234-A40E-00A2A098FAC8';"
                   "SELECT COUNT(*) FROM msdb.dbo.sysjobschedules js JOIN msdb.dbo.sysjobs j ON j.job_id = js.job_id WHERE j.name = N'Nightly load'");
  ASSERT_EQ(q.first_error(), "");
  EXPECT_EQ(cell(q, 0, 0, 0), "1");
  EXPECT_EQ(cell(q, 1, 0, 0), "1");
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
