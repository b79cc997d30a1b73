// schema_master.cc — the part of the SQLite schema behind master's languages and custom error
// messages (see schema.cc for the layout rules).
//   sys.syslanguages: https://learn.microsoft.com/sql/relational-databases/system-compatibility-views/sys-syslanguages-transact-sql
//     (seeded with the languages the emulator knows; British shares us_english's msglangid 1033)
//   sys.messages: https://learn.microsoft.com/sql/relational-databases/system-catalog-views/messages-for-errors-catalog-views-sys-messages
//     (only user-defined messages, 50001 and up, are held: the system catalogue is not emulated)
//   sys.configurations: https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-configurations-transact-sql
//     (a subset of the options; a managed instance lacks those the T-SQL differences page lists as
//     unsupported — https://learn.microsoft.com/azure/azure-sql/managed-instance/transact-sql-tsql-differences-sql-server —
//     so sp_configure answers 15123 for them there)
#include "engine/schema.h"

#include "engine/state_util.h"

namespace emu::st {

namespace {

constexpr const char* kMasterSchema = R"SQL(
CREATE TABLE t_languages (
  langid INTEGER PRIMARY KEY,
  dateformat TEXT NOT NULL,
  datefirst INTEGER NOT NULL,
  upgrade INTEGER NOT NULL DEFAULT 0,
  name TEXT COLLATE CI NOT NULL UNIQUE,
  alias TEXT COLLATE CI NOT NULL,
  months TEXT, shortmonths TEXT, days TEXT,
  lcid INTEGER NOT NULL,
  msglangid INTEGER NOT NULL
);
CREATE VIEW sys_syslanguages AS SELECT langid, dateformat, datefirst, upgrade, name, alias, months, shortmonths,
  days, lcid, msglangid FROM t_languages;
INSERT INTO t_languages (langid, dateformat, datefirst, name, alias, months, shortmonths, days, lcid, msglangid) VALUES
 (0, 'mdy', 7, 'us_english', 'English',
  'January,February,March,April,May,June,July,August,September,October,November,December',
  'Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec', 'Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday',
  1033, 1033),
 (1, 'dmy', 1, 'Deutsch', 'German', NULL, NULL, NULL, 1031, 1031),
 (2, 'dmy', 1, 'Français', 'French', NULL, NULL, NULL, 1036, 1036),
 (3, 'ymd', 7, '日本語', 'Japanese', NULL, NULL, NULL, 1041, 1041),
 (4, 'dmy', 1, 'Dansk', 'Danish', NULL, NULL, NULL, 1030, 1030),
 (5, 'dmy', 1, 'Español', 'Spanish', NULL, NULL, NULL, 3082, 3082),
 (6, 'dmy', 1, 'Italiano', 'Italian', NULL, NULL, NULL, 1040, 1040),
 (7, 'dmy', 1, 'Nederlands', 'Dutch', NULL, NULL, NULL, 1043, 1043),
 (8, 'dmy', 1, 'Norsk', 'Norwegian', NULL, NULL, NULL, 2068, 2068),
 (9, 'dmy', 7, 'Português', 'Portuguese', NULL, NULL, NULL, 2070, 2070),
 (10, 'dmy', 1, 'Suomi', 'Finnish', NULL, NULL, NULL, 1035, 1035),
 (11, 'ymd', 1, 'Svenska', 'Swedish', NULL, NULL, NULL, 1053, 1053),
 (15, 'dmy', 1, 'Polski', 'Polish', NULL, NULL, NULL, 1045, 1045),
 (23, 'dmy', 1, 'British', 'British English', NULL, NULL, NULL, 2057, 1033);

CREATE TABLE t_messages (
  message_id INTEGER NOT NULL,
  language_id INTEGER NOT NULL,
  severity INTEGER,
  is_event_logged INTEGER,
  "text" TEXT,
  PRIMARY KEY (message_id, language_id)
);
CREATE VIEW sys_messages AS SELECT message_id, language_id, severity, is_event_logged, "text" FROM t_messages;

CREATE TABLE t_configurations (
  configuration_id INTEGER PRIMARY KEY,
  name TEXT COLLATE CI NOT NULL UNIQUE,
  value INTEGER NOT NULL,
  minimum INTEGER NOT NULL,
  maximum INTEGER NOT NULL,
  value_in_use INTEGER NOT NULL,
  description TEXT NOT NULL,
  is_dynamic INTEGER NOT NULL,
  is_advanced INTEGER NOT NULL
);
CREATE VIEW sys_configurations AS SELECT configuration_id, name, value, minimum, maximum, value_in_use, description,
  is_dynamic, is_advanced FROM t_configurations;
)SQL";

// A subset of a default install's options (name, default, minimum, maximum, dynamic, advanced):
// https://learn.microsoft.com/sql/database-engine/configure-windows/server-configuration-options-sql-server
struct ConfigOption {
  int64_t id;
  const char* name;
  int64_t value, minimum, maximum;
  int dynamic, advanced;
  bool on_managed_instance;
  const char* description;
};
constexpr ConfigOption kConfigOptions[] = {
    {101, "recovery interval (min)", 0, 0, 32767, 1, 1, true, "Maximum recovery interval in minutes"},
    {102, "allow updates", 0, 0, 1, 1, 0, false, "Allow updates to system tables"},
    {103, "user connections", 0, 0, 32767, 0, 1, true, "Number of user connections allowed"},
    {109, "fill factor (%)", 0, 0, 100, 0, 1, true, "Default fill factor percentage"},
    {115, "nested triggers", 1, 0, 1, 1, 0, true, "Allow triggers to be invoked within triggers"},
    {117, "remote access", 1, 0, 1, 0, 0, false, "Allow remote access"},
    {505, "network packet size (B)", 4096, 512, 32767, 1, 1, true, "Network packet size"},
    {518, "show advanced options", 0, 0, 1, 1, 0, true, "show advanced options"},
    {542, "remote proc trans", 0, 0, 1, 1, 0, true, "Create DTC transaction for remote procedures"},
    {1538, "cost threshold for parallelism", 5, 0, 32767, 1, 1, true, "cost threshold for parallelism"},
    {1539, "max degree of parallelism", 0, 0, 32767, 1, 1, true, "maximum degree of parallelism"},
    {1543, "min server memory (MB)", 0, 0, 2147483647, 1, 1, true, "Minimum size of server memory (MB)"},
    {1544, "max server memory (MB)", 2147483647, 128, 2147483647, 1, 1, true, "Maximum size of server memory (MB)"},
    {1547, "scan for startup procs", 0, 0, 1, 0, 1, false, "scan for startup stored procedures"},
    {1562, "clr enabled", 0, 0, 1, 1, 0, true, "CLR user code execution enabled in the server"},
    {1576, "remote admin connections", 0, 0, 1, 1, 0, true, "Dedicated Admin Connections are allowed from remote clients"},
    {1578, "filestream access level", 0, 0, 2, 1, 0, false, "Sets the FILESTREAM access level"},
    {1579, "backup compression default", 0, 0, 1, 1, 0, true, "Enable compression of backups by default"},
    {1581, "optimize for ad hoc workloads", 0, 0, 1, 1, 1, true, "When this option is set, plan cache size is further reduced for single-use adhoc OLTP workload."},
    {16387, "contained database authentication", 0, 0, 1, 1, 0, true, "Enables contained databases and contained authentication"},
    {16388, "Ole Automation Procedures", 0, 0, 1, 1, 1, true, "Enable or disable Ole Automation Procedures"},
    {16386, "Database Mail XPs", 0, 0, 1, 1, 1, true, "Enable or disable Database Mail XPs"},
    {16391, "Ad Hoc Distributed Queries", 0, 0, 1, 1, 1, true, "Enable or disable Ad Hoc Distributed Queries"},
    {16390, "xp_cmdshell", 0, 0, 1, 1, 1, false, "Enable or disable command shell"},
};

}  // namespace

void create_master_schema(sqlite3* db) { exec_script(db, kMasterSchema); }

void seed_configurations(sqlite3* db, bool managed_instance) {
  for (const auto& o : kConfigOptions) {
    if (managed_instance && !o.on_managed_instance) continue;
    exec(db, "INSERT INTO t_configurations VALUES (?1, ?2, ?3, ?4, ?5, ?3, ?6, ?7, ?8)",
         {integer(o.id), text(o.name), integer(o.value), integer(o.minimum), integer(o.maximum), text(o.description),
          integer(o.dynamic), integer(o.advanced)});
  }
}

}  // namespace emu::st
