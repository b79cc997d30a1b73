// A damaged store is never used: pages of a store file are overwritten (as a failing disk or a
// stray write would), then `understudy snapshot` must refuse to write into it and `snapshots
// list` must not print an empty list with exit 0. Both exit 72 (kStoreDamaged, docs/errors.md)
// naming the damage, and the file is left as it was.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <iterator>

#include "../catalog/cli_util.h"
#include "store/sql.h"
#include "store/store.h"

namespace understudy::store {
namespace {

using testing::TempDir;
using testing::understudy;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

enum class Damage {
  kGarbage,  // the whole page overwritten with bytes that are not a B-tree page
  kNoCells,  // only the page header's cell count zeroed: queries see an empty table, no error
};

// Damages the root page of `table`. The store is closed (its WAL checkpointed into the file) first.
void damage_root_page(const std::string& db, const std::string& table, Damage how) {
  int64_t page = 0, page_size = 0;
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_wal_checkpoint_v2(h, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, ("SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master WHERE name = '" +
                         table + "'").c_str(), -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW) << table;
  page = sqlite3_column_int64(st, 0);
  page_size = sqlite3_column_int64(st, 1);
  sqlite3_finalize(st);
  sqlite3_close(h);
  ASSERT_GT(page, 1);
  std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
  if (how == Damage::kNoCells) {
    f.seekp((page - 1) * page_size + 3);  // B-tree page header: bytes 3-4 hold the number of cells
    f.write("\0\0", 2);
    return;
  }
  f.seekp((page - 1) * page_size);
  std::string junk(static_cast<size_t>(page_size), '\x5a');
  f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
}

TEST(DamagedStore, SnapshotRefusesToWriteIntoIt) {
  for (Damage how : {Damage::kNoCells, Damage::kGarbage}) {
    TempDir dir;
    emu::TestServer primary({.fixture = emu::fixture_path("payments-primary.json")});
    testing::write_config(dir, {{"primary", &primary}});
    ASSERT_EQ(understudy(dir, {"snapshot", "--instance", "primary"}).exit_code, 0);
    std::string db = dir.file("understudy.db");
    damage_root_page(db, "object_version", how);
    std::string before = read_all(db);

    auto r = understudy(dir, {"snapshot", "--instance", "primary"});
    EXPECT_EQ(r.exit_code, 72) << r.out << r.err;
    EXPECT_NE(r.err.find("is damaged"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("restore the store from a backup"), std::string::npos) << r.err;
    EXPECT_EQ(read_all(db), before) << "something was written into the damaged store";
  }
}

// With the snapshot table's root page showing no rows, the list was empty and the exit 0.
TEST(DamagedStore, SnapshotsListFailsInsteadOfPrintingAnEmptyList) {
  for (Damage how : {Damage::kNoCells, Damage::kGarbage}) {
    TempDir dir;
    emu::TestServer primary({.fixture = emu::fixture_path("payments-primary.json")});
    testing::write_config(dir, {{"primary", &primary}});
    ASSERT_EQ(understudy(dir, {"snapshot", "--instance", "primary"}).exit_code, 0);
    damage_root_page(dir.file("understudy.db"), "snapshot", how);
    for (std::string format : {"table", "json", "csv"}) {
      auto r = understudy(dir, {"snapshots", "list", "--format", format});
      EXPECT_EQ(r.exit_code, 72) << format << "\n" << r.out << r.err;
      EXPECT_NE(r.err.find("is damaged"), std::string::npos) << r.err;
      EXPECT_EQ(r.out, "") << "a damaged store listed as if sound";
    }
  }
}

// The library face: opening a damaged store for writing is refused; a sound one opens.
TEST(DamagedStore, OpenForWritingChecksIntegrity) {
  TempDir dir;
  std::string db = dir.file("s.db");
  {
    auto s = Store::open(db);
    ASSERT_TRUE(s) << s.error().to_string();
    ASSERT_TRUE((*s)->check_integrity());
    ASSERT_TRUE((*s)->check_integrity("snapshot"));
  }
  damage_root_page(db, "object_version", Damage::kGarbage);
  auto s = Store::open(db, {.create = false});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kStoreDamaged) << s.error().to_string();
  auto ro = Store::open(db, {.create = false, .read_only = true});
  ASSERT_TRUE(ro) << ro.error().to_string();  // reading is the user's choice; checking says why
  auto check = (*ro)->check_integrity("object_version");
  ASSERT_FALSE(check);
  EXPECT_EQ(check.error().code, ErrorCode::kStoreDamaged);
}

// A store left as a checked open left it is not read whole again (store/check_stamp.h): the next
// open checks only the small tables. Any write to the file since — another program's, a damaged
// page — makes the next open check it whole, and a damaged file is refused as before.
TEST(DamagedStore, FullCheckOnlyWhenTheFileChangedSinceTheLastCheck) {
  TempDir dir;
  std::string db = dir.file("s.db");
  {
    auto s = Store::open(db);
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ((*s)->open_check(), OpenCheck::kFull);
  }
  {
    auto s = Store::open(db, {.create = false});
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ((*s)->open_check(), OpenCheck::kUnchanged);
    ASSERT_TRUE((*s)->save_snapshot({.instance = "primary"}, {}));  // its own writes stay vouched for
  }
  {
    auto ro = Store::open(db, {.create = false, .read_only = true});
    ASSERT_TRUE(ro) << ro.error().to_string();
    EXPECT_EQ((*ro)->open_check(), OpenCheck::kNone);
    auto unchecked = Store::open(db, {.create = false, .check_integrity = false});
    ASSERT_TRUE(unchecked) << unchecked.error().to_string();
    EXPECT_EQ((*unchecked)->open_check(), OpenCheck::kNone);
  }
  {
    auto s = Store::open(db, {.create = false});
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ((*s)->open_check(), OpenCheck::kUnchanged);
  }
  // Another program writes to the file (through SQLite: the file stays sound).
  {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h, "CREATE TABLE someone_else (x); PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(h);
  }
  {
    auto s = Store::open(db, {.create = false});
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ((*s)->open_check(), OpenCheck::kFull);
  }
  // Damaged right after a checked open left it: refused, and refused again.
  damage_root_page(db, "object_version", Damage::kGarbage);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto s = Store::open(db, {.create = false});
    ASSERT_FALSE(s) << attempt;
    EXPECT_EQ(s.error().code, ErrorCode::kStoreDamaged) << s.error().to_string();
  }
}

}  // namespace
}  // namespace understudy::store
