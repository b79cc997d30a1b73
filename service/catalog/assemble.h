// assemble.h — turns the catalog batch's result sets into object records (internal to
// service/catalog). One Assembler per read: feed it each result set's rows in batch order
// (queries.h), call end() after each set, and every object is handed to the sink as soon as it
// is complete — most of them as their own row arrives — so a read of hundreds of thousands of
// objects holds only the name maps later rows need, not the objects (to bound peak memory).
// Objects are written as text (object_text.h, record.h), never as JSON trees (to save CPU).
// Ids are resolved to names here through maps of the sets already read (principals,
// credentials, servers, categories, operators, proxies, schedules); default exclusions are
// marked; a job is assembled from its steps, schedule attachments and servers, read before it.
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "catalog/object_text.h"
#include "catalog/queries.h"
#include "catalog/record.h"
#include "catalog/rows.h"

namespace understudy::catalog {

struct Candidate {
  ObjectRecord record;
  bool default_excluded = false;
};

class Assembler {
 public:
  // The sink may take the candidate's record (swap or move it out); the Assembler clears it
  // before writing the next object into it, so swapping in a spent record recycles its buffers.
  using Sink = std::function<void(Candidate&)>;
  // REQUIRES: `sink` outlives the Assembler. Objects reach it in batch order.
  explicit Assembler(Sink sink) : sink_(std::move(sink)), tomorrow_yyyymmdd_(tomorrow_utc_yyyymmdd()) {}
  // One row of result set `id`. Throws CatalogError on a malformed row (and whatever the sink throws).
  void row(ResultSetId id, const Columns& c, const odbc::Row& r);
  // After the last row of result set `id`: hands on what that set completed.
  void end(ResultSetId id);

 private:
  struct Principal {
    std::string name;
    std::string type;
    bool excluded = false;
  };
  // What sys.sql_logins adds to a login, kept until the principals arrive (JSON text).
  struct SqlLogin {
    std::string is_policy_checked, is_expiration_checked;
    std::optional<std::string> password_hash;
  };
  // A job step, rendered (its JSON object and canonical form, "" when the same), until its job
  // arrives: at scale L, 50,000 of them.
  struct Step {
    int64_t step_id = 0;
    std::string text, canonical, step_uid;
  };
  // A schedule attachment or job server: the JSON of a name (or null), and its canonical form.
  struct NameJson {
    std::string text, canonical;
  };
  struct JobParts {
    std::vector<Step> steps;
    std::vector<NameJson> schedules, servers;
  };
  // A user-defined role, held until every principal (its possible owners) is read.
  struct PendingRole {
    std::string name, volatile_fields;
    int64_t owner = -1;
    bool excluded = false;
  };
  using Names = std::unordered_map<int64_t, std::string>;

  void instance(const Columns& c, const odbc::Row& r);
  void credential(const Columns& c, const odbc::Row& r);
  void category(const Columns& c, const odbc::Row& r);
  void principal(const Columns& c, const odbc::Row& r);
  void sql_login(const Columns& c, const odbc::Row& r);
  void member(const Columns& c, const odbc::Row& r);
  void permission(const Columns& c, const odbc::Row& r);
  void server(const Columns& c, const odbc::Row& r);
  void linked_login(const Columns& c, const odbc::Row& r);
  void operator_row(const Columns& c, const odbc::Row& r);
  void proxy(const Columns& c, const odbc::Row& r);
  void schedule(const Columns& c, const odbc::Row& r);
  void job(const Columns& c, const odbc::Row& r);
  void step(const Columns& c, const odbc::Row& r);
  // assemble_master.cc: master's custom messages (and their languages).
  void language(const Columns& c, const odbc::Row& r);
  void message(const Columns& c, const odbc::Row& r);
  void configuration(const Columns& c, const odbc::Row& r);

  const Principal* principal_by_id(const odbc::Value& id) const;
  static const std::string* name_by_id(const Names& names, const odbc::Value& id);
  const std::string* name_by_sid(const std::string* sid) const;
  // Starts the next object: clears the current record and names it.
  ObjectRecord& start(Kind kind, std::string_view key);
  // Writes the fields and volatile fields put so far into the current record and hands it on.
  void emit(bool default_excluded = false);

  // YYYYMMDD of tomorrow (UTC) when the read starts: weekly and monthly schedules starting no later
  // are compared without their start date (the Agent replaces a past one by the current date).
  static int64_t tomorrow_utc_yyyymmdd();

  Sink sink_;
  int64_t tomorrow_yyyymmdd_;
  Candidate current_;
  ObjectText fields_{true}, volatile_{false}, step_text_{true};
  std::string scratch_;
  ObjectText instance_{true};  // the instance's fields, until its subsystems are read
  bool have_instance_ = false;
  std::vector<std::string> subsystems_;
  Names credentials_, endpoints_, servers_, categories_, operators_, proxies_, schedule_uids_;
  std::unordered_set<int64_t> remote_servers_;  // sys.servers ids with is_linked = 0
  Names target_servers_;  // msdb.dbo.systargetservers: what sysjobservers.server_id names
  Names subsystem_names_;  // syssubsystems: subsystem_id -> name
  // Who may use each proxy (read before the proxies): subsystems, and logins or fixed server roles
  // (sysproxylogin by SID), by name.
  std::unordered_map<int64_t, std::vector<NameJson>> proxy_subsystems_, proxy_principals_;
  // Availability groups as securables: group_id -> name, then replica_metadata_id -> group name
  // (class 108 permissions name the group by its replica's metadata id).
  std::unordered_map<std::string, std::string> availability_groups_;
  Names availability_group_by_replica_;
  std::unordered_map<int64_t, Principal> principals_;
  std::unordered_map<std::string, std::string> sid_names_;  // sid hex -> principal name
  std::unordered_map<int64_t, SqlLogin> sql_logins_;        // principal_id -> details (until principals end)
  std::unordered_set<int64_t> connect_denied_;              // DENY CONNECT SQL grantees
  std::vector<PendingRole> roles_;
  std::unordered_map<std::string, JobParts> job_parts_;  // job_id -> parts read before the job
  // sys.syslanguages: msglangid -> (langid, name) of the language with the lowest langid (British
  // shares us_english's 1033): what sp_addmessage's @lang takes for a sys.messages language_id.
  std::unordered_map<int64_t, std::pair<int64_t, std::string>> message_languages_;
};

}  // namespace understudy::catalog
