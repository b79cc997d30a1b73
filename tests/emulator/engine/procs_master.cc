// procs_master.cc — master's sp_addmessage and sp_dropmessage, with the rules and errors of their
// pages:
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-addmessage-transact-sql
//   ids from 50,001; severity 1–25; an existing id and language needs @replace = 'replace';
//   another language needs the us_english version first; replacing the us_english message sets
//   the severity of every language of that id; sysadmin or serveradmin (here: ALTER SETTINGS,
//   which serveradmin holds).
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-dropmessage-transact-sql
//   @lang = 'all' drops every language; the us_english version goes last.
// Internal to the state layer. Thread-safety: caller holds the instance lock.
#include "engine/ddl_internal.h"
#include "engine/state.h"
#include "engine/procs_internal.h"
#include "engine/state_util.h"

namespace emu::st {

namespace {

constexpr int64_t kUsEnglish = 1033;

// The msglangid of a language given by name or alias (15033 when there is none).
int64_t message_language(ProcCall& c, const std::string& lang) {
  auto id = scalar(c.db(), "SELECT msglangid FROM t_languages WHERE name = ?1 OR alias = ?1 ORDER BY langid LIMIT 1",
                   {text(lang)});
  if (!id) throw SqlError{15033, "'" + lang + "' is not a valid official language name."};
  return *as_int(*id);
}

void require_alter_settings(ProcCall& c) {
  if (!has_server_permission(c.ctx(), c.db(), "ALSS"))
    throw SqlError{15247, "User does not have permission to perform this action."};
}

void sp_addmessage(ProcCall& c) {
  require_alter_settings(c);
  const auto msgnum = c.num("@msgnum");
  const auto severity = c.num("@severity");
  const auto msgtext = c.raw_str("@msgtext");
  if (!msgnum || !severity || !msgtext) {
    throw SqlError{15071, "Usage: sp_addmessage <msgnum>,<severity>,<msgtext> [,<language> [,FALSE | TRUE [,REPLACE]]]"};
  }
  if (*msgnum <= 50000) throw SqlError{15040, "User-defined error messages must have an ID greater than 50000."};
  if (*severity < 1 || *severity > 25) {
    throw SqlError{15041, "User-defined error messages must have a severity level between 1 and 25."};
  }
  const int64_t lang = message_language(c, c.str("@lang").value_or("us_english"));
  int64_t logged = 0;
  if (auto w = c.str("@with_log")) {
    if (iequals(*w, "TRUE")) {
      logged = 1;
    } else if (!iequals(*w, "FALSE")) {
      throw SqlError{15271, "Invalid @with_log parameter value. Valid values are TRUE or FALSE."};
    }
  }
  const auto replace = c.str("@replace");
  const bool replacing = replace && iequals(*replace, "replace");
  const bool exists = scalar(c.db(), "SELECT 1 FROM t_messages WHERE message_id = ?1 AND language_id = ?2",
                             {integer(*msgnum), integer(lang)}).has_value();
  if (exists && !replacing) throw SqlError{15043, "You must specify 'REPLACE' to overwrite an existing message."};
  if (lang != kUsEnglish &&
      !scalar(c.db(), "SELECT 1 FROM t_messages WHERE message_id = ?1 AND language_id = ?2",
              {integer(*msgnum), integer(kUsEnglish)})) {
    auto name = scalar(c.db(), "SELECT name FROM t_languages WHERE msglangid = ?1 ORDER BY langid LIMIT 1", {integer(lang)});
    throw SqlError{15279, "You must add the us_english version of this message before you add the '" +
                              as_text(*name).value_or("") + "' version."};
  }
  exec(c.db(),
       "INSERT INTO t_messages (message_id, language_id, severity, is_event_logged, \"text\") VALUES (?1, ?2, ?3, ?4, ?5) "
       "ON CONFLICT (message_id, language_id) DO UPDATE SET severity = ?3, is_event_logged = ?4, \"text\" = ?5",
       {integer(*msgnum), integer(lang), integer(*severity), integer(logged), text(*msgtext)});
  // "If you replace a U.S. English message, the severity level is replaced for all messages in all
  // other languages that have the same msg_id" (and event logging is the same for every language
  // of an id: sys.messages' page).
  if (lang == kUsEnglish)
    exec(c.db(), "UPDATE t_messages SET severity = ?2, is_event_logged = ?3 WHERE message_id = ?1",
         {integer(*msgnum), integer(*severity), integer(logged)});
  c.ctx().wrote = true;
}

void sp_dropmessage(ProcCall& c) {
  require_alter_settings(c);
  const auto msgnum = c.num("@msgnum");
  if (!msgnum) throw SqlError{15071, "Usage: sp_dropmessage <msgnum> [,<language> | 'all']"};
  if (*msgnum <= 50000) throw SqlError{15040, "User-defined error messages must have an ID greater than 50000."};
  const std::string lang_name = c.str("@lang").value_or("us_english");
  if (iequals(lang_name, "all")) {
    if (exec(c.db(), "DELETE FROM t_messages WHERE message_id = ?1", {integer(*msgnum)}) == 0)
      throw SqlError{15179, "Message number " + std::to_string(*msgnum) + " does not exist."};
    c.ctx().wrote = true;
    return;
  }
  const int64_t lang = message_language(c, lang_name);
  if (!scalar(c.db(), "SELECT 1 FROM t_messages WHERE message_id = ?1 AND language_id = ?2",
              {integer(*msgnum), integer(lang)}))
    throw SqlError{15179, "Message number " + std::to_string(*msgnum) + " does not exist."};
  if (lang == kUsEnglish && scalar(c.db(), "SELECT 1 FROM t_messages WHERE message_id = ?1 AND language_id <> ?2",
                                   {integer(*msgnum), integer(kUsEnglish)})) {
    throw SqlError{15280, "All localized versions of this message must be dropped before the us_english version is "
                          "dropped."};
  }
  exec(c.db(), "DELETE FROM t_messages WHERE message_id = ?1 AND language_id = ?2", {integer(*msgnum), integer(lang)});
  c.ctx().wrote = true;
}

// sp_configure @configname, @configvalue: any unique part of a name finds the option (an exact
// name first); advanced options only while 'show advanced options' is in use; the value must lie
// between the option's minimum and maximum; the new value waits for RECONFIGURE (message 15457).
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-configure-transact-sql
// The listing form (no @configvalue) returns a result set, which procedures here cannot: refused.
void sp_configure(ProcCall& c) {
  const auto name = c.str("@configname");
  const auto value = c.num("@configvalue");
  if (!name || !value) {
    throw SqlError{50000, "the emulator does not list options with sp_configure; query sys.configurations"};
  }
  require_alter_settings(c);
  const bool advanced_visible =
      scalar(c.db(), "SELECT 1 FROM t_configurations WHERE name = 'show advanced options' AND value_in_use = 1").has_value();
  const std::string visible = advanced_visible ? "" : " AND is_advanced = 0";
  auto found = query(c.db(), "SELECT configuration_id, name, value, minimum, maximum FROM t_configurations WHERE name = ?1" +
                                 visible, {text(*name)});
  if (found.empty()) {
    found = query(c.db(),
                  "SELECT configuration_id, name, value, minimum, maximum FROM t_configurations WHERE "
                  "instr(lower(name), lower(?1)) > 0" + visible,
                  {text(*name)});
  }
  if (found.empty()) {
    throw SqlError{15123, "The configuration option '" + *name + "' does not exist, or it may be an advanced option."};
  }
  if (found.size() > 1) throw SqlError{15125, "The configuration option '" + *name + "' is not unique."};
  const Row& r = found[0];
  const std::string option = as_text(r[1]).value_or("");
  if (*value < *as_int(r[3]) || *value > *as_int(r[4])) {
    throw SqlError{15129, "'" + std::to_string(*value) + "' is not a valid value for configuration option '" + option + "'."};
  }
  exec(c.db(), "UPDATE t_configurations SET value = ?2 WHERE configuration_id = ?1", {r[0], integer(*value)});
  c.info(15457, "Configuration option '" + option + "' changed from " + std::to_string(*as_int(r[2])) + " to " +
                    std::to_string(*value) + ". Run the RECONFIGURE statement to install.");
}

}  // namespace

// RECONFIGURE [WITH OVERRIDE]: the configured value of every dynamic option goes into use; the
// others wait for a restart. Not inside a user transaction (574); needs ALTER SETTINGS.
// https://learn.microsoft.com/sql/t-sql/language-elements/reconfigure-transact-sql
void reconfigure(ExecContext& ctx, sqlite3* db) {
  if (ctx.in_user_transaction) throw SqlError{574, "RECONFIGURE statement cannot be used inside a user transaction."};
  if (!has_server_permission(ctx, db, "ALSS")) throw SqlError{15247, "User does not have permission to perform this action."};
  exec(db, "UPDATE t_configurations SET value_in_use = value WHERE is_dynamic = 1 AND value_in_use <> value");
}

void add_master_procs(std::vector<ProcDef>* out) {
  out->push_back({"sp_addmessage", "master",
                  {p_int("@msgnum"), p_int("@severity"), p_str("@msgtext", 255), p_str("@lang", 128),
                   p_str("@with_log", 5, false, Value{std::string("FALSE")}), p_str("@replace", 7)},
                  sp_addmessage});
  out->push_back({"sp_dropmessage", "master", {p_int("@msgnum"), p_str("@lang", 128)}, sp_dropmessage});
  out->push_back({"sp_configure", "master", {p_str("@configname", 35), p_int("@configvalue")}, sp_configure});
}

}  // namespace emu::st

namespace emu {

std::optional<std::pair<std::string, int64_t>> CatalogState::user_message(int64_t message_id) const {
  auto rows = st::query(db_, "SELECT \"text\", severity FROM t_messages WHERE message_id = ?1 AND language_id = 1033",
                        {st::integer(message_id)});
  if (rows.empty()) return std::nullopt;
  return std::make_pair(st::as_text(rows[0][0]).value_or(""), st::as_int(rows[0][1]).value_or(16));
}

}  // namespace emu
