// Server-level DDL through CatalogState::execute_ddl: SQL Server's semantics and error numbers.
#include <gtest/gtest.h>

#include "engine/hashing.h"
#include "engine/state_test_util.h"

namespace emu {
namespace {

using test::make_state;
using test::rows;
using test::run_ddl;
using test::str;

struct Step {
  std::string sql;
  int32_t number;    // 0 = must succeed
  std::string text;  // expected error text when number != 0
};

void run_steps(CatalogState& s, const std::vector<Step>& steps, const std::string& login = "") {
  for (const auto& st : steps) {
    auto r = run_ddl(s, st.sql, login);
    EXPECT_EQ(r.number, st.number) << st.sql << " → " << r.text;
    if (st.number != 0) {
      EXPECT_EQ(r.text, st.text) << st.sql;
    }
    EXPECT_EQ(r.ok, st.number == 0) << st.sql;
  }
}

TEST(CreateLogin, ErrorsAndRules) {
  auto s = make_state();
  run_steps(*s, {
      {"CREATE LOGIN app WITH PASSWORD = 'Str0ng-Passw0rd!'", 0, ""},
      {"CREATE LOGIN [APP] WITH PASSWORD = 'Str0ng-Passw0rd!'", 15025, "The server principal 'APP' already exists."},
      {"CREATE LOGIN sysadmin WITH PASSWORD = 'Str0ng-Passw0rd!'", 15025, "The server principal 'sysadmin' already exists."},
      {"CREATE LOGIN a2 WITH PASSWORD = 'x', CHECK_POLICY = OFF, SID = 0x01", 15419, "Supplied parameter sid should be binary(16)."},
      {"CREATE LOGIN a2 WITH PASSWORD = 'x', CHECK_POLICY = OFF, SID = 0x14585E90117152449347750164BA00A7", 0, ""},
      {"CREATE LOGIN a3 WITH PASSWORD = 'x', CHECK_POLICY = OFF, SID = 0x14585E90117152449347750164BA00A7", 15433, "Supplied parameter sid is in use."},
      {"CREATE LOGIN a4 WITH PASSWORD = 'short'", 15116, "Password validation failed. The password does not meet the operating system policy requirements because it is too short."},
      {"CREATE LOGIN a4 WITH PASSWORD = 'alllowercase'", 15118, "Password validation failed. The password does not meet the operating system policy requirements because it is not complex enough."},
      {"CREATE LOGIN a4 WITH PASSWORD = 'x', CHECK_POLICY = OFF, CHECK_EXPIRATION = ON", 15122, "The CHECK_EXPIRATION option cannot be used when CHECK_POLICY is OFF."},
      {"CREATE LOGIN a4 WITH PASSWORD = 'Str0ng-Passw0rd!' MUST_CHANGE", 15099, "The MUST_CHANGE option cannot be used when CHECK_EXPIRATION is OFF."},
      {"CREATE LOGIN a4 WITH PASSWORD = 'Str0ng-Passw0rd!' MUST_CHANGE, CHECK_POLICY = OFF", 15128, "The CHECK_POLICY and CHECK_EXPIRATION options cannot be turned OFF when MUST_CHANGE is ON."},
      {"CREATE LOGIN a4 WITH PASSWORD = 'Str0ng-Passw0rd!' MUST_CHANGE, CHECK_EXPIRATION = ON", 0, ""},
      {"CREATE LOGIN a5 WITH PASSWORD = 0x0200AABB HASHED", 15021, "Invalid value given for parameter PASSWORD. Specify a valid parameter value."},
      {"CREATE LOGIN a5 WITH PASSWORD = 'x', CHECK_POLICY = OFF, CREDENTIAL = nocred", 15151, "Cannot find the credential 'nocred', because it does not exist or you do not have permission."},
      {"CREATE LOGIN a5 WITH PASSWORD = 'x', CHECK_POLICY = OFF, DEFAULT_LANGUAGE = Klingon", 15033, "'Klingon' is not a valid official language name."},
      {"CREATE LOGIN [a\\b] WITH PASSWORD = 'x', CHECK_POLICY = OFF", 15006, "'a\\b' is not a valid name because it contains invalid characters."},
      {"CREATE LOGIN [CONTOSO\\alice] FROM WINDOWS WITH DEFAULT_DATABASE = [tempdb], DEFAULT_LANGUAGE = English", 0, ""},
      {"CREATE LOGIN [alice] FROM WINDOWS", 15407, "'alice' is not a valid Windows NT name. Give the complete name: <domain\\username>."},
      {"CREATE LOGIN [bob@contoso.com] FROM EXTERNAL PROVIDER WITH OBJECT_ID = '6e5a7f3b-0d4c-4f51-9f57-2b8f1f0f2a10'", 0, ""},
      {"CREATE LOGIN c1 FROM CERTIFICATE mycert", 15151, "Cannot find the certificate 'mycert', because it does not exist or you do not have permission."},
      {"CREATE LOGIN c1 FROM ASYMMETRIC KEY k", 15151, "Cannot find the asymmetric key 'k', because it does not exist or you do not have permission."},
      {"CREATE LOGIN c1 WITH PASSWORD 'x'", 102, "Incorrect syntax near 'x'."},
      {"CREATE LOGIN c1 WITH PASSWORD = 'Str0ng-Passw0rd!', CHECK_POLICY = MAYBE", 102, "Incorrect syntax near 'MAYBE'."},
      {"CREATE LOGIN c1 WITH PASSWORD = 'Str0ng-Passw0rd!', SID = 0x14585E90117152449347750164BA00A8 SID", 102, "Incorrect syntax near 'SID'."},
      {"CREATE LOGIN select WITH PASSWORD = 'Str0ng-Passw0rd!'", 156, "Incorrect syntax near the keyword 'select'."},
      {"CREATE LOGIN c1 WITH", 156, "Incorrect syntax near the keyword 'WITH'."},
  });
  auto w = rows(*s, "SELECT type, type_desc, length(sid), default_database_name, default_language_name FROM sys_server_principals WHERE name = 'contoso\\alice'");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(str(w[0][0]) + str(w[0][1]) + str(w[0][2]) + str(w[0][3]) + str(w[0][4]), "UWINDOWS_LOGIN28tempdbus_english");
  EXPECT_EQ(str(rows(*s, "SELECT type FROM sys_server_principals WHERE name = 'bob@contoso.com'")[0][0]), "E");
  // New logins get CONNECT SQL.
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM sys_server_permissions p JOIN sys_server_principals l ON l.principal_id = "
                         "p.grantee_principal_id WHERE l.name = 'app' AND p.type = 'COSQ' AND p.state = 'G'")[0][0]), "1");
  // Principal ids from 256 up.
  EXPECT_EQ(str(rows(*s, "SELECT principal_id FROM sys_server_principals WHERE name = 'app'")[0][0]), "256");
  EXPECT_EQ(str(rows(*s, "SELECT is_policy_checked || is_expiration_checked FROM sys_sql_logins WHERE name = 'a4'")[0][0]), "11");
}

