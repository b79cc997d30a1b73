// Tests of service/config: bad files (exact messages), precedence layers, secret sources, patterns.
#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config/secrets.h"
#include "temp_dir.h"

namespace understudy::config {
namespace {

using testing::TempDir;

const char* kInstances = R"(
[instances.primary]
connection = "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=14330;UID=sa"
password_env = "PRIMARY_SA_PASSWORD"
[instances.secondary]
connection = "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=14331;UID=sa"
password_env = "SECONDARY_SA_PASSWORD"
)";

struct BadFile {
  const char* name;
  std::string toml;
  const char* message;
  const char* hint;
};

class BadFileTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(BadFileTest, NamesTheKeyAndLine) {
  const BadFile& c = GetParam();
  auto r = load_from_string(c.toml, "understudy.toml");
  ASSERT_FALSE(r) << c.name;
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(r.error().exit_code(), 78);
  EXPECT_EQ(r.error().message, c.message);
  EXPECT_EQ(r.error().hint, c.hint);
}

INSTANTIATE_TEST_SUITE_P(
    Config, BadFileTest,
    ::testing::Values(
        BadFile{"unknown_top_level_key", "stor = \"x.db\"\n", "understudy.toml:1: unknown key 'stor'",
                "known keys at the top level: store, store_password_env, store_password_file, instances, pairs, "
                "service, secrets, log"},
        BadFile{"store_url_with_a_password", "\n\nstore = \"postgresql://u:hunter2@db.example:5432/us\"\n",
                "understudy.toml:3: store: the PostgreSQL URL carries a password",
                "remove it from the URL and set store_password_env or store_password_file (docs/configuration.md)"},
        BadFile{"store_url_with_a_password_parameter",
                "store = \"postgresql://u@db.example/us?sslmode=require&password=hunter2\"\n",
                "understudy.toml:1: store: the PostgreSQL URL carries a password",
                "remove it from the URL and set store_password_env or store_password_file (docs/configuration.md)"},
        BadFile{"store_password_for_a_sqlite_store", "store = \"a.db\"\nstore_password_env = \"PW\"\n",
                "store_password_env / store_password_file are set but the store is a SQLite file (a.db)",
                "they are the password of a PostgreSQL store (store = \"postgresql://USER@HOST:PORT/DB\"); remove "
                "them"},
        BadFile{"unknown_instance_key_with_line",
                "store = \"a.db\"\n[instances.primary]\nconnection = \"DRIVER={FreeTDS};SERVER=h\"\npasword_env = \"X\"\n",
                "understudy.toml:4: unknown key 'instances.primary.pasword_env'",
                "known keys in [instances.primary]: connection, password_env, password_file, login_timeout, "
                "query_timeout"},
        BadFile{"password_in_connection_string",
                "[instances.primary]\nconnection = \"DRIVER={FreeTDS};SERVER=h;UID=sa;PWD=hunter2\"\n",
                "understudy.toml:2: instances.primary.connection contains a password (PWD=)",
                "remove PWD= from the connection string and set password_env or password_file"},
        BadFile{"password_attribute_any_case_braced",
                "[instances.primary]\nconnection = \"DRIVER={FreeTDS};SERVER=h; password = {a;b}\"\n",
                "understudy.toml:2: instances.primary.connection contains a password (PWD=)",
                "remove PWD= from the connection string and set password_env or password_file"},
        BadFile{"pair_names_undefined_instance",
                std::string(kInstances) + "[pairs.prod]\nprimary = \"primary\"\nsecondary = \"secundary\"\n",
                "understudy.toml:10: pair 'prod' names secondary instance 'secundary', which is not defined",
                "defined instances: primary, secondary"},
        BadFile{"pair_without_instances", "[pairs.prod]\nprimary = \"a\"\nsecondary = \"b\"\n",
                "understudy.toml:2: pair 'prod' names primary instance 'a', which is not defined",
                "define it in an [instances.a] table"},
        BadFile{"pair_same_instance_twice",
                std::string(kInstances) + "[pairs.prod]\nprimary = \"primary\"\nsecondary = \"primary\"\n",
                "understudy.toml:8: pair 'prod' uses instance 'primary' as both primary and secondary", ""},
        BadFile{"instance_without_connection", "[instances.primary]\npassword_env = \"X\"\n",
                "understudy.toml:1: [instances.primary] has no connection", ""},
        BadFile{"both_password_sources",
                "[instances.primary]\nconnection = \"SERVER=h\"\npassword_env = \"X\"\npassword_file = \"/x\"\n",
                "understudy.toml:1: instance 'primary' has both password_env and password_file", "keep one of them"},
        BadFile{"wrong_type", "store = 5\n", "understudy.toml:1: store must be a string", ""},
        BadFile{"bad_duration", "[service]\nsnapshot_interval = \"15 minutes\"\n",
                "understudy.toml:2: service.snapshot_interval: bad duration '15 minutes'",
                "use a number followed by s, m, h or d, e.g. 90s, 15m, 1h30m, 2d"},
        BadFile{"bad_listen", "[service]\nlisten = \"localhost\"\n",
                "understudy.toml:2: service.listen must be host:port (got 'localhost')",
                "e.g. 127.0.0.1:8470 or [::1]:8470"},
        BadFile{"unknown_kind",
                std::string(kInstances) +
                    "[pairs.prod]\nprimary = \"primary\"\nsecondary = \"secondary\"\nkinds = [\"logins\"]\n",
                "understudy.toml:11: unknown kind 'logins' in pairs.prod.kinds",
                "kinds: credential, server_role, login, server_role_member, server_permission, linked_server, "
                "linked_server_login, agent_category, agent_operator, agent_proxy, agent_schedule, agent_job, custom_message, configuration"},
        BadFile{"unknown_pair_key",
                std::string(kInstances) +
                    "[pairs.prod]\nprimary = \"primary\"\nsecondary = \"secondary\"\nmax_age = \"1h\"\n",
                "understudy.toml:11: unknown key 'pairs.prod.max_age'",
                "known keys in [pairs.prod]: primary, secondary, kinds, include, exclude, read_write_listener, "
                "read_only_listener, listener_password_env, listener_password_file, windows_to_entra, "
                "max_snapshot_age, ha_group, jobs_on_secondary"},
        BadFile{"listener_with_password",
                std::string(kInstances) +
                    "[pairs.prod]\nprimary = \"primary\"\nsecondary = \"secondary\"\n"
                    "read_only_listener = \"SERVER=l;PWD=x\"\n",
                "understudy.toml:11: pairs.prod.read_only_listener contains a password (PWD=)",
                "remove PWD= from the connection string and set password_env or password_file"},
        BadFile{"token_unknown_role", "[[service.tokens]]\nname = \"rb\"\nrole = \"admin\"\nsha256 = \"00\"\n",
                "understudy.toml:3: token 'rb' has unknown role 'admin'", "roles: runbook, auditor, operator"},
        BadFile{"token_bad_hash", "[[service.tokens]]\nname = \"rb\"\nrole = \"runbook\"\nsha256 = \"abc\"\n",
                "understudy.toml:4: token 'rb' sha256 must be 64 hex digits",
                "compute it with: printf %s \"$TOKEN\" | sha256sum"},
        BadFile{"secret_with_two_sources", "[secrets.credentials]\nVault = { env = \"A\", command = \"echo x\" }\n",
                "understudy.toml:2: secrets.credentials.Vault needs exactly one of env, file, command", ""},
        BadFile{"tls_cert_without_key", "[service]\ntls_cert = \"/etc/cert.pem\"\n",
                "service.tls_cert and service.tls_key must be set together",
                "set both for TLS, or neither for plain HTTP on loopback"},
        BadFile{"bad_log_format", "[log]\nformat = \"xml\"\n",
                "understudy.toml:2: log.format must be plain or json (got 'xml')", ""},
        BadFile{"not_toml", "store = \"x.db\"\n[instances.primary\n",
                "understudy.toml:2: error while parsing table header: expected ']', saw '\\n'",
                "the file is not valid TOML; see docs/configuration.md"}),
    [](const ::testing::TestParamInfo<BadFile>& info) { return std::string(info.param.name); });

TEST(Config, PasswordFileAccessibleByOthersIsRefused) {
  TempDir dir;
  std::string pw = dir.write("primary.pw", "s3cret\n", 0644);
  std::string cfg = dir.write("understudy.toml",
                              "[instances.primary]\nconnection = \"SERVER=h\"\npassword_file = \"primary.pw\"\n");
  auto r = load({.path = cfg, .path_required = true});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(r.error().message,
            "password_file of instance 'primary' file '" + pw + "' is accessible by group or others (mode 0644)");
  EXPECT_EQ(r.error().hint, "run: chmod 600 '" + pw + "'");
}

TEST(Config, OwnerOnlyPasswordFileIsReadRelativeToTheConfigFile) {
  TempDir dir;
  dir.write("primary.pw", "s3cret\n", 0600);
  std::string cfg = dir.write("understudy.toml",
                              "[instances.primary]\nconnection = \"SERVER=h\"\npassword_file = \"primary.pw\"\n");
  auto r = load({.path = cfg, .path_required = true});
  ASSERT_TRUE(r) << r.error().message;
  const Instance& in = r->instances.at("primary");
  EXPECT_EQ(in.password.file, dir.path() + "/primary.pw");
  auto pw = instance_password(in);
  ASSERT_TRUE(pw) << pw.error().message;
  EXPECT_EQ(pw->reveal(), "s3cret");
}

TEST(Config, MissingNamedFileIsAnErrorButMissingDefaultMeansDefaults) {
  auto named = load({.path = "/nonexistent/understudy.toml", .path_required = true});
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().message, "config file '/nonexistent/understudy.toml' does not exist");
  auto dflt = load({.path = "/nonexistent/understudy.toml", .path_required = false});
  ASSERT_TRUE(dflt);
  EXPECT_EQ(dflt->store, "understudy.db");
  EXPECT_EQ(dflt->service.listen, "127.0.0.1:8470");
  EXPECT_EQ(dflt->service.snapshot_interval, std::chrono::seconds(900));
}

