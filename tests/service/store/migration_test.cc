// Core schema migration 1 -> 2: a store written by schema 1 (content-addressed versions shared
// between instances, presence intervals) reads exactly as before once migrated, and its next
// unchanged snapshot writes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "base/sha256.h"
#include "catalog/canonical.h"
#include "store/sql.h"
#include "store/store.h"

namespace understudy::store {
namespace {

using catalog::Kind;
using catalog::ServerObject;

ServerObject v1_object(Kind kind, std::string key, nlohmann::json fields, std::optional<std::string> hash = std::nullopt) {
  ServerObject o;
  o.kind = kind;
  o.key = std::move(key);
  o.fields = std::move(fields);
  o.volatile_fields = {{"principal_id", 260}};
  if (hash) o.password_hash = Secret(*hash);
  o.seal();
  return o;
}

// The content id schema 1 stored (and schema 2 keeps): SHA-256 of kind, key, fields, volatile
// fields (JSON text), "H" and the password hash, NUL-separated.
std::string content_id(const ServerObject& o) {
  std::string data(catalog::kind_name(o.kind));
  data.push_back('\0');
  data += o.key;
  data.push_back('\0');
  catalog::append_json_text(o.fields, data);
  data.push_back('\0');
  catalog::append_json_text(o.volatile_fields, data);
  data.push_back('\0');
  if (o.password_hash) data += "H" + o.password_hash->reveal();
  return understudy::sha256_raw(data);
}

struct V1Presence {
  int64_t instance_id;
  int version;  // index into the versions
  int64_t from_snapshot;
  std::optional<int64_t> to_snapshot;
};

class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/understudy-migration-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/understudy.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes a schema-1 store as understudy 1 did: its SQL, then rows.
  void write_v1(const std::vector<ServerObject>& versions, const std::vector<V1Presence>& presence) {
    sqlite3* handle = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &handle), SQLITE_OK);
    Db db(handle);  // closes it at the end of this scope, after the statements below
    auto run = [&](const std::string& sql) { ASSERT_TRUE(exec(db, sql).has_value()) << sqlite3_errmsg(handle) << "\n" << sql; };
    run("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; BEGIN");
    run("CREATE TABLE schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL, PRIMARY KEY (component, version))");
    run(core_migrations()[0].sql);
    run("INSERT INTO schema_migrations VALUES ('snapshot', 1, 'v1', '2026-11-01T00:00:00Z')");
    run("INSERT INTO instance(id, name) VALUES (1, 'primary'), (2, 'secondary')");
    run(R"(INSERT INTO snapshot VALUES
        (1, 1, '2026-11-01T01:00:00Z', 'r1', 'PAY-PRI', 4, '{"agent_job":1,"instance":1,"login":1,"server_role_member":1}'),
        (2, 2, '2026-11-01T02:00:00Z', 'r2', '', 1, '{"login":1}'),
        (3, 1, '2026-11-01T03:00:00Z', 'r3', 'PAY-PRI', 3, '{"instance":1,"login":1,"server_role_member":1}'),
        (4, 1, '2026-11-01T04:00:00Z', 'r4', 'PAY-PRI', 4, '{"agent_job":1,"instance":1,"login":1,"server_role_member":1}'))");
    auto ins = Stmt::prepare(db, "INSERT INTO object_version(id, content_id, kind, key, match_key, fingerprint, fields,"
                                 " volatile_fields) VALUES (?,?,?,?,?,?,?,?)").value();
    auto sec = Stmt::prepare(db, "INSERT INTO object_secret(version_id, password_hash) VALUES (?,?)").value();
    for (size_t i = 0; i < versions.size(); ++i) {
      const auto& o = versions[i];
      auto id = static_cast<int64_t>(100 + i);  // schema 1 ids, unlike the migrated ones
      ins.bind(1, id).bind_blob(2, content_id(o)).bind(3, catalog::kind_name(o.kind)).bind(4, o.key);
      std::string fields, volatile_fields;
      catalog::append_json_text(o.fields, fields);
      catalog::append_json_text(o.volatile_fields, volatile_fields);
      ins.bind(5, o.match_key()).bind(6, o.fingerprint).bind(7, fields).bind(8, volatile_fields);
      ASSERT_TRUE(ins.run().has_value()) << sqlite3_errmsg(handle);
      if (o.password_hash) {
        ASSERT_TRUE(sec.bind(1, id).bind(2, o.password_hash->reveal()).run().has_value());
      }
    }
    auto pres = Stmt::prepare(db, "INSERT INTO object_presence VALUES (?,?,?,?)").value();
    for (const auto& p : presence) {
      pres.bind(1, p.instance_id).bind(2, static_cast<int64_t>(100 + p.version)).bind(3, p.from_snapshot);
      if (p.to_snapshot) pres.bind(4, *p.to_snapshot);
      ASSERT_TRUE(pres.run().has_value()) << sqlite3_errmsg(handle);
    }
    run("COMMIT");
  }

  std::string dir_, path_;
};

int64_t scalar(Store& s, const std::string& sql) {
  auto st = Stmt::prepare(s.db(), sql).value();
  EXPECT_TRUE(st.step().value()) << sql;
  return st.int64(0);
}

