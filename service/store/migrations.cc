// The core ("snapshot") component's schema, as forward migrations. Never edit a shipped step:
// append a new one (docs/store-schema.md).
#include <iterator>
#include <string>
#include <vector>

#include "store/store.h"

namespace understudy::store {

namespace {

// Step 2's statements that are the same on SQLite and PostgreSQL, joined to each dialect's own
// statements by v2_step().
constexpr const char* kV2CreateVersions = R"sql(CREATE TABLE object_version_v2 (
  id              INTEGER PRIMARY KEY,
  instance_id     INTEGER NOT NULL REFERENCES instance(id),
  from_snapshot   INTEGER NOT NULL,
  to_snapshot     INTEGER,
  content_id      BLOB NOT NULL,
  kind            TEXT NOT NULL,
  key             TEXT NOT NULL,
  fingerprint     BLOB NOT NULL,
  fields          TEXT NOT NULL,
  volatile_fields TEXT NOT NULL
);
)sql";
constexpr const char* kV2CreateSecrets = R"sql(CREATE TABLE object_secret_v2 (
  version_id    INTEGER PRIMARY KEY REFERENCES object_version_v2(id),
  password_hash TEXT NOT NULL
);
)sql";
constexpr const char* kV2Swap = R"sql(DROP TABLE v2_interval;
DROP TABLE object_secret;
DROP TABLE object_presence;
DROP TABLE object_version;
ALTER TABLE object_version_v2 RENAME TO object_version;
ALTER TABLE object_secret_v2 RENAME TO object_secret;
CREATE INDEX object_version_open ON object_version(instance_id, to_snapshot, id, content_id);
)sql";

// Step 2 on SQLite (rowid, understudy_unhex()) and on PostgreSQL (row_number(), decode()).
constexpr const char* kV2SqliteInterval = R"sql(
CREATE TEMP TABLE v2_interval AS
  SELECT instance_id, version_id AS old_id, from_snapshot, to_snapshot FROM object_presence
  ORDER BY instance_id, from_snapshot, version_id;
)sql";
constexpr const char* kV2SqliteVersions = R"sql(INSERT INTO object_version_v2(id, instance_id, from_snapshot, to_snapshot, content_id, kind, key, fingerprint,
                              fields, volatile_fields)
  SELECT r.rowid, r.instance_id, r.from_snapshot, r.to_snapshot, v.content_id, v.kind, v.key,
         understudy_unhex(v.fingerprint), v.fields, v.volatile_fields
  FROM v2_interval r JOIN object_version v ON v.id = r.old_id ORDER BY r.rowid;
)sql";
constexpr const char* kV2SqliteSecrets = R"sql(INSERT INTO object_secret_v2(version_id, password_hash)
  SELECT r.rowid, s.password_hash FROM v2_interval r JOIN object_secret s ON s.version_id = r.old_id
  ORDER BY r.rowid;
)sql";
constexpr const char* kV2PgInterval = R"sql(
CREATE TEMP TABLE v2_interval AS
  SELECT row_number() OVER (ORDER BY instance_id, from_snapshot, version_id) AS new_id,
         instance_id, version_id AS old_id, from_snapshot, to_snapshot FROM object_presence;
)sql";
constexpr const char* kV2PgVersions = R"sql(INSERT INTO object_version_v2(id, instance_id, from_snapshot, to_snapshot, content_id, kind, key, fingerprint,
                              fields, volatile_fields)
  SELECT r.new_id, r.instance_id, r.from_snapshot, r.to_snapshot, v.content_id, v.kind, v.key,
         decode(v.fingerprint, 'hex'), v.fields, v.volatile_fields
  FROM v2_interval r JOIN object_version v ON v.id = r.old_id ORDER BY r.new_id;
)sql";
constexpr const char* kV2PgSecrets = R"sql(INSERT INTO object_secret_v2(version_id, password_hash)
  SELECT r.new_id, s.password_hash FROM v2_interval r JOIN object_secret s ON s.version_id = r.old_id;
)sql";

