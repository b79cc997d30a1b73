// RPCs through the executor as FreeTDS, pytds and tedious send them: sp_executesql, the
// prepared-statement family, and procedures by name with OUTPUT parameters.
#include "engine/exec_test_util.h"

namespace emu::testing {
namespace {

RpcParam p(const std::string& name, SqlType type, Value v, bool output = false) {
  return RpcParam{name, type, std::move(v), output};
}

class RpcTest : public ExecTest {
 protected:
  RpcResult call(const RpcRequest& req, CaptureSink* sink) { return session->execute_rpc(req, *sink); }
  static RpcRequest by_id(uint16_t id, std::vector<RpcParam> params) {
    RpcRequest r;
    r.proc_id = id;
    r.params = std::move(params);
    return r;
  }
};

TEST_F(RpcTest, ExecuteSqlFreeTdsStyleUnnamedValues) {
  CaptureSink sink;
  auto res = call(by_id(10, {p("", SqlType::NVarChar(-1), std::string("SELECT name FROM sys.server_principals WHERE principal_id = @P1 AND name = @P2")),
                              p("", SqlType::NVarChar(-1), std::string("@P1 INT,@P2 NVARCHAR(30)")),
                              p("", SqlType::Int(), int64_t{1}), p("", SqlType::NVarChar(30), std::string("SA"))}),
                  &sink);
  EXPECT_FALSE(res.error);
  ASSERT_EQ(sink.first_error(), "");
  ASSERT_EQ(sink.sets.size(), 1u);
  ASSERT_EQ(sink.sets[0].rows.size(), 1u);
  EXPECT_EQ(text(sink.sets[0].rows[0][0]), "sa");
}

TEST_F(RpcTest, ExecuteSqlNamedValuesAndOutput) {
  CaptureSink sink;
  auto res = call(by_id(10, {p("@statement", SqlType::NVarChar(4000), std::string("SET @out = @a * 2")),
                              p("@params", SqlType::NVarChar(4000), std::string("@a int, @out int OUTPUT")),
                              p("@a", SqlType::Int(), int64_t{21}), p("@out", SqlType::Int(), Null{}, true)}),
                  &sink);
  ASSERT_EQ(sink.first_error(), "");
  ASSERT_EQ(res.outputs.size(), 1u);
  EXPECT_EQ(res.outputs[0].ordinal, 3);
  EXPECT_EQ(res.outputs[0].name, "@out");
  EXPECT_EQ(text(res.outputs[0].value), "42");
}

TEST_F(RpcTest, ExecuteSqlMissingParameter) {
  CaptureSink sink;
  auto res = call(by_id(10, {p("", SqlType::NVarChar(-1), std::string("SELECT @P1")),
                              p("", SqlType::NVarChar(-1), std::string("@P1 int"))}),
                  &sink);
  EXPECT_TRUE(res.error);
  EXPECT_EQ(sink.first_error(),
            "8178: The parameterized query '(@P1 int)SELECT @P1' expects the parameter '@P1', which was not supplied.");
}

TEST_F(RpcTest, PrepareReturnsMetadataOnlyThenExecuteAndUnprepare) {
  CaptureSink prep;
  auto res = call(by_id(11, {p("@handle", SqlType::Int(), Null{}, true), p("@params", SqlType::NVarChar(-1), std::string("@P1 int")),
                              p("@stmt", SqlType::NVarChar(-1), std::string("SELECT principal_id, name FROM sys.server_principals WHERE principal_id = @P1")),
                              p("@options", SqlType::Int(), int64_t{1})}),
                  &prep);
  ASSERT_EQ(prep.first_error(), "");
  ASSERT_EQ(prep.sets.size(), 1u);
  EXPECT_TRUE(prep.sets[0].rows.empty());
  EXPECT_EQ(prep.sets[0].columns[1].name, "name");
  ASSERT_EQ(res.outputs.size(), 1u);
  EXPECT_EQ(res.outputs[0].type, SqlType::Int());
  int64_t handle = std::get<int64_t>(res.outputs[0].value);

  CaptureSink exec;
  RpcRequest execute;
  execute.proc_name = "sp_execute";  // FreeTDS calls it by name
  execute.params = {p("", SqlType::Int(), handle), p("", SqlType::Int(), int64_t{1})};
  call(execute, &exec);
  ASSERT_EQ(exec.first_error(), "");
  ASSERT_EQ(exec.sets.size(), 1u);
  EXPECT_EQ(text(exec.sets[0].rows[0][1]), "sa");

  CaptureSink unprep;
  call(by_id(15, {p("", SqlType::Int(), handle)}), &unprep);
  EXPECT_EQ(unprep.first_error(), "");
  CaptureSink again;
  call(execute, &again);
  EXPECT_EQ(again.first_error(), "8179: Could not find prepared statement with handle " + std::to_string(handle) + ".");
}

TEST_F(RpcTest, PrepExecReturnsRowsAndHandle) {
  CaptureSink sink;
  auto res = call(by_id(13, {p("", SqlType::Int(), Null{}, true), p("", SqlType::NVarChar(-1), std::string("@P1 nvarchar(10)")),
                              p("", SqlType::NVarChar(-1), std::string("SELECT @P1 + N'!' AS v")),
                              p("", SqlType::NVarChar(10), std::string("hi"))}),
                  &sink);
  ASSERT_EQ(sink.first_error(), "");
  ASSERT_EQ(sink.sets.size(), 1u);
  EXPECT_EQ(text(sink.sets[0].rows[0][0]), "hi!");
  ASSERT_FALSE(res.outputs.empty());
  EXPECT_EQ(res.outputs[0].ordinal, 0);
  EXPECT_GT(std::get<int64_t>(res.outputs[0].value), 0);
}

TEST_F(RpcTest, UnknownProcedureByName) {
  CaptureSink sink;
  RpcRequest req;
  req.proc_name = "dbo.not_there";
  auto res = call(req, &sink);
  EXPECT_TRUE(res.error);
  EXPECT_EQ(sink.first_error(), "2812: Could not find stored procedure 'dbo.not_there'.");
}

TEST_F(RpcTest, ProcedureByNameWithOutputParameter) {
  CaptureSink sink;
  RpcRequest req;
  req.proc_name = "msdb.dbo.sp_add_job";
  req.params = {p("@job_name", SqlType::NVarChar(128), std::string("rpc job")),
                p("@job_id", SqlType::Guid(), Null{}, true)};
  auto res = call(req, &sink);
  ASSERT_EQ(sink.first_error(), "");
  EXPECT_EQ(res.return_status, 0);
  ASSERT_EQ(res.outputs.size(), 1u);
  EXPECT_EQ(res.outputs[0].ordinal, 1);
  EXPECT_EQ(text(res.outputs[0].value).size(), 36u);
  auto check = q("SELECT CAST(job_id AS nvarchar(36)) FROM msdb.dbo.sysjobs WHERE name = N'rpc job'");
  ASSERT_EQ(check.sets[0].rows.size(), 1u);
  EXPECT_EQ(text(check.sets[0].rows[0][0]), text(res.outputs[0].value));
}

TEST_F(RpcTest, ExecuteSqlInsideABatch) {
  auto r = q("DECLARE @n int; EXEC sp_executesql N'SELECT @x = COUNT(*) FROM sys.server_principals WHERE name = @name',"
             " N'@name sysname, @x int OUTPUT', @name = N'sa', @x = @n OUTPUT; SELECT @n AS n");
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 1u);
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "1");
}