TEST(CreateLogin, HashedCopiesLoginBetweenInstances) {
  auto primary = test::make_payments();
  auto hash = std::get<Blob>(primary->login_property("app_settlement_svc", "PasswordHash")).bytes;
  auto target = make_state();
  const std::string sql = "CREATE LOGIN [app_settlement_svc] WITH PASSWORD = " + st::hex0x(hash) +
                          " HASHED, SID = 0x5E117A0E3C2D4B8F9A1B2C3D4E5F6071, DEFAULT_DATABASE = [master], "
                          "CHECK_POLICY = OFF, CHECK_EXPIRATION = OFF";
  auto r = run_ddl(*target, sql);
  ASSERT_TRUE(r.ok) << r.text;
  EXPECT_EQ(r.end, r.tokens - 1);  // stopped at the end of the batch
  std::string sid;
  EXPECT_TRUE(target->check_login("app_settlement_svc", "Settle-Passw0rd!", &sid).ok);
  EXPECT_EQ(st::hex0x(sid), "0x5E117A0E3C2D4B8F9A1B2C3D4E5F6071");
  EXPECT_EQ(std::get<Blob>(target->login_property("app_settlement_svc", "PasswordHash")).bytes, hash);
}

TEST(CreateLogin, ManagedInstanceRefusesWindowsLogins) {
  auto mi = make_state(8);
  run_steps(*mi, {
      {"CREATE LOGIN [CONTOSO\\svc_batch] FROM WINDOWS", 41906, "Statement 'CREATE LOGIN FROM WINDOWS' is not supported in SQL Database Managed Instance."},
      {"CREATE LOGIN [svc@contoso.com] FROM EXTERNAL PROVIDER", 0, ""},
  });
}

