// System procedures through CatalogState::call_procedure: binding rules, linked servers, and their
// SQL Server error numbers and return codes.
#include <gtest/gtest.h>

#include "engine/state_test_util.h"

namespace emu {
namespace {

using test::arg;
using test::call;
using test::make_state;
using test::out;
using test::rows;
using test::str;

Value S(const std::string& s) { return Value{s}; }

TEST(ProcBinding, SqlServerRules) {
  auto s = make_state();
  struct Case {
    std::vector<std::string> proc;
    std::vector<ProcArg> args;
    std::string db;
    int32_t number;
    std::string text;
  };
  const std::vector<Case> cases = {
      {{"sp_addlinkedserver"}, {arg("@nosuch", S("x"))}, "master", 8145, "@nosuch is not a parameter for procedure sp_addlinkedserver."},
      {{"sp_addlinkedserver"}, {arg("@srvproduct", S("x"))}, "master", 201,
       "Procedure or function 'sp_addlinkedserver' expects parameter '@server', which was not supplied."},
      {{"sp_dropserver"}, {arg("", S("a")), arg("", S("b")), arg("", S("c"))}, "master", 8144,
       "Procedure or function sp_dropserver has too many arguments specified."},
      {{"sp_dropserver"}, {arg("@server", S("a")), arg("", S("droplogins"))}, "master", 119,
       "Must pass parameter number 2 and subsequent parameters as '@name = value'. After the form '@name = value' has been used, all subsequent parameters must be passed in the form '@name = value'."},
      {{"sp_dropserver"}, {arg("@server", S("a")), out("@droplogins")}, "master", 8162,
       "The formal parameter \"@droplogins\" was not declared as an OUTPUT parameter, but the actual parameter passed in requested output."},
      {{"msdb", "dbo", "sp_add_job"}, {arg("@job_name", S("j")), arg("@enabled", S("yes"))}, "master", 8114,
       "Error converting data type nvarchar to int."},
      {{"msdb", "dbo", "sp_add_job"}, {arg("@job_name", S("j")), arg("@job_id", S("not-a-guid"))}, "master", 8169,
       "Conversion failed when converting from a character string to uniqueidentifier."},
  };
  for (const auto& c : cases) {
    auto r = call(*s, c.proc, c.args, c.db);
    EXPECT_TRUE(r.outcome.found);
    EXPECT_EQ(r.outcome.return_status, 1) << c.text;
    EXPECT_EQ(r.number, c.number) << r.text;
    EXPECT_EQ(r.text, c.text);
    ASSERT_FALSE(r.messages.empty());
    EXPECT_EQ(r.messages.back().proc, c.proc.back());
  }
  // Name resolution: system procedures from any database, msdb's only in msdb or by 3-part name.
  EXPECT_FALSE(call(*s, {"sp_add_job"}, {arg("@job_name", S("j"))}, "master").outcome.found);
  EXPECT_FALSE(call(*s, {"master", "dbo", "sp_add_job"}, {arg("@job_name", S("j"))}, "msdb").outcome.found);
  EXPECT_TRUE(call(*s, {"sp_add_job"}, {arg("@job_name", S("j1"))}, "msdb").outcome.found);
  EXPECT_TRUE(call(*s, {"dbo", "sp_add_job"}, {arg("@job_name", S("j2"))}, "msdb").outcome.found);
  EXPECT_TRUE(call(*s, {"msdb", "", "sp_add_job"}, {arg("@job_name", S("j3"))}, "tempdb").outcome.found);
  EXPECT_EQ(call(*s, {"sp_addlinkedserver"}, {arg("@server", S("L1")), arg("@srvproduct", S("SQL Server"))}, "msdb").outcome.return_status, 0);
  EXPECT_EQ(call(*s, {"sp_addlinkedserver"}, {arg("@server", S("L2"))}, "msdb").text,
            "You must specify a provider name for unknown product '(null)'.");
  EXPECT_TRUE(call(*s, {"master", "sys", "sp_serveroption"}, {arg("", S("L1")), arg("", S("rpc")), arg("", S("on"))}, "msdb").outcome.found);
  EXPECT_FALSE(call(*s, {"sp_no_such_proc"}, {}, "master").outcome.found);
  // DEFAULT takes the parameter's default; positional arguments bind in declaration order.
  auto r = call(*s, {"sp_addlinkedsrvlogin"}, {arg("", S("L1")), ProcArg{"", Null{}, true, false, std::nullopt}}, "master");
  EXPECT_EQ(r.outcome.return_status, 0) << r.text;
}

TEST(LinkedServers, AddLoginsOptionsDrop) {
  auto s = make_state();
  auto ok = [&](const std::vector<std::string>& p, const std::vector<ProcArg>& a) {
    auto r = call(*s, p, a);
    EXPECT_EQ(r.outcome.return_status, 0) << p.back() << ": " << r.text;
    return r;
  };
  auto fails = [&](const std::vector<std::string>& p, const std::vector<ProcArg>& a, int32_t number, const std::string& text,
                   bool in_tran = false) {
    auto r = call(*s, p, a, "master", "", in_tran);
    EXPECT_EQ(r.outcome.return_status, 1) << p.back();
    EXPECT_EQ(r.number, number) << r.text;
    EXPECT_EQ(r.text, text);
  };
  ok({"sp_addlinkedserver"}, {arg("@server", S("LEDGER_ARCHIVE")), arg("@srvproduct", S("")), arg("@provider", S("MSOLEDBSQL")),
                              arg("@datasrc", S("ledger-archive,1433")), arg("@catalog", S("ledger"))});
  ok({"sp_addlinkedserver"}, {arg("@server", S("REPORTING01")), arg("@srvproduct", S("SQL Server"))});
  fails({"sp_addlinkedserver"}, {arg("@server", S("ledger_archive"))}, 15028, "The server 'ledger_archive' already exists.");
  fails({"sp_addlinkedserver"}, {arg("@server", S("X2"))}, 15002, "The procedure 'sp_addlinkedserver' cannot be executed within a transaction.", true);
  fails({"sp_addlinkedserver"}, {arg("@server", S("X2")), arg("@srvproduct", S("SQL Server")), arg("@provider", S("SQLNCLI"))}, 15428,
        "You cannot specify a provider or any properties for product 'SQL Server'.");
  fails({"sp_addlinkedserver"}, {arg("@server", S("X2")), arg("@srvproduct", S("Oracle"))}, 15427,
        "You must specify a provider name for unknown product 'Oracle'.");
  auto srv = rows(*s, "SELECT product, provider, data_source, is_linked FROM sys_servers WHERE name = 'REPORTING01'");
  ASSERT_EQ(srv.size(), 1u);
  EXPECT_EQ(str(srv[0][0]) + "|" + str(srv[0][1]) + "|" + str(srv[0][2]) + "|" + str(srv[0][3]), "SQL Server|SQLNCLI|REPORTING01|1");
  // The default self-mapping, then a mapping with a hidden password, updated in place.
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM sys_linked_logins WHERE local_principal_id = 0 AND uses_self_credential = 1")[0][0]), "2");
  ok({"sp_addlinkedsrvlogin"}, {arg("@rmtsrvname", S("LEDGER_ARCHIVE")), arg("@useself", S("FALSE")),
                                arg("@locallogin", S("sa")), arg("@rmtuser", S("reader")), arg("@rmtpassword", S("S3cret'pw"))});
  ok({"sp_addlinkedsrvlogin"}, {arg("@rmtsrvname", S("LEDGER_ARCHIVE")), arg("@useself", S("false")),
                                arg("@locallogin", S("sa")), arg("@rmtuser", S("reader2")), arg("@rmtpassword", S("S3cret2"))});
  fails({"sp_addlinkedsrvlogin"}, {arg("@rmtsrvname", S("nosuch"))}, 15015,
        "The server 'nosuch' does not exist. Use sp_helpserver to show available servers.");
  fails({"sp_addlinkedsrvlogin"}, {arg("@rmtsrvname", S("LEDGER_ARCHIVE")), arg("@useself", S("FALSE")), arg("@locallogin", S("nobody"))},
        15007, "'nobody' is not a valid login or you do not have permission.");
  fails({"sp_addlinkedsrvlogin"}, {arg("@rmtsrvname", S("LEDGER_ARCHIVE")), arg("@useself", S("maybe"))}, 15600,
        "An invalid parameter or option was specified for procedure 'sp_addlinkedsrvlogin'.");
  auto ll = rows(*s, "SELECT remote_name, uses_self_credential FROM sys_linked_logins WHERE local_principal_id = 1");
  ASSERT_EQ(ll.size(), 1u);
  EXPECT_EQ(str(ll[0][0]), "reader2");
  EXPECT_EQ(str(rows(*s, "SELECT remote_password FROM t_linked_logins WHERE local_principal_id = 1")[0][0]), "S3cret2");
  ok({"sp_droplinkedsrvlogin"}, {arg("@rmtsrvname", S("LEDGER_ARCHIVE")), arg("@locallogin", Null{})});
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM sys_linked_logins l JOIN sys_servers s ON s.server_id = l.server_id WHERE s.name = 'LEDGER_ARCHIVE'")[0][0]), "1");
  // Every sp_serveroption option, both value styles.
  struct Opt {
    std::string option, value, column, want;
  };
  const std::vector<Opt> opts = {
      {"rpc", "true", "is_remote_login_enabled", "1"},          {"rpc out", "ON", "is_rpc_out_enabled", "1"},
      {"data access", "off", "is_data_access_enabled", "0"},    {"collation compatible", "true", "is_collation_compatible", "1"},
      {"collation name", "Latin1_General_CI_AS", "collation_name", "Latin1_General_CI_AS"},
      {"connect timeout", "30", "connect_timeout", "30"},     {"query timeout", "600", "query_timeout", "600"},
      {"lazy schema validation", "TRUE", "lazy_schema_validation", "1"},
      {"use remote collation", "false", "uses_remote_collation", "0"},
      {"remote proc transaction promotion", "off", "is_remote_proc_transaction_promotion_enabled", "0"},
      {"pub", "on", "is_publisher", "1"},                      {"sub", "on", "is_subscriber", "1"},
      {"dist", "on", "is_distributor", "1"},                   {"system", "off", "is_system", "0"},
  };
  for (const auto& o : opts) {
    ok({"sp_serveroption"}, {arg("@server", S("LEDGER_ARCHIVE")), arg("@optname", S(o.option)), arg("@optvalue", S(o.value))});
    EXPECT_EQ(str(rows(*s, "SELECT " + o.column + " FROM sys_servers WHERE name = 'LEDGER_ARCHIVE'")[0][0]), o.want) << o.option;
  }
  // 'collation name' set → 'collation compatible' off; and back.
  EXPECT_EQ(str(rows(*s, "SELECT is_collation_compatible FROM sys_servers WHERE name = 'LEDGER_ARCHIVE'")[0][0]), "0");
  fails({"sp_serveroption"}, {arg("@server", S("LEDGER_ARCHIVE")), arg("@optname", S("rpc outt")), arg("@optvalue", S("true"))}, 15206,
        "Invalid Remote Server Option: 'rpc outt'.");
  fails({"sp_serveroption"}, {arg("@server", S("LEDGER_ARCHIVE")), arg("@optname", S("rpc out")), arg("@optvalue", S("yes"))}, 15600,
        "An invalid parameter or option was specified for procedure 'sp_serveroption'.");
  // Drop: refused while logins exist unless 'droplogins'.
  ok({"sp_addlinkedsrvlogin"}, {arg("@rmtsrvname", S("REPORTING01")), arg("@useself", S("FALSE")), arg("@locallogin", S("sa")),
                                arg("@rmtuser", S("r")), arg("@rmtpassword", S("p"))});
  fails({"sp_dropserver"}, {arg("@server", S("REPORTING01"))}, 15190, "There are still remote logins or linked logins for the server 'REPORTING01'.");
  fails({"sp_dropserver"}, {arg("@server", S("REPORTING01")), arg("@droplogins", S("x"))}, 15600,
        "An invalid parameter or option was specified for procedure 'sp_dropserver'.");
  fails({"sp_dropserver"}, {arg("@server", S("REPORTING01")), arg("@droplogins", S("droplogins"))}, 15002,
        "The procedure 'sp_dropserver' cannot be executed within a transaction.", true);
  ok({"sp_dropserver"}, {arg("@server", S("REPORTING01")), arg("@droplogins", S("droplogins"))});
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM t_linked_logins WHERE server_id NOT IN (SELECT server_id FROM t_servers)")[0][0]), "0");
  fails({"sp_dropserver"}, {arg("@server", S("REPORTING01"))}, 15015,
        "The server 'REPORTING01' does not exist. Use sp_helpserver to show available servers.");
}

TEST(LinkedServers, NeedPermission) {
  auto s = test::make_payments();
  auto r = call(*s, {"sp_addlinkedserver"}, {arg("@server", S("X"))}, "master", "report_reader");
  EXPECT_EQ(r.number, 15247);
  EXPECT_EQ(r.outcome.return_status, 1);
}

}  // namespace
}  // namespace emu
