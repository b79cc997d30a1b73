// planner.cc — see planner.h.
#include "replay/planner.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/time.h"
#include "catalog/key.h"
#include "catalog/reader.h"
#include "replay/ddl.h"
#include "tsql/quote.h"

namespace understudy::replay {
namespace {

using catalog::Kind;
using catalog::ServerObject;

using Index = std::map<std::pair<Kind, std::string>, const ServerObject*>;

Index index_of(std::span<const ServerObject> objects) {
  Index idx;
  for (const auto& o : objects) idx.emplace(std::make_pair(o.kind, o.match_key()), &o);
  return idx;
}

const ServerObject* find(const Index& idx, Kind k, const std::string& key) {
  auto it = idx.find({k, catalog::fold_name(key)});
  return it == idx.end() ? nullptr : it->second;
}

bool selected(const PlanOptions& o, Kind k, const std::string& key) {
  if (!o.kinds.empty() && std::find(o.kinds.begin(), o.kinds.end(), k) == o.kinds.end()) return false;
  auto any = [&](const std::vector<std::string>& pats) {
    return std::any_of(pats.begin(), pats.end(), [&](const std::string& p) { return catalog::name_matches(p, key); });
  };
  if (!o.include.empty() && !any(o.include)) return false;
  return !any(o.exclude);
}

std::string advice_for_incompatible(Kind k) {
  switch (k) {
    case Kind::kLogin:
      return "map the windows login to an entra login in the pair's windows_to_entra table, or leave it out";
    case Kind::kAgentProxy:
      return "run the steps that use it as the job owner, or leave the proxy out";
    case Kind::kAgentJob:
      return "convert the unsupported steps (for example to t-sql) on the primary, or exclude the job";
    case Kind::kLinkedServer:
      return "point the linked server at a sql server family target through a supported provider, or exclude it";
    case Kind::kCredential:
      return "use a shared access signature or managed identity credential, or exclude it";
    case Kind::kAgentSchedule:
      return "use a recurring schedule instead of cpu idle, or exclude it";
    case Kind::kConfiguration:
      return "set the option to its default on the primary, or leave it out of the pair's configuration list "
             "([pairs.NAME.include] configuration)";
    default:
      return "exclude the object for this pair";
  }
}

std::string change_list(const diff::Finding& f) {
  std::string out;
  for (const auto& c : f.changes) {
    if (!out.empty()) out += ", ";
    out += c.field;
  }
  return out;
}

// The objects `o` names and needs on the target before it can be created or changed there. A
// principal name may be a login or a server role: both are listed (only the planned one counts).
std::vector<std::pair<Kind, std::string>> catalog_references(const ServerObject& o) {
  std::vector<std::pair<Kind, std::string>> out;
  auto add = [&](Kind k, const std::string& name) {
    if (!name.empty()) out.emplace_back(k, name);
  };
  auto principal = [&](const std::string& name) {
    add(Kind::kLogin, name);
    add(Kind::kServerRole, name);
  };
  const auto& f = o.fields;
  switch (o.kind) {
    case Kind::kLogin: add(Kind::kCredential, ddl::text(f, "credential_name")); break;
    case Kind::kServerRoleMember:
      add(Kind::kServerRole, ddl::text(f, "role_name"));
      principal(ddl::text(f, "member_name"));
      break;
    case Kind::kServerPermission:
      principal(ddl::text(f, "grantee"));
      if (ddl::text(f, "class_desc") == "SERVER_PRINCIPAL") principal(ddl::text(f, "securable"));
      break;
    case Kind::kLinkedServerLogin:
      add(Kind::kLinkedServer, ddl::text(f, "linked_server"));
      add(Kind::kLogin, ddl::text(f, "local_login"));
      break;
    case Kind::kAgentProxy: add(Kind::kCredential, ddl::text(f, "credential_name")); break;
    case Kind::kAgentSchedule: add(Kind::kLogin, ddl::text(f, "owner_login_name")); break;
    case Kind::kAgentJob: {
      add(Kind::kLogin, ddl::text(f, "owner_login_name"));
      add(Kind::kAgentCategory, ddl::text(f, "category_name"));
      for (const char* op : {"notify_email_operator_name", "notify_netsend_operator_name", "notify_page_operator_name"}) {
        add(Kind::kAgentOperator, ddl::text(f, op));
      }
      if (auto it = f.find("steps"); it != f.end() && it->is_array()) {
        for (const auto& step : *it) add(Kind::kAgentProxy, ddl::text(step, "proxy_name"));
      }
      if (auto it = f.find("schedules"); it != f.end() && it->is_array()) {
        for (const auto& uid : *it) {
          if (uid.is_string()) add(Kind::kAgentSchedule, uid.get<std::string>());
        }
      }
      break;
    }
    case Kind::kCustomMessage:
      if (!ddl::is_us_english_message(o))
        out.emplace_back(Kind::kCustomMessage, catalog::make_key({std::to_string(ddl::num(f, "message_id")), "us_english"}));
      break;
    default: break;
  }
  return out;
}

class Builder {
 public:
  Builder(const PlanInput& in, const PlanOptions& o)
      : in_(in), opt_(o), src_(index_of(in.source)), tgt_(index_of(in.target_objects)) {
    ctx_.source_has = [this](Kind k, const std::string& key) { return find(src_, k, key) != nullptr; };
    ctx_.target_is_managed_instance = diff::facts_from(in.target_objects).is_managed_instance();
  }