// MI's CREATE LOGIN grammar has PASSWORD = 'password', SID, DEFAULT_DATABASE and DEFAULT_LANGUAGE
// only; a hashed password, the policy options and CREDENTIAL are ALTER LOGIN options there.
// https://learn.microsoft.com/sql/t-sql/statements/create-login-transact-sql?view=azuresqldb-mi-current
// https://learn.microsoft.com/sql/t-sql/statements/alter-login-transact-sql?view=azuresqldb-mi-current
TEST(CreateLogin, ManagedInstanceTakesOnlyItsDocumentedOptionsAndTheRestByAlterLogin) {
  auto mi = make_state(8);
  run_steps(*mi, {
      {"CREATE LOGIN [mi_a] WITH PASSWORD = 0x0200AABBCCDD00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
       "00112233445566778899AABBCCDDEEFF0011223344556677 HASHED",
       102, "Incorrect syntax near 'HASHED'."},
      {"CREATE LOGIN [mi_a] WITH PASSWORD = N'Mi-Passw0rd-1!', CHECK_POLICY = OFF", 102, "Incorrect syntax near 'CHECK_POLICY'."},
      {"CREATE LOGIN [mi_a] WITH PASSWORD = N'Mi-Passw0rd-1!', CHECK_EXPIRATION = ON", 102,
       "Incorrect syntax near 'CHECK_EXPIRATION'."},
      {"CREATE LOGIN [mi_a] WITH PASSWORD = N'Mi-Passw0rd-1!', CREDENTIAL = [c]", 102, "Incorrect syntax near 'CREDENTIAL'."},
      {"CREATE LOGIN [mi_a] WITH PASSWORD = N'Mi-Passw0rd-1!', SID = 0x5E117A0E3C2D4B8F9A1B2C3D4E5F6072, "
       "DEFAULT_DATABASE = [master], DEFAULT_LANGUAGE = [us_english]", 0, ""},
      {"ALTER LOGIN [mi_a] WITH CHECK_POLICY = OFF", 0, ""},
      {"ALTER LOGIN [mi_a] WITH CHECK_POLICY = ON, CHECK_EXPIRATION = ON", 0, ""},
  });
  auto box = test::make_payments();
  run_steps(*box, {{"CREATE LOGIN [box_a] WITH PASSWORD = N'Box-Passw0rd-1!', CHECK_POLICY = OFF", 0, ""}});
}