const std::string& v2_step(bool pg) {
  static const std::string sqlite = std::string(kV2SqliteInterval) + kV2CreateVersions + kV2SqliteVersions +
                                    kV2CreateSecrets + kV2SqliteSecrets + kV2Swap;
  static const std::string postgres = std::string(kV2PgInterval) + kV2CreateVersions + kV2PgVersions +
                                      kV2CreateSecrets + kV2PgSecrets + kV2Swap;
  return pg ? postgres : sqlite;
}

constexpr Migration kCore[] = {
    {1, "snapshots, content-addressed object versions, presence intervals, secrets",
     R"sql(
CREATE TABLE instance (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE snapshot (
  id           INTEGER PRIMARY KEY,
  instance_id  INTEGER NOT NULL REFERENCES instance(id),
  taken_at     TEXT NOT NULL,
  run_id       TEXT NOT NULL,
  server_name  TEXT NOT NULL,
  object_count INTEGER NOT NULL,
  counts       TEXT NOT NULL
);
CREATE INDEX snapshot_by_instance ON snapshot(instance_id, id);
CREATE TABLE object_version (
  id              INTEGER PRIMARY KEY,
  content_id      BLOB NOT NULL UNIQUE,
  kind            TEXT NOT NULL,
  key             TEXT NOT NULL,
  match_key       TEXT NOT NULL,
  fingerprint     TEXT NOT NULL,
  fields          TEXT NOT NULL,
  volatile_fields TEXT NOT NULL
);
CREATE TABLE object_secret (
  version_id    INTEGER PRIMARY KEY REFERENCES object_version(id),
  password_hash TEXT NOT NULL
);
CREATE TABLE object_presence (
  instance_id   INTEGER NOT NULL REFERENCES instance(id),
  version_id    INTEGER NOT NULL REFERENCES object_version(id),
  from_snapshot INTEGER NOT NULL,
  to_snapshot   INTEGER,
  PRIMARY KEY (instance_id, version_id, from_snapshot)
) WITHOUT ROWID;
CREATE INDEX object_presence_open ON object_presence(instance_id, to_snapshot);
)sql"},
    // For snapshot time at scale L: a version row belongs to one instance and carries its
    // validity interval, so a new version is one append to the table and one in-order append to
    // object_version_open, instead of a random-order insert into a UNIQUE content-id index plus a
    // presence row with two more B-trees. The fingerprint is kept as 32 raw bytes and the match
    // key (fold_name(key), cheap in C++) is no longer stored. Each v1 presence interval becomes
    // one version row (ids renumbered in (instance, from_snapshot, old id) order; secrets follow
    // their version); snapshot ids are unchanged. Tables are created, filled, then the old ones
    // dropped child first and the new ones renamed, so no foreign-key check fails while
    // foreign_keys is ON (RENAME rewrites object_secret's REFERENCES). understudy_unhex() is
    // registered by Store::open (SQLite 3.40 has no unhex()).
    {2, "version rows per instance with their validity interval; raw fingerprints; no match_key column",
     nullptr /* v2_step(false) */, nullptr /* v2_step(true) */},
    // A snapshot is written in several transactions and made visible by its last one, which sets
    // `complete` (docs/store-schema.md). Every snapshot written before was complete.
    {3, "snapshots written in several transactions: a completeness flag",
     R"sql(
ALTER TABLE snapshot ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;
)sql"},
};

}  // namespace

std::span<const Migration> core_migrations() {
  static const std::vector<Migration> all = [] {
    std::vector<Migration> out(std::begin(kCore), std::end(kCore));
    out[1].sql = v2_step(false).c_str();
    out[1].pg_sql = v2_step(true).c_str();
    return out;
  }();
  return all;
}

}  // namespace understudy::store