// Precedence: flags > environment > file > defaults, one row per combination.
struct Precedence {
  const char* name;
  bool in_file, in_env, in_flag;
  const char* expected;
};

class PrecedenceTest : public ::testing::TestWithParam<Precedence> {};

TEST_P(PrecedenceTest, HighestLayerWins) {
  const Precedence& c = GetParam();
  std::string toml = c.in_file ? "[service]\nlisten = \"127.0.0.1:1001\"\n" : "";
  Layer env, flags;
  if (c.in_env) env.values.push_back({"service.listen", "127.0.0.1:1002", "environment variable UNDERSTUDY_LISTEN"});
  if (c.in_flag) flags.values.push_back({"service.listen", "127.0.0.1:1003", "--listen"});
  auto r = load_from_string(toml, "understudy.toml", {env, flags});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->service.listen, c.expected);
}

INSTANTIATE_TEST_SUITE_P(Config, PrecedenceTest,
                         ::testing::Values(Precedence{"defaults", false, false, false, "127.0.0.1:8470"},
                                           Precedence{"file", true, false, false, "127.0.0.1:1001"},
                                           Precedence{"env_over_file", true, true, false, "127.0.0.1:1002"},
                                           Precedence{"flag_over_env", true, true, true, "127.0.0.1:1003"},
                                           Precedence{"flag_over_file", true, false, true, "127.0.0.1:1003"},
                                           Precedence{"env_over_default", false, true, false, "127.0.0.1:1002"}),
                         [](const ::testing::TestParamInfo<Precedence>& info) { return std::string(info.param.name); });