TEST_F(RpcTest, JobReplaySkeletonInOneBatch) {
  // A whole job in one batch and one transaction, every return code checked (GOTO fail): category,
  // job, step (database master: Staging does not exist here), start step, schedule with a preserved
  // schedule_uid, attach, job server. Procedures:
  // https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-add-job-transact-sql
  // and its neighbours.
  ASSERT_EQ(q("CREATE LOGIN etl_owner WITH PASSWORD = N'Pw-12345!x'").first_error(), "");
  ASSERT_EQ(q("EXEC msdb.dbo.sp_add_operator @name = N'DBA Team', @email_address = N'dba@example.com'").first_error(), "");
  ASSERT_EQ(q("USE msdb").first_error(), "");
  const char* skeleton = R"(DECLARE @rc int, @jobId uniqueidentifier, @schedId int, @schedUid uniqueidentifier;
BEGIN TRANSACTION;
IF NOT EXISTS (SELECT 1 FROM msdb.dbo.syscategories WHERE name = N'My Cat' AND category_class = 1)
BEGIN
  EXEC @rc = msdb.dbo.sp_add_category @class = 'JOB', @type = 'LOCAL', @name = N'My Cat';
  IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
END;
EXEC @rc = msdb.dbo.sp_add_job @job_name = N'Nightly load', @enabled = 1,
     @description = N'…', @category_name = N'My Cat', @owner_login_name = N'etl_owner',
     @notify_level_eventlog = 0, @notify_level_email = 2,
     @notify_email_operator_name = N'DBA Team', @job_id = @jobId OUTPUT;
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_add_jobstep @job_id = @jobId, @step_id = 1, @step_name = N'Load',
     @subsystem = N'TSQL', @database_name = N'master', @command = N'EXEC dbo.Load;',
     @on_success_action = 1, @on_fail_action = 2, @retry_attempts = 0, @retry_interval = 0, @flags = 0;
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_update_job @job_id = @jobId, @start_step_id = 1;
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
SET @schedUid = N'631B3284-8CFF-4234-A40E-00A2A098FAC8';   -- preserved from source
EXEC @rc = msdb.dbo.sp_add_schedule @schedule_name = N'Nightly 02:00', @enabled = 1,
     @freq_type = 4, @freq_interval = 1, @freq_subday_type = 1, @freq_subday_interval = 0,
     @freq_relative_interval = 0, @freq_recurrence_factor = 0,
     @active_start_date = 20240101, @active_end_date = 99991231,
     @active_start_time = 20000, @active_end_time = 235959,
     @owner_login_name = N'etl_owner', @schedule_uid = @schedUid OUTPUT, @schedule_id = @schedId OUTPUT;
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_attach_schedule @job_id = @jobId, @schedule_id = @schedId;
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
EXEC @rc = msdb.dbo.sp_add_jobserver @job_id = @jobId, @server_name = N'(local)';
IF @@ERROR <> 0 OR @rc <> 0 GOTO fail;
COMMIT TRANSACTION; RETURN;
fail: IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;)";
  auto r = q(skeleton);
  ASSERT_EQ(r.first_error(), "");
  EXPECT_EQ(session->transaction_id(), 0u);
  auto jobs = q("SELECT j.name, j.start_step_id, c.name, s.schedule_uid FROM dbo.sysjobs j "
                "JOIN dbo.syscategories c ON c.category_id = j.category_id "
                "JOIN dbo.sysjobschedules js ON js.job_id = j.job_id JOIN dbo.sysschedules s ON s.schedule_id = js.schedule_id");
  ASSERT_EQ(jobs.first_error(), "");
  ASSERT_EQ(jobs.sets[0].rows.size(), 1u);
  EXPECT_EQ(text(jobs.sets[0].rows[0][0]), "Nightly load");
  EXPECT_EQ(text(jobs.sets[0].rows[0][1]), "1");
  EXPECT_EQ(text(jobs.sets[0].rows[0][2]), "My Cat");
  EXPECT_EQ(text(jobs.sets[0].rows[0][3]), "631B3284-8CFF-4234-A40E-00A2A098FAC8");
  // Run again: sp_add_job fails (14261), the batch jumps to fail: and rolls back.
  auto again = q(skeleton);
  ASSERT_FALSE(again.errors().empty());
  EXPECT_EQ(again.errors()[0].number, 14261);
  EXPECT_EQ(session->transaction_id(), 0u);
}

}  // namespace
}  // namespace emu::testing
