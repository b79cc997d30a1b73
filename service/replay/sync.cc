// sync.cc — see sync.h.
#include "replay/sync.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/run_id.h"
#include "catalog/reader.h"
#include "config/secrets.h"
#include "diff/diff.h"
#include "diff/expectation.h"
#include "log/log.h"
#include "odbc/connection.h"
#include "replay/journal.h"
#include "replay/journal_writer.h"
#include "replay/planner.h"
#include "replay/stranded.h"
#include "roles/read.h"
#include "tsql/quote.h"

namespace understudy::replay {
namespace {

using catalog::Kind;
using catalog::ServerObject;

std::string os_user() {
  if (const char* u = getenv("USER"); u && *u) return u;
  if (const passwd* pw = getpwuid(getuid())) return pw->pw_name;
  return fmt::format("uid {}", getuid());
}

Result<odbc::Connection> connect(const config::Instance& in) {
  auto o = config::connect_options(in);
  if (!o) return tl::unexpected(o.error());
  return odbc::Connection::connect(*o);
}

// The pair's selection applied to an object set (snapshots are per instance, not per pair).
std::vector<ServerObject> selected(std::vector<ServerObject> objects, const config::Pair& p) {
  std::erase_if(objects, [&](const ServerObject& o) {
    return o.kind != Kind::kInstance && !p.selects(catalog::kind_name(o.kind), o.key);
  });
  return objects;
}

// Resolves secret slots for execution: password hashes from the source objects, credential and
// linked-server secrets from the config's sources. Resolved once per run.
class SecretBook {
 public:
  SecretBook(const config::Config& cfg, const std::vector<ServerObject>& source) : cfg_(cfg) {
    for (const auto& o : source) {
      if (o.kind == Kind::kLogin && o.password_hash) hashes_.emplace(o.match_key(), &o);
    }
  }

  bool configured(const tsql::SecretRef& ref) const { return source_of(ref) != nullptr; }

  Result<std::optional<Secret>> operator()(const tsql::SecretRef& ref) {
    if (ref.kind == "password_hash") {
      auto it = hashes_.find(catalog::fold_name(ref.name));
      if (it == hashes_.end()) return std::optional<Secret>();
      return std::optional<Secret>(*it->second->password_hash);
    }
    if (auto it = cache_.find(ref); it != cache_.end()) return std::optional<Secret>(it->second);
    const config::SecretSource* src = source_of(ref);
    if (!src) return std::optional<Secret>();
    auto s = config::resolve(*src, "secret of " + ref.label());
    if (!s) return tl::unexpected(s.error());
    cache_.emplace(ref, *s);
    return std::optional<Secret>(std::move(*s));
  }

 private:
  const config::SecretSource* source_of(const tsql::SecretRef& ref) const {
    const auto* table = ref.kind == "credential"            ? &cfg_.secrets.credentials
                        : ref.kind == "linked_server_login" ? &cfg_.secrets.linked_server_logins
                                                            : nullptr;
    if (!table) return nullptr;
    for (const auto& [name, src] : *table) {
      if (catalog::fold_name(name) == catalog::fold_name(ref.name) && !src.empty()) return &src;
    }
    return nullptr;
  }

