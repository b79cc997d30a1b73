// The store: atomic snapshots, compact history, secrets kept apart, schema versions — on both
// backends (StoreTest runs each case on SQLite and on PostgreSQL; SqliteStoreTest is the file's own).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "catalog/canonical.h"
#include "store/snapshot_writer.h"
#include "store/sql.h"
#include "store/store.h"
#include "pg_server.h"

namespace understudy::store {
namespace {

using catalog::Kind;
using catalog::ServerObject;

using understudy::testing::Backend;

class StoreFixture : public ::testing::Test {
 protected:
  virtual Backend backend() const { return Backend::kSqlite; }
  void SetUp() override {
    char tmpl[] = "/tmp/understudy-store-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = understudy::testing::new_store(backend(), dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  bool pg() const { return backend() == Backend::kPostgres; }
  OpenOptions opts(OpenOptions o = {}) const { return understudy::testing::store_options(backend(), std::move(o)); }

  std::unique_ptr<Store> open_store() {
    auto s = Store::open(path_, opts());
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().to_string());
    return s ? std::move(*s) : nullptr;
  }
  int64_t count(Store& s, const std::string& table) {
    auto st = Stmt::prepare(s.db(), "SELECT count(*) FROM " + table);
    EXPECT_TRUE(st.has_value());
    EXPECT_TRUE(st->step().value());
    return st->int64(0);
  }

  std::string dir_, path_;
};

class StoreTest : public StoreFixture, public ::testing::WithParamInterface<Backend> {
 protected:
  Backend backend() const override { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return understudy::testing::backend_name(info.param); });

// What only PostgreSQL has (a database without tables; a server to lose): instantiated on it alone.
class PgStoreTest : public StoreTest {};
INSTANTIATE_TEST_SUITE_P(Backends, PgStoreTest, ::testing::Values(Backend::kPostgres),
                         [](const auto& info) { return understudy::testing::backend_name(info.param); });

using SqliteStoreTest = StoreFixture;
using StoreUrlTest = StoreFixture;  // no server needed

ServerObject make(Kind kind, std::string key, nlohmann::json fields, std::optional<std::string> hash = std::nullopt) {
  ServerObject o;
  o.kind = kind;
  o.key = std::move(key);
  o.fields = std::move(fields);
  o.volatile_fields = {{"principal_id", 260}, {"create_date", "2026-01-02 03:04:05.000"}};
  if (hash) o.password_hash = Secret(*hash);
  o.seal();
  return o;
}

std::vector<ServerObject> sample() {
  return {
      make(Kind::kInstance, "instance", {{"server_name", "PAY-PRI"}, {"engine_edition", 3}}),
      make(Kind::kLogin, "app_svc", {{"sid", "0x11"}, {"is_disabled", false}, {"type", "S"}}, "0x0200ABCD"),
      make(Kind::kLogin, "Reporting", {{"sid", "0x12"}, {"is_disabled", true}, {"type", "S"}}, "0x0200EF01"),
      make(Kind::kServerRoleMember, "sysadmin|app_svc", {{"role_name", "sysadmin"}, {"member_name", "app_svc"}}),
      make(Kind::kAgentJob, "nightly", {{"enabled", true}, {"steps", nlohmann::json::array({{{"step_id", 1}, {"command", "SELECT 1"}}})}}),
  };
}

TEST_F(SqliteStoreTest, FileIsPrivateAndInWalMode) {
  auto s = open_store();
  struct stat sb {};
  ASSERT_EQ(::stat(path_.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  auto st = Stmt::prepare(s->db(), "PRAGMA journal_mode");
  ASSERT_TRUE(st.has_value());
  ASSERT_TRUE(st->step().value());
  EXPECT_EQ(st->text(0), "wal");
  EXPECT_EQ(s->schema_version("snapshot").value(), 3);
}

TEST_P(StoreTest, SnapshotRoundTripsEveryFieldInStableOrder) {
  auto s = open_store();
  auto objects = sample();
  auto info = s->save_snapshot({.instance = "primary", .taken_at = "2026-11-27T07:00:00Z", .run_id = "r1"}, objects);
  ASSERT_TRUE(info.has_value()) << info.error().to_string();
  EXPECT_EQ(info->server_name, "PAY-PRI");
  EXPECT_EQ(info->object_count, 5);
  EXPECT_EQ(info->counts.at("login"), 2);

  auto loaded = s->load_objects(info->id);
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->size(), 5u);
  // kind order, then match key: instance, login app_svc, login reporting, member, job
  std::vector<std::string> keys;
  for (const auto& o : *loaded) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"instance", "app_svc", "Reporting", "sysadmin|app_svc", "nightly"}));
  for (const auto& o : *loaded) {
    auto it = std::find_if(objects.begin(), objects.end(), [&](const ServerObject& x) { return x.key == o.key; });
    EXPECT_EQ(o.kind, it->kind);
    EXPECT_EQ(o.fields, it->fields);
    EXPECT_EQ(o.volatile_fields, it->volatile_fields);
    EXPECT_EQ(o.fingerprint, it->fingerprint);
    EXPECT_FALSE(o.password_hash.has_value()) << "hashes only on request";
  }
  auto with = s->load_objects(info->id, {.kind = Kind::kLogin, .with_password_hashes = true});
  ASSERT_TRUE(with.has_value());
  ASSERT_EQ(with->size(), 2u);
  EXPECT_EQ((*with)[0].password_hash->reveal(), "0x0200ABCD");
}