  Result<std::vector<Action>> run() {
    for (const auto& f : in_.drift->findings) {
      if (f.kind == Kind::kLogin && f.category == diff::Category::kIncompatible) {
        unplaceable_.insert(catalog::fold_name(f.key));
      }
    }
    for (const auto& f : in_.drift->findings) {
      if (f.kind == Kind::kInstance || !selected(opt_, f.kind, f.key)) continue;
      US_TRY(add(f));
    }
    order();
    mark_secrets();
    link_dependencies();
    return std::move(actions_);
  }

 private:
  Action base(const diff::Finding& f, Operation op, std::string reason) {
    Action a;
    a.kind = f.kind;
    a.key = f.key;
    a.name = f.name;
    a.op = op;
    a.finding = std::string(diff::category_name(f.category));
    a.reason = std::move(reason);
    // Linked-server procedures and RECONFIGURE refuse a user transaction.
    a.transactional =
        f.kind != Kind::kLinkedServer && f.kind != Kind::kLinkedServerLogin && f.kind != Kind::kConfiguration;
    return a;
  }

  // Statements or a block: a builder error (kDataErr) means "cannot be done here", with its hint.
  void fill(Action& a, Result<std::vector<Statement>> stmts) {
    if (stmts) {
      a.statements = std::move(*stmts);
      return;
    }
    a.block = Block::kUnsupported;
    a.blocked = stmts.error().message;
    a.advice = stmts.error().hint;
  }

  // A membership or permission of a login the target cannot hold cannot be replayed either.
  std::optional<std::string> depends_on_unplaceable(const ServerObject* s) const {
    if (!s || (s->kind != Kind::kServerRoleMember && s->kind != Kind::kServerPermission)) return std::nullopt;
    for (const char* field : {"member_name", "grantee", "securable"}) {
      const std::string name = ddl::text(s->fields, field);
      if (!name.empty() && unplaceable_.count(catalog::fold_name(name))) {
        return "the login " + name + " cannot exist on the target";
      }
    }
    return std::nullopt;
  }

