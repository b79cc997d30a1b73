// assemble.h — turns the catalog batch's result sets into ServerObjects (internal to
// service/catalog). One Assembler per read: feed it each result set's rows in batch order
// (queries.h), call end() after each set, and every object is handed to the sink as soon as it
// is complete — most of them as their own row arrives — so a read of hundreds of thousands of
// objects holds only the name maps later rows need, not the objects (issue 3: peak memory).
// Ids are resolved to names here through maps of the sets already read (principals,
// credentials, servers, categories, operators, proxies, schedules); default exclusions are
// marked; a job is assembled from its steps, schedule attachments and servers, read before it.
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/object.h"
#include "catalog/queries.h"
#include "catalog/rows.h"

namespace understudy::catalog {

struct Candidate {
  ServerObject object;
  bool default_excluded = false;
};

class Assembler {
 public:
  using Sink = std::function<void(Candidate&&)>;
  // REQUIRES: `sink` outlives the Assembler. Objects reach it unsealed, in batch order.
  explicit Assembler(Sink sink) : sink_(std::move(sink)) {}
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
  // What sys.sql_logins adds to a login, kept until the principals arrive.
  struct SqlLogin {
    nlohmann::json is_policy_checked, is_expiration_checked;
    std::optional<std::string> password_hash;
  };
  // A job step as values in kStepColumns order (compact: no per-field keys until its job is built).
  struct Step {
    int64_t step_id = 0;
    std::vector<nlohmann::json> values;
    nlohmann::json step_uid;
  };
  struct JobParts {
    std::vector<Step> steps;
    std::vector<nlohmann::json> schedules, servers;
  };
  using Names = std::unordered_map<int64_t, std::string>;

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

  const Principal* principal_by_id(const odbc::Value& id) const;
  nlohmann::json name_by_id(const Names& names, const odbc::Value& id) const;
  nlohmann::json name_by_sid(const nlohmann::json& sid) const;
  static Candidate make(Kind kind, std::string key);
  void emit(Candidate&& c) { sink_(std::move(c)); }

  Sink sink_;
  ServerObject instance_;
  bool have_instance_ = false;
  std::vector<std::string> subsystems_;
  Names credentials_, endpoints_, servers_, categories_, operators_, proxies_, schedule_uids_;
  std::unordered_map<int64_t, Principal> principals_;
  std::unordered_map<std::string, std::string> sid_names_;       // sid hex -> principal name
  std::unordered_map<int64_t, SqlLogin> sql_logins_;             // principal_id -> details (until principals end)
  std::unordered_set<int64_t> connect_denied_;                   // DENY CONNECT SQL grantees
  std::vector<std::pair<Candidate, int64_t>> roles_;             // role, owning principal_id (until principals end)
  std::unordered_map<std::string, JobParts> job_parts_;          // job_id -> parts read before the job
};

}  // namespace understudy::catalog
