// executor.h — applies a plan to a target over ODBC, one object per batch and transaction.
//
// Each runnable action is rendered with its secrets (the only place they become literals), sent
// as one batch (Action::batch: SET XACT_ABORT ON; BEGIN TRANSACTION … COMMIT, return codes
// checked, rollback + error on failure) and its outcome recorded through `on_outcome` before the
// next action starts (the caller journals it). A failing action does not stop the others unless
// stop_on_error; an action whose secret cannot be found is `blocked`, never sent with a blank.
// A lost connection ends the run: the rest is `not_run` and the error is returned in
// Execution::aborted — rerunning sync finishes the job (creates are guarded, alters absolute).
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
  std::string status;  // applied | failed | blocked | incompatible | skipped | not_run
  int32_t error_number = 0;
  std::string error_message;  // SQL Server's text (never holds a secret: literals are not echoed)
  std::string started_at;
  int64_t duration_ms = 0;
};

struct ExecuteOptions {
  bool stop_on_error = false;
  std::function<Status(const Action&, const Outcome&)> on_outcome;  // journal hook; an error stops the run
};

struct Execution {
  std::vector<Outcome> outcomes;  // one per plan action, in plan order
  std::optional<Error> aborted;   // connection lost or journal failed: the run stopped early
  int applied = 0, failed = 0, blocked = 0;
};

[[nodiscard]] Execution execute(odbc::Connection& conn, const Plan& plan, const tsql::SecretResolver& secrets,
                                const ExecuteOptions& options = {});

}  // namespace understudy::replay