  Status add(const diff::Finding& f) {
    const ServerObject* s = find(src_, f.kind, f.key);
    const ServerObject* t = find(tgt_, f.kind, f.key);
    if (f.category != diff::Category::kExtra) {
      if (auto why = depends_on_unplaceable(s)) {
        Action a = base(f, Operation::kSkip, "the target cannot hold it");
        a.block = Block::kIncompatible;
        a.blocked = *why;
        a.advice = advice_for_incompatible(Kind::kLogin);
        actions_.push_back(std::move(a));
        return {};
      }
    }
    switch (f.category) {
      case diff::Category::kMissing: {
        if (!s) return fail(ErrorCode::kInternal, "missing finding without a source object");
        Action a = base(f, Operation::kCreate, "missing on the target");
        fill(a, ddl::create(*s, ctx_));
        auto guard = ddl::exists(f.kind, s->key);
        if (!guard) return fail(guard.error());
        a.skip_if = std::move(*guard);
        actions_.push_back(std::move(a));
        return {};
      }
      case diff::Category::kDifferent: {
        if (!s || !t) return fail(ErrorCode::kInternal, "different finding without both objects");
        if (auto changed = ddl::linked_definition_changes(*s, *t); !changed.empty()) {
          return add_linked_recreate(f, *s, *t, changed);
        }
        Action a = base(f, Operation::kAlter, "different: " + change_list(f));
        fill(a, ddl::alter(*s, *t, ctx_));
        if (a.block == Block::kNone && a.statements.empty()) {
          a.op = Operation::kSkip;
          a.reason += " (nothing SQL Server lets us change)";
        }
        actions_.push_back(std::move(a));
        return {};
      }
      case diff::Category::kSidMismatch:
        if (!s || !t) return fail(ErrorCode::kInternal, "sid mismatch without both objects");
        return add_recreate(f, *s);
      case diff::Category::kExtra:
        if (!t) return fail(ErrorCode::kInternal, "extra finding without a target object");
        return add_extra(f, *t);
      case diff::Category::kIncompatible:
        return add_incompatible(f, s);
    }
    return {};
  }

  // A recreate's statements: the drop of the target's object, then the create as on the source.
  Status drop_then_create(Action& a, const ServerObject& t, const ServerObject& s) {
    auto drop = ddl::drop(t);
    if (!drop) return fail(drop.error());
    auto create = ddl::create(s, ctx_);
    if (!create) {
      fill(a, std::move(create));
      return {};
    }
    for (auto& st : *create) drop->push_back(std::move(st));
    a.statements = std::move(*drop);
    return {};
  }

  Status add_recreate(const diff::Finding& f, const ServerObject& s) {
    Action a = base(f, Operation::kSkip, "the login exists on the target with another sid");
    if (!opt_.allow_recreate) {
      a.block = Block::kNeedsRecreate;
      a.blocked = "a sid mismatch cannot be fixed in place: database users mapped by sid stay orphaned";
      a.advice = "rerun with --allow-recreate to drop the target login and create it with the source's sid";
      actions_.push_back(std::move(a));
      return {};
    }
    a.op = Operation::kCreate;
    a.reason = "drop and recreate with the source's sid";
    a.loses = {"the target login's own server role memberships and server permissions, and the permissions granted "
               "on it (the plan re-adds the source's)",
               "sessions of the login; DROP LOGIN fails while it owns jobs or other objects (reassign them first)"};
    US_TRY(drop_then_create(a, s, s));
    actions_.push_back(std::move(a));
    // The drop takes with it the login's memberships and permissions, and the permissions granted
    // ON the login to others (IMPERSONATE ON LOGIN::x TO y …: the securable is gone): replay the
    // source's.
    for (const auto& o : in_.source) {
      if (o.kind != Kind::kServerRoleMember && o.kind != Kind::kServerPermission) continue;
      if (!selected(opt_, o.kind, o.key)) continue;
      const char* who = o.kind == Kind::kServerRoleMember ? "member_name" : "grantee";
      const bool held = catalog::fold_name(ddl::text(o.fields, who)) == s.match_key();
      const bool on_it = o.kind == Kind::kServerPermission && ddl::text(o.fields, "class_desc") == "SERVER_PRINCIPAL" &&
                         catalog::fold_name(ddl::text(o.fields, "securable")) == s.match_key();
      if (held || on_it) readd(o, "re-added after the login is recreated");
    }
    return {};
  }