TEST_P(StoreTest, UnchangedSnapshotStoresNoObjectAgain) {
  auto s = open_store();
  ASSERT_TRUE(s->save_snapshot({.instance = "primary"}, sample()).has_value());
  int64_t versions = count(*s, "object_version");
  auto second = s->save_snapshot({.instance = "primary"}, sample());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(count(*s, "object_version"), versions);
  EXPECT_EQ(s->load_objects(second->id)->size(), 5u);
}

TEST_P(StoreTest, HistoryKeepsEachSnapshotAsItWas) {
  auto s = open_store();
  auto first = s->save_snapshot({.instance = "primary"}, sample()).value();
  auto changed = sample();
  changed[1].fields["is_disabled"] = true;
  changed[1].seal();
  changed.pop_back();  // the job is gone
  auto second = s->save_snapshot({.instance = "primary"}, changed).value();
  auto third = s->save_snapshot({.instance = "primary"}, sample()).value();  // back as it was

  auto at = [&](int64_t id) { return s->load_objects(id).value(); };
  EXPECT_EQ(at(first.id).size(), 5u);
  EXPECT_EQ(at(first.id)[1].fields["is_disabled"], false);
  EXPECT_EQ(at(second.id).size(), 4u);
  EXPECT_EQ(at(second.id)[1].fields["is_disabled"], true);
  EXPECT_EQ(at(third.id)[1].fields["is_disabled"], false);
  // 5, + the disabled login, + the login and the job as they came back: a version row belongs to
  // one validity interval, content that comes back is stored again (docs/store-schema.md).
  EXPECT_EQ(count(*s, "object_version"), 8);
  EXPECT_EQ(s->latest_snapshot("primary").value()->id, third.id);
}

TEST_P(StoreTest, InstancesHaveSeparateHistories) {
  auto s = open_store();
  auto p = s->save_snapshot({.instance = "primary"}, sample()).value();
  auto q = s->save_snapshot({.instance = "secondary"}, {sample().data(), 1}).value();
  EXPECT_EQ(s->load_objects(p.id)->size(), 5u);
  EXPECT_EQ(s->load_objects(q.id)->size(), 1u);
  auto all = s->list_snapshots().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, q.id);  // newest first
  EXPECT_EQ(s->list_snapshots(std::string("primary"))->size(), 1u);
  EXPECT_FALSE(s->latest_snapshot("nobody").value().has_value());
}

