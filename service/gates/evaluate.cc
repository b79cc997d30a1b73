#include "gates/evaluate.h"

#include <algorithm>
#include <map>

#include "gates/check.h"

namespace understudy::gates {

bool Gate::applies_to(const std::string& pair) const {
  return std::any_of(pairs.begin(), pairs.end(), [&](const std::string& p) { return p == "*" || p == pair; });
}

unsigned gate_needs(const Gate& gate) {
  unsigned n = 0;
  for (const auto& c : gate.checks) n |= c->needs();
  return n;
}

namespace {

bool same_object(const Failure& a, const Failure& b) {
  return a.subject == b.subject && a.kind == b.kind && catalog::fold_name(a.key) == catalog::fold_name(b.key);
}

std::string summarize_failures(const std::vector<Failure>& failures) {
  // "3 failures: 2 login missing, 1 agent_job missing"
  std::map<std::pair<int, std::string>, std::pair<std::string, int>> counts;
  int rank = 0;
  std::map<catalog::Kind, int> ranks;
  for (auto k : catalog::kAllKinds) ranks[k] = rank++;
  for (const auto& f : failures) {
    auto& slot = counts[{f.subject.empty() ? ranks[f.kind] : rank, f.subject + ' ' + f.problem}];
    slot.first = std::string(failure_kind(f)) + " " + f.problem;
    slot.second++;
  }
  std::string out = std::to_string(failures.size()) + (failures.size() == 1 ? " failure: " : " failures: ");
  bool first = true;
  for (const auto& [k, v] : counts) {
    if (!first) out += ", ";
    first = false;
    out += std::to_string(v.second) + " " + v.first;
  }
  return out;
}

}  // namespace

GateResult evaluate(const Gate& gate, const EvalInput& in) {
  GateResult r;
  r.gate = gate.name;
  r.pair = in.pair;
  r.checked_at = in.now;
  r.max_age_seconds = in.max_age_seconds.value_or(gate.max_snapshot_age_seconds.value_or(in.pair_max_age_seconds));
  r.primary_reachable = in.primary_reachable;
  r.primary_instance = in.primary_instance;
  r.direction = in.direction;
  if (in.roles_error) {
    // Which instance is primary is unknown, so no comparison means anything: every check unknown.
    for (const auto& check : gate.checks)
      r.checks.push_back({std::string(check->type()), Verdict::kUnknown, in.roles_error->message, {}});
    r.verdict = Verdict::kUnknown;
    r.reason = in.roles_error->message;
    return r;
  }

  // Why each input cannot be used; empty when it can.
  std::string primary_problem = "no snapshot of the primary was read";
  const PrimarySnapshot* primary = nullptr;
  if (in.primary && *in.primary) {
    const auto& snap = **in.primary;
    r.primary_snapshot_id = snap.id;
    r.primary_snapshot_taken_at = snap.taken_at;
    r.primary_snapshot_age_seconds = std::max<int64_t>(0, in.now - snap.taken_at);
    if (!snap.instance.empty()) r.primary_instance = snap.instance;
    if (*r.primary_snapshot_age_seconds > r.max_age_seconds) {
      primary_problem = "primary snapshot " + snap.id + " is " + std::to_string(*r.primary_snapshot_age_seconds) +
                        " s old, more than the allowed " + std::to_string(r.max_age_seconds) + " s";
    } else {
      primary = &snap;
      primary_problem.clear();
    }
  } else if (in.primary) {
    primary_problem = in.primary->error().message;
  }
  std::string target_problem = "the target was not read";
  const TargetState* target = nullptr;
  if (in.target && *in.target) {
    target = &**in.target;
    r.target_instance = target->instance;
    target_problem.clear();
  } else if (in.target) {
    target_problem = "target unreachable: " + in.target->error().message;
  }

  // Cutover checks read the target themselves (cutover.h): name it from what they reached.
  if (r.target_instance.empty() && in.ha && *in.ha) r.target_instance = (*in.ha)->instance;
  if (r.target_instance.empty() && in.users && *in.users) r.target_instance = (*in.users)->instance;
  EvalContext ctx{gate, in, primary, target};
  std::vector<Failure> all;
  std::string first_unknown;
  for (const auto& check : gate.checks) {
    unsigned needs = check->needs();
    CheckOutcome out;
    if ((needs & kNeedPrimarySnapshot) && !primary) {
      out = {std::string(check->type()), Verdict::kUnknown, primary_problem, {}};
    } else if ((needs & kNeedTarget) && !target) {
      out = {std::string(check->type()), Verdict::kUnknown, target_problem, {}};
    } else {
      out = check->run(ctx);
    }
    if (out.verdict == Verdict::kUnknown && first_unknown.empty()) first_unknown = out.reason;
    all.insert(all.end(), out.failures.begin(), out.failures.end());
    r.checks.push_back(std::move(out));
  }

  std::sort(all.begin(), all.end(), failure_less);
  all.erase(std::unique(all.begin(), all.end(),
                        [](const Failure& a, const Failure& b) { return same_object(a, b) && a.problem == b.problem; }),
            all.end());
  for (auto& f : all) {
    auto ex = std::find_if(gate.exceptions.begin(), gate.exceptions.end(), [&](const GateException& e) {
      return f.subject.empty() && e.object.kind == f.kind && catalog::fold_name(e.object.key) == catalog::fold_name(f.key) &&
             in.now < e.until_unix;
    });
    if (ex != gate.exceptions.end())
      r.waived.push_back({std::move(f), ex->reason, ex->approved_by, ex->until});
    else
      r.failures.push_back(std::move(f));
  }

  if (!first_unknown.empty()) {
    r.verdict = Verdict::kUnknown;
    r.reason = first_unknown;
  } else if (!r.failures.empty()) {
    r.verdict = Verdict::kFail;
    r.reason = summarize_failures(r.failures);
  } else {
    r.verdict = Verdict::kPass;
    r.reason = "all " + std::to_string(gate.checks.size()) + " check(s) passed";
    if (!r.waived.empty()) r.reason += " (" + std::to_string(r.waived.size()) + " finding(s) waived by exceptions)";
    if (!in.primary_reachable && primary)
      r.reason += "; primary unreachable, compared against snapshot " + primary->id;
  }
  return r;
}

}  // namespace understudy::gates
