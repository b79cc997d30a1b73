// msdb Agent procedures
// (https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-add-job-transact-sql
// and its neighbours): the sequence a replay runs, and each validation with SQL Server's error
// number, on a box and on a Managed Instance.
#include <gtest/gtest.h>

#include "engine/state_test_util.h"

namespace emu {
namespace {

using test::arg;
using test::call;
using test::make_state;
using test::msdb;
using test::out;
using test::rows;
using test::str;

Value S(const std::string& s) { return Value{s}; }
Value I(int64_t i) { return Value{i}; }

struct Expect {
  std::string proc;
  std::vector<ProcArg> args;
  int32_t number;  // 0 = success
  std::string text;
};

void run(CatalogState& s, const std::vector<Expect>& steps, const std::string& login = "") {
  for (const auto& e : steps) {
    auto r = call(s, msdb(e.proc), e.args, "master", login);
    EXPECT_EQ(r.number, e.number) << e.proc << ": " << r.text;
    EXPECT_EQ(r.outcome.return_status, e.number == 0 ? 0 : 1) << e.proc;
    if (e.number != 0) {
      EXPECT_EQ(r.text, e.text) << e.proc;
    }
  }
}

TEST(Agent, ReplaySkeletonCreatesTheJob) {
  auto s = test::make_payments();
  run(*s, {{"sp_add_category", {arg("@class", S("JOB")), arg("@type", S("LOCAL")), arg("@name", S("ETL"))}, 0, ""},
           {"sp_add_operator", {arg("@name", S("DBA Team")), arg("@email_address", S("dba@example.com"))}, 0, ""}});
  auto job = call(*s, msdb("sp_add_job"),
                  {arg("@job_name", S("Nightly load")), arg("@enabled", I(1)), arg("@description", S("loads")),
                   arg("@category_name", S("ETL")), arg("@owner_login_name", S("app_ledger_svc")),
                   arg("@notify_level_eventlog", I(0)), arg("@notify_level_email", I(2)),
                   arg("@notify_email_operator_name", S("DBA Team")), out("@job_id")});
  ASSERT_EQ(job.outcome.return_status, 0) << job.text;
  const Value job_id = job.output("@job_id");
  ASSERT_TRUE(std::holds_alternative<std::string>(job_id));
  EXPECT_EQ(std::get<std::string>(job_id).size(), 36u);
  auto step = call(*s, msdb("sp_add_jobstep"),
                   {arg("@job_id", job_id), arg("@step_id", I(1)), arg("@step_name", S("Load")), arg("@subsystem", S("TSQL")),
                    arg("@database_name", S("payments")), arg("@command", S("EXEC dbo.Load;")), out("@step_uid")});
  ASSERT_EQ(step.outcome.return_status, 0) << step.text;
  EXPECT_EQ(std::get<std::string>(step.output("@step_uid")).size(), 36u);
  run(*s, {{"sp_update_job", {arg("@job_id", job_id), arg("@start_step_id", I(1))}, 0, ""}});
  auto sched = call(*s, msdb("sp_add_schedule"),
                    {arg("@schedule_name", S("Nightly 02:00")), arg("@freq_type", I(4)), arg("@freq_interval", I(1)),
                     arg("@freq_subday_type", I(1)), arg("@active_start_date", I(20240101)), arg("@active_start_time", I(20000)),
                     arg("@owner_login_name", S("app_ledger_svc")),
                     ProcArg{"@schedule_uid", S("631b3284-8cff-4234-a40e-00a2a098fac9"), false, true, std::nullopt},
                     out("@schedule_id")});
  ASSERT_EQ(sched.outcome.return_status, 0) << sched.text;
  EXPECT_EQ(sched.output("@schedule_uid"), S("631B3284-8CFF-4234-A40E-00A2A098FAC9"));
  const Value schedule_id = sched.output("@schedule_id");
  // The same uid again updates that schedule: same id, new definition.
  auto again = call(*s, msdb("sp_add_schedule"),
                    {arg("@schedule_name", S("Nightly 03:00")), arg("@freq_type", I(4)), arg("@freq_interval", I(1)),
                     arg("@freq_subday_type", I(1)), arg("@active_start_date", I(20240101)), arg("@active_start_time", I(30000)),
                     arg("@schedule_uid", S("631B3284-8CFF-4234-A40E-00A2A098FAC9")), out("@schedule_id")});
  ASSERT_EQ(again.outcome.return_status, 0) << again.text;
  EXPECT_EQ(again.output("@schedule_id"), schedule_id);
  EXPECT_EQ(str(rows(*s, "SELECT name || '/' || active_start_time || '/' || version_number FROM msdb_sysschedules WHERE schedule_id = ?1",
                     {schedule_id})[0][0]), "Nightly 03:00/30000/2");
  run(*s, {{"sp_attach_schedule", {arg("@job_id", job_id), arg("@schedule_id", schedule_id)}, 0, ""},
           {"sp_attach_schedule", {arg("@job_id", job_id), arg("@schedule_id", schedule_id)}, 0, ""},
           {"sp_add_jobserver", {arg("@job_id", job_id), arg("@server_name", S("(local)"))}, 0, ""},
           {"sp_add_jobserver", {arg("@job_name", S("Nightly load"))}, 14269,
            "Job 'Nightly load' is already targeted at server 'UNDERSTUDY-EMU'."}});
  auto j = rows(*s, "SELECT j.enabled, j.description, c.name, p.name, j.notify_level_email, o.name, j.notify_level_eventlog "
                    "FROM msdb_sysjobs j JOIN msdb_syscategories c ON c.category_id = j.category_id "
                    "JOIN sys_server_principals p ON p.sid = j.owner_sid JOIN msdb_sysoperators o ON o.id = j.notify_email_operator_id "
                    "WHERE j.job_id = ?1", {job_id});
  ASSERT_EQ(j.size(), 1u);
  std::string got;
  for (const auto& v : j[0]) got += str(v) + "|";
  EXPECT_EQ(got, "1|loads|ETL|app_ledger_svc|2|DBA Team|0|");
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM msdb_sysjobschedules WHERE job_id = ?1", {job_id})[0][0]), "1");
  EXPECT_EQ(str(rows(*s, "SELECT server_id || '/' || last_run_outcome FROM msdb_sysjobservers WHERE job_id = ?1", {job_id})[0][0]), "0/5");
}

TEST(Agent, ValidationErrors) {
  auto s = test::make_payments();
  run(*s, {
      {"sp_add_category", {arg("@name", S("Payments Settlement"))}, 14261, "The specified @name ('Payments Settlement') already exists."},
      {"sp_add_category", {arg("@class", S("TABLE")), arg("@name", S("x"))}, 14266, "The specified '@class' is invalid (valid values are: JOB, ALERT, OPERATOR)."},
      {"sp_add_category", {arg("@class", S("ALERT")), arg("@type", S("LOCAL")), arg("@name", S("x"))}, 14266, "The specified '@type' is invalid (valid values are: NONE)."},
      {"sp_add_operator", {arg("@name", S("Payments DBA"))}, 14261, "The specified @name ('Payments DBA') already exists."},
      {"sp_add_job", {arg("@job_name", S("Nightly settlement"))}, 14261, "The specified @name ('Nightly settlement') already exists."},
      {"sp_add_job", {arg("@job_name", S("j")), arg("@enabled", I(2))}, 14266, "The specified '@enabled' is invalid (valid values are: 0, 1)."},
      {"sp_add_job", {arg("@job_name", S("j")), arg("@start_step_id", I(2))}, 14266, "The specified '@start_step_id' is invalid (valid values are: 1)."},
      {"sp_add_job", {arg("@job_name", S("j")), arg("@category_name", S("nosuch"))}, 14234, "The specified '@category_name' is invalid (valid values are returned by sp_help_category)."},
      {"sp_add_job", {arg("@job_name", S("j")), arg("@owner_login_name", S("nobody"))}, 14234, "The specified '@owner_login_name' is invalid (valid values are returned by sp_helplogins [excluding Windows NT groups])."},
      {"sp_add_job", {arg("@job_name", S("j")), arg("@notify_email_operator_name", S("nobody")), arg("@notify_level_email", I(2))}, 14234, "The specified '@notify_email_operator_name' is invalid (valid values are returned by sp_help_operator)."},
      {"sp_add_job", {arg("@job_name", S("j")), arg("@notify_email_operator_name", S("Payments DBA"))}, 14266, "The specified '@notify_level_email' is invalid (valid values are: 1, 2, 3)."},
      {"sp_add_job", {arg("@job_name", S("j")), arg("@notify_level_page", I(4))}, 14266, "The specified '@notify_level_page' is invalid (valid values are: 0, 1, 2, 3)."},
      {"sp_add_job", {arg("@job_name", S("j")), arg("@job_id", S("2A6F3D10-7B1C-4E59-8D2A-1C3B5E7F9A99"))}, 14274, "Cannot add, update, or delete a job (or its steps or schedules) that originated from an MSX server."},
      {"sp_add_jobstep", {arg("@job_name", S("nosuch")), arg("@step_name", S("s"))}, 14262, "The specified @job_name ('nosuch') does not exist."},
      {"sp_add_jobstep", {arg("@step_name", S("s"))}, 14294, "Supply either @job_id or @job_name to identify the job."},
      {"sp_add_jobstep", {arg("@job_name", S("Ledger close")), arg("@step_name", S("Reconcile"))}, 14261, "The specified @step_name ('Reconcile') already exists."},
      {"sp_add_jobstep", {arg("@job_name", S("Ledger close")), arg("@step_name", S("s")), arg("@step_id", I(5))}, 14266, "The specified '@step_id' is invalid (valid values are: 1..3)."},
      {"sp_add_jobstep", {arg("@job_name", S("Ledger close")), arg("@step_name", S("s")), arg("@subsystem", S("Perl"))}, 14234, "The specified '@subsystem' is invalid (valid values are returned by sp_enum_sqlagent_subsystems)."},
      {"sp_add_jobstep", {arg("@job_name", S("Ledger close")), arg("@step_name", S("s")), arg("@database_name", S("nodb"))}, 14262, "The specified @database_name ('nodb') does not exist."},
      {"sp_add_jobstep", {arg("@job_name", S("Ledger close")), arg("@step_name", S("s")), arg("@on_success_action", I(4)), arg("@on_success_step_id", I(3))}, 14235, "The specified '@on_success_step' is invalid (valid values are greater than 0 but excluding 3)."},
      {"sp_add_jobstep", {arg("@job_name", S("Ledger close")), arg("@step_name", S("s")), arg("@flags", I(64))}, 14545, "The @flags parameter is not valid for a job step of type 'TSQL'."},
      {"sp_add_jobstep", {arg("@job_name", S("Ledger close")), arg("@step_name", S("s")), arg("@os_run_priority", I(3))}, 14266, "The specified '@os_run_priority' is invalid (valid values are: -15, -1, 0, 1, 15)."},
      {"sp_update_job", {arg("@job_name", S("Ledger close")), arg("@start_step_id", I(4))}, 14266, "The specified '@start_step_id' is invalid (valid values are: 1..3)."},
      {"sp_update_job", {arg("@job_name", S("Ledger close")), arg("@new_name", S("Nightly settlement"))}, 14261, "The specified @name ('Nightly settlement') already exists."},
      {"sp_add_schedule", {arg("@schedule_name", S("x"))}, 14266, "The specified '@freq_type' is invalid (valid values are: 1, 4, 8, 16, 32, 64, 128)."},
      {"sp_add_schedule", {arg("@schedule_name", S("x")), arg("@freq_type", I(4)), arg("@freq_subday_type", I(1)), arg("@owner_login_name", S("nobody"))}, 14262, "The specified @owner_login_name ('nobody') does not exist."},
      {"sp_attach_schedule", {arg("@job_name", S("Ledger close")), arg("@schedule_id", I(999))}, 14262, "The specified @schedule_id ('999') does not exist."},
      {"sp_detach_schedule", {arg("@job_name", S("Nightly settlement")), arg("@schedule_name", S("Month end 23:00"))}, 14374, "The specified schedule name \"Month end 23:00\" is not associated with the job \"Nightly settlement\"."},
      {"sp_delete_jobstep", {arg("@job_name", S("Ledger close")), arg("@step_id", I(7))}, 14266, "The specified '@step_id' is invalid (valid values are: 0..2)."},
      {"sp_delete_job", {arg("@job_name", S("nosuch"))}, 14262, "The specified @job_name ('nosuch') does not exist."},
  });
  // Nothing partial was left behind by the failures.
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM msdb_sysjobs")[0][0]), "2");
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM msdb_sysschedules")[0][0]), "2");
  // A named operator with no level is an error; a level without an operator is reset to 0.
  auto j = call(*s, msdb("sp_add_job"), {arg("@job_name", S("quiet")), arg("@notify_level_page", I(2)), out("@job_id")});
  ASSERT_EQ(j.outcome.return_status, 0) << j.text;
  EXPECT_EQ(str(rows(*s, "SELECT notify_level_page || notify_level_eventlog || description FROM msdb_sysjobs WHERE name = 'quiet'")[0][0]),
            "02No description available.");
}

TEST(Agent, StepsInsertShiftAndDelete) {
  auto s = test::make_payments();
  auto names = [&] {
    std::string r;
    for (const auto& row : rows(*s, "SELECT step_id, step_name, on_fail_action, on_fail_step_id FROM msdb_sysjobsteps t "
                                    "JOIN msdb_sysjobs j ON j.job_id = t.job_id WHERE j.name = 'Nightly settlement' ORDER BY step_id")) {
      r += str(row[0]) + ":" + str(row[1]) + (str(row[2]) == "4" ? "->" + str(row[3]) : "") + " ";
    }
    return r;
  };
  EXPECT_EQ(names(), "1:Close batches 2:Export settlement file->4 3:Post to ledger 4:Notify failure ");
  run(*s, {{"sp_add_jobstep", {arg("@job_name", S("Nightly settlement")), arg("@step_id", I(2)), arg("@step_name", S("Validate")),
                               arg("@database_name", S("payments")), arg("@command", S("EXEC v;"))}, 0, ""}});
  EXPECT_EQ(names(), "1:Close batches 2:Validate 3:Export settlement file->5 4:Post to ledger 5:Notify failure ");
  run(*s, {{"sp_update_jobstep", {arg("@job_name", S("Nightly settlement")), arg("@step_id", I(2)), arg("@step_name", S("Validate batches")),
                                  arg("@retry_attempts", I(3))}, 0, ""},
           {"sp_update_jobstep", {arg("@job_name", S("Nightly settlement")), arg("@step_id", I(9))}, 14262,
            "The specified @step_id ('9') does not exist."},
           {"sp_delete_jobstep", {arg("@job_name", S("Nightly settlement")), arg("@step_id", I(4))}, 0, ""}});
  EXPECT_EQ(names(), "1:Close batches 2:Validate batches 3:Export settlement file->4 4:Notify failure ");
  EXPECT_EQ(str(rows(*s, "SELECT retry_attempts FROM msdb_sysjobsteps WHERE step_name = 'Validate batches'")[0][0]), "3");
  EXPECT_EQ(str(rows(*s, "SELECT count(DISTINCT step_uid) FROM msdb_sysjobsteps")[0][0]), "6");
  // CmdExec steps drop database fields; a TSQL step without a database runs in master.
  run(*s, {{"sp_add_jobstep", {arg("@job_name", S("Ledger close")), arg("@step_name", S("shell")), arg("@subsystem", S("CmdExec")),
                               arg("@database_name", S("payments")), arg("@command", S("dir"))}, 0, ""},
           {"sp_add_jobstep", {arg("@job_name", S("Ledger close")), arg("@step_name", S("tsql"))}, 0, ""}});
  auto st = rows(*s, "SELECT step_name, ifnull(database_name, 'NULL') FROM msdb_sysjobsteps WHERE step_name IN ('shell', 'tsql') ORDER BY step_id");
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(str(st[0][1]), "NULL");
  EXPECT_EQ(str(st[1][1]), "master");
}

TEST(Agent, DeleteJobKeepsSharedSchedules) {
  auto s = test::make_payments();
  run(*s, {{"sp_delete_job", {arg("@job_name", S("Ledger close"))}, 0, ""}});
  // "Month end" was used only by Ledger close → deleted; the shared nightly schedule stays.
  auto left = rows(*s, "SELECT name FROM msdb_sysschedules ORDER BY name");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(str(left[0][0]), "Nightly 01:30");
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM msdb_sysjobsteps")[0][0]), "4");
  // The job owner can now be dropped... only once Nightly settlement is gone for app_settlement_svc.
  run(*s, {{"sp_delete_job", {arg("@job_name", S("Nightly settlement")), arg("@delete_unused_schedule", I(0))}, 0, ""}});
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM msdb_sysschedules")[0][0]), "1");
  auto legacy = call(*s, msdb("sp_add_jobschedule"),
                     {arg("@job_name", S("quiet")), arg("@name", S("s"))});
  EXPECT_EQ(legacy.number, 14262);
}

TEST(Agent, AddJobScheduleClonesPerJob) {
  auto s = test::make_payments();
  auto r = call(*s, msdb("sp_add_jobschedule"),
                {arg("@job_name", S("Ledger close")), arg("@name", S("Hourly")), arg("@freq_type", I(4)), arg("@freq_interval", I(1)),
                 arg("@freq_subday_type", I(8)), arg("@freq_subday_interval", I(1)), out("@schedule_id")});
  ASSERT_EQ(r.outcome.return_status, 0) << r.text;
  auto sc = rows(*s, "SELECT s.name, p.name FROM msdb_sysschedules s JOIN sys_server_principals p ON p.sid = s.owner_sid WHERE s.schedule_id = ?1",
                 {r.output("@schedule_id")});
  ASSERT_EQ(sc.size(), 1u);
  EXPECT_EQ(str(sc[0][1]), "app_ledger_svc");  // the job's owner
  auto dup = call(*s, msdb("sp_add_jobschedule"), {arg("@job_name", S("Ledger close")), arg("@name", S("Hourly")), arg("@freq_type", I(64))});
  EXPECT_EQ(dup.number, 14261);
}

TEST(Agent, ManagedInstanceRefusals) {
  auto s = test::make_state(8);
  run(*s, {
      {"sp_add_operator", {arg("@name", S("ops")), arg("@netsend_address", S("HOST1"))}, 41914,
       "SQL Server Agent feature NetSend is not supported in SQL Database Managed Instance. Review the documentation for supported options."},
      {"sp_add_job", {arg("@job_name", S("j")), arg("@notify_level_netsend", I(2))}, 41914,
       "SQL Server Agent feature NetSend is not supported in SQL Database Managed Instance. Review the documentation for supported options."},
      {"sp_add_job", {arg("@job_name", S("j")), arg("@notify_level_eventlog", I(3))}, 0, ""},
      {"sp_add_jobstep", {arg("@job_name", S("j")), arg("@step_name", S("shell")), arg("@subsystem", S("CmdExec"))}, 14234,
       "The specified '@subsystem' is invalid (valid values are returned by sp_enum_sqlagent_subsystems)."},
      {"sp_add_jobstep", {arg("@job_name", S("j")), arg("@step_name", S("ps")), arg("@subsystem", S("PowerShell"))}, 14234,
       "The specified '@subsystem' is invalid (valid values are returned by sp_enum_sqlagent_subsystems)."},
      {"sp_add_jobstep", {arg("@job_name", S("j")), arg("@step_name", S("p")), arg("@proxy_name", S("px"))}, 41914,
       "SQL Server Agent feature proxies is not supported in SQL Database Managed Instance. Review the documentation for supported options."},
      {"sp_add_jobstep", {arg("@job_name", S("j")), arg("@step_name", S("ssis")), arg("@subsystem", S("DTS"))}, 0, ""},
      {"sp_add_schedule", {arg("@schedule_name", S("idle")), arg("@freq_type", I(128))}, 41914,
       "SQL Server Agent feature Schedule job ONIDLE is not supported in SQL Database Managed Instance. Review the documentation for supported options."},
  });
  // Event-log notification is forced to 0 on MI.
  EXPECT_EQ(str(rows(*s, "SELECT notify_level_eventlog FROM msdb_sysjobs WHERE name = 'j'")[0][0]), "0");
  EXPECT_EQ(str(rows(*s, "SELECT subsystem FROM msdb_sysjobsteps WHERE step_name = 'ssis'")[0][0]), "SSIS");
  auto r = call(*s, msdb("sp_add_schedule"), {arg("@schedule_name", S("idle")), arg("@freq_type", I(128))});
  ASSERT_FALSE(r.messages.empty());
  EXPECT_EQ(r.messages[0].state, 4);
}

TEST(Agent, OwnershipRules) {
  auto s = test::make_payments();
  // A non-sysadmin creates a job: the owner is forced to the caller; naming another owner fails.
  auto r = call(*s, msdb("sp_add_job"), {arg("@job_name", S("mine")), out("@job_id")}, "master", "report_reader");
  ASSERT_EQ(r.outcome.return_status, 0) << r.text;
  EXPECT_EQ(str(rows(*s, "SELECT p.name FROM msdb_sysjobs j JOIN sys_server_principals p ON p.sid = j.owner_sid WHERE j.name = 'mine'")[0][0]),
            "report_reader");
  auto other = call(*s, msdb("sp_add_job"), {arg("@job_name", S("theirs")), arg("@owner_login_name", S("sa"))}, "master", "report_reader");
  EXPECT_EQ(other.number, 14515);
  auto upd = call(*s, msdb("sp_update_job"), {arg("@job_name", S("Ledger close")), arg("@enabled", I(0))}, "master", "report_reader");
  EXPECT_EQ(upd.number, 14525);
  EXPECT_EQ(upd.text, "Only members of sysadmin role are allowed to update or delete jobs owned by a different login.");
  auto cat = call(*s, msdb("sp_add_category"), {arg("@name", S("c"))}, "master", "report_reader");
  EXPECT_EQ(cat.number, 15003);
  EXPECT_EQ(cat.text, "Only members of the sysadmin role can execute this stored procedure.");
}

// Hostile names through the procedures: stored and found exactly.
TEST(Agent, HostileNames) {
  auto s = make_state();
  const std::vector<std::string> names = {"we]ird", "o'brien", "semi;colon", "dash--dash", "Ünïcødé-名前-😀", std::string(128, 'j')};
  for (const auto& n : names) {
    ASSERT_EQ(call(*s, msdb("sp_add_category"), {arg("@name", S(n))}).outcome.return_status, 0) << n;
    auto j = call(*s, msdb("sp_add_job"), {arg("@job_name", S(n)), arg("@category_name", S(n)), out("@job_id")});
    ASSERT_EQ(j.outcome.return_status, 0) << n << ": " << j.text;
    auto st = call(*s, msdb("sp_add_jobstep"), {arg("@job_name", S(n)), arg("@step_name", S(n)), arg("@command", S("SELECT '" + n + "';"))});
    ASSERT_EQ(st.outcome.return_status, 0) << st.text;
    auto sl = call(*s, {"sp_addlinkedserver"}, {arg("@server", S(n)), arg("@srvproduct", S("SQL Server"))});
    ASSERT_EQ(sl.outcome.return_status, 0) << sl.text;
    EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM msdb_sysjobs j JOIN msdb_sysjobsteps t ON t.job_id = j.job_id "
                           "JOIN msdb_syscategories c ON c.category_id = j.category_id WHERE j.name = ?1 AND t.step_name = ?1 AND c.name = ?1",
                       {S(n)})[0][0]), "1") << n;
  }
  auto too_long = call(*s, msdb("sp_add_job"), {arg("@job_name", S(std::string(129, 'j')))});
  EXPECT_EQ(too_long.number, 103);
}

}  // namespace
}  // namespace emu