TEST(AlterLogin, StatusPasswordPolicyNameCredential) {
  auto s = test::make_payments();
  run_steps(*s, {
      {"ALTER LOGIN nobody DISABLE", 15151, "Cannot alter the login 'nobody', because it does not exist or you do not have permission."},
      {"ALTER LOGIN payments_operators ENABLE", 15151, "Cannot alter the login 'payments_operators', because it does not exist or you do not have permission."},
      {"ALTER LOGIN legacy_etl ENABLE", 0, ""},
      {"ALTER LOGIN app_settlement_svc DISABLE", 0, ""},
      // app_ledger_svc has CHECK_POLICY = ON: HASHED is refused.
      {"ALTER LOGIN app_ledger_svc WITH PASSWORD = 0x02001ED60C02EB59DE88F0DBEE7DE78BD3CE37DF58FBFE29D69BB937A70AA27AB4FDF759E1A8978782896B23DA6B422DA4C5A56B328905A521A26295E7DD0A69247A7EAB4996 HASHED",
       15118, "Password validation failed. The password does not meet the operating system policy requirements because it is not complex enough."},
      {"ALTER LOGIN app_ledger_svc WITH CHECK_POLICY = OFF", 0, ""},
      {"ALTER LOGIN app_ledger_svc WITH PASSWORD = 0x02001ED60C02EB59DE88F0DBEE7DE78BD3CE37DF58FBFE29D69BB937A70AA27AB4FDF759E1A8978782896B23DA6B422DA4C5A56B328905A521A26295E7DD0A69247A7EAB4996 HASHED", 0, ""},
      {"ALTER LOGIN app_ledger_svc WITH CHECK_POLICY = ON", 0, ""},
      {"ALTER LOGIN app_ledger_svc WITH CHECK_EXPIRATION = ON, CHECK_POLICY = OFF", 15122, "The CHECK_EXPIRATION option cannot be used when CHECK_POLICY is OFF."},
      {"ALTER LOGIN [CONTOSO\\svc_batch] WITH PASSWORD = 'x'", 15080, "Cannot use parameter PASSWORD for a Windows login."},
      {"ALTER LOGIN report_reader WITH NAME = app_ledger_svc", 15025, "The server principal 'app_ledger_svc' already exists."},
      {"ALTER LOGIN report_reader WITH NAME = [report reader], DEFAULT_DATABASE = tempdb, DEFAULT_LANGUAGE = British", 0, ""},
      {"ALTER LOGIN [report reader] WITH CREDENTIAL = nocred", 15151, "Cannot find the credential 'nocred', because it does not exist or you do not have permission."},
      {"ALTER LOGIN [report reader] WITH CREDENTIAL = payments_backup_url", 0, ""},
      {"ALTER LOGIN app_ledger_svc WITH NO CREDENTIAL", 0, ""},
      {"ALTER LOGIN app_ledger_svc WITH PASSWORD = 'N3w-Ledger-Pw!'", 0, ""},
  });
  EXPECT_EQ(str(rows(*s, "SELECT is_policy_checked || is_expiration_checked FROM sys_sql_logins WHERE name = 'app_ledger_svc'")[0][0]), "11");
  EXPECT_TRUE(s->check_login("legacy_etl", "Legacy-Passw0rd!", nullptr).error.number == 18456);  // enabled, but DENY CONNECT SQL
  EXPECT_EQ(s->check_login("app_settlement_svc", "Settle-Passw0rd!", nullptr).error.number, 18470);
  EXPECT_TRUE(s->check_login("app_ledger_svc", "N3w-Ledger-Pw!", nullptr).ok);
  auto rr = rows(*s, "SELECT default_database_name, default_language_name, credential_id IS NOT NULL FROM sys_server_principals WHERE name = 'report reader'");
  ASSERT_EQ(rr.size(), 1u);
  EXPECT_EQ(str(rr[0][0]) + "/" + str(rr[0][1]) + "/" + str(rr[0][2]), "tempdb/British/1");
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM sys_server_principals WHERE name = 'app_ledger_svc' AND credential_id IS NULL")[0][0]), "1");
}