TEST_P(StoreTest, FailedSnapshotLeavesThePreviousAsLatest) {
  auto s = open_store();
  auto first = s->save_snapshot({.instance = "primary"}, sample()).value();
  auto dup = sample();
  dup.push_back(dup[1]);
  auto r = s->save_snapshot({.instance = "primary"}, dup);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "store: duplicate login app_svc");
  EXPECT_EQ(s->latest_snapshot("primary").value()->id, first.id);
  EXPECT_EQ(s->list_snapshots()->size(), 1u);
}

TEST_P(StoreTest, StreamedSnapshotIsInvisibleUntilCommitted) {
  auto s = open_store();
  auto first = s->save_snapshot({.instance = "primary"}, sample()).value();
  {
    auto w = s->begin_snapshot({.instance = "primary"}).value();
    auto changed = sample();
    changed[1].fields["is_disabled"] = true;
    changed[1].seal();
    for (const auto& o : changed) ASSERT_TRUE(w->add(o).has_value());
    // The read failed here: the writer goes away without commit().
  }
  EXPECT_EQ(s->latest_snapshot("primary").value()->id, first.id);
  EXPECT_EQ(s->list_snapshots()->size(), 1u);
  EXPECT_EQ(count(*s, "object_version"), 5);
  EXPECT_EQ(s->load_objects(first.id).value()[1].fields["is_disabled"], false);
}

// A snapshot is committed in several transactions (snapshot_writer.h) and stays invisible until
// its last one: to another connection, to list/get/latest and to loads.
std::vector<ServerObject> logins(int n, const std::string& prefix) {
  std::vector<ServerObject> out;
  for (int i = 0; i < n; ++i)
    out.push_back(make(Kind::kLogin, prefix + std::to_string(i), {{"sid", "0x" + std::to_string(100 + i)}}, "0x0200AA"));
  return out;
}

int64_t incomplete_rows(Store& s) {
  auto st = Stmt::prepare(s.db(), "SELECT count(*) FROM object_version v JOIN snapshot n ON n.id = v.from_snapshot"
                                  " WHERE n.complete = 0");
  EXPECT_TRUE(st && st->step().value());
  return st->int64(0);
}

