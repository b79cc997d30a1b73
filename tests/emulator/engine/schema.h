// schema.h — creates the state layer's SQLite schema (see schema.cc for the layout rules).
// Internal to the state layer. Thread-safety: caller holds the instance lock.
#pragma once

#include <cstdint>

struct sqlite3;

namespace emu::st {

// Creates every table and server-level view. Throws StateError.
void create_schema(sqlite3* db);
// schema_master.cc: master's languages and custom messages (called by create_schema).
void create_master_schema(sqlite3* db);
// Seeds sys.configurations with a default install's values (without the options a managed
// instance does not support when `managed_instance`).
void seed_configurations(sqlite3* db, bool managed_instance);
// Creates the per-database views db<id>_database_principals and db<id>_geo_replication_link_status.
void create_database_views(sqlite3* db, int64_t database_id);

}  // namespace emu::st
