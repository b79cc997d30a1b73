// The core ("snapshot") component's schema, as forward migrations. Never edit a shipped step:
// append a new one (docs/store-schema.md).
#include "store/store.h"

namespace understudy::store {

namespace {

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
};

}  // namespace

std::span<const Migration> core_migrations() { return kCore; }

}  // namespace understudy::store
