// writes_test.cc — the real-instance lane's write test (UNDERSTUDY_REAL_ALLOW_WRITES=1): a login,
// a server role with the login as member and owner, and a disabled Agent job owned by the login,
// all named understudy_test_<random> with the hostile characters ] ' ; in their names, are
// replayed onto the SECONDARY by `sync` from a synthetic primary snapshot (the real primary is
// never written), read back exactly, synced again with nothing left to do, and dropped in a
// TearDown that runs whatever happened.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>

#include "catalog/reader.h"
#include "diff/diff.h"
#include "real_env.h"
#include "replay/sync.h"
#include "tsql/quote.h"

namespace understudy::real {
namespace {

using nlohmann::json;
using catalog::Kind;
using catalog::ServerObject;

std::string hex(const std::vector<uint8_t>& bytes) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

std::vector<uint8_t> random_bytes(size_t n) {
  std::random_device rd;
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rd());
  return out;
}

// SQL Server 2012+'s password hash: 0x0200, a 4-byte salt, SHA-512(UTF-16LE(password) + salt).
std::string password_hash(const std::string& ascii_password) {
  const auto salt = random_bytes(4);
  std::vector<uint8_t> input;
  for (char c : ascii_password) input.insert(input.end(), {static_cast<uint8_t>(c), 0});
  input.insert(input.end(), salt.begin(), salt.end());
  std::vector<uint8_t> digest(64);
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &len, EVP_sha512(), nullptr);
  return "0x0200" + hex(salt) + hex(digest);
}

class Writes : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = missing(Needs::kWrites); !why.empty()) GTEST_SKIP() << why;
    prefix_ = "understudy_test_" + hex(random_bytes(4));
    base_ = prefix_ + "_]';--";
    login_ = base_ + "login";
    role_ = base_ + "role";
    job_ = base_ + "job";
    const std::string pattern = toml_string(prefix_ + "*");
    world_ = std::make_unique<RealWorld>(
        // The synthetic primary: a name in the config whose snapshot the test writes; nothing
        // listens at its address, so a sync that tried to read it live would fail.
        "[instances.synthetic]\nconnection = \"DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=1;UID=nobody\"\n"
        "login_timeout = 2\n"
        "[pairs.writes]\nprimary = \"synthetic\"\nsecondary = \"secondary\"\n"
        "kinds = [\"server_role\", \"login\", \"server_role_member\", \"agent_job\"]\n"
        "[pairs.writes.include]\nserver_role = [" + pattern + "]\nlogin = [" + pattern + "]\n"
        "server_role_member = [" + pattern + "]\nagent_job = [" + pattern + "]\n");
    armed_ = true;
  }

  // Drops what this test may have created, in dependency order; each statement on its own so
  // one failure does not keep the others from running. Verifies that nothing is left.
  void TearDown() override {
    if (!armed_) return;
    auto connected = world_->connect("secondary");
    ASSERT_TRUE(connected) << connected.error().to_string();
    auto& conn = *connected;
    auto name = [](const std::string& n) { return *tsql::quote_name(n); };
    const std::vector<std::string> drops = {
        "IF EXISTS (SELECT 1 FROM msdb.dbo.sysjobs WHERE name = " + tsql::quote_string(job_) +
            ") EXEC msdb.dbo.sp_delete_job @job_name = " + tsql::quote_string(job_),
        "IF EXISTS (SELECT 1 FROM sys.server_role_members m JOIN sys.server_principals r ON r.principal_id = "
        "m.role_principal_id JOIN sys.server_principals l ON l.principal_id = m.member_principal_id WHERE r.name = " +
            tsql::quote_string(role_) + " AND l.name = " + tsql::quote_string(login_) + ") ALTER SERVER ROLE " +
            name(role_) + " DROP MEMBER " + name(login_),
        "IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = " + tsql::quote_string(role_) +
            " AND type = 'R') DROP SERVER ROLE " + name(role_),
        "IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = " + tsql::quote_string(login_) +
            ") DROP LOGIN " + name(login_),
    };
    for (const auto& sql : drops) {
      auto r = conn.execute(sql);
      EXPECT_TRUE(r) << sql << ": " << r.error().to_string();
    }
    const std::string like = tsql::quote_string(prefix_ + "%");
    auto left = conn.query("SELECT (SELECT COUNT(*) FROM sys.server_principals WHERE name LIKE " + like +
                           ") + (SELECT COUNT(*) FROM msdb.dbo.sysjobs WHERE name LIKE " + like + ") AS n");
    ASSERT_TRUE(left) << left.error().to_string();
    EXPECT_EQ(*odbc::as_int(left->rows.at(0).at(0)), 0) << "objects of this test are left on the secondary";
  }

  std::vector<ServerObject> synthetic_objects() const {
    std::vector<ServerObject> objects;
    auto add = [&](Kind kind, std::string key, json fields) {
      ServerObject o;
      o.kind = kind;
      o.key = std::move(key);
      o.fields = std::move(fields);
      objects.push_back(std::move(o));
    };
    add(Kind::kServerRole, role_, {{"owner_name", login_}});
    add(Kind::kLogin, login_,
        {{"type", "S"}, {"type_desc", "SQL_LOGIN"}, {"sid", "0x" + hex(random_bytes(16))}, {"is_disabled", false},
         {"default_database_name", "master"}, {"default_language_name", "us_english"},
         {"is_policy_checked", false}, {"is_expiration_checked", false}, {"deny_connect_sql", false},
         {"credential_name", nullptr}});
    objects.back().password_hash = Secret(password_hash("Ut-" + hex(random_bytes(8)) + "!x"));
    add(Kind::kServerRoleMember, role_ + "|" + login_,
        {{"role_name", role_}, {"member_name", login_}, {"member_type", "S"}});
    json step = {{"step_id", 1}, {"step_name", "step ]';--"}, {"subsystem", "TSQL"},
                 {"command", "SELECT N']'';--' AS hostile;"}, {"database_name", "master"},
                 {"database_user_name", nullptr}, {"on_success_action", 1}, {"on_success_step_id", 0},
                 {"on_fail_action", 2}, {"on_fail_step_id", 0}, {"retry_attempts", 0}, {"retry_interval", 0},
                 {"os_run_priority", 0}, {"output_file_name", nullptr}, {"flags", 0}, {"cmdexec_success_code", 0},
                 {"additional_parameters", nullptr}, {"server", nullptr}, {"proxy_name", nullptr}};
    add(Kind::kAgentJob, job_,
        {{"enabled", false}, {"description", "understudy real-lane test ]';--"},
         {"category_name", "[Uncategorized (Local)]"}, {"owner_login_name", login_},
         {"notify_level_eventlog", 0}, {"notify_level_email", 0}, {"notify_level_netsend", 0},
         {"notify_level_page", 0}, {"notify_email_operator_name", nullptr}, {"notify_netsend_operator_name", nullptr},
         {"notify_page_operator_name", nullptr}, {"delete_level", 0}, {"start_step_id", 1},
         {"steps", json::array({step})}, {"schedules", json::array()}, {"servers", json::array({"(local)"})}});
    for (auto& o : objects) o.seal();
    return objects;
  }

  replay::SyncRequest request(int64_t snapshot) const {
    replay::SyncRequest r;
    r.pair = "writes";
    r.apply = true;
    r.who = "real-lane";
    r.snapshot = snapshot;
    return r;
  }

  std::unique_ptr<RealWorld> world_;
  bool armed_ = false;
  std::string prefix_, base_, login_, role_, job_;
};

