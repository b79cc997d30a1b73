// check_cutover.h — the parsers of the cutover check types (rows of check.cc's registry) and the
// helpers they share. Each type lives in its own file:
//   replication     check_replication.cc     every user database healthy, synchronizing/synchronized, lag bound
//   landing         check_landing.cc         rw listener → expected primary + READ_WRITE, ro → secondary + READ_ONLY
//   orphaned_users  check_orphaned_users.cc  no database user whose SID has no login on the target
//   freshness       check_freshness.cc       the latest primary snapshot is within the allowed age
//   tsql            check_tsql.cc            a DBA's T-SQL batch completes without error (run, then rolled back)
//   jobs_active     check_jobs_active.cc     Agent jobs enabled on the live primary only
// Their failures carry a `subject` (verdict.h): database, listener, database_user, snapshot.
// Thread-safety: the checks are immutable; run() is const and reentrant.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "gates/check.h"
#include "config/config.h"
#include "gates/evaluate.h"
#include "store/store.h"

namespace understudy::gates {

[[nodiscard]] Result<std::shared_ptr<const Check>> parse_replication(const nlohmann::json& j, const std::string& p);
[[nodiscard]] Result<std::shared_ptr<const Check>> parse_landing(const nlohmann::json& j, const std::string& p);
[[nodiscard]] Result<std::shared_ptr<const Check>> parse_orphaned_users(const nlohmann::json& j, const std::string& p);
[[nodiscard]] Result<std::shared_ptr<const Check>> parse_freshness(const nlohmann::json& j, const std::string& p);
[[nodiscard]] Result<std::shared_ptr<const Check>> parse_tsql(const nlohmann::json& j, const std::string& p);

// A `tsql` check's batch and where it runs, for gather_tsql; nullptr when `check` is another type.
struct TsqlSpec {
  std::string on;     // "target" (the pair's secondary) or "primary"
  std::string batch;  // T-SQL text
};
const TsqlSpec* tsql_spec(const Check& check);
// Key of a tsql check's result in EvalInput::tsql.
std::string tsql_input_key(const TsqlSpec& spec);
[[nodiscard]] Result<std::shared_ptr<const Check>> parse_jobs_active(const nlohmann::json& j, const std::string& p);

// The kNeedJobs input (check_jobs_active.cc): the primary's last snapshot and both instances' jobs
// read live. `primary`/`secondary`: configured instance names in their live roles.
// `snapshot`: the primary's last snapshot as report/activation.h chooses it.
[[nodiscard]] Result<JobsState> read_jobs_state(const config::Config& cfg, store::Store& store, const config::Pair& pair,
                                                const std::string& primary, const std::string& secondary,
                                                const store::SnapshotInfo& snapshot);

namespace cutover {

// The request parameter `name` when given, else `fallback` (the value of the gate file).
std::string param_or(const EvalInput& in, const std::string& name, const std::string& fallback);
// ?max_lag_seconds= when given, else `fallback`.
std::optional<int64_t> lag_param_or(const EvalInput& in, std::optional<int64_t> fallback);

// An unknown outcome of check `type` with `reason`.
CheckOutcome unknown(std::string_view type, std::string reason);
// Sets verdict and reason from the failures: fail with "<n> <what>" or pass with `pass_reason`.
void conclude(CheckOutcome& out, const std::string& what, const std::string& pass_reason);

}  // namespace cutover
}  // namespace understudy::gates