  // A linked server whose definition (provider, data source …) differs: sp_serveroption cannot
  // change it, so only a drop and recreate fixes it — only with allow_recreate.
  Status add_linked_recreate(const diff::Finding& f, const ServerObject& s, const ServerObject& t,
                             const std::vector<std::string>& changed) {
    std::string fields;
    for (const auto& c : changed) fields += (fields.empty() ? "" : ", ") + c;
    Action a = base(f, Operation::kSkip, "the linked server exists on the target with another definition");
    if (!opt_.allow_recreate) {
      a.block = Block::kNeedsRecreate;
      a.blocked = "linked server " + fields + (changed.size() == 1 ? " differs" : " differ") +
                  " and cannot be changed in place";
      a.advice = "rerun with --allow-recreate to drop the target linked server and create it as on the primary";
      actions_.push_back(std::move(a));
      return {};
    }
    a.op = Operation::kCreate;
    a.reason = "drop and recreate: " + fields + (changed.size() == 1 ? " differs" : " differ");
    a.loses = {"the target linked server's own login mappings (the plan re-adds the source's; remote passwords come "
               "from the secrets source)",
               "sessions and queries using the linked server while it is dropped"};
    US_TRY(drop_then_create(a, t, s));
    actions_.push_back(std::move(a));
    recreated_servers_.insert(s.match_key());
    // sp_dropserver … 'droplogins' takes the mappings with it: replay the source's.
    for (const auto& o : in_.source) {
      if (o.kind != Kind::kLinkedServerLogin || !selected(opt_, o.kind, o.key)) continue;
      if (catalog::fold_name(ddl::text(o.fields, "linked_server")) != s.match_key()) continue;
      readd(o, "re-added after the linked server is recreated");
    }
    return {};
  }

  void readd(const ServerObject& o, std::string reason) {
    diff::Finding again{o.kind, o.key, diff::Category::kMissing, diff::Severity::kHigh, {}, {}, catalog::object_name(o)};
    Action m = base(again, Operation::kCreate, std::move(reason));
    fill(m, ddl::create(o, ctx_));
    readded_.push_back(std::move(m));
  }

  Status add_extra(const diff::Finding& f, const ServerObject& t) {
    // An Entra login created from a windows_to_entra mapping is not an extra.
    if (f.kind == Kind::kLogin) {
      for (const auto& [win, entra] : in_.windows_to_entra) {
        if (catalog::fold_name(entra) == t.match_key()) return {};
      }
    }
    Action a = base(f, Operation::kSkip, "exists only on the target");
    const bool can_disable = f.kind == Kind::kLogin || f.kind == Kind::kAgentJob;
    const bool disabled = ddl::flag(t.fields, f.kind == Kind::kLogin ? "is_disabled" : "enabled") ==
                          (f.kind == Kind::kLogin);
    if (opt_.prune == PlanOptions::Prune::kDrop) {
      a.op = Operation::kDrop;
      fill(a, ddl::drop(t));
    } else if (opt_.prune == PlanOptions::Prune::kDisable && can_disable && !disabled) {
      a.op = Operation::kDisable;
      fill(a, ddl::disable(t));
    } else if (opt_.prune == PlanOptions::Prune::kDisable && can_disable) {
      a.reason += "; already disabled";
    } else {
      a.block = Block::kExtraKept;
      a.blocked = "objects that exist only on the target are never dropped by default";
      a.advice = can_disable ? "rerun with --prune disable or --prune drop" : "rerun with --prune drop";
    }
    actions_.push_back(std::move(a));
    return {};
  }