TEST(DropLogin, RefusesOwnersAndCleansUp) {
  auto s = test::make_payments();
  run_steps(*s, {
      {"DROP LOGIN nobody", 15151, "Cannot drop the login 'nobody', because it does not exist or you do not have permission."},
      {"DROP LOGIN sa", 15151, "Cannot drop the login 'sa', because it does not exist or you do not have permission."},
      {"DROP LOGIN app_settlement_svc", 15170, "This login is the owner of 1 job(s). You must delete or reassign these jobs before the login can be dropped."},
      {"DROP LOGIN report_reader", 0, ""},
  });
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM sys_server_permissions WHERE grantee_principal_id NOT IN (SELECT principal_id FROM sys_server_principals)")[0][0]), "0");
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM sys_server_permissions WHERE class = 101 AND major_id NOT IN (SELECT principal_id FROM sys_server_principals)")[0][0]), "0");
  // The login the session runs as cannot be dropped.
  auto r = run_ddl(*s, "DROP LOGIN app_ledger_svc", "app_ledger_svc");
  EXPECT_EQ(r.number, 15247);  // not allowed to drop logins at all
  auto r2 = run_ddl(*s, "DROP LOGIN sa", "sa");
  EXPECT_EQ(r2.number, 15151);
}

TEST(ServerRole, CreateAlterDrop) {
  auto s = test::make_payments();
  run_steps(*s, {
      {"CREATE SERVER ROLE auditors AUTHORIZATION report_reader", 0, ""},
      {"CREATE SERVER ROLE auditors", 15025, "The server principal 'auditors' already exists."},
      {"CREATE SERVER ROLE r2 AUTHORIZATION nobody", 15007, "'nobody' is not a valid login or you do not have permission."},
      {"ALTER SERVER ROLE nosuch ADD MEMBER report_reader", 15151, "Cannot alter the server role 'nosuch', because it does not exist or you do not have permission."},
      {"ALTER SERVER ROLE auditors ADD MEMBER nobody", 15151, "Cannot add the principal 'nobody', because it does not exist or you do not have permission."},
      {"ALTER SERVER ROLE auditors ADD MEMBER app_ledger_svc", 0, ""},
      {"ALTER SERVER ROLE auditors ADD MEMBER app_ledger_svc", 0, ""},
      {"ALTER SERVER ROLE auditors ADD MEMBER auditors", 15413, "Cannot make a role a member of itself."},
      {"ALTER SERVER ROLE payments_operators ADD MEMBER auditors", 0, ""},
      {"ALTER SERVER ROLE auditors ADD MEMBER payments_operators", 15413, "Cannot make a role a member of itself."},
      {"ALTER SERVER ROLE [public] ADD MEMBER app_ledger_svc", 15081, "Membership of the public role cannot be changed."},
      {"ALTER SERVER ROLE sysadmin ADD MEMBER report_reader", 0, ""},
      {"ALTER SERVER ROLE sysadmin WITH NAME = admins", 15151, "Cannot alter the server role 'sysadmin', because it does not exist or you do not have permission."},
      {"DROP SERVER ROLE auditors", 15144, "The role has members. It must be empty before it can be dropped."},
      {"ALTER SERVER ROLE auditors DROP MEMBER app_ledger_svc", 0, ""},
      {"ALTER SERVER ROLE auditors WITH NAME = [audit team]", 0, ""},
      {"DROP SERVER ROLE [audit team]", 0, ""},
      {"DROP SERVER ROLE [audit team]", 15151, "Cannot drop the server role 'audit team', because it does not exist or you do not have permission."},
      {"DROP SERVER ROLE sysadmin", 15151, "Cannot drop the server role 'sysadmin', because it does not exist or you do not have permission."},
      {"ALTER SERVER ROLE payments_operators", 102, "Incorrect syntax near 'payments_operators'."},
  });
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM sys_server_role_members WHERE member_principal_id NOT IN (SELECT principal_id FROM sys_server_principals)")[0][0]), "0");
  // A non-member of sysadmin cannot add members to it.
  auto r = run_ddl(*s, "ALTER SERVER ROLE sysadmin ADD MEMBER app_ledger_svc", "app_ledger_svc");
  EXPECT_EQ(r.number, 15151);
}

