// assemble.h — turns the catalog batch's result sets into ServerObjects (internal to
// service/catalog). One Assembler per read: feed it each result set's rows in batch order
// (queries.h), then take() the objects. Ids are resolved to names here through maps of the sets
// already read (principals, credentials, servers, categories, operators, proxies, schedules);
// default exclusions are marked, jobs are assembled from steps, schedule attachments and servers.
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <string>
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
  // One row of result set `id`. Throws CatalogError on a malformed row.
  void row(ResultSetId id, const Columns& c, const odbc::Row& r);
  // The objects, unsealed and unsorted. Call once, after every result set.
  std::vector<Candidate> take();

 private:
  struct Principal {
    std::string name;
    std::string type;
    bool excluded = false;
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
  Candidate& add(Kind kind, std::string key);

  std::vector<Candidate> out_;
  ServerObject instance_;
  bool have_instance_ = false;
  std::vector<std::string> subsystems_;
  Names credentials_, endpoints_, servers_, categories_, operators_, proxies_, schedule_uids_;
  std::unordered_map<int64_t, Principal> principals_;
  std::unordered_map<std::string, std::string> sid_names_;       // sid hex -> principal name
  std::unordered_map<int64_t, size_t> logins_;                  // principal_id -> index in out_
  std::vector<std::pair<size_t, int64_t>> role_owners_;          // index in out_ -> owning principal_id
  std::unordered_map<std::string, size_t> jobs_;                // job_id -> index in out_
};

}  // namespace understudy::catalog