  Status add_incompatible(const diff::Finding& f, const ServerObject* s) {
    Action a = base(f, Operation::kSkip, "the target cannot hold it");
    a.block = Block::kIncompatible;
    a.blocked = f.reason;
    a.advice = advice_for_incompatible(f.kind);
    if (s && f.kind == Kind::kLogin) {
      for (const auto& [win, entra] : in_.windows_to_entra) {
        if (catalog::fold_name(win) != s->match_key()) continue;
        a.advice = "mapped to the entra login " + entra + " (windows_to_entra)";
        if (!find(tgt_, Kind::kLogin, entra)) {
          ServerObject e = *s;
          e.key = entra;
          e.fields["type"] = "E";
          e.fields["type_desc"] = "EXTERNAL_LOGIN";
          e.fields["sid"] = nullptr;
          e.password_hash.reset();
          diff::Finding mf{Kind::kLogin, entra, diff::Category::kMissing, f.severity, {}, {}};
          Action m = base(mf, Operation::kCreate, "entra login mapped from windows login " + s->key);
          fill(m, ddl::create(e, ctx_));
          auto guard = ddl::exists(Kind::kLogin, entra);
          if (!guard) return fail(guard.error());
          m.skip_if = std::move(*guard);
          actions_.push_back(std::move(m));
        }
      }
    }
    actions_.push_back(std::move(a));
    return {};
  }

  // The target's own mappings of a recreated linked server go with its drop: nothing to prune.
  void settle_recreated_mappings() {
    for (auto& a : actions_) {
      if (a.kind != Kind::kLinkedServerLogin || a.finding != "extra") continue;
      const ServerObject* t = find(tgt_, a.kind, a.key);
      if (!t || !recreated_servers_.count(catalog::fold_name(ddl::text(t->fields, "linked_server")))) continue;
      a.op = Operation::kSkip;
      a.statements.clear();
      a.block = Block::kNone;
      a.blocked.clear();
      a.advice.clear();
      a.reason = "exists only on the target; dropped with its linked server, which is recreated";
    }
  }

  void order() {
    settle_recreated_mappings();
    for (auto& m : readded_) {
      const bool planned = std::any_of(actions_.begin(), actions_.end(), [&](const Action& a) {
        return a.kind == m.kind && catalog::fold_name(a.key) == catalog::fold_name(m.key);
      });
      if (!planned) actions_.push_back(std::move(m));
    }
    // Creates and alters in dependency order; drops after them, in reverse.
    // Within a kind: a custom message's us_english version before its other languages (sp_addmessage
    // refuses a language whose us_english message does not exist yet), and after them when dropped.
    auto rank = [this](const Action& a) {
      const int r = catalog::replay_rank(a.kind);
      const ServerObject* o = find(a.op == Operation::kDrop ? tgt_ : src_, a.kind, a.key);
      const int later = o && a.kind == Kind::kCustomMessage && !ddl::is_us_english_message(*o) ? 1 : 0;
      return a.op == Operation::kDrop ? 2 * (1000 - r) + (1 - later) : 2 * r + later;
    };
    std::stable_sort(actions_.begin(), actions_.end(), [&](const Action& x, const Action& y) { return rank(x) < rank(y); });
    for (size_t i = 0; i < actions_.size(); ++i) actions_[i].seq = static_cast<int>(i + 1);
  }

  void mark_secrets() {
    for (auto& a : actions_) {
      if (a.block != Block::kNone) continue;
      for (const auto& ref : a.secrets()) {
        if (known(ref)) continue;
        a.block = Block::kSecretUnknown;
        a.blocked = "secret unknown: " + ref.label();
        a.advice = ref.kind == "password_hash"
                       ? "take a snapshot of the source with a login that can read password hashes (control server)"
                       : "name a source for it under [secrets] in the configuration";
        break;
      }
    }
  }