TEST(Permissions, GrantDenyRevoke) {
  auto s = test::make_payments();
  auto state_of = [&](const std::string& grantee, const std::string& type) {
    auto r = rows(*s, "SELECT p.state FROM sys_server_permissions p JOIN sys_server_principals g ON g.principal_id = p.grantee_principal_id "
                      "WHERE g.name = ?1 AND p.type = ?2", {Value{grantee}, Value{type}});
    return r.empty() ? std::string("-") : str(r[0][0]);
  };
  run_steps(*s, {
      {"GRANT VIEW SERVER STATE, ALTER ANY LOGIN TO app_ledger_svc", 0, ""},
      {"GRANT VIEW ANY DEFINITION TO app_ledger_svc WITH GRANT OPTION", 0, ""},
      {"DENY VIEW ANY DEFINITION TO app_ledger_svc", 4611, "To revoke or deny grantable privileges, specify the CASCADE option."},
      {"DENY VIEW ANY DEFINITION TO app_ledger_svc CASCADE", 0, ""},
      {"GRANT CONTROL SERVER TO nobody", 15151, "Cannot find the login 'nobody', because it does not exist or you do not have permission."},
      {"GRANT CONTROL SERVER TO sa", 4617, "Cannot grant, deny, or revoke permissions to sa, dbo, entity owner, information_schema, sys, or yourself."},
      {"GRANT IMPERSONATE ON LOGIN::app_settlement_svc TO app_ledger_svc", 0, ""},
      {"GRANT CONTROL ON SERVER ROLE::payments_operators TO report_reader", 0, ""},
      {"GRANT CONTROL ON LOGIN::payments_operators TO report_reader", 15151, "Cannot find the login 'payments_operators', because it does not exist or you do not have permission."},
      {"GRANT CONNECT ON ENDPOINT::[TSQL Default TCP] TO report_reader", 0, ""},
      {"GRANT CONNECT ON ENDPOINT::Hadr_endpoint TO report_reader", 15151, "Cannot find the endpoint 'Hadr_endpoint', because it does not exist or you do not have permission."},
      {"REVOKE ALTER ANY LOGIN FROM app_ledger_svc", 0, ""},
      {"REVOKE CONNECT SQL TO legacy_etl", 0, ""},
      {"GRANT SELECT TO app_ledger_svc", 15151, "Cannot find the user 'app_ledger_svc', because it does not exist or you do not have permission."},
      {"GRANT VIEW SERVER STATE app_ledger_svc", 102, "Incorrect syntax near 'app_ledger_svc'."},
  });
  EXPECT_EQ(state_of("app_ledger_svc", "VWSS"), "G");
  EXPECT_EQ(state_of("app_ledger_svc", "ALLG"), "-");
  EXPECT_EQ(state_of("app_ledger_svc", "VWAD"), "D");
  EXPECT_EQ(state_of("app_ledger_svc", "IM"), "G");
  EXPECT_EQ(state_of("report_reader", "CO"), "G");
  EXPECT_EQ(state_of("legacy_etl", "COSQ"), "-");
  auto im = rows(*s, "SELECT class, class_desc, t.name FROM sys_server_permissions p JOIN sys_server_principals t ON t.principal_id = p.major_id "
                     "WHERE p.type = 'IM  ' AND p.grantee_principal_id = (SELECT principal_id FROM sys_server_principals WHERE name = 'app_ledger_svc')");
  ASSERT_EQ(im.size(), 2u);  // the fixture's IMPERSONATE ON LOGIN::report_reader and the new one
  // Server-scope permissions need master.
  auto r = run_ddl(*s, "GRANT VIEW SERVER STATE TO report_reader", "", "payments");
  EXPECT_EQ(r.number, 4621);
  EXPECT_EQ(r.text, "Permissions at the server scope can only be granted when the current database is master");
  // A login without GRANT rights.
  auto r2 = run_ddl(*s, "GRANT VIEW SERVER STATE TO report_reader", "app_ledger_svc");
  EXPECT_EQ(r2.number, 4613);
}

