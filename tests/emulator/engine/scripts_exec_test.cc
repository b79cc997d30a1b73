// Scripts DBAs already have (tests/emulator/scripts, see its README) run through the executor the
// way SSMS and sqlcmd send them — batches split at lines holding only GO — and the catalog is
// checked afterwards. What each script relies on is documented on Microsoft's pages cited in
// exec_errors.cc, table_vars.cc, procs_deprecated.cc and convert.cc (GUID ↔ binary(16)).
#include <fstream>
#include <regex>
#include <sstream>

#include "engine/exec_test_util.h"

namespace emu::testing {
namespace {

std::vector<std::string> batches_of(const std::string& file) {
  std::ifstream in(std::string(EMU_SCRIPT_DIR) + "/" + file);
  EXPECT_TRUE(in.good()) << file;
  std::vector<std::string> out;
  std::string line, cur;
  static const std::regex go(R"(^\s*GO\s*$)", std::regex::icase);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (std::regex_match(line, go)) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += line + "\n";
    }
  }
  if (cur.find_first_not_of(" \t\n") != std::string::npos) out.push_back(cur);
  return out;
}

// Runs every batch of a script; returns the errors ("number: text") and the messages' texts.
struct ScriptRun {
  std::vector<std::string> errors;
  std::vector<std::string> infos;
};
ScriptRun run_script(Session& s, const std::string& file) {
  ScriptRun r;
  for (const auto& b : batches_of(file)) {
    auto sink = run(s, b);
    for (const auto& m : sink.messages) {
      if (m.severity > 10) r.errors.push_back(std::to_string(m.number) + ": " + m.text);
      else r.infos.push_back(m.text);
    }
  }
  return r;
}

std::string one(Session& s, const std::string& sql) {
  auto r = run(s, sql);
  EXPECT_EQ(r.first_error(), "") << sql;
  if (r.sets.empty() || r.sets[0].rows.empty()) return "<no row>";
  return text(r.sets[0].rows[0][0]);
}

class ScriptsTest : public ExecTest {};

TEST_F(ScriptsTest, RevloginOutputRecreatesLoginsWithSidsHashesAndRoles) {
  auto r = run_script(*session, "revlogin_payments.sql");
  EXPECT_TRUE(r.errors.empty()) << r.errors[0];
  EXPECT_EQ(one(*session, "SELECT CONVERT(varchar(100), sid, 1) FROM sys.server_principals WHERE name = N'app_settlement_svc'"),
            "0x5E117A0E3C2D4B8F9A1B2C3D4E5F6071");
  EXPECT_EQ(one(*session, "SELECT CONVERT(varchar(200), password_hash, 1) FROM sys.sql_logins WHERE name = N'app_ledger_svc'"),
            "0x02001ED60C02EB59DE88F0DBEE7DE78BD3CE37DF58FBFE29D69BB937A70AA27AB4FDF759E1A8978782896B23DA6B422DA4C5A56B3"
            "28905A521A26295E7DD0A69247A7EAB4996");
  EXPECT_EQ(one(*session, "SELECT IS_SRVROLEMEMBER('sysadmin', N'CONTOSO\\svc_batch')"), "1");
  EXPECT_EQ(one(*session, "SELECT is_disabled FROM sys.server_principals WHERE name = N'legacy_etl'"), "1");
  // The copied hash is the real one: the password still logs in.
  LoginRequest req;
  req.user = "app_settlement_svc";
  req.password = "Settle-Passw0rd!";
  EXPECT_TRUE(inst->login(req).ok);
}