TEST_P(StoreTest, ASnapshotCommittedInPartsIsInvisibleUntilItsLastPart) {
  auto s = open_store();
  auto first = s->save_snapshot({.instance = "primary"}, logins(3, "a")).value();
  auto other = Store::open(path_, opts()).value();  // another connection sees the parts committed so far
  auto w = s->begin_snapshot({.instance = "primary", .commit_every = 4}).value();
  for (const auto& o : logins(100, "b")) ASSERT_TRUE(w->add(o));
  EXPECT_GT(incomplete_rows(*other), 0);
  EXPECT_EQ(other->latest_snapshot("primary").value()->id, first.id);
  EXPECT_EQ(other->list_snapshots().value().size(), 1u);
  EXPECT_EQ(other->get_snapshot(first.id + 1).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(other->load_objects(first.id + 1).error().code, ErrorCode::kNotFound);
  auto info = w->commit();
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(other->latest_snapshot("primary").value()->id, info->id);
  EXPECT_EQ(other->load_objects(info->id).value().size(), 100u);
  EXPECT_EQ(other->load_objects(first.id).value().size(), 3u);  // history as it was
  EXPECT_EQ(incomplete_rows(*other), 0);
}

TEST_P(StoreTest, AWriterThatFailsDeletesThePartsItCommitted) {
  auto s = open_store();
  auto first = s->save_snapshot({.instance = "primary"}, logins(3, "a")).value();
  int64_t versions = count(*s, "object_version"), secrets = count(*s, "object_secret");
  {
    auto w = s->begin_snapshot({.instance = "primary", .commit_every = 4}).value();
    for (const auto& o : logins(100, "b")) ASSERT_TRUE(w->add(o));
    EXPECT_GT(incomplete_rows(*s), 0);
  }  // destroyed without commit(): the read failed
  EXPECT_EQ(count(*s, "object_version"), versions);
  EXPECT_EQ(count(*s, "object_secret"), secrets);
  EXPECT_EQ(count(*s, "snapshot"), 1);
  EXPECT_EQ(s->latest_snapshot("primary").value()->id, first.id);
  auto again = s->save_snapshot({.instance = "primary"}, logins(3, "a"));  // unchanged: nothing new
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(count(*s, "object_version"), versions);
}

// A writer killed with parts committed: its rows are invisible, and the next writer deletes them
// before it starts (the kernel released its lock).
TEST_P(StoreTest, AKilledWritersPartsAreInvisibleAndTheNextWriterDeletesThem) {
  auto first = open_store()->save_snapshot({.instance = "primary"}, logins(3, "a")).value();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = Store::open(path_, opts());
    if (!s) _exit(2);
    auto w = (*s)->begin_snapshot({.instance = "primary", .commit_every = 4});
    if (!w) _exit(3);
    for (const auto& o : logins(100, "b"))
      if (!(*w)->add(o)) _exit(4);
    _exit(0);  // no destructor runs: as if killed
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  auto s = open_store();
  EXPECT_GT(incomplete_rows(*s), 0);
  EXPECT_EQ(s->latest_snapshot("primary").value()->id, first.id);
  EXPECT_EQ(s->list_snapshots().value().size(), 1u);
  auto next = s->save_snapshot({.instance = "other"}, logins(2, "c"));
  ASSERT_TRUE(next) << next.error().to_string();
  EXPECT_EQ(incomplete_rows(*s), 0);
  EXPECT_EQ(count(*s, "snapshot"), 2);
  EXPECT_EQ(s->load_objects(first.id).value().size(), 3u);
  EXPECT_TRUE(s->check_integrity());
}

TEST_P(StoreTest, OneSnapshotWriterAtATime) {
  auto s = open_store();
  auto other = Store::open(path_, opts()).value();
  auto w = s->begin_snapshot({.instance = "primary"}).value();
  auto second = other->begin_snapshot({.instance = "secondary", .lock_wait_ms = 100});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kLockHeld);
  EXPECT_EQ(second.error().message, "store " + path_ + ": another snapshot is being written to it");
  ASSERT_TRUE(w->add(logins(1, "a")[0]));
  ASSERT_TRUE(w->commit());
  auto third = other->begin_snapshot({.instance = "secondary", .lock_wait_ms = 100});
  ASSERT_TRUE(third) << third.error().to_string();
  ASSERT_TRUE((*third)->commit());
  if (pg()) return;  // a session advisory lock on PostgreSQL: no file
  struct stat st {};
  ASSERT_EQ(::stat((path_ + "-snapshot.lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_P(StoreTest, StreamedSnapshotCommitsCountsAndServerName) {
  auto s = open_store();
  auto w = s->begin_snapshot({.instance = "primary", .taken_at = "2026-11-27T10:00:00Z", .run_id = "r1"}).value();
  for (const auto& o : sample()) ASSERT_TRUE(w->add(o).has_value());
  auto info = w->commit().value();
  EXPECT_EQ(info.object_count, 5);
  EXPECT_EQ(info.server_name, "PAY-PRI");
  EXPECT_EQ(info.counts, (std::map<std::string, int64_t>{{"agent_job", 1}, {"instance", 1}, {"login", 2},
                                                       {"server_role_member", 1}}));
  auto stored = s->get_snapshot(info.id).value();
  EXPECT_EQ(stored.object_count, 5);
  EXPECT_EQ(stored.server_name, "PAY-PRI");
  EXPECT_EQ(stored.taken_at, "2026-11-27T10:00:00Z");
  EXPECT_EQ(stored.counts, info.counts);
  auto again = w->add(sample()[0]);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().message, "store: snapshot writer used after commit or failure");
}

TEST_P(StoreTest, RecordsAndTreesAreStoredAlike) {
  auto s = open_store();
  {  // first snapshot from records (the catalog reader's form)
    auto w = s->begin_snapshot({.instance = "primary"}).value();
    for (const auto& o : sample()) ASSERT_TRUE(w->add(catalog::ObjectRecord::from_object(o)).has_value());
    auto info = w->commit().value();
    EXPECT_EQ(info.server_name, "PAY-PRI");
    auto loaded = s->load_objects(info.id, {.with_password_hashes = true}).value();
    auto trees = sample();
    catalog::sort_objects(trees);
    ASSERT_EQ(loaded.size(), trees.size());
    for (size_t i = 0; i < trees.size(); ++i) {
      EXPECT_EQ(loaded[i].key, trees[i].key);
      EXPECT_EQ(loaded[i].fields, trees[i].fields);
      EXPECT_EQ(loaded[i].volatile_fields, trees[i].volatile_fields);
      EXPECT_EQ(loaded[i].fingerprint, trees[i].fingerprint);
      EXPECT_EQ(loaded[i].password_hash.has_value(), trees[i].password_hash.has_value());
    }
  }
  // The same content as trees: the same content ids, so nothing is stored again.
  auto second = s->save_snapshot({.instance = "primary"}, sample()).value();
  EXPECT_EQ(count(*s, "object_version"), 5);
  EXPECT_EQ(s->load_objects(second.id)->size(), 5u);
}

TEST_P(StoreTest, ManyNewVersionsKeepTheirSecretsAndHistory) {
  // More objects than the writer inserts per statement, so full batches and a remainder are written.
  auto many = [](int changed_every) {
    std::vector<ServerObject> out;
    for (int i = 0; i < 100; ++i) {
      bool changed = changed_every && i % changed_every == 0;
      out.push_back(make(Kind::kLogin, "login_" + std::to_string(i), {{"sid", "0x" + std::to_string(i) + (changed ? "ff" : "")}},
                         (i % 3 == 0) ? std::optional<std::string>("0x0200" + std::to_string(i) + (changed ? "new" : ""))
                                      : std::nullopt));
    }
    return out;
  };
  auto s = open_store();
  auto first = s->save_snapshot({.instance = "primary"}, many(0)).value();
  auto second = s->save_snapshot({.instance = "primary"}, many(7)).value();  // 15 changed, 5 of them with a hash
  EXPECT_EQ(count(*s, "object_version"), 115);
  EXPECT_EQ(count(*s, "object_secret"), 34 + 5);
  if (!pg()) {  // PostgreSQL checks them as rows are written
    EXPECT_EQ(count(*s, "pragma_foreign_key_check"), 0) << "written with foreign keys off, consistent all the same";
  }
  for (auto [id, changed_every] : {std::pair{first.id, 0}, std::pair{second.id, 7}}) {
    auto loaded = s->load_objects(id, {.with_password_hashes = true}).value();
    auto expected = many(changed_every);
    catalog::sort_objects(expected);
    ASSERT_EQ(loaded.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(loaded[i].key, expected[i].key);
      EXPECT_EQ(loaded[i].fields, expected[i].fields);
      EXPECT_EQ(loaded[i].password_hash ? loaded[i].password_hash->reveal() : "-",
                expected[i].password_hash ? expected[i].password_hash->reveal() : "-")
          << expected[i].key;
    }
  }
}

TEST_P(StoreTest, DigestsMatchTheObjectsAndFetchThemBack) {
  auto s = open_store();
  auto info = s->save_snapshot({.instance = "primary"}, sample()).value();
  auto objects = s->load_objects(info.id).value();
  auto digests = s->load_digests(info.id).value();
  ASSERT_EQ(digests.size(), objects.size());
  std::vector<int64_t> handles;
  for (size_t i = 0; i < objects.size(); ++i) {
    EXPECT_EQ(digests[i].kind, objects[i].kind);
    EXPECT_EQ(digests[i].match_key, objects[i].match_key());
    EXPECT_EQ(digests[i].fingerprint, catalog::fingerprint_bytes(objects[i].fingerprint));
    handles.insert(handles.begin(), digests[i].handle);  // reversed: the order asked is the order returned
  }
  auto back = s->load_versions(handles, false).value();
  ASSERT_EQ(back.size(), objects.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    EXPECT_EQ(back[i].key, objects[objects.size() - 1 - i].key);
    EXPECT_EQ(back[i].fields, objects[objects.size() - 1 - i].fields);
    EXPECT_FALSE(back[i].password_hash.has_value());
  }
  EXPECT_EQ(s->load_versions(std::vector<int64_t>{digests[1].handle}, true).value()[0].password_hash->reveal(),
            "0x0200ABCD");
  auto missing = s->load_versions(std::vector<int64_t>{424242}, false);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "store: object version 424242 does not exist");
  EXPECT_EQ(s->load_digests(999).error().message, "snapshot 999 does not exist");
}

TEST_P(StoreTest, UnknownSnapshotIsNotFound) {
  auto s = open_store();
  auto r = s->get_snapshot(42);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message, "snapshot 42 does not exist");
  EXPECT_EQ(s->load_objects(42).error().message, "snapshot 42 does not exist");
}

