// assemble.h — turns the catalog batch's result sets into ServerObjects (internal to
// service/catalog). One Assembler per read: feed it each result set's rows in batch order, then
// take() the objects (default exclusions marked, jobs assembled from steps/schedules/servers).
// Thread-safety: one thread.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
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
  void principal(const Columns& c, const odbc::Row& r);
  void permission(const Columns& c, const odbc::Row& r);
  void job(const Columns& c, const odbc::Row& r);
  void step(const Columns& c, const odbc::Row& r);

  bool excluded_name(const std::string& name) const;

  std::vector<Candidate> out_;
  ServerObject instance_;
  std::vector<std::string> subsystems_;
  std::unordered_set<std::string> excluded_principals_;  // folded names
  std::unordered_map<std::string, size_t> logins_;        // folded name -> index in out_
  std::unordered_set<std::string> denied_connect_;        // folded grantee names
  std::unordered_map<std::string, size_t> jobs_;          // job_id -> index in out_
};

}  // namespace understudy::catalog