  const config::Config& cfg_;
  std::map<std::string, const ServerObject*> hashes_;
  std::map<tsql::SecretRef, Secret> cache_;
};

struct Context {
  const config::Pair* pair = nullptr;
  const config::Instance* primary = nullptr;    // the live primary: the source
  const config::Instance* secondary = nullptr;  // the live secondary: the target
  roles::Roles roles;
  std::string source_note;  // why the source is what it is, when not the obvious
  // --carry-stranded: source = the live secondary read live, target = the live primary, both
  // restricted to the objects stranded on the secondary (kind name '|' match key).
  bool carry = false;
  std::set<std::string> only;
  std::vector<ServerObject> source;
  std::optional<int64_t> snapshot;
};

// The source snapshot when none was named: the live primary's latest — unless it is older than
// the other instance's latest, i.e. it was taken before the roles changed (the other instance was
// the primary since); then a live read of the primary, which is what holds now.
Result<std::optional<int64_t>> default_source(store::Store& st, const roles::Roles& r, std::string& note) {
  auto mine = st.latest_snapshot(r.primary);
  if (!mine) return tl::unexpected(mine.error());
  if (!*mine) return std::optional<int64_t>();
  auto other = st.latest_snapshot(r.secondary);
  if (!other) return tl::unexpected(other.error());
  if (*other && (*other)->id > (*mine)->id && r.primary_reachable) {
    note = fmt::format("a live read of {}: its latest snapshot {} is older than {}'s snapshot {} (taken before the roles changed)",
                       r.primary, (*mine)->id, r.secondary, (*other)->id);
    return std::optional<int64_t>();
  }
  return std::optional<int64_t>((*mine)->id);
}

std::string stranded_id(const ServerObject& o) { return std::string(catalog::kind_name(o.kind)) + "|" + o.match_key(); }

// --carry-stranded: the one sync that writes to the live primary, on purpose, and only the
// objects stranded on the live secondary (stranded.h) — created or changed, never pruned.
Result<Context> prepare_carry(const config::Config& cfg, store::Store& st, const SyncRequest& req, Context c) {
  if (req.snapshot || req.live_source)
    return fail(ErrorCode::kUsage, "--carry-stranded reads the secondary live; it takes no --snapshot or --live-source");
  if (req.options.prune != PlanOptions::Prune::kNone)
    return fail(ErrorCode::kUsage, "--carry-stranded never prunes", "leave out --prune");
  auto from = cfg.instance(c.roles.secondary);  // the former primary, where the objects are stranded
  if (!from) return tl::unexpected(from.error());
  auto conn = connect(**from);
  if (!conn) return tl::unexpected(conn.error());
  auto objects = catalog::read_objects(*conn, catalog::read_options(c.pair));
  if (!objects) return tl::unexpected(objects.error());
  auto on_secondary = selected(std::move(*objects), *c.pair);
  auto stranded = find_stranded(st, c.pair->name, c.roles.primary, c.roles.secondary, on_secondary, c.pair);
  if (!stranded) return tl::unexpected(stranded.error());
  for (const auto& o : *stranded) c.only.insert(std::string(catalog::kind_name(o.kind)) + "|" + catalog::fold_name(o.key));
  std::erase_if(on_secondary, [&](const ServerObject& o) { return !c.only.count(stranded_id(o)); });
  c.carry = true;
  c.source = std::move(on_secondary);
  std::swap(c.primary, c.secondary);  // source: the live secondary; target: the live primary
  c.source_note = fmt::format("carrying {} stranded object(s) from {} to the live primary {} (--carry-stranded: "
                              "creates and alters only, on purpose)",
                              c.only.size(), c.primary->name, c.secondary->name);
  return c;
}

Result<Context> prepare(const config::Config& cfg, store::Store& st, const SyncRequest& req) {
  Context c;
  auto pair = cfg.pair(req.pair);
  if (!pair) return tl::unexpected(pair.error());
  c.pair = *pair;
  // Who is primary now, asked of both instances: the run goes from the live primary to the live
  // secondary, whatever the configuration calls them; when that cannot be told, nothing is written.
  auto roles = roles::establish(cfg, *c.pair);
  if (!roles) return tl::unexpected(roles.error());
  c.roles = std::move(*roles);
  if (!c.roles.live && !req.configured_direction) {
    // The group vanished since the last applied sync (one-way MI link cutover, failover group
    // deleted): both instances are now independent and read-write, and the configured direction
    // may be the one that writes onto the new primary. Only the operator can say.
    auto last = last_applied_direction(st, c.pair->name);
    if (!last) return tl::unexpected(last.error());
    if (*last && (*last)->rfind("roles read live", 0) == 0)
      return fail(ErrorCode::kRolesUnknown,
                  "pair " + c.pair->name + ": neither instance shows an HA group any more, but the last applied sync " +
                      "followed one (" + **last + "); after a one-way Managed Instance link cutover or a removed " +
                      "failover group both instances are independent and read-write: " + c.roles.said[0] + "; " +
                      c.roles.said[1],
                  "check the pair's primary and secondary in the configuration (docs/runbook.md), then run sync "
                  "once with --configured-direction; nothing was written");
  }
  auto primary = cfg.instance(c.roles.primary);
  if (!primary) return tl::unexpected(primary.error());
  auto secondary = cfg.instance(c.roles.secondary);
  if (!secondary) return tl::unexpected(secondary.error());
  c.primary = *primary;
  c.secondary = *secondary;
  if (req.carry_stranded) return prepare_carry(cfg, st, req, std::move(c));
  std::optional<int64_t> snap = req.snapshot;
  if (snap) {
    auto info = st.get_snapshot(*snap);
    if (!info) return tl::unexpected(info.error());
    if (info->instance != c.primary->name)
      return fail(ErrorCode::kUsage,
                  fmt::format("snapshot {} is of instance {}, not of the live primary {}", *snap, info->instance,
                              c.primary->name),
                  "a sync replays the live primary's state onto the live secondary; " + c.roles.describe());
  } else if (!req.live_source) {
    auto d = default_source(st, c.roles, c.source_note);
    if (!d) return tl::unexpected(d.error());
    snap = *d;
  }
  if (snap) {
    store::LoadOptions lo;
    lo.with_password_hashes = true;
    auto objects = st.load_objects(*snap, lo);
    if (!objects) return tl::unexpected(objects.error());
    c.source = selected(std::move(*objects), *c.pair);
    c.snapshot = snap;
  } else {
    auto conn = connect(*c.primary);
    if (!conn) return tl::unexpected(conn.error());
    auto objects = catalog::read_objects(*conn, catalog::read_options(c.pair));
    if (!objects) return tl::unexpected(objects.error());
    c.source = selected(std::move(*objects), *c.pair);
  }
  drift::expect_on_secondary(*c.pair, c.source);  // jobs_on_secondary (diff/expectation.h)
  return c;
}

Result<std::vector<ServerObject>> read_target(odbc::Connection& conn, const Context& c) {
  auto objects = catalog::read_objects(conn, catalog::read_options(c.pair));
  if (!objects) return tl::unexpected(objects.error());
  auto out = selected(std::move(*objects), *c.pair);
  if (c.carry) std::erase_if(out, [&](const ServerObject& o) { return !c.only.count(stranded_id(o)); });
  return out;
}

Result<Plan> make_plan(const config::Config& cfg, const Context& c, const std::vector<ServerObject>& target,
                       const PlanOptions& options, SecretBook& book, const std::map<std::string, std::string>& stranded) {
  const diff::Comparison drift = diff::compare(c.source, target);
  PlanInput in;
  in.pair = c.pair->name;
  in.target = c.secondary->name;
  in.source_instance = c.primary->name;
  in.reversed = c.carry ? !c.roles.reversed : c.roles.reversed;
  in.direction = c.roles.describe() + (c.source_note.empty() ? "" : "; source: " + c.source_note);
  in.source_snapshot = c.snapshot;
  in.source = c.source;
  in.target_objects = target;
  in.drift = &drift;
  in.windows_to_entra = c.pair->windows_to_entra;
  in.stranded = stranded;
  in.secret_known = [&book](const tsql::SecretRef& r) { return book.configured(r); };
  (void)cfg;
  return build_plan(in, options);
}

// The target's objects stranded there by a role change (stranded.h), in the planner's form.
Result<std::map<std::string, std::string>> stranded_on_target(store::Store& st, const Context& c,
                                                              const std::vector<ServerObject>& target) {
  if (c.carry) return std::map<std::string, std::string>();  // carrying them is the point
  auto found = find_stranded(st, c.pair->name, c.primary->name, c.secondary->name, target, c.pair);
  if (!found) return tl::unexpected(found.error());
  return stranded_reasons(*found, c.primary->name, c.secondary->name);
}

// With jobs_on_secondary = "enabled" the secondary gets the primary's `enabled` flag as it is
// after step 0: the jobs the activation enables on the primary (planned or done) are enabled in
// the source too. With "disabled" the source already expects them off (diff/expectation.h).
void source_after_activation(const config::Pair& pair, const ActivationPlan& activation,
                             std::vector<ServerObject>& source) {
  if (drift::jobs_disabled_on_secondary(pair)) return;
  for (const auto& change : activation.changes) {
    if (!change.enable || change.outcome.starts_with("failed")) continue;
    for (auto& o : source) {
      if (o.kind != catalog::Kind::kAgentJob || o.match_key() != catalog::fold_name(change.job)) continue;
      auto it = o.fields.find("enabled");
      if (it == o.fields.end()) continue;
      *it = it->is_boolean() ? nlohmann::json(true) : nlohmann::json(1);
      o.seal();
    }
  }
}

// A lost link while the run talks to the target (after it connected): exit 69, and it says so.
Error lost_mid_run(Error e) {
  if (e.code == ErrorCode::kUnavailable && e.message.rfind("secondary lost mid-run", 0) != 0) {
    e.message = "secondary lost mid-run: " + e.message;
  }
  return e;
}

// Releases the pair's lock when the run ends, however it ends.
class LockGuard {
 public:
  LockGuard(Journal& j, std::string pair, std::string run) : j_(j), pair_(std::move(pair)), run_(std::move(run)) {}
  ~LockGuard() { (void)j_.release(pair_, run_); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  Journal& j_;
  std::string pair_, run_;
};

// Wall time of each step of an applied sync, logged at debug level: where a slow run goes.
struct Phases {
  using Clock = std::chrono::steady_clock;
  Clock::time_point last = Clock::now();
  int64_t source = 0, target = 0, plan = 0, journal = 0, apply = 0, verify = 0, finish = 0;