TEST_P(StoreTest, StoreFromANewerUnderstudyIsRefused) {
  {
    auto s = open_store();
    ASSERT_TRUE(exec(s->db(), "INSERT INTO schema_migrations VALUES ('snapshot', 4, 'from the future', 'x')").has_value());
  }
  for (bool read_only : {false, true}) {
    auto r = Store::open(path_, opts({.read_only = read_only}));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kDataErr);
    EXPECT_EQ(r.error().message, "store " + path_ + " was written by a newer understudy (schema snapshot version 4, this build knows 3)");
    EXPECT_EQ(r.error().hint, "upgrade understudy, or point the store setting at another file");
  }
}

TEST_F(SqliteStoreTest, AFileThatIsNotAStoreIsRefused) {
  std::ofstream(path_) << "this is not sqlite, it is a text file long enough to have a header........................";
  auto r = Store::open(path_);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kDataErr);
  EXPECT_EQ(r.error().message, "store " + path_ + " is not an understudy store: file is not a database");
}

TEST_P(PgStoreTest, AnEmptyDatabaseIsNotAStoreWithoutCreate) {
  for (bool read_only : {false, true}) {
    auto r = Store::open(path_, opts({.create = false, .read_only = read_only}));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(r.error().message, "store " + path_ + " has no understudy tables yet");
  }
  ASSERT_TRUE(Store::open(path_, opts()));  // created on the first read-write open
  EXPECT_TRUE(Store::open(path_, opts({.create = false})));
}