  // An action whose dependency will not exist on the target is blocked, naming it (and, through a
  // chain, the root cause); one whose dependency is created by this plan records it in `needs`, so
  // the executor does not send it when that create fails. Actions are in dependency order, so a
  // dependency's own state is settled before its dependents are looked at.
  void link_dependencies() {
    std::map<std::pair<Kind, std::string>, size_t> planned;
    for (size_t i = 0; i < actions_.size(); ++i) {
      if (actions_[i].op != Operation::kDrop) planned.emplace(std::make_pair(actions_[i].kind, catalog::fold_name(actions_[i].key)), i);
    }
    for (size_t i = 0; i < actions_.size(); ++i) {
      Action& a = actions_[i];
      if (a.op != Operation::kCreate && a.op != Operation::kAlter) continue;
      const ServerObject* s = find(src_, a.kind, a.key);
      if (!s) continue;
      for (const auto& [kind, name] : catalog_references(*s)) {
        auto it = planned.find({kind, catalog::fold_name(name)});
        if (it == planned.end() || it->second >= i) continue;
        const Action& d = actions_[it->second];
        if (find(tgt_, d.kind, d.key)) continue;  // already on the target: nothing to wait for
        if (d.runnable() && d.op == Operation::kCreate) {
          if (std::find(a.needs.begin(), a.needs.end(), d.seq) == a.needs.end()) a.needs.push_back(d.seq);
        } else if (!d.runnable() && d.block != Block::kNone && d.block != Block::kExtraKept && a.block == Block::kNone) {
          a.block = Block::kDependency;
          a.blocked = fmt::format("depends on {} \"{}\" ({})", catalog::kind_name(d.kind), d.key,
                                  d.block == Block::kDependency ? d.blocked : std::string(block_name(d.block)));
          a.advice = fmt::format("settle the {} first (see its entry); the next sync then replays this one",
                                 catalog::kind_name(d.kind));
        }
      }
    }
  }

  bool known(const tsql::SecretRef& ref) const {
    if (ref.kind == "password_hash") {
      const ServerObject* s = find(src_, Kind::kLogin, ref.name);
      return s && s->password_hash && !s->password_hash->empty();
    }
    return !in_.secret_known || in_.secret_known(ref);
  }

  const PlanInput& in_;
  const PlanOptions& opt_;
  Index src_, tgt_;
  ddl::Context ctx_;
  std::vector<Action> actions_;
  std::vector<Action> readded_;
  std::set<std::string> unplaceable_;  // folded names of logins the target cannot hold
  std::set<std::string> recreated_servers_;  // match keys of linked servers dropped and recreated
};

}  // namespace

Result<Plan> build_plan(const PlanInput& in, const PlanOptions& options) {
  if (!in.drift) return fail(ErrorCode::kInternal, "build_plan needs the drift");
  Plan plan;
  plan.pair = in.pair;
  plan.target = in.target;
  plan.source = in.source_instance;
  plan.reversed = in.reversed;
  plan.direction = in.direction;
  plan.source_snapshot = in.source_snapshot;
  plan.created_at = in.created_at.empty() ? utc_now() : in.created_at;
  plan.options = options;
  plan.target_is_managed_instance = diff::facts_from(in.target_objects).is_managed_instance();
  auto actions = Builder(in, options).run();
  if (!actions) return fail(actions.error());
  plan.actions = std::move(*actions);
  for (auto& a : plan.actions) {
    // Every action on a stranded object is blocked: an alter, a prune, a recreate, and an extra
    // kept anyway (reported as stranded, not as an ordinary extra). Only what runs nothing and
    // blocks nothing stays as it is.
    if (a.block == Block::kIncompatible || (a.op == Operation::kSkip && a.block == Block::kNone)) continue;
    auto it = in.stranded.find(std::string(catalog::kind_name(a.kind)) + "|" + catalog::fold_name(a.key));
    if (it == in.stranded.end()) continue;
    a.block = Block::kStranded;
    a.blocked = it->second;
    a.advice = "carry it to the primary with `understudy sync --pair " + in.pair +
               " --carry-stranded` (shows its plan first), or drop it by hand on " + in.target;
  }
  return plan;
}

}  // namespace understudy::replay