// What a snapshot holds, as comparable text: kind, key, fingerprint, fields, volatile fields, hash.
std::multiset<std::string> contents(const std::vector<ServerObject>& objects) {
  std::multiset<std::string> out;
  for (const auto& o : objects)
    out.insert(std::string(catalog::kind_name(o.kind)) + " " + o.key + " " + o.fingerprint + " " + o.fields.dump() +
               " " + o.volatile_fields.dump() + " " + (o.password_hash ? o.password_hash->reveal() : "-"));
  return out;
}

TEST_F(MigrationTest, SchemaOneStoreReadsAsBeforeAndItsNextUnchangedSnapshotWritesNothing) {
  const std::vector<ServerObject> v = {
      v1_object(Kind::kInstance, "instance", {{"server_name", "PAY-PRI"}}),                         // 0
      v1_object(Kind::kLogin, "App_Svc", {{"sid", "0x11"}, {"is_disabled", false}}, "0x0200AB"),     // 1: both instances
      v1_object(Kind::kLogin, "App_Svc", {{"sid", "0x11"}, {"is_disabled", true}}, "0x0200CD"),      // 2: 1 changed, new hash
      v1_object(Kind::kAgentJob, "nightly", {{"enabled", true}}),                                   // 3: gone in 3, back in 4
      v1_object(Kind::kServerRoleMember, "sysadmin|App_Svc", {{"role_name", "sysadmin"}}),          // 4
  };
  write_v1(v, {
                  {1, 0, 1, std::nullopt},
                  {1, 1, 1, 3},
                  {2, 1, 2, std::nullopt},
                  {1, 2, 3, std::nullopt},
                  {1, 3, 1, 3},
                  {1, 3, 4, std::nullopt},
                  {1, 4, 1, std::nullopt},
              });
  const std::map<int64_t, std::vector<ServerObject>> expected = {
      {1, {v[0], v[1], v[3], v[4]}},
      {2, {v[1]}},
      {3, {v[0], v[2], v[4]}},
      {4, {v[0], v[2], v[3], v[4]}},
  };

  auto s = Store::open(path_).value();
  EXPECT_EQ(s->schema_version("snapshot").value(), 3);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  // One row per presence interval; the secrets followed their versions.
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM object_version"), 7);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM object_secret"), 3);

  auto list = s->list_snapshots().value();
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].id, 4);
  EXPECT_EQ(list[0].instance, "primary");
  EXPECT_EQ(list[0].taken_at, "2026-11-01T04:00:00Z");
  EXPECT_EQ(list[0].object_count, 4);
  EXPECT_EQ(list[2].instance, "secondary");
  EXPECT_EQ(list[2].counts, (std::map<std::string, int64_t>{{"login", 1}}));

  for (const auto& [id, objects] : expected) {
    auto loaded = s->load_objects(id, {.with_password_hashes = true}).value();
    EXPECT_EQ(contents(loaded), contents(objects)) << "snapshot " << id;
    auto digests = s->load_digests(id).value();
    ASSERT_EQ(digests.size(), loaded.size()) << "snapshot " << id;
    std::vector<int64_t> handles;
    for (size_t i = 0; i < digests.size(); ++i) {
      EXPECT_EQ(digests[i].kind, loaded[i].kind);
      EXPECT_EQ(digests[i].match_key, loaded[i].match_key());
      EXPECT_EQ(digests[i].fingerprint, catalog::fingerprint_bytes(loaded[i].fingerprint));
      handles.push_back(digests[i].handle);
    }
    EXPECT_EQ(contents(s->load_versions(handles, true).value()), contents(objects)) << "snapshot " << id;
  }
  EXPECT_FALSE(s->load_objects(1).value()[1].password_hash.has_value()) << "hashes only on request";

  // The content ids were carried: the primary as it was at snapshot 4 adds a snapshot row only.
  auto again = s->save_snapshot({.instance = "primary"}, expected.at(4)).value();
  EXPECT_EQ(again.id, 5);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM object_version"), 7);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM object_version WHERE to_snapshot = 5"), 0);
  EXPECT_EQ(contents(s->load_objects(5, {.with_password_hashes = true}).value()), contents(expected.at(4)));
}

TEST_F(MigrationTest, AnOlderStoreOpenedReadOnlyIsRefusedUntilMigrated) {
  write_v1({}, {});
  auto r = Store::open(path_, {.read_only = true});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kDataErr);
  EXPECT_EQ(r.error().message, "store " + path_ + " has an older schema (snapshot version 1, this build reads 3)");
  EXPECT_EQ(r.error().hint, "open it once read-write (`understudy snapshots list` upgrades it)");
  ASSERT_TRUE(Store::open(path_).has_value());
  EXPECT_TRUE(Store::open(path_, {.read_only = true}).has_value());
}

TEST_F(MigrationTest, MigratedSchemaIsTheSchemaOfANewStore) {
  write_v1({}, {});
  auto names = [](const std::string& path) {
    auto s = Store::open(path).value();
    std::set<std::string> out;
    auto st = Stmt::prepare(s->db(), "SELECT type || ' ' || name || ' ' || tbl_name FROM sqlite_master").value();
    while (st.step().value()) out.insert(st.text(0));
    return out;
  };
  auto migrated = names(path_);
  EXPECT_EQ(migrated, names(dir_ + "/new.db"));
  EXPECT_EQ(migrated.count("index object_version_open object_version"), 1u);
}

}  // namespace
}  // namespace understudy::store
