// plan.h — a sync plan: the ordered actions that make a target hold what the source holds.
//
// A plan is a value (design invariant 7): it prints (summary + T-SQL), serialises to JSON and
// back, can be stored in the journal, reviewed and applied later. Applying is a function of the
// plan and the target; re-applying a finished plan changes nothing, because every create is
// guarded by an existence check and every alter sets absolute values.
//
// An action is one object: kind, key, operation, the reason (which finding and which fields),
// its T-SQL as statements with secret slots (tsql::Sql — secrets are never in a plan), whether it
// runs in a transaction (linked-server procedures cannot), and, when it must not run, why
// (`blocked`: incompatible with the target, secret unknown, SID mismatch without
// --allow-recreate, extra object without --prune). `loses` says what a drop-and-recreate loses.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "catalog/label.h"
#include "catalog/object.h"
#include "tsql/sql.h"

namespace understudy::replay {

enum class Operation { kCreate, kAlter, kDrop, kDisable, kSkip };
std::string_view operation_name(Operation op);  // "create", "alter", "drop", "disable", "skip"
std::optional<Operation> operation_from_name(std::string_view name);

// Why an action will not run. kNone = it runs.
// kStranded: the target's object was created or changed after the last of its own state that
// reached the source (a forced failover's lost server-state): never pruned or overwritten.
// kDependency: an object it needs (its credential, login, role, category …) is itself blocked or
// incompatible and missing on the target, so sending it would only fail (e.g. error 15151).
enum class Block { kNone, kIncompatible, kSecretUnknown, kNeedsRecreate, kExtraKept, kUnsupported, kStranded, kDependency };
std::string_view block_name(Block b);  // "", "incompatible", "secret unknown", "needs --allow-recreate", "extra kept", "unsupported", "stranded", "blocked"

// One statement of an action. check_rc: the statement is `EXEC @rc = …` and a non-zero return
// code fails the action (msdb procedures report most failures that way).
struct Statement {
  tsql::Sql sql;
  bool check_rc = false;
  bool operator==(const Statement&) const = default;
};

struct Action {
  int seq = 0;  // 1-based position in the plan
  catalog::Kind kind = catalog::Kind::kLogin;
  std::string key;
  std::string name;  // catalog::object_name of the object (schedules): texts show display_key(key, name)
  Operation op = Operation::kSkip;
  std::string finding;  // diff category that caused it: "missing", "different", "sid_mismatch", "extra", "incompatible"
  std::string reason;   // one line, lower case
  std::vector<Statement> statements;
  tsql::Sql skip_if;          // creates: "EXISTS (…)" — the batch does nothing when it holds
  bool transactional = true;  // false: linked-server procedures refuse user transactions
  Block block = Block::kNone;
  std::string blocked;  // the full reason when block != kNone
  std::string advice;   // what to do about a blocked or incompatible action
  std::vector<std::string> loses;  // what a drop-and-recreate loses
  // Seqs of earlier actions that create an object this one needs: when one of them does not
  // apply, this one is not sent (the executor reports it blocked, naming the dependency).
  std::vector<int> needs;

  bool runnable() const { return block == Block::kNone && op != Operation::kSkip; }
  bool needs_secret() const;
  std::string shown() const { return catalog::display_key(key, name); }  // how texts name the object
  std::vector<tsql::SecretRef> secrets() const;
  // The batch sent to SQL Server (and written to scripts): SET XACT_ABORT ON, DECLARE @rc,
  // BEGIN TRANSACTION … COMMIT when transactional, rc checks, and a failure label that rolls back
  // and raises error 50000 so the client always sees the failure.
  tsql::Sql batch() const;
  // The same object as one TRY…CATCH block of a batch that carries several (executor.h): its
  // guard (GOTO past it when the object exists), its own transaction, rc checks raising an
  // error, and its outcome as one result row (us_seq, us_error, us_message) — 0 and NULL when
  // it applied; in the CATCH block the transaction is rolled back and the row carries
  // ERROR_NUMBER() and ERROR_MESSAGE(). Expects @rc and @us_id declared by the batch
  // (batch_prologue()) and SET XACT_ABORT ON.
  // Dependencies inside one batch (`needs`): `mark` declares @us_ok_<seq> before the block, set to
  // 1 when this object applied; each seq of `wait_for` (actions of the same batch this one needs,
  // each rendered with mark) is checked first, and when one did not apply the block raises
  // kDependencyNotApplied before touching the target — the object is not sent to fail (15151).
  tsql::Sql try_block(const std::vector<int>& wait_for = {}, bool mark = false) const;
};

// The message of the error (50000) a try_block() raises when an object it waits for did not apply.
inline constexpr std::string_view kDependencyNotApplied = "understudy: not run, an object it depends on did not apply";

// What a batch of try_block()s starts with: SET XACT_ABORT ON and the shared variables.
tsql::Sql batch_prologue();

struct PlanOptions {
  bool allow_recreate = false;
  enum class Prune { kNone, kDisable, kDrop } prune = Prune::kNone;
  std::vector<catalog::Kind> kinds;   // empty = all
  std::vector<std::string> include;   // key patterns (catalog::name_matches); empty = all
  std::vector<std::string> exclude;
};
std::string_view prune_name(PlanOptions::Prune p);  // "none", "disable", "drop"

struct Summary {
  int create = 0, alter = 0, drop = 0, disable = 0;
  int incompatible = 0, blocked = 0, skipped = 0;
  int runnable() const { return create + alter + drop + disable; }
};

struct Plan {
  int version = 1;
  std::string pair;
  std::string created_at;             // UTC RFC 3339
  std::optional<int64_t> source_snapshot;
  std::string source;                 // source instance name (config): the live primary
  std::string target;                 // target instance name (config): the live secondary
  bool reversed = false;              // source and target are the pair's configured secondary and primary
  std::string direction;              // how the direction was established (roles::Roles::describe)
  bool target_is_managed_instance = false;
  PlanOptions options;
  std::vector<Action> actions;

  Summary summary() const;
  bool empty() const { return summary().runnable() == 0; }
  // Human-readable: a summary line per kind and operation, then each action with its T-SQL
  // (secrets as placeholders). Hostile names are shown as quoted identifiers / literals.
  std::string to_text() const;
};

nlohmann::json to_json(const Plan& plan);
[[nodiscard]] Result<Plan> plan_from_json(const nlohmann::json& j);

}  // namespace understudy::replay