  int64_t lap() {
    const auto now = Clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - last).count();
    last = now;
    return ms;
  }
  void log(const std::string& run_id, size_t actions, int batches) const {
    log::Logger().with({"run_id", run_id}).debug(
        "sync phases", {{"actions", actions}, {"batches", batches}, {"read_source_ms", source}, {"read_target_ms", target},
                        {"plan_ms", plan}, {"journal_plan_ms", journal}, {"apply_ms", apply},
                        {"verify_ms", verify}, {"journal_finish_ms", finish}});
  }
};

// What the journal keeps as the run's summary: SyncReport::to_json without the plan (in the
// run's row already) and without the per-action outcomes (the run's sync_action rows).
nlohmann::json run_summary(const SyncReport& r) {
  const Execution& execution = r.execution;
  nlohmann::json left = nlohmann::json::array();
  for (const auto& a : r.leftover) {
    left.push_back({{"kind", catalog::kind_name(a.kind)}, {"key", a.key}, {"operation", operation_name(a.op)},
                    {"block", block_name(a.block)}, {"reason", a.blocked.empty() ? a.reason : a.blocked},
                    {"advice", a.advice}, {"kept", r.kept(a)}});
    if (!a.name.empty()) left.back()["name"] = a.name;
    if (const AcceptedException* e = r.acceptance(a)) left.back()["accepted"] = e->note;
  }
  return {{"run_id", r.run_id},
          {"source", r.plan.source},
          {"target", r.plan.target},
          {"reversed", r.plan.reversed},
          {"direction", r.plan.direction},
          {"applied", r.applied},
          {"converged", r.converged},
          {"counts", {{"applied", execution.applied}, {"failed", execution.failed}, {"blocked", execution.blocked}}},
          {"aborted", execution.aborted ? nlohmann::json(execution.aborted->message) : nlohmann::json()},
          {"leftover", left},
          {"exit_code", r.exit_code()}};
}

}  // namespace

Result<Plan> plan_pair(const config::Config& cfg, store::Store& st, const SyncRequest& req) {
  auto c = prepare(cfg, st, req);
  if (!c) return tl::unexpected(c.error());
  auto conn = connect(*c->secondary);
  if (!conn) return tl::unexpected(conn.error());
  auto target = read_target(*conn, *c);
  if (!target) return tl::unexpected(target.error());
  auto stranded = stranded_on_target(st, *c, *target);
  if (!stranded) return tl::unexpected(stranded.error());
  SecretBook book(cfg, c->source);
  return make_plan(cfg, *c, *target, req.options, book, *stranded);
}

Result<SyncReport> sync(const config::Config& cfg, store::Store& st, const SyncRequest& req) {
  SyncReport report;
  report.run_id = new_run_id();
  auto journal = Journal::open(st);
  if (!journal) return tl::unexpected(journal.error());
  std::optional<LockGuard> lock;
  auto audit = [&req](const std::string& action, const std::string& run_id, const nlohmann::json& detail) -> Status {
    return req.audit ? req.audit(action, run_id, detail) : Status{};
  };
  if (req.apply) {
    US_TRY(journal->acquire(req.pair, report.run_id));
    lock.emplace(*journal, req.pair, report.run_id);
    // Holding the lock, every other apply of the pair still `running` was killed: close it, and
    // say so in the audit trail.
    auto gone = journal->abandon_running(req.pair, report.run_id);
    if (!gone) return tl::unexpected(gone.error());
    for (const auto& id : *gone) {
      US_TRY(audit("sync.apply.abandoned", id,
                   {{"closed_by", report.run_id}, {"reason", "the process running it ended before the run finished"}}));
    }
  }
  Phases phases;
  auto c = prepare(cfg, st, req);
  if (!c) return tl::unexpected(c.error());
  // The target first: with the secondary unreachable (a forced failover, the old primary dark)
  // the sync writes nothing at all — not even step 0 on the primary (`understudy activate` does
  // that and says which side it could not reach).
  auto conn = connect(*c->secondary);
  if (!conn) return tl::unexpected(conn.error());
  if (req.activation) {  // step 0: the roles changed since the last activation
    if (req.activation->roles.primary != c->roles.primary)
      return fail(ErrorCode::kRolesUnknown,
                  "pair " + c->pair->name + ": the roles changed while the sync started (" +
                      req.activation->roles.describe + ", then " + c->roles.describe() + ")",
                  "run sync again; nothing was written");
    auto activation = plan_activation(cfg, st, *c->pair, *req.activation);
    if (!activation) return tl::unexpected(activation.error());
    report.activation = ActivateReport{std::move(*activation), false};
    if (req.apply) {
      execute_activation(cfg, report.activation->plan);
      report.activation->applied = true;
    }
    if (!c->carry) source_after_activation(*c->pair, report.activation->plan, c->source);
  }
  phases.source = phases.lap();
  auto target = read_target(*conn, *c);
  if (!target) return tl::unexpected(lost_mid_run(target.error()));
  phases.target = phases.lap();
  auto stranded = stranded_on_target(st, *c, *target);
  if (!stranded) return tl::unexpected(stranded.error());
  SecretBook book(cfg, c->source);
  auto plan = make_plan(cfg, *c, *target, req.options, book, *stranded);
  if (!plan) return tl::unexpected(plan.error());
  report.plan = std::move(*plan);
  phases.plan = phases.lap();
  const nlohmann::json plan_json = to_json(report.plan);
  auto run = journal->begin_run(report.run_id, req.pair, req.who.empty() ? os_user() : req.who,
                                req.apply ? "apply" : "plan", plan_json);
  if (!run) return tl::unexpected(run.error());
  phases.journal = phases.lap();
  if (!req.apply) {
    US_TRY(journal->finish_run(*run, "planned", plan_json.at("summary")));
    return report;
  }
  report.applied = true;
  // The intent, before the first write: a run killed from here on leaves this entry and its
  // `running` row, which the next apply closes as abandoned.
  US_TRY(audit("sync.apply.start", report.run_id,
               {{"target", report.plan.target}, {"actions", report.plan.summary().runnable()}}));
  tsql::SecretResolver resolver = [&book](const tsql::SecretRef& r) { return book(r); };
  US_TRY(journal->begin_apply());
  {
    // The rows are written on the writer's thread while this one waits on the target; the store
    // is not touched from here until finish().
    JournalWriter writer(*journal, *run);
    ExecuteOptions eo;
    eo.stop_on_error = req.stop_on_error;
    Progress progress(req.progress, "sync of " + req.pair, "actions", static_cast<int64_t>(report.plan.actions.size()));
    eo.on_outcome = [&writer, &progress](const Action& a, const Outcome& o) {
      progress.advance();
      return writer.push(a, o);
    };
    report.execution = execute(*conn, report.plan, resolver, eo);
    progress.finish();
    // Every row and the last group committed before the re-read (which can take a while).
    if (auto j = writer.finish(); !j && !report.execution.aborted) report.execution.aborted = j.error();
  }
  phases.apply = phases.lap();
  // Prove it: re-read the target live and diff again (a fresh connection if this one died).
  // When no batch reached the target (a converged pair, or everything blocked), the live read
  // the plan was made from is that proof already: re-planning an unchanged target gives the
  // same actions, so a no-op sync costs one read of each side, not two of the target.
  const bool touched = std::any_of(report.execution.outcomes.begin(), report.execution.outcomes.end(),
                                   [](const Outcome& o) { return o.status == "applied" || o.status == "failed" || o.status == "unknown"; });
  report.accepted = req.accepted;
  auto settled = [&report](const std::vector<Action>& left) {
    return std::all_of(left.begin(), left.end(), [&report](const Action& a) { return report.kept(a); });
  };
  std::string status = "not_converged";
  if (!touched && !report.execution.aborted) {
    report.leftover = report.plan.actions;
    // A blocked outcome at run time (a secret source that failed) left its object as it was.
    report.converged = report.execution.blocked == 0 && settled(report.leftover);
  } else {
    if (report.execution.aborted && report.execution.aborted->code == ErrorCode::kUnavailable) {
      auto again = connect(*c->secondary);
      if (again) *conn = std::move(*again);
    }
    auto after = read_target(*conn, *c);
    if (after) {
      auto replan = make_plan(cfg, *c, *after, req.options, book, *stranded);
      if (!replan) return tl::unexpected(replan.error());
      report.leftover = std::move(replan->actions);
      // A run that stopped early is not converged, whatever the re-read shows: its exit code
      // says the run was cut short, and the run row and audit entry must say the same. Nor is
      // one with an object whose outcome never came back (`unknown`).
      const bool unknown = std::any_of(report.execution.outcomes.begin(), report.execution.outcomes.end(),
                                       [](const Outcome& o) { return o.status == "unknown"; });
      report.converged = !report.execution.aborted && !unknown && settled(report.leftover);
    } else {
      report.execution.aborted = after.error();
    }
  }
  if (report.execution.aborted) report.execution.aborted = lost_mid_run(*report.execution.aborted);
  if (report.converged) status = "converged";
  phases.verify = phases.lap();
  US_TRY(journal->finish_run(*run, status, run_summary(report)));
  US_TRY(audit("sync.apply", report.run_id, report.audit_detail()));
  phases.finish = phases.lap();
  phases.log(report.run_id, report.plan.actions.size(), report.execution.batches);
  return report;
}

const AcceptedException* SyncReport::acceptance(const Action& a) const {
  if (a.block != Block::kIncompatible) return nullptr;
  for (const auto& e : accepted) {
    if (e.kind == a.kind && catalog::fold_name(e.key) == catalog::fold_name(a.key)) return &e;
  }
  return nullptr;
}

bool SyncReport::kept(const Action& a) const {
  if (a.runnable()) return false;
  return a.block == Block::kNone || a.block == Block::kExtraKept || acceptance(a) != nullptr;
}

int SyncReport::exit_code() const {
  const bool activating = activation && !activation->plan.changes.empty();
  if (!applied) return plan.empty() && !activating ? 0 : error_info(ErrorCode::kDrift).exit_code;
  if (activation && activation->exit_code() != 0) return error_info(ErrorCode::kPartial).exit_code;
  if (execution.aborted && execution.aborted->code == ErrorCode::kUnavailable) return execution.aborted->exit_code();
  return converged ? 0 : error_info(ErrorCode::kPartial).exit_code;
}

std::string SyncReport::to_text() const {
  std::string first;
  if (activation) first = "step 0 — the roles changed since the last activation:\n" + activation->to_text();
  if (!applied) return first + plan.to_text();
  std::string out = first + fmt::format("sync of pair {} onto {} (run {}): {} applied, {} failed, {} blocked\n",
                                tsql::comment_text(plan.pair), tsql::comment_text(plan.target), run_id,
                                execution.applied, execution.failed, execution.blocked);
  if (!plan.direction.empty()) out += "direction: " + tsql::comment_text(plan.direction) + "\n";
  if (plan.reversed)
    out += fmt::format("reverse direction: from {} to {}, the reverse of the pair's configuration\n",
                       tsql::comment_text(plan.source), tsql::comment_text(plan.target));
  for (size_t i = 0; i < plan.actions.size() && i < execution.outcomes.size(); ++i) {
    const Action& a = plan.actions[i];
    const Outcome& o = execution.outcomes[i];
    if (o.status == "applied" || o.status == "skipped") continue;
    out += fmt::format("  {} #{} {} {} \"{}\"", o.status, a.seq, operation_name(a.op), catalog::kind_name(a.kind),
                       tsql::comment_text(a.shown()));
    if (o.error_number != 0) out += fmt::format(": error {}", o.error_number);
    if (!o.error_message.empty()) out += ": " + tsql::comment_text(o.error_message);
    out += "\n";
  }
  if (execution.aborted) out += "run stopped: " + tsql::comment_text(execution.aborted->message) + "\n";
  const auto todo = std::count_if(leftover.begin(), leftover.end(), [](const Action& a) { return a.runnable(); });
  const auto unsettled = std::count_if(leftover.begin(), leftover.end(),
                                       [this](const Action& a) { return !a.runnable() && !kept(a); });
  if (converged) {
    out += "converged";
  } else if (execution.aborted) {
    out += fmt::format("not converged: the run stopped early; {} actions still to do", todo);
  } else {
    out += fmt::format("not converged: {} actions still to do, {} objects blocked or incompatible", todo, unsettled);
  }
  const auto left = std::count_if(leftover.begin(), leftover.end(), [](const Action& a) { return !a.runnable(); });
  if (left > 0) out += fmt::format("; {} left as they are:", left);
  out += "\n";
  for (const auto& a : leftover) {
    if (!a.runnable()) continue;
    out += fmt::format("  still to do: {} {} \"{}\": {}\n", operation_name(a.op), catalog::kind_name(a.kind),
                       tsql::comment_text(a.shown()), tsql::comment_text(a.reason));
  }
  for (const auto& a : leftover) {
    if (a.runnable()) continue;
    out += fmt::format("  {} {} \"{}\": {}", a.block == Block::kNone ? "skipped" : block_name(a.block),
                       catalog::kind_name(a.kind), tsql::comment_text(a.shown()),
                       tsql::comment_text(a.blocked.empty() ? a.reason : a.blocked));
    if (const AcceptedException* e = acceptance(a)) {
      out += " (accepted: " + tsql::comment_text(e->note) + ")";
    } else if (!kept(a) && !a.advice.empty()) {
      out += "; to do: " + tsql::comment_text(a.advice);
      if (a.block == Block::kIncompatible) out += ", or approve a gate exception for it";
    }
    out += "\n";
  }
  return out;
}

nlohmann::json SyncReport::audit_detail() const {
  nlohmann::json changed = nlohmann::json::array();
  for (size_t i = 0; i < plan.actions.size() && i < execution.outcomes.size(); ++i) {
    const Outcome& o = execution.outcomes[i];
    if (o.status != "applied" && o.status != "failed" && o.status != "unknown") continue;
    const Action& a = plan.actions[i];
    changed.push_back({{"kind", catalog::kind_name(a.kind)}, {"key", a.key}, {"op", operation_name(a.op)},
                       {"outcome", o.status}});
    if (!a.name.empty()) changed.back()["name"] = a.name;
  }
  return {{"source", plan.source},       {"target", plan.target},       {"reversed", plan.reversed},
          {"direction", plan.direction}, {"converged", converged},      {"actions", changed}};
}

nlohmann::json SyncReport::to_json() const {
  nlohmann::json outcomes = nlohmann::json::array();
  for (size_t i = 0; i < execution.outcomes.size(); ++i) {
    const Outcome& o = execution.outcomes[i];
    const Action& a = plan.actions[i];
    outcomes.push_back({{"seq", o.seq}, {"kind", catalog::kind_name(a.kind)}, {"key", a.key},
                        {"operation", operation_name(a.op)}, {"status", o.status}, {"error_number", o.error_number},
                        {"error_message", o.error_message}, {"duration_ms", o.duration_ms}});
    if (!a.name.empty()) outcomes.back()["name"] = a.name;
  }
  nlohmann::json j = run_summary(*this);
  j["outcomes"] = std::move(outcomes);
  j["plan"] = replay::to_json(plan);
  if (activation) j["activation"] = activation->to_json();
  return j;
}

}  // namespace understudy::replay