TEST(Config, BadLayerValueNamesItsOrigin) {
  Layer flags;
  flags.values.push_back({"service.snapshot_interval", "soon", "--snapshot-interval"});
  auto r = load_from_string("", "understudy.toml", {flags});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "--snapshot-interval: service.snapshot_interval: bad duration 'soon'");
}

TEST(Config, ShippedExampleLoads) {
  auto r = load({.path = std::string(UNDERSTUDY_SOURCE_DIR) + "/understudy.toml.example", .path_required = true});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->store, std::string(UNDERSTUDY_SOURCE_DIR) + "/understudy.db");
  ASSERT_EQ(r->instances.size(), 2u);
  EXPECT_EQ(r->instances.at("primary").password.env, "PRIMARY_SA_PASSWORD");
  EXPECT_EQ(r->instances.at("primary").query_timeout_seconds, 300);
  const Pair& p = r->pairs.at("prod");
  EXPECT_EQ(p.primary, "primary");
  EXPECT_EQ(p.secondary, "secondary");
  EXPECT_EQ(p.max_snapshot_age, std::chrono::seconds(3600));
  EXPECT_EQ(p.filters.at("login").exclude, (std::vector<std::string>{"test_*", "*_tmp"}));
}

TEST(Config, FullFileRoundTripsEverySection) {
  std::string toml = std::string(kInstances) + R"(
[pairs.prod]
primary = "primary"
secondary = "secondary"
kinds = ["login", "agent_job"]
read_write_listener = "SERVER=rw"
read_only_listener = "SERVER=ro;ApplicationIntent=ReadOnly"
listener_password_env = "LISTENER_PW"
max_snapshot_age = 600
[pairs.prod.include]
agent_job = ["Nightly *"]
[pairs.prod.windows_to_entra]
"CONTOSO\\alice" = "alice@contoso.com"
[service]
listen = "0.0.0.0:9000"
tls_cert = "/etc/c.pem"
tls_key = "/etc/k.pem"
snapshot_interval = "1h30m"
gates_dir = "/etc/gates"
[[service.tokens]]
name = "ops"
role = "operator"
sha256 = "5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8"
[secrets.credentials]
Vault = { command = "echo x" }
[secrets.linked_server_logins]
"LEDGER|app" = { env = "LEDGER_PW" }
[log]
format = "json"
level = "debug"
)";
  auto r = load_from_string(toml, "understudy.toml");
  ASSERT_TRUE(r) << r.error().message;
  const Pair& p = r->pairs.at("prod");
  EXPECT_EQ(p.kinds, (std::vector<std::string>{"login", "agent_job"}));
  EXPECT_EQ(p.read_only_listener, "SERVER=ro;ApplicationIntent=ReadOnly");
  EXPECT_EQ(p.listener_password.env, "LISTENER_PW");
  EXPECT_EQ(p.max_snapshot_age, std::chrono::seconds(600));
  EXPECT_EQ(p.windows_to_entra.at("CONTOSO\\alice"), "alice@contoso.com");
  EXPECT_EQ(r->service.listen, "0.0.0.0:9000");
  EXPECT_EQ(r->service.snapshot_interval, std::chrono::seconds(5400));
  ASSERT_EQ(r->service.tokens.size(), 1u);
  EXPECT_EQ(r->service.tokens[0].role, Role::kOperator);
  EXPECT_EQ(r->service.tokens[0].sha256, "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
  EXPECT_EQ(r->secrets.credentials.at("Vault").command, "echo x");
  EXPECT_EQ(r->secrets.linked_server_logins.at("LEDGER|app").env, "LEDGER_PW");
  EXPECT_EQ(r->log.format, LogFormat::kJson);
  EXPECT_EQ(r->log.level, "debug");

  // The summary names sources and never prints a token hash.
  std::string d = describe(*r);
  EXPECT_NE(d.find("token ops: role operator, sha256 [redacted]"), std::string::npos) << d;
  EXPECT_EQ(d.find("5e884898"), std::string::npos) << d;
  EXPECT_NE(d.find("secret for credential Vault: command `echo x`"), std::string::npos) << d;
}