TEST(Credentials, SecretIsKeptHiddenAndAlterWipesIt) {
  auto s = test::make_state();
  run_steps(*s, {
      {"CREATE CREDENTIAL [https://acct.blob.core.windows.net/backups] WITH IDENTITY = 'SHARED ACCESS SIGNATURE', SECRET = 'sv=2022&sig=abc'", 0, ""},
      {"CREATE CREDENTIAL [https://acct.blob.core.windows.net/backups] WITH IDENTITY = 'x'", 15530, "The credential with name \"https://acct.blob.core.windows.net/backups\" already exists."},
      {"CREATE CREDENTIAL c2 WITH IDENTITY = N'CONTOSO\\svc', SECRET = N'pässwörd'", 0, ""},
      {"ALTER CREDENTIAL c2 WITH IDENTITY = N'CONTOSO\\svc2'", 0, ""},
      {"ALTER CREDENTIAL nocred WITH IDENTITY = 'x'", 15151, "Cannot alter the credential 'nocred', because it does not exist or you do not have permission."},
      {"CREATE LOGIN uses_c2 WITH PASSWORD = 'x', CHECK_POLICY = OFF, CREDENTIAL = c2", 0, ""},
      {"DROP CREDENTIAL c2", 15541, "Cannot drop the credential 'c2' because it is used by a server principal."},
      {"DROP CREDENTIAL nocred", 15151, "Cannot drop the credential 'nocred', because it does not exist or you do not have permission."},
      {"DROP CREDENTIAL [https://acct.blob.core.windows.net/backups]", 0, ""},
      {"CREATE CREDENTIAL c3 WITH IDENTITY = 'x' FOR CRYPTOGRAPHIC PROVIDER ekm", 15151, "Cannot find the cryptographic provider 'ekm', because it does not exist or you do not have permission."},
  });
  auto c = rows(*s, "SELECT credential_identity, secret FROM t_credentials WHERE name = 'c2'");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(str(c[0][0]), "CONTOSO\\svc2");
  EXPECT_EQ(str(c[0][1]), "NULL");
  auto cols = rows(*s, "SELECT name FROM pragma_table_info('sys_credentials')");
  for (const auto& col : cols) EXPECT_NE(str(col[0]), "secret");
}

// Hostile names: `]`, `'`, `;`, `--`, Unicode and 128 characters, created and found again.
TEST(HostileNames, RoundTripThroughDdl) {
  auto s = test::make_state();
  const std::string n128(128, 'x');
  const std::vector<std::pair<std::string, std::string>> names = {
      {"[we]]ird]", "we]ird"},
      {"[o'brien]", "o'brien"},
      {"[semi;colon]", "semi;colon"},
      {"[dash--dash]", "dash--dash"},
      {"[Ünïcødé-名前-😀]", "Ünïcødé-名前-😀"},
      {"\"quoted\"\"name\"", "quoted\"name"},
      {"[" + n128 + "]", n128},
  };
  for (const auto& [quoted, name] : names) {
    auto r = run_ddl(*s, "CREATE LOGIN " + quoted + " WITH PASSWORD = N'it''s -- a; pässwörd]', CHECK_POLICY = OFF");
    ASSERT_TRUE(r.ok) << quoted << ": " << r.text;
    EXPECT_TRUE(s->check_login(name, "it's -- a; pässwörd]", nullptr).ok) << name;
    if (name.size() < 128) {
      auto role = run_ddl(*s, "CREATE SERVER ROLE " + quoted.substr(0, quoted.size() - 1) + "_r" + quoted.substr(quoted.size() - 1));
      EXPECT_TRUE(role.ok) << role.text;
    }
  }
  auto r = run_ddl(*s, "CREATE LOGIN [" + n128 + "y] WITH PASSWORD = 'x', CHECK_POLICY = OFF");
  EXPECT_EQ(r.number, 103);
  EXPECT_EQ(r.text, "The identifier that starts with '" + n128 + "' is too long. Maximum length is 128.");
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM sys_server_principals WHERE principal_id >= 256")[0][0]), "13");
}

}  // namespace
}  // namespace emu
