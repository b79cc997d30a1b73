// Tests of service/cli through run(): exit codes and exact messages, precedence, and the tables.
#include "cli/run.h"

#include <gtest/gtest.h>

#include <set>

#include <fstream>
#include <map>
#include <sstream>

#include "../config/temp_dir.h"
#include "cli/help.h"
#include "cli/spec.h"
#include "config/config.h"

namespace understudy::cli {
namespace {

using understudy::testing::TempDir;

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome run_cli(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
  std::ostringstream out, err;
  Getenv getenv = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  int code = run(args, out, err, getenv);
  return {code, out.str(), err.str()};
}

struct Case {
  const char* name;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  int code;
  std::string err;  // exact stderr
};

class UsageTest : public ::testing::TestWithParam<Case> {};

TEST_P(UsageTest, ExitCodeAndMessage) {
  const Case& c = GetParam();
  Outcome o = run_cli(c.args, c.env);
  EXPECT_EQ(o.code, c.code);
  EXPECT_EQ(o.err, c.err);
}

const std::string kHelpHint = "HINT: run 'understudy help' for the commands\n";
const std::string kPasswordRefused =
    "error: --password is not accepted: a secret on the command line is visible in ps and shell history\n"
    "HINT: set password_env or password_file for the instance in the config file\n";

INSTANTIATE_TEST_SUITE_P(
    Cli, UsageTest,
    ::testing::Values(
        Case{"unknown_command", {"snapshoot"}, {}, 64, "error: unknown command 'snapshoot'\n" + kHelpHint},
        Case{"group_without_subcommand", {"config"}, {}, 64, "error: 'config' needs a subcommand: check\n" + kHelpHint},
        Case{"unknown_option", {"version", "--bogus"}, {}, 64,
             "error: the following argument was not expected: --bogus\n" + kHelpHint},
        Case{"secret_flag_refused", {"config", "check", "--password", "hunter2"}, {}, 64, kPasswordRefused},
        Case{"secret_flag_with_equals_refused", {"--password=hunter2", "config", "check"}, {}, 64, kPasswordRefused},
        Case{"token_flag_refused", {"config", "check", "--token", "t"}, {}, 64,
             "error: --token is not accepted: a secret on the command line is visible in ps and shell history\n"
             "HINT: configure [[service.tokens]] with the token's sha256 in the config file\n"},
        Case{"bad_enum_flag", {"config", "check", "--log-format", "xml"}, {}, 64,
             "error: --log-format must be one of plain, json (got 'xml')\n"},
        // --format accepts per command only what that command can print.
        Case{"sync_has_no_csv", {"sync", "--pair", "p", "--format", "csv"}, {}, 64,
             "error: --format must be one of table, json (got 'csv')\n"},
        Case{"gate_has_no_csv", {"gate", "g", "--pair", "p", "--format", "csv"}, {}, 64,
             "error: --format must be one of table, json (got 'csv')\n"},
        Case{"diff_has_no_html", {"diff", "--pair", "p", "--format", "html"}, {}, 64,
             "error: --format must be one of table, json, csv (got 'html')\n"},
        Case{"bad_enum_env", {"config", "check"}, {{"UNDERSTUDY_LOG_LEVEL", "loud"}}, 64,
             "error: environment variable UNDERSTUDY_LOG_LEVEL must be one of debug, info, warn, error (got 'loud')\n"},
        Case{"named_config_missing", {"config", "check", "--config", "/nonexistent/u.toml"}, {}, 78,
             "error: config file '/nonexistent/u.toml' does not exist\n"
             "HINT: see understudy.toml.example and docs/configuration.md\n"},
        Case{"config_from_env_missing", {"config", "check"}, {{"UNDERSTUDY_CONFIG", "/nonexistent/e.toml"}}, 78,
             "error: config file '/nonexistent/e.toml' does not exist\n"
             "HINT: see understudy.toml.example and docs/configuration.md\n"},
        Case{"help_unknown_topic", {"help", "nope"}, {}, 64,
             "error: unknown command 'nope'\nHINT: run 'understudy help' for the commands\n"},
        Case{"version", {"version"}, {}, 0, ""},
        Case{"help", {"help"}, {}, 0, ""},
        Case{"help_flag", {"config", "check", "--help"}, {}, 0, ""}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(Cli, NoCommandPrintsTheOverviewOnStderr) {
  Outcome o = run_cli({});
  EXPECT_EQ(o.code, 64);
  EXPECT_EQ(o.err, overview_text() + "error: no command given\n" + kHelpHint);
}

TEST(Cli, VersionAndHelpGoToStdout) {
  EXPECT_EQ(run_cli({"version"}).out, std::string("understudy ") + version() + "\n");
  EXPECT_EQ(run_cli({"help"}).out, overview_text());
  EXPECT_EQ(run_cli({"help", "config", "check"}).out, command_text(*find_command("config check")));
  EXPECT_EQ(run_cli({"config", "check", "--help"}).out, command_text(*find_command("config check")));
  EXPECT_EQ(run_cli({"help", "exit-codes"}).out, exit_codes_text());
}

TEST(Cli, ConfigCheckPrintsARedactedSummary) {
  TempDir dir;
  std::string cfg = dir.write("u.toml", R"(store = "a.db"
[instances.primary]
connection = "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=14330;UID=sa"
password_env = "UNDERSTUDY_CLI_TEST_PW"
[[service.tokens]]
name = "rb"
role = "runbook"
sha256 = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
)");
  ::setenv("UNDERSTUDY_CLI_TEST_PW", "Sup3r-Secret", 1);
  Outcome o = run_cli({"config", "check", "--config", cfg, "--resolve-secrets"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(o.out, "config: " + cfg + "\nstore: " + dir.path() +
                       "/a.db\n"
                       "instance primary: DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=14330;UID=sa\n"
                       "  password: env UNDERSTUDY_CLI_TEST_PW; login timeout 15s; query timeout 5m\n"
                       "service: listen 127.0.0.1:8470; tls off; snapshot interval 15m; gates dir (shipped gates "
                       "only)\n"
                       "  token rb: role runbook, sha256 [redacted]\n"
                       "log: plain, level info\n"
                       "password of instance 'primary': ok (env UNDERSTUDY_CLI_TEST_PW)\n"
                       "configuration ok\n");
  EXPECT_EQ(o.out.find("Sup3r-Secret"), std::string::npos);
  ::unsetenv("UNDERSTUDY_CLI_TEST_PW");
  Outcome missing = run_cli({"config", "check", "--config", cfg, "--resolve-secrets"});
  EXPECT_EQ(missing.code, 78);
  EXPECT_EQ(missing.err,
            "error: password of instance 'primary': environment variable UNDERSTUDY_CLI_TEST_PW is not set\n"
            "HINT: export UNDERSTUDY_CLI_TEST_PW before running understudy, or use a file or command source\n");
}

// A [secrets] file open to others does not stop the configuration from loading (every other
// command runs); `config check` reports it, naming the secret and the fix.
TEST(Cli, ConfigCheckReportsAnOpenSecretFileThatDoesNotStopLoading) {
  TempDir dir;
  const std::string secret = dir.write("ledger.secret", "Archive-Passw0rd!\n", 0604);
  std::string cfg = dir.write("u.toml", R"(store = "a.db"
[secrets.linked_server_logins]
'LEDGER_ARCHIVE|app_ledger_svc' = { file = 'ledger.secret' }
)");
  auto loaded = config::load({.path = cfg, .path_required = true});
  EXPECT_TRUE(loaded) << loaded.error().to_string();
  Outcome o = run_cli({"config", "check", "--config", cfg});
  EXPECT_EQ(o.code, 78) << o.out;
  EXPECT_EQ(o.err, "error: secret of linked server login 'LEDGER_ARCHIVE|app_ledger_svc' file '" + secret +
                       "' is accessible by group or others (mode 0604)\nHINT: run: chmod 600 '" + secret + "'\n");
  EXPECT_EQ(o.out.find("configuration ok"), std::string::npos);
  EXPECT_EQ((o.out + o.err).find("Archive-Passw0rd!"), std::string::npos);
}

TEST(Cli, ConfigCheckOfABadFileExits78WithLine) {
  TempDir dir;
  std::string cfg = dir.write("u.toml", "[instances.primary]\nconnection = \"SERVER=h;PWD=x\"\n");
  Outcome o = run_cli({"config", "check", "--config", cfg});
  EXPECT_EQ(o.code, 78);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "error: " + cfg + ":2: instances.primary.connection contains a password (PWD=)\n"
                       "HINT: remove PWD= from the connection string and set password_env or password_file\n");
}

// flags > environment > file > defaults, seen through the store line of `config check`.
TEST(Cli, PrecedenceOfStore) {
  TempDir dir;
  std::string cfg = dir.write("u.toml", "store = \"/file.db\"\n");
  struct Row {
    std::vector<std::string> extra;
    std::map<std::string, std::string> env;
    std::string store;
  };
  const Row rows[] = {
      {{}, {}, "/file.db"},
      {{}, {{"UNDERSTUDY_STORE", "/env.db"}}, "/env.db"},
      {{"--store", "/flag.db"}, {{"UNDERSTUDY_STORE", "/env.db"}}, "/flag.db"},
  };
  for (const auto& r : rows) {
    std::vector<std::string> args = {"config", "check", "--config", cfg};
    args.insert(args.end(), r.extra.begin(), r.extra.end());
    Outcome o = run_cli(args, r.env);
    EXPECT_EQ(o.code, 0) << o.err;
    EXPECT_NE(o.out.find("\nstore: " + r.store + "\n"), std::string::npos) << o.out;
  }
  Outcome dflt = run_cli({"config", "check", "--config", dir.write("empty.toml", "")});
  EXPECT_NE(dflt.out.find("\nstore: understudy.db\n"), std::string::npos) << dflt.out;
}

// The tables are consistent: every config key exists, env names are ours, commands have handlers.
TEST(Cli, TablesAreConsistent) {
  const auto& keys = config::settable_keys();
  for (const auto& o : options()) {
    if (!o.config_key.empty()) {
      EXPECT_NE(std::find(keys.begin(), keys.end(), o.config_key), keys.end()) << o.name;
    }
    if (!o.env.empty()) {
      EXPECT_EQ(o.env.rfind("UNDERSTUDY_", 0), 0u) << o.name;
    }
    if (o.commands != "*") {
      std::string_view list = o.commands;
      while (!list.empty()) {
        size_t comma = list.find(',');
        EXPECT_NE(find_command(list.substr(0, comma)), nullptr) << o.name << " names " << list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      }
    }
    EXPECT_FALSE(o.help.empty()) << o.name;
    if (o.secret) {
      EXPECT_TRUE(o.env.empty()) << o.name << ": a secret option reads no environment variable";
    }
  }
  // An option name may have several rows (e.g. --format: what each command can print), but never
  // two rows for one command.
  for (const auto& c : commands()) {
    std::set<std::string_view> names;
    for (const auto& o : options())
      if (applies(o, c.name)) {
        EXPECT_TRUE(names.insert(o.name).second) << c.name << " --" << o.name;
      }
  }
  for (const auto& c : commands()) {
    EXPECT_NE(c.run, nullptr) << c.name;
    EXPECT_FALSE(c.summary.empty()) << c.name;
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Docs, CliMarkdownIsCurrent) {
  EXPECT_EQ(read_file(std::string(UNDERSTUDY_SOURCE_DIR) + "/docs/cli.md"), cli_markdown())
      << "docs/cli.md is out of date; run: build/bin/understudy help --markdown > docs/cli.md";
}

TEST(Docs, ErrorsMarkdownMatchesTheErrorTable) {
  EXPECT_EQ(read_file(std::string(UNDERSTUDY_SOURCE_DIR) + "/docs/errors.md"), errors_markdown())
      << "docs/errors.md is out of date; run: build/bin/understudy help exit-codes --markdown > docs/errors.md";
  // And every row of error_codes.def appears in it by name.
  std::string doc = read_file(std::string(UNDERSTUDY_SOURCE_DIR) + "/docs/errors.md");
  std::string def = read_file(std::string(UNDERSTUDY_SOURCE_DIR) + "/service/base/error_codes.def");
  size_t pos = 0, rows = 0;
  while ((pos = def.find("\nUNDERSTUDY_ERROR(", pos)) != std::string::npos) {
    pos += 18;
    std::string name = def.substr(pos, def.find(',', pos) - pos);
    EXPECT_NE(doc.find("| `" + name + "` |"), std::string::npos) << name;
    ++rows;
  }
  EXPECT_GT(rows, 10u);
}

}  // namespace
}  // namespace understudy::cli