TEST(Config, LookupErrorsNameTheDefinedOnes) {
  auto r = load_from_string(kInstances, "understudy.toml");
  ASSERT_TRUE(r);
  auto missing = r->instance("tertiary");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "instance 'tertiary' is not defined in the config");
  EXPECT_EQ(missing.error().hint, "defined instances: primary, secondary");
  auto pair = r->pair("prod");
  ASSERT_FALSE(pair);
  EXPECT_EQ(pair.error().hint, "add a [pairs.prod] table");
}

struct Selects {
  const char* kind;
  const char* name;
  bool expected;
};

TEST(Config, PairSelectsByKindAndPattern) {
  Pair p;
  p.kinds = {"login", "agent_job"};
  p.filters["login"].exclude = {"test_*", "*_TMP"};
  p.filters["agent_job"].include = {"Nightly ?ettlement", "Ledger*"};
  const Selects cases[] = {
      {"login", "app_settlement_svc", true}, {"login", "TEST_user", false}, {"login", "scratch_tmp", false},
      {"agent_job", "Nightly settlement", true}, {"agent_job", "nightly Settlement", true},
      {"agent_job", "Nightly  settlement", false}, {"agent_job", "Ledger close", true},
      {"agent_job", "Backup", false},        {"credential", "Vault", false},
  };
  for (const auto& c : cases) EXPECT_EQ(p.selects(c.kind, c.name), c.expected) << c.kind << " " << c.name;
}