TEST_F(ScriptsTest, DeprecatedSecurityProceduresAndTheirErrors) {
  ASSERT_EQ(run_script(*session, "revlogin_payments.sql").errors.size(), 0u);
  auto r = q("EXEC master..sp_addsrvrolemember @loginame = N'app_ledger_svc', @rolename = N'securityadmin';\n"
             "EXEC sp_defaultdb N'app_ledger_svc', N'msdb';\n"
             "EXEC sp_defaultlanguage @loginame = N'app_ledger_svc', @language = N'us_english';");
  EXPECT_EQ(r.first_error(), "");
  EXPECT_EQ(one(*session, "SELECT IS_SRVROLEMEMBER('securityadmin', N'app_ledger_svc')"), "1");
  EXPECT_EQ(one(*session, "SELECT default_database_name FROM sys.server_principals WHERE name = N'app_ledger_svc'"), "msdb");
  r = q("DECLARE @rc int; EXEC @rc = sp_dropsrvrolemember N'app_ledger_svc', N'securityadmin'; SELECT @rc AS rc");
  EXPECT_EQ(r.first_error(), "");
  EXPECT_EQ(text(r.sets.at(0).rows.at(0)[0]), "0");
  EXPECT_EQ(one(*session, "SELECT IS_SRVROLEMEMBER('securityadmin', N'app_ledger_svc')"), "0");
  // "sp_addsrvrolemember can't be executed within a user-defined transaction."
  r = q("BEGIN TRAN; EXEC sp_addsrvrolemember N'app_ledger_svc', N'sysadmin'; ROLLBACK");
  EXPECT_EQ(r.first_error(), "15002: The procedure 'sp_addsrvrolemember' cannot be executed within a transaction.");
  r = q("DECLARE @rc int; EXEC @rc = sp_addsrvrolemember N'nobody', N'sysadmin'; SELECT @rc AS rc");
  ASSERT_EQ(r.errors().size(), 1u);
  EXPECT_EQ(text(r.sets.at(0).rows.at(0)[0]), "1");
  EXPECT_EQ(q("EXEC sp_droplogin N'legacy_etl'").first_error(), "");
  EXPECT_EQ(one(*session, "SELECT COUNT(*) FROM sys.server_principals WHERE name = N'legacy_etl'"), "0");
}

TEST_F(ScriptsTest, SsmsCreateScriptsForCredentialOperatorLinkedServerAndJob) {
  for (const char* f : {"revlogin_payments.sql", "ssms_credential.sql", "ssms_operator.sql", "ssms_linked_server.sql",
                        "ssms_job_nightly_settlement.sql"}) {
    auto r = run_script(*session, f);
    EXPECT_TRUE(r.errors.empty()) << f << ": " << r.errors[0];
  }
  EXPECT_EQ(one(*session, "SELECT credential_identity FROM sys.credentials WHERE name = N'payments_backup_url'"),
            "SHARED ACCESS SIGNATURE");
  EXPECT_EQ(one(*session, "SELECT email_address FROM msdb.dbo.sysoperators WHERE name = N'Payments DBA'"),
            "payments-dba@contoso.example");
  EXPECT_EQ(one(*session, "SELECT provider FROM sys.servers WHERE name = N'LEDGER_ARCHIVE'"), "MSOLEDBSQL");
  EXPECT_EQ(one(*session, "SELECT is_rpc_out_enabled FROM sys.servers WHERE name = N'LEDGER_ARCHIVE'"), "1");
  EXPECT_EQ(one(*session, "SELECT COUNT(*) FROM msdb.dbo.sysjobsteps s JOIN msdb.dbo.sysjobs j ON j.job_id = s.job_id "
                          "WHERE j.name = N'Nightly settlement'"),
            "2");
  EXPECT_EQ(one(*session, "SELECT SUSER_SNAME(owner_sid) FROM msdb.dbo.sysjobs WHERE name = N'Nightly settlement'"),
            "app_settlement_svc");
  EXPECT_EQ(one(*session, "SELECT COUNT(*) FROM msdb.dbo.sysjobservers js JOIN msdb.dbo.sysjobs j ON j.job_id = js.job_id "
                          "WHERE j.name = N'Nightly settlement' AND js.server_id = 0"),
            "1");
  EXPECT_EQ(one(*session, "SELECT @@TRANCOUNT"), "0");
}