TEST_F(Writes, ObjectsWithHostileNamesAreReplayedOntoTheSecondaryAndReadBackExactly) {
  const auto objects = synthetic_objects();
  const auto cfg = world_->config();
  auto store = world_->open_store();
  auto saved = store->save_snapshot({.instance = "synthetic", .taken_at = "", .run_id = "real-lane"}, objects);
  ASSERT_TRUE(saved) << saved.error().to_string();

  auto sync = replay::sync(cfg, *store, request(saved->id));
  ASSERT_TRUE(sync) << sync.error().to_string();
  EXPECT_EQ(sync->plan.summary().create, 4) << sync->plan.to_text();
  EXPECT_TRUE(sync->converged) << sync->to_text();
  EXPECT_EQ(sync->execution.failed, 0) << sync->to_text();
  EXPECT_EQ(sync->exit_code(), 0) << sync->to_text();

  // Read back through the product's reader with the pair's filters: exactly the synthetic set.
  auto pair = cfg.pair("writes");
  ASSERT_TRUE(pair);
  auto connected = world_->connect("secondary");
  ASSERT_TRUE(connected) << connected.error().to_string();
  auto& conn = *connected;
  auto read = catalog::read_objects(conn, {.kinds = {Kind::kServerRole, Kind::kLogin, Kind::kServerRoleMember,
                                                     Kind::kAgentJob},
                                           .filters = {{Kind::kServerRole, {{prefix_ + "*"}, {}}},
                                                       {Kind::kLogin, {{prefix_ + "*"}, {}}},
                                                       {Kind::kServerRoleMember, {{prefix_ + "*"}, {}}},
                                                       {Kind::kAgentJob, {{prefix_ + "*"}, {}}}}});
  ASSERT_TRUE(read) << read.error().to_string();
  std::vector<ServerObject> back;
  for (auto& o : *read)
    if (o.kind != Kind::kInstance) back.push_back(o);
  ASSERT_EQ(back.size(), objects.size());
  for (const auto& want : objects) {
    auto it = std::find_if(back.begin(), back.end(),
                           [&](const ServerObject& o) { return o.kind == want.kind && o.key == want.key; });
    ASSERT_NE(it, back.end()) << catalog::kind_name(want.kind) << " " << want.key << " was not read back";
    EXPECT_EQ(it->fields, want.fields) << catalog::kind_name(want.kind) << " " << want.key;
    EXPECT_EQ(it->fingerprint, want.fingerprint) << catalog::kind_name(want.kind) << " " << want.key
                                                 << ": same fields, so the password hash differs";
  }
  const auto comparison = diff::compare(objects, *read);
  EXPECT_FALSE(comparison.drift()) << comparison.findings.size() << " findings, first: "
                                   << (comparison.findings.empty() ? "" : diff::to_json(comparison.findings[0]).dump());

  // Idempotent: a second sync finds nothing to do.
  auto again = replay::sync(cfg, *store, request(saved->id));
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->plan.summary().runnable(), 0) << again->plan.to_text();
  EXPECT_EQ(again->exit_code(), 0) << again->to_text();
}

}  // namespace
}  // namespace understudy::real
