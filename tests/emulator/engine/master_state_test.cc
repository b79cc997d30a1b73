// master's custom-message and configuration procedures, each rule and error from its page:
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-addmessage-transact-sql
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-dropmessage-transact-sql
// and what sys.messages then shows
// (https://learn.microsoft.com/sql/relational-databases/system-catalog-views/messages-for-errors-catalog-views-sys-messages).
#include <gtest/gtest.h>

#include "engine/state_test_util.h"

namespace emu {
namespace {

using test::arg;
using test::call;
using test::make_state;
using test::rows;
using test::str;

Value S(const std::string& s) { return Value{s}; }
Value I(int64_t i) { return Value{i}; }

struct MessageCall {
  std::string proc;
  std::vector<ProcArg> args;
  int32_t number;  // 0 = success
  std::string text;
};

void run_message_calls(CatalogState& s, const std::vector<MessageCall>& steps, const std::string& login = "") {
  for (const auto& e : steps) {
    auto r = call(s, {e.proc}, e.args, "master", login);
    EXPECT_EQ(r.number, e.number) << e.proc << ": " << r.text;
    EXPECT_EQ(r.outcome.return_status, e.number == 0 ? 0 : 1) << e.proc;
    if (e.number != 0) {
      EXPECT_EQ(r.text, e.text) << e.proc;
    }
  }
}

std::vector<ProcArg> msg(int64_t id, int64_t severity, const std::string& text, const std::string& lang = "",
                         const std::string& replace = "") {
  std::vector<ProcArg> a{arg("@msgnum", I(id)), arg("@severity", I(severity)), arg("@msgtext", S(text))};
  if (!lang.empty()) a.push_back(arg("@lang", S(lang)));
  if (!replace.empty()) a.push_back(arg("@replace", S(replace)));
  return a;
}

TEST(Messages, AddReplaceAndLanguagesFollowTheRules) {
  auto s = make_state();
  run_message_calls(
      *s, {{"sp_addmessage", msg(50000, 16, "x"), 15040, "User-defined error messages must have an ID greater than 50000."},
           {"sp_addmessage", msg(50001, 26, "x"), 15041,
            "User-defined error messages must have a severity level between 1 and 25."},
           {"sp_addmessage", msg(50001, 16, "x", "Klingon"), 15033, "'Klingon' is not a valid official language name."},
           {"sp_addmessage", msg(50001, 16, "fr", "French"), 15279,
            "You must add the us_english version of this message before you add the 'Français' version."},
           {"sp_addmessage", msg(50001, 16, "one %s"), 0, ""},
           {"sp_addmessage", msg(50001, 16, "two %s"), 15043, "You must specify 'REPLACE' to overwrite an existing message."},
           {"sp_addmessage", msg(50001, 16, "deux %1!", "French"), 0, ""},
           // Replacing the us_english version sets the severity of every language of the id.
           {"sp_addmessage", msg(50001, 11, "two %s", "us_english", "replace"), 0, ""}});
  auto r = rows(*s, "SELECT message_id, language_id, severity, is_event_logged, \"text\" FROM sys_messages "
                    "ORDER BY language_id");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(str(r[0][1]) + "|" + str(r[0][2]) + "|" + str(r[0][4]), "1033|11|two %s");
  EXPECT_EQ(str(r[1][1]) + "|" + str(r[1][2]) + "|" + str(r[1][4]), "1036|11|deux %1!");
}

TEST(Messages, DropTakesUsEnglishLastAndAllAtOnce) {
  auto s = make_state();
  run_message_calls(*s, {{"sp_addmessage", msg(50002, 16, "en"), 0, ""},
                         {"sp_addmessage", msg(50002, 16, "de", "German"), 0, ""},
                         {"sp_dropmessage", {arg("@msgnum", I(50002))}, 15280,
                          "All localized versions of this message must be dropped before the us_english version is "
                          "dropped."},
                         {"sp_dropmessage", {arg("@msgnum", I(50002)), arg("@lang", S("all"))}, 0, ""},
                         {"sp_dropmessage", {arg("@msgnum", I(50002))}, 15179, "Message number 50002 does not exist."}});
  EXPECT_TRUE(rows(*s, "SELECT 1 FROM sys_messages").empty());
}

// sp_addmessage needs sysadmin or serveradmin (ALTER SETTINGS).
TEST(Messages, AddNeedsAlterSettings) {
  auto s = test::make_payments();
  run_message_calls(*s, {{"sp_addmessage", msg(50003, 16, "x"), 15247, "User does not have permission to perform this action."}},
                    "report_reader");
}

// sp_configure and RECONFIGURE, each rule from their pages:
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-configure-transact-sql
// https://learn.microsoft.com/sql/t-sql/language-elements/reconfigure-transact-sql
std::vector<ProcArg> cfg(const std::string& name, int64_t value) {
  return {arg("@configname", S(name)), arg("@configvalue", I(value))};
}

std::string in_use(CatalogState& s, const std::string& name) {
  auto r = rows(s, "SELECT value, value_in_use FROM sys_configurations WHERE name = ?1", {S(name)});
  return r.empty() ? "none" : str(r[0][0]) + "/" + str(r[0][1]);
}

TEST(Configure, AdvancedOptionsNeedShowAdvancedOptionsAndValuesTheirRange) {
  auto s = make_state();
  run_message_calls(
      *s, {{"sp_configure", cfg("xp_cmdshell", 1), 15123,
            "The configuration option 'xp_cmdshell' does not exist, or it may be an advanced option."},
           {"sp_configure", cfg("show advanced options", 1), 0, ""}});
  EXPECT_EQ(in_use(*s, "show advanced options"), "1/0");  // configured, not yet in use
  ASSERT_TRUE(test::run_ddl(*s, "RECONFIGURE").ok);
  EXPECT_EQ(in_use(*s, "show advanced options"), "1/1");
  run_message_calls(*s, {{"sp_configure", cfg("xp_cmdshell", 2), 15129,
                          "'2' is not a valid value for configuration option 'xp_cmdshell'."},
                         {"sp_configure", cfg("max", 4), 15125, "The configuration option 'max' is not unique."},
                         // Any unique part of the name finds the option.
                         {"sp_configure", cfg("cost threshold", 50), 0, ""}});
  EXPECT_EQ(in_use(*s, "cost threshold for parallelism"), "50/5");
  ASSERT_TRUE(test::run_ddl(*s, "RECONFIGURE WITH OVERRIDE").ok);
  EXPECT_EQ(in_use(*s, "cost threshold for parallelism"), "50/50");
}

// An option that is not dynamic keeps its running value until a restart, whatever RECONFIGURE.
TEST(Configure, AnOptionThatIsNotDynamicWaitsForARestart) {
  auto s = make_state();
  run_message_calls(*s, {{"sp_configure", cfg("remote access", 0), 0, ""}});
  ASSERT_TRUE(test::run_ddl(*s, "RECONFIGURE").ok);
  EXPECT_EQ(in_use(*s, "remote access"), "0/1");
}

// A managed instance lacks the options its T-SQL differences page lists as unsupported.
TEST(Configure, ManagedInstanceHasNoXpCmdshellOrRemoteAccess) {
  auto s = make_state(8);
  EXPECT_EQ(in_use(*s, "xp_cmdshell"), "none");
  EXPECT_EQ(in_use(*s, "remote access"), "none");
  run_message_calls(*s, {{"sp_configure", cfg("remote access", 0), 15123,
                          "The configuration option 'remote access' does not exist, or it may be an advanced option."}});
}

TEST(Configure, NeedsAlterSettings) {
  auto s = test::make_payments();
  run_message_calls(*s, {{"sp_configure", cfg("clr enabled", 1), 15247,
                          "User does not have permission to perform this action."}},
                    "report_reader");
  EXPECT_EQ(test::run_ddl(*s, "RECONFIGURE", "report_reader").number, 15247);
}

}  // namespace
}  // namespace emu