// An OUTPUT uniqueidentifier into a BINARY(16) variable holds SQL Server's byte order; compared
// with a uniqueidentifier column it converts back (uniqueidentifier has the higher precedence).
TEST_F(ScriptsTest, JobIdThroughBinary16KeepsSqlServersByteOrder) {
  ASSERT_EQ(run_script(*session, "revlogin_payments.sql").errors.size(), 0u);
  auto r = q("USE msdb; DECLARE @jobId BINARY(16), @rc int;\n"
             "EXEC @rc = msdb.dbo.sp_add_job @job_name = N'bin16', @owner_login_name = N'sa', @job_id = @jobId OUTPUT;\n"
             "SELECT @rc AS rc, CONVERT(varchar(40), @jobId, 1) AS bytes, CAST(@jobId AS uniqueidentifier) AS id,\n"
             "       (SELECT name FROM msdb.dbo.sysjobs WHERE job_id = @jobId) AS found,\n"
             "       (SELECT CONVERT(varchar(40), CAST(job_id AS binary(16)), 1) FROM msdb.dbo.sysjobs WHERE name = N'bin16') AS col_bytes");
  ASSERT_EQ(r.first_error(), "");
  auto row = r.sets.at(0).rows.at(0);
  EXPECT_EQ(text(row[0]), "0");
  const std::string id = text(row[2]);
  ASSERT_EQ(id.size(), 36u);
  // 0x + bytes 3 2 1 0, 5 4, 7 6, then 8..15 in order
  const std::string expect = "0x" + id.substr(6, 2) + id.substr(4, 2) + id.substr(2, 2) + id.substr(0, 2) +
                             id.substr(11, 2) + id.substr(9, 2) + id.substr(16, 2) + id.substr(14, 2) +
                             id.substr(19, 4) + id.substr(24, 12);
  EXPECT_EQ(text(row[1]), expect);
  EXPECT_EQ(text(row[3]), "bin16");
  EXPECT_EQ(text(row[4]), expect);
}

TEST_F(ScriptsTest, ScriptJobRollsBackWhenAStepFails) {
  ASSERT_EQ(run_script(*session, "revlogin_payments.sql").errors.size(), 0u);
  // No operator 'Payments DBA' yet: sp_add_job fails, the script jumps to QuitWithRollback.
  auto r = run_script(*session, "ssms_job_nightly_settlement.sql");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0],
            "14234: The specified '@notify_email_operator_name' is invalid (valid values are returned by sp_help_operator).");
  EXPECT_EQ(one(*session, "SELECT COUNT(*) FROM msdb.dbo.syscategories WHERE name = N'Payments Settlement'"), "0");
  EXPECT_EQ(one(*session, "SELECT @@TRANCOUNT"), "0");
}

TEST_F(ScriptsTest, PreCutoverGateThrowsUntilTheLoginsExist) {
  auto r = run_script(*session, "precutover_required_logins.sql");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], "50001: Required login(s) missing on MI -- do not cut over.");
  ASSERT_EQ(run_script(*session, "revlogin_payments.sql").errors.size(), 0u);
  r = run_script(*session, "precutover_required_logins.sql");
  EXPECT_TRUE(r.errors.empty()) << r.errors[0];
}

TEST_F(ScriptsTest, WaitforDelay) {
  auto r = q("WAITFOR DELAY '00:00:00.010'; SELECT 1 AS done");
  EXPECT_EQ(r.first_error(), "");
  EXPECT_EQ(q("WAITFOR DELAY 'soon'").first_error(), "148: Incorrect time syntax in time string 'soon' used with WAITFOR.");
  EXPECT_EQ(q("WAITFOR TIME '01:00'").errors().at(0).number, 40517);
}

}  // namespace
}  // namespace emu::testing