// The store's server goes away in the middle of a snapshot (parts of it already committed): the
// run fails as unavailable, nothing of it is visible, and once the server is back the next
// snapshot succeeds and removes what the failed one had committed.
TEST_P(PgStoreTest, AStoreLostMidSnapshotKeepsNothingAndTheNextSnapshotSucceeds) {
  auto first = open_store()->save_snapshot({.instance = "primary"}, logins(3, "a")).value();
  {
    auto s = open_store();
    auto w = s->begin_snapshot({.instance = "primary", .commit_every = 4}).value();
    for (const auto& o : logins(40, "b")) ASSERT_TRUE(w->add(o));  // some parts committed
    understudy::testing::PgServer* server = understudy::testing::PgServer::get();
    ASSERT_TRUE(server);
    ASSERT_TRUE(server->stop());
    Status failed;
    for (const auto& o : logins(40, "c"))
      if (failed = w->add(o); !failed) break;
    if (failed) {
      auto committed = w->commit();
      ASSERT_FALSE(committed);
      failed = tl::unexpected(committed.error());
    }
    EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable) << failed.error().to_string();
    EXPECT_NE(failed.error().message.find("the connection to the PostgreSQL store was lost"), std::string::npos)
        << failed.error().message;
  }
  ASSERT_TRUE(understudy::testing::PgServer::get());  // started again
  auto s = open_store();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->latest_snapshot("primary").value()->id, first.id);
  EXPECT_EQ(s->list_snapshots().value().size(), 1u);
  auto next = s->save_snapshot({.instance = "primary"}, logins(2, "d"));
  ASSERT_TRUE(next) << next.error().to_string();
  EXPECT_EQ(incomplete_rows(*s), 0);
  EXPECT_EQ(s->load_objects(next->id).value().size(), 2u);
  EXPECT_EQ(s->load_objects(first.id).value().size(), 3u);
}

