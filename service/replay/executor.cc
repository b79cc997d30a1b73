// executor.cc — see executor.h.
#include "replay/executor.h"

#include "odbc/connection.h"
#include "replay/planner.h"

namespace understudy::replay {
namespace {

std::string status_of_block(const Action& a) {
  if (a.block == Block::kIncompatible) return "incompatible";
  if (a.block != Block::kNone) return "blocked";
  return "skipped";
}

// Server messages can quote text near an error; make sure none quotes a secret of this action.
std::string scrub(std::string message, const Action& a, const tsql::SecretResolver& secrets) {
  for (const auto& ref : a.secrets()) {
    auto v = secrets(ref);
    if (!v || !*v || (*v)->empty()) continue;
    const std::string& needle = (*v)->reveal();
    for (size_t at = message.find(needle); at != std::string::npos; at = message.find(needle, at)) {
      message.replace(at, needle.size(), Secret::redacted());
    }
  }
  return message;
}

}  // namespace

Execution execute(odbc::Connection& conn, const Plan& plan, const tsql::SecretResolver& secrets,
                  const ExecuteOptions& options) {
  Execution ex;
  bool stop = false;
  for (const auto& a : plan.actions) {
    Outcome o;
    o.seq = a.seq;
    o.started_at = utc_now();
    if (stop) {
      o.status = "not_run";
    } else if (!a.runnable()) {
      o.status = status_of_block(a);
      if (a.block != Block::kNone) o.error_message = a.blocked;
    } else {
      const auto t0 = std::chrono::steady_clock::now();
      auto text = a.batch().render_literal(secrets);
      if (!text) {
        o.status = "blocked";
        o.error_message = text.error().message;
      } else {
        auto r = conn.execute(*text);
        if (r) {
          o.status = "applied";
        } else {
          o.status = "failed";
          o.error_number = r.error().native;
          o.error_message = scrub(r.error().message, a, secrets);
          if (r.error().code == ErrorCode::kUnavailable) {
            ex.aborted = r.error();
            stop = true;
          }
          if (options.stop_on_error) stop = true;
        }
      }
      o.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    }
    if (o.status == "applied") ++ex.applied;
    if (o.status == "failed") ++ex.failed;
    if (o.status == "blocked") ++ex.blocked;
    if (options.on_outcome) {
      if (auto s = options.on_outcome(a, o); !s) {
        if (!ex.aborted) ex.aborted = s.error();
        stop = true;
      }
    }
    ex.outcomes.push_back(std::move(o));
  }
  return ex;
}

}  // namespace understudy::replay
