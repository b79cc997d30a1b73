// expectation.h — what a pair expects of its live secondary where that is not a copy of the
// primary. One rule today: with `jobs_on_secondary = "disabled"` (the default), an
// Agent job on the secondary is expected *disabled* — Microsoft's guidance is that a job runs only
// where the database is primary — so the source side of every comparison and replay onto the
// secondary is the primary's object with `enabled` = false. Every other field is compared as is.
// Applying it to the source (not the target) keeps the diff one function of two sets: a job enabled
// on the secondary is drift ("different", field `enabled`), a job disabled there is not, and a
// replay creates or updates the job disabled.
//
// Thread-safety: pure functions. Ownership: values in, values out; expecting() keeps a copy of
// the pair's setting and the wrapped fetch.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "catalog/object.h"
#include "config/config.h"
#include "diff/diff.h"
#include "store/store.h"

namespace understudy::drift {

// True when the pair expects replayed jobs disabled on its secondary.
bool jobs_disabled_on_secondary(const config::Pair& pair);

// The object as the secondary should hold it (re-sealed when changed).
catalog::ServerObject expected_on_secondary(const config::Pair& pair, catalog::ServerObject object);
void expect_on_secondary(const config::Pair& pair, std::vector<catalog::ServerObject>& source);

// The same for digests of stored objects: each Agent job's fingerprint is replaced by its
// expected object's, fetched through `fetch` (jobs only: a few hundred at most).
[[nodiscard]] Status expect_on_secondary(const config::Pair& pair, std::vector<catalog::ObjectDigest>& source,
                                         const diff::Fetch& fetch);
// `fetch` whose objects come back as the secondary should hold them.
diff::Fetch expecting(const config::Pair& pair, diff::Fetch fetch);

// Where jobs run — shared by `activate` (replay/activate.h) and the `jobs_active` gate check.
// The pair's Agent jobs in a snapshot: name as spelled there -> enabled.
[[nodiscard]] Result<std::map<std::string, bool>> snapshot_jobs(store::Store& store, const config::Pair& pair,
                                                                int64_t snapshot_id);
// The pair's Agent jobs on an instance, read live: folded name -> enabled.
[[nodiscard]] Result<std::map<std::string, bool>> live_jobs(const config::Config& config, const std::string& instance,
                                                            const config::Pair& pair);

}  // namespace understudy::drift