TEST_F(StoreUrlTest, APasswordInThePostgreSQLURLIsRefused) {
  for (const char* url : {"postgresql://u:secret@localhost:5432/db", "postgresql://u@localhost/db?password=secret"}) {
    auto r = Store::open(url, opts());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kConfig);
    EXPECT_EQ(r.error().message, "store: the PostgreSQL URL carries a password");
    EXPECT_EQ(r.error().message.find("secret"), std::string::npos);
  }
}

TEST_F(StoreUrlTest, AnUnreachablePostgreSQLStoreIsUnavailable) {
  const std::string url = "postgresql://understudy@%2F" + dir_.substr(1) + "%2Fnone:5432/x?connect_timeout=2";
  auto r = Store::open(url, opts());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message.rfind("store " + url + ": cannot connect to the PostgreSQL store: ", 0), 0u)
      << r.error().message;
}

TEST_F(SqliteStoreTest, MissingStoreIsNotCreatedWhenReadOnly) {
  auto r = Store::open(path_, {.create = false});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_P(StoreTest, OtherComponentsMigrateForwardOnce) {
  static constexpr Migration kJournal[] = {
      {1, "journal", "CREATE TABLE sync_journal (id INTEGER PRIMARY KEY, note TEXT)"},
      {2, "journal pair", "ALTER TABLE sync_journal ADD COLUMN pair TEXT"},
  };
  auto s = open_store();
  ASSERT_TRUE(s->apply_migrations("journal", std::span(kJournal, 1)).has_value());
  EXPECT_EQ(s->schema_version("journal").value(), 1);
  ASSERT_TRUE(s->apply_migrations("journal", kJournal).has_value());
  ASSERT_TRUE(s->apply_migrations("journal", kJournal).has_value());  // idempotent
  EXPECT_EQ(s->schema_version("journal").value(), 2);
  auto r = s->apply_migrations("journal", std::span(kJournal, 1));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "store " + path_ + " was written by a newer understudy (schema journal version 2, this build knows 1)");
}

// Only a password changed between two snapshots (every field equal): the second snapshot holds a
// new version of that login with the new hash, the first keeps the old one, the diff between them
// sees it — a content id that ignored the hash would store nothing new and lose the change.
TEST_P(StoreTest, APasswordOnlyChangeIsANewVersionWithItsOwnHash) {
  auto s = open_store();
  auto first = s->save_snapshot({.instance = "primary"}, sample()).value();
  const int64_t versions = count(*s, "object_version");
  auto changed = sample();
  changed[1].password_hash = Secret("0x0200FEED");
  changed[1].seal();
  auto second = s->save_snapshot({.instance = "primary"}, changed).value();
  EXPECT_EQ(count(*s, "object_version"), versions + 1);
  LoadOptions lo;
  lo.with_password_hashes = true;
  auto before = s->load_objects(first.id, lo).value();
  auto after = s->load_objects(second.id, lo).value();
  ASSERT_EQ(before.size(), 5u);
  ASSERT_EQ(after.size(), 5u);
  ASSERT_TRUE(before[1].password_hash && after[1].password_hash);
  EXPECT_EQ(before[1].password_hash->reveal(), "0x0200ABCD");
  EXPECT_EQ(after[1].password_hash->reveal(), "0x0200FEED");
  EXPECT_EQ(before[1].fields, after[1].fields);
  EXPECT_NE(before[1].fingerprint, after[1].fingerprint);
  EXPECT_EQ(before[2].fingerprint, after[2].fingerprint);
}

TEST_P(StoreTest, PasswordHashesLiveOnlyInTheSecretTable) {
  auto s = open_store();
  ASSERT_TRUE(s->save_snapshot({.instance = "primary"}, sample()).has_value());
  auto st = Stmt::prepare(s->db(), "SELECT count(*) FROM object_version WHERE fields LIKE '%0x0200%' OR volatile_fields LIKE '%0x0200%'");
  ASSERT_TRUE(st.has_value());
  ASSERT_TRUE(st->step().value());
  EXPECT_EQ(st->int64(0), 0);
  EXPECT_EQ(count(*s, "object_secret"), 2);
}

}  // namespace
}  // namespace understudy::store