TEST(Config, Durations) {
  const std::pair<const char*, int64_t> good[] = {{"0", 0}, {"90s", 90}, {"15m", 900}, {"1h30m", 5400}, {"2d", 172800}};
  for (const auto& [text, secs] : good) {
    auto d = parse_duration(text);
    ASSERT_TRUE(d) << text;
    EXPECT_EQ(d->count(), secs) << text;
  }
  for (const char* bad : {"", "15", "m", "1x", "-5m", "15 m"}) EXPECT_FALSE(parse_duration(bad)) << bad;
  EXPECT_EQ(format_duration(std::chrono::seconds(5400)), "1h30m");
  EXPECT_EQ(format_duration(std::chrono::seconds(0)), "0s");
}

TEST(Secrets, SourcesResolveAndFailWithoutRevealing) {
  TempDir dir;
  ::setenv("UNDERSTUDY_TEST_SECRET", "from-env", 1);
  ::unsetenv("UNDERSTUDY_TEST_UNSET");
  std::string file = dir.write("s.pw", "from-file\n", 0600);
  std::string open_file = dir.write("open.pw", "x", 0640);

  auto env = resolve({.env = "UNDERSTUDY_TEST_SECRET"}, "secret of credential 'Vault'");
  ASSERT_TRUE(env);
  EXPECT_EQ(env->reveal(), "from-env");
  auto f = resolve({.file = file}, "secret of credential 'Vault'");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->reveal(), "from-file");
  auto cmd = resolve({.command = "printf 'from-command\\n'"}, "secret of credential 'Vault'");
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->reveal(), "from-command");

  auto unset = resolve({.env = "UNDERSTUDY_TEST_UNSET"}, "secret of credential 'Vault'");
  ASSERT_FALSE(unset);
  EXPECT_EQ(unset.error().message, "secret of credential 'Vault': environment variable UNDERSTUDY_TEST_UNSET is not set");
  auto failing = resolve({.command = "echo leaked; exit 3"}, "secret of credential 'Vault'");
  ASSERT_FALSE(failing);
  EXPECT_EQ(failing.error().message, "secret of credential 'Vault': command exited with status 3");
  auto open = resolve({.file = open_file}, "secret of credential 'Vault'");
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().message, "secret of credential 'Vault' file '" + open_file +
                                      "' is accessible by group or others (mode 0640)");
  auto missing = resolve({.file = dir.path() + "/none.pw"}, "password of instance 'primary'");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "password of instance 'primary': cannot read file '" + dir.path() +
                                         "/none.pw': No such file or directory");
}

}  // namespace
}  // namespace understudy::config

namespace understudy::config {
namespace {

TEST(Secrets, ConnectOptionsCarryTheResolvedPassword) {
  ::setenv("UNDERSTUDY_TEST_PRIMARY_PW", "pw}x", 1);
  auto r = load_from_string(
      "[instances.primary]\nconnection = \"SERVER=h;UID=sa\"\npassword_env = \"UNDERSTUDY_TEST_PRIMARY_PW\"\n"
      "login_timeout = 3\nquery_timeout = \"1m\"\n",
      "understudy.toml");
  ASSERT_TRUE(r) << r.error().message;
  auto o = connect_options(r->instances.at("primary"));
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->connection_string, "SERVER=h;UID=sa");
  EXPECT_EQ(o->password.reveal(), "pw}x");
  EXPECT_EQ(o->label, "primary");
  EXPECT_EQ(o->login_timeout_seconds, 3);
  EXPECT_EQ(o->query_timeout_seconds, 60);
}

}  // namespace
}  // namespace understudy::config
