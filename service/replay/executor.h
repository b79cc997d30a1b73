// executor.h — applies a plan to a target over ODBC: many objects per batch (round trip), each
// in its own TRY…CATCH block and transaction.
//
// Each runnable action is rendered with its secrets (the only place they become literals) as
// Action::try_block(), and up to `objects_per_batch` of them (within `batch_bytes`) go to the
// target as one batch: at 30 ms a round trip, one batch per object would make a 33,000-object
// sync take 16 minutes. Each object keeps what a batch of its own gave it: its own transaction
// (rolled back in its CATCH block when it fails), its own outcome (a result row: applied, or
// SQL Server's error number and message, with every run of 8 or more characters of the action's
// secrets redacted — base/redact.h), and one failing
// object never stops or undoes another. Outcomes go to `on_outcome` in plan order once their
// batch has answered (the caller journals them). An action whose secret cannot be found is
// `blocked`, never sent with a blank.
// When a batch ends early with an error no TRY block catches (a compile error, a time-out), each
// object of it without an outcome is sent again alone, so each gets its own. A lost connection
// ends the run: the objects of the batch in flight without an outcome are `unknown` (the target
// may or may not have applied them), the rest `not_run`, and the error is returned in
// Execution::aborted — rerunning sync finishes the job (creates are guarded, alters absolute).
// An action whose dependency (Action::needs) did not apply is `blocked`, naming it ("depends on
// credential \"x\" (failed)"), and never sent to fail: a dependency with an outcome already is
// checked here; one in the same batch is checked by the batch (Action::try_block's @us_ok_<seq>),
// whose block then raises kDependencyNotApplied before touching the target.
// stop_on_error sends one object per batch (it must see each outcome before the next).
// Thread-safety: uses `conn` from the calling thread only. Ownership: borrows everything.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "replay/plan.h"
#include "tsql/sql.h"

namespace understudy::odbc {
class Connection;
}

namespace understudy::replay {

struct Outcome {
  int seq = 0;
  std::string status;  // applied | failed | blocked | incompatible | skipped | not_run | unknown
  int32_t error_number = 0;
  std::string error_message;  // SQL Server's text (never holds a secret: literals are not echoed)
  std::string started_at;
  int64_t duration_ms = 0;  // from its batch's start (or the previous object's outcome) to its own
};

struct ExecuteOptions {
  bool stop_on_error = false;
  size_t objects_per_batch = 200;  // runnable objects per batch (round trip)
  size_t batch_bytes = 512 * 1024;  // a batch stops growing past this many bytes of T-SQL
  std::function<Status(const Action&, const Outcome&)> on_outcome;  // journal hook; an error stops the run
};

struct Execution {
  std::vector<Outcome> outcomes;  // one per plan action, in plan order
  std::optional<Error> aborted;   // connection lost or journal failed: the run stopped early
  int applied = 0, failed = 0, blocked = 0;
  int batches = 0;  // batches sent to the target (round trips)
};

[[nodiscard]] Execution execute(odbc::Connection& conn, const Plan& plan, const tsql::SecretResolver& secrets,
                                const ExecuteOptions& options = {});

}  // namespace understudy::replay
