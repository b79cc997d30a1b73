#include "ops/sync.h"

#include "base/run_id.h"
#include "base/time.h"
#include "catalog/object.h"
#include "ops/audit.h"
#include "ops/gate.h"
#include "report/activation.h"

namespace understudy::ops {

report::Run sync_run(const replay::SyncReport& rep, bool apply) {
  report::Run run;
  run.type = "sync";
  run.id = rep.run_id.empty() ? new_run_id() : rep.run_id;
  auto actions = nlohmann::json::array();
  for (size_t i = 0; i < rep.plan.actions.size(); ++i) {
    const auto& a = rep.plan.actions[i];
    std::string outcome = a.runnable() ? "planned" : (a.block != replay::Block::kNone ? "blocked" : "skipped");
    if (rep.applied && i < rep.execution.outcomes.size()) outcome = rep.execution.outcomes[i].status;
    nlohmann::json aj = {{"seq", a.seq},   {"kind", catalog::kind_name(a.kind)}, {"key", a.key},
                         {"op", replay::operation_name(a.op)}, {"finding", a.finding}, {"reason", a.reason},
                         {"outcome", outcome}};
    if (!a.name.empty()) aj["name"] = a.name;
    if (!a.blocked.empty()) aj["blocked"] = a.blocked;
    if (rep.applied && i < rep.execution.outcomes.size() && !rep.execution.outcomes[i].error_message.empty())
      aj["error"] = rep.execution.outcomes[i].error_message;
    actions.push_back(aj);
  }
  auto s = rep.plan.summary();
  run.status = rep.exit_code() == 0 || (!apply && rep.exit_code() == 1) ? "succeeded" : "failed";
  run.result = {{"apply", apply},
                {"source_snapshot", rep.plan.source_snapshot ? nlohmann::json(*rep.plan.source_snapshot) : nlohmann::json(nullptr)},
                {"source", rep.plan.source},
                {"target", rep.plan.target},
                {"reversed", rep.plan.reversed},
                {"direction", rep.plan.direction},
                {"summary", {{"create", s.create}, {"alter", s.alter}, {"drop", s.drop}, {"disable", s.disable},
                             {"incompatible", s.incompatible}, {"blocked", s.blocked}, {"skipped", s.skipped}}},
                {"applied", rep.execution.applied},
                {"failed", rep.execution.failed},
                {"converged", rep.converged},
                {"exit_code", rep.exit_code()},
                {"actions", actions}};
  return run;
}

Result<SyncRun> sync(Context& ctx, const gates::GateSet& gates, const replay::SyncRequest& req,
                     const std::string& actor) {
  auto pair_lock = ctx.try_lock_pair(req.pair);
  if (!pair_lock.owns_lock())
    return fail(ErrorCode::kLockHeld, "a sync of pair '" + req.pair + "' is running", "wait for it and retry");
  auto pair = ctx.config().pair(req.pair);
  if (!pair) return tl::unexpected(pair.error());
  US_TRY(ctx.records_ready());
  std::string started_at = format_utc(ctx.now());
  replay::SyncRequest request = req;
  if (!request.progress) request.progress = ctx.progress_sink();
  // Incompatible objects the pair's gates accept (an unexpired exception) do not keep the sync
  // from converging (replay/sync.h).
  request.accepted = accepted_exceptions(gates, req.pair, ctx.now());
  // The sync audits its intent before the first write and its outcome at the end.
  request.audit = [&](const std::string& action, const std::string& run_id, const nlohmann::json& detail) -> Status {
    return audit_append(ctx, {0, "", actor, action, req.pair, run_id, detail, "", ""});
  };
  // Reads and writes the target: on a store connection of its own (Context::own_store).
  auto rep = [&]() -> Result<replay::SyncReport> {
    auto own = ctx.own_store();
    if (!own) return tl::unexpected(own.error());
    auto due = report::activation_due(ctx.config(), **own, **pair);
    if (!due) return tl::unexpected(due.error());
    request.activation = *due;  // a role change: the jobs are activated first (report/activation.h)
    return replay::sync(ctx.config(), **own, request);
  }();
  std::string finished_at = format_utc(ctx.now());
  if (!rep) {
    report::Run run;
    run.id = new_run_id();
    run.type = "sync";
    run.pair = req.pair;
    run.actor = actor;
    run.started_at = started_at;
    run.finished_at = finished_at;
    run.status = "failed";
    run.result = {{"apply", req.apply}, {"error", rep.error().message}};
    US_TRY(ctx.with_store([&](store::Store& s) { return report::save_run(s, run); }));
    return tl::unexpected(rep.error());
  }
  SyncRun out{sync_run(*rep, req.apply), std::move(*rep)};
  out.run.pair = req.pair;
  out.run.actor = actor;
  out.run.started_at = started_at;
  out.run.finished_at = finished_at;
  US_TRY(ctx.with_store([&](store::Store& s) { return report::save_run(s, out.run); }));
  if (out.report.applied && out.report.activation) {
    US_TRY(ctx.with_store([&](store::Store& s) {
      return report::record_activation(s, req.pair, actor, out.run.id, *out.report.activation);
    }));
  }
  return out;
}

}  // namespace understudy::ops
