// schema_master.cc — the part of the SQLite schema behind master's languages and custom error
// messages (see schema.cc for the layout rules).
//   sys.syslanguages: https://learn.microsoft.com/sql/relational-databases/system-compatibility-views/sys-syslanguages-transact-sql
//     (seeded with the languages the emulator knows; British shares us_english's msglangid 1033)
//   sys.messages: https://learn.microsoft.com/sql/relational-databases/system-catalog-views/messages-for-errors-catalog-views-sys-messages
//     (only user-defined messages, 50001 and up, are held: the system catalogue is not emulated)
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
)SQL";

}  // namespace

void create_master_schema(sqlite3* db) { exec_script(db, kMasterSchema); }

}  // namespace emu::st
