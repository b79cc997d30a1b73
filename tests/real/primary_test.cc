// primary_test.cc — the real-instance lane, read-only tests against UNDERSTUDY_REAL_PRIMARY:
// connect, instance facts, a snapshot in a bounded number of round trips, keys and fingerprints,
// no password hash in any rendered output, and an unchanged second snapshot that stores nothing
// new. Nothing here writes to the primary: the only statements sent are SELECTs.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <regex>
#include <set>

#include "catalog/reader.h"
#include "real_env.h"
#include "request_counter.h"

namespace understudy::real {
namespace {

class Primary : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = missing(Needs::kPrimary); !why.empty()) GTEST_SKIP() << why;
    world_ = std::make_unique<RealWorld>();
  }

  // `understudy snapshot --instance primary`; returns the new snapshot's id.
  int64_t take_snapshot() {
    auto r = world_->understudy({"snapshot", "--instance", "primary"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    std::smatch m;
    if (!std::regex_search(r.out, m, std::regex("^snapshot ([0-9]+) of primary \\(.*\\): [0-9]+ objects at "))) {
      ADD_FAILURE() << "unexpected snapshot output: " << r.out;
      return 0;
    }
    return std::stoll(m[1].str());
  }

  std::unique_ptr<RealWorld> world_;
};

int64_t scalar_int(understudy::store::Db& db, const std::string& sql) {
  auto st = understudy::store::Stmt::prepare(db, sql);
  if (!st) return -1;
  auto row = st->step();
  return row && *row ? st->int64(0) : -1;
}

TEST_F(Primary, ConnectsWithTheConfiguredStringAndPassword) {
  auto connected = world_->connect("primary");
  ASSERT_TRUE(connected) << connected.error().to_string();
  auto& conn = *connected;
  auto rs = conn.query("SELECT CAST(@@SERVERNAME AS nvarchar(128)) AS server_name, SUSER_SNAME() AS login_name");
  ASSERT_TRUE(rs) << rs.error().to_string();
  ASSERT_EQ(rs->rows.size(), 1u);
  ASSERT_NE(odbc::as_text(rs->rows[0][1]), nullptr) << "SUSER_SNAME() returned no name";
}

TEST_F(Primary, InstanceFactsAreReadAsTheServerReportsThem) {
  auto connected = world_->connect("primary");
  ASSERT_TRUE(connected) << connected.error().to_string();
  auto& conn = *connected;
  auto rs = conn.query(
      "SELECT CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition, "
      "CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version");
  ASSERT_TRUE(rs) << rs.error().to_string();
  ASSERT_EQ(rs->rows.size(), 1u);
  const int64_t* edition = odbc::as_int(rs->rows[0][0]);
  const std::string* version = odbc::as_text(rs->rows[0][1]);
  ASSERT_NE(edition, nullptr);
  ASSERT_NE(version, nullptr);
  // SQL Server (1 personal, 2 standard, 3 enterprise, 4 express) or Managed Instance (8): the
  // targets Understudy supports. Azure SQL Database (5) has no server-level objects to keep.
  EXPECT_TRUE(std::set<int64_t>({1, 2, 3, 4, 8}).count(*edition)) << "EngineEdition " << *edition;
  EXPECT_TRUE(std::regex_match(*version, std::regex("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+"))) << *version;

  auto objects = catalog::read_objects(conn, {.kinds = {catalog::Kind::kInstance}});
  ASSERT_TRUE(objects) << objects.error().to_string();
  ASSERT_EQ(objects->size(), 1u);
  const auto& instance = objects->front();
  EXPECT_EQ(instance.kind, catalog::Kind::kInstance);
  EXPECT_EQ(instance.key, "instance");
  EXPECT_EQ(instance.fields.value("engine_edition", nlohmann::json()), nlohmann::json(*edition));
  EXPECT_EQ(instance.fields.value("product_version", nlohmann::json()), nlohmann::json(*version));
}

TEST_F(Primary, AFullReadIsOneRequestWhateverTheObjectCount) {
  auto connected = world_->connect("primary");
  ASSERT_TRUE(connected) << connected.error().to_string();
  auto& conn = *connected;
  const RequestCount before = request_count();
  auto objects = catalog::read_objects(conn);
  const RequestCount after = request_count();
  ASSERT_TRUE(objects) << objects.error().to_string();
  EXPECT_EQ(after.connects - before.connects, 0u);
  // One batch of set-based queries (design invariant 2), however many objects the server holds.
  EXPECT_EQ(after.requests - before.requests, 1u) << objects->size() << " objects";

  // The whole `understudy snapshot` command: one login, a bounded handful of requests.
  const RequestCount cli_before = request_count();
  ASSERT_GT(take_snapshot(), 0);
  const RequestCount cli_after = request_count();
  EXPECT_EQ(cli_after.connects - cli_before.connects, 1u);
  EXPECT_LE(cli_after.requests - cli_before.requests, 3u);
}

TEST_F(Primary, EveryStoredObjectHasAKeyAndTheFingerprintOfItsContent) {
  const int64_t id = take_snapshot();
  ASSERT_GT(id, 0);
  auto store = world_->open_store();
  auto info = store->get_snapshot(id);
  ASSERT_TRUE(info) << info.error().to_string();
  auto objects = store->load_objects(id, {.with_password_hashes = true});
  ASSERT_TRUE(objects) << objects.error().to_string();
  ASSERT_EQ(static_cast<int64_t>(objects->size()), info->object_count);
  EXPECT_FALSE(info->server_name.empty());
  std::set<std::pair<catalog::Kind, std::string>> seen;
  size_t instances = 0;
  for (const auto& o : *objects) {
    const std::string what = std::string(catalog::kind_name(o.kind)) + " '" + o.key + "'";
    EXPECT_FALSE(o.key.empty()) << what;
    EXPECT_TRUE(std::regex_match(o.fingerprint, std::regex("[0-9a-f]{64}"))) << what << ": " << o.fingerprint;
    catalog::ServerObject resealed = o;
    resealed.seal();
    EXPECT_EQ(resealed.fingerprint, o.fingerprint) << what << ": the stored fingerprint is not of the stored content";
    EXPECT_TRUE(seen.insert({o.kind, o.match_key()}).second) << what << " appears twice";
    if (o.kind == catalog::Kind::kInstance) ++instances;
  }
  EXPECT_EQ(instances, 1u);
}

TEST_F(Primary, NoPasswordHashInAnyRenderedSnapshot) {
  const int64_t id = take_snapshot();
  ASSERT_GT(id, 0);
  auto store = world_->open_store();
  const auto hashes = password_hashes(*store, id);
  if (hashes.empty())
    GTEST_SKIP() << "the primary's login read no password hash (reading sys.sql_logins.password_hash needs "
                    "CONTROL SERVER): nothing to look for";
  for (const std::string format : {"json", "csv", "table"}) {
    auto r = world_->understudy({"snapshots", "show", std::to_string(id), "--format", format});
    ASSERT_EQ(r.exit_code, 0) << format << ": " << r.err;
    EXPECT_EQ(leaked_hashes(r.out + r.err, hashes), std::vector<std::string>{}) << format;
    EXPECT_EQ(r.out.find("password_hash"), std::string::npos) << format;
  }
  auto list = world_->understudy({"snapshots", "list", "--format", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(leaked_hashes(list.out, hashes), std::vector<std::string>{});
}

TEST_F(Primary, ASecondSnapshotStoresOnlyWhatChanged) {
  const int64_t first = take_snapshot();
  ASSERT_GT(first, 0);
  int64_t versions_after_first = 0;
  {
    auto store = world_->open_store();
    versions_after_first = scalar_int(store->db(), "SELECT COUNT(*) FROM object_version");
  }
  const int64_t second = take_snapshot();
  ASSERT_GT(second, first);
  auto store = world_->open_store();
  auto a = store->load_objects(first, {.with_password_hashes = true});
  auto b = store->load_objects(second, {.with_password_hashes = true});
  ASSERT_TRUE(a && b);
  // Content as the store addresses it (docs/store-schema.md: kind, key, fields, volatile fields,
  // password hash).
  auto content = [](const catalog::ServerObject& o) {
    return std::string(catalog::kind_name(o.kind)) + "\n" + o.key + "\n" + o.fields.dump() + "\n" +
           o.volatile_fields.dump() + "\n" + (o.password_hash ? o.password_hash->reveal() : "");
  };
  std::set<std::string> before;
  for (const auto& o : *a) before.insert(content(o));
  std::vector<std::string> changed;
  for (const auto& o : *b)
    if (!before.count(content(o))) changed.push_back(std::string(catalog::kind_name(o.kind)) + " " + o.key);
  // The second snapshot adds exactly the objects whose content changed in between: nothing on a
  // quiet server (volatile fields such as an Agent job's date_modified count as content).
  // (docs/store-schema.md: a version row per instance and validity interval.)
  const int64_t versions_added = scalar_int(store->db(), "SELECT COUNT(*) FROM object_version") - versions_after_first;
  const int64_t opened_at_second =
      scalar_int(store->db(), "SELECT COUNT(*) FROM object_version WHERE from_snapshot = " + std::to_string(second));
  EXPECT_EQ(opened_at_second, static_cast<int64_t>(changed.size())) << ::testing::PrintToString(changed);
  EXPECT_EQ(versions_added, static_cast<int64_t>(changed.size())) << ::testing::PrintToString(changed);
}

}  // namespace
}  // namespace understudy::real
