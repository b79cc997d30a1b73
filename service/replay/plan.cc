// plan.cc — see plan.h.
#include "replay/plan.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "tsql/quote.h"

namespace understudy::replay {
namespace {

constexpr std::string_view kOperationNames[] = {"create", "alter", "drop", "disable", "skip"};
constexpr std::string_view kBlockNames[] = {"", "incompatible", "secret unknown", "needs --allow-recreate",
                                            "extra kept", "unsupported", "stranded", "blocked"};
constexpr std::string_view kPruneNames[] = {"none", "disable", "drop"};

template <typename E, std::size_t N>
std::optional<E> from_name(const std::string_view (&names)[N], std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view operation_name(Operation op) { return kOperationNames[static_cast<int>(op)]; }
std::optional<Operation> operation_from_name(std::string_view name) {
  return from_name<Operation>(kOperationNames, name);
}
std::string_view block_name(Block b) { return kBlockNames[static_cast<int>(b)]; }
std::string_view prune_name(PlanOptions::Prune p) { return kPruneNames[static_cast<int>(p)]; }

bool Action::needs_secret() const {
  return std::any_of(statements.begin(), statements.end(), [](const Statement& s) { return s.sql.has_secret(); });
}

std::vector<tsql::SecretRef> Action::secrets() const {
  std::vector<tsql::SecretRef> out;
  for (const auto& s : statements) {
    for (auto& r : s.sql.secrets()) out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

tsql::Sql Action::batch() const {
  const bool checks = std::any_of(statements.begin(), statements.end(), [](const Statement& s) { return s.check_rc; });
  tsql::Sql b("SET XACT_ABORT ON;\nDECLARE @rc int;\nDECLARE @us_id int;\nDECLARE @us_pw nvarchar(128);\nSET @rc = 0;\n");
  // A create whose object already exists (a re-applied plan, an interrupted run) does nothing.
  if (!skip_if.empty()) b.raw("IF ").append(skip_if).raw(" RETURN;\n");
  if (transactional) b.raw("BEGIN TRANSACTION;\n");
  for (const auto& s : statements) {
    b.append(s.sql).raw("\n");
    if (s.check_rc) b.raw("IF @rc <> 0 GOTO us_fail;\n");
  }
  if (transactional) b.raw("COMMIT TRANSACTION;\n");
  if (checks) {
    b.raw("RETURN;\nus_fail:\n");
    if (transactional) {
      b.raw("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;\n"
            "RAISERROR(N'understudy: a procedure returned a failure code; the object was rolled back', 16, 1);\n");
    } else {
      b.raw("RAISERROR(N'understudy: a procedure returned a failure code; run sync again to finish the object', 16, 1);\n");
    }
  }
  return b;
}

tsql::Sql batch_prologue() {
  return tsql::Sql("SET XACT_ABORT ON;\nDECLARE @rc int;\nDECLARE @us_id int;\nDECLARE @us_pw nvarchar(128);\n");
}

tsql::Sql Action::try_block(const std::vector<int>& wait_for, bool mark) const {
  // SQL Server's TRY…CATCH: an error of severity 11–19 inside TRY (also one a procedure raises)
  // goes to the CATCH block instead of the client and the batch goes on with the next object;
  // with XACT_ABORT ON the failed object's transaction is uncommittable there and is rolled
  // back (https://learn.microsoft.com/sql/t-sql/language-elements/try-catch-transact-sql,
  // https://learn.microsoft.com/sql/t-sql/functions/xact-state-transact-sql).
  const std::string n = tsql::int_literal(seq);
  tsql::Sql b;
  if (mark) b.raw("DECLARE @us_ok_").quoted(n).raw(" int;\nSET @us_ok_").quoted(n).raw(" = 0;\n");
  b.raw("BEGIN TRY\nSET @rc = 0;\n");
  for (int need : wait_for) {
    b.raw("IF @us_ok_").quoted(tsql::int_literal(need)).raw(" = 0 RAISERROR(")
        .quoted(tsql::quote_string(kDependencyNotApplied)).raw(", 16, 1);\n");
  }
  if (!skip_if.empty()) b.raw("IF ").append(skip_if).raw(" GOTO us_done_").quoted(n).raw(";\n");
  if (transactional) b.raw("BEGIN TRANSACTION;\n");
  for (const auto& s : statements) {
    b.append(s.sql).raw("\n");
    if (!s.check_rc) continue;
    if (transactional) {
      b.raw("IF @rc <> 0 RAISERROR(N'understudy: a procedure returned a failure code; the object was rolled back', 16, 1);\n");
    } else {
      b.raw("IF @rc <> 0 RAISERROR(N'understudy: a procedure returned a failure code; run sync again to finish the object', 16, 1);\n");
    }
  }
  if (transactional) b.raw("COMMIT TRANSACTION;\n");
  if (!skip_if.empty()) b.raw("us_done_").quoted(n).raw(":\n");
  if (mark) b.raw("SET @us_ok_").quoted(n).raw(" = 1;\n");
  b.raw("SELECT ").quoted(n).raw(" AS us_seq, 0 AS us_error, CAST(NULL AS nvarchar(4000)) AS us_message;\nEND TRY\n"
        "BEGIN CATCH\nIF XACT_STATE() <> 0 ROLLBACK TRANSACTION;\nSELECT ").quoted(n)
      .raw(" AS us_seq, ERROR_NUMBER() AS us_error, ERROR_MESSAGE() AS us_message;\nEND CATCH;\n");
  return b;
}

Summary Plan::summary() const {
  Summary s;
  for (const auto& a : actions) {
    if (a.block == Block::kIncompatible) {
      ++s.incompatible;
    } else if (a.block != Block::kNone) {
      ++s.blocked;
    } else {
      switch (a.op) {
        case Operation::kCreate: ++s.create; break;
        case Operation::kAlter: ++s.alter; break;
        case Operation::kDrop: ++s.drop; break;
        case Operation::kDisable: ++s.disable; break;
        case Operation::kSkip: ++s.skipped; break;
      }
    }
  }
  return s;
}

std::string Plan::to_text() const {
  const Summary s = summary();
  std::string out = fmt::format(
      "plan for pair {} onto {}{}: {} create, {} alter, {} drop, {} disable; {} incompatible, {} blocked, {} skipped\n",
      tsql::comment_text(pair), tsql::comment_text(target), target_is_managed_instance ? " (managed instance)" : "",
      s.create, s.alter, s.drop, s.disable, s.incompatible, s.blocked, s.skipped);
  if (!direction.empty()) out += "direction: " + tsql::comment_text(direction) + "\n";
  if (reversed)
    out += fmt::format("reverse direction: from {} to {}, the reverse of the pair's configuration\n",
                       tsql::comment_text(source), tsql::comment_text(target));
  for (const auto& a : actions) {
    out += fmt::format("\n#{} {} {} \"{}\" — {}{}\n", a.seq, operation_name(a.op), catalog::kind_name(a.kind),
                       tsql::comment_text(a.shown()), tsql::comment_text(a.reason),
                       a.needs_secret() ? " (needs a secret)" : "");
    if (a.block != Block::kNone) {
      out += fmt::format("  {}: {}\n", block_name(a.block), tsql::comment_text(a.blocked));
      if (!a.advice.empty()) out += fmt::format("  what to do: {}\n", tsql::comment_text(a.advice));
    }
    for (const auto& l : a.loses) out += fmt::format("  loses: {}\n", tsql::comment_text(l));
    if (a.block == Block::kIncompatible) continue;
    for (const auto& st : a.statements) out += "  " + st.sql.render_redacted() + "\n";
  }
  return out;
}

nlohmann::json to_json(const Plan& plan) {
  // Built member by member and moved in: a braced initializer list would deep-copy every nested
  // value once more, which is most of the cost for a plan of tens of thousands of actions.
  nlohmann::json actions = nlohmann::json::array();
  actions.get_ref<nlohmann::json::array_t&>().reserve(plan.actions.size());
  for (const auto& a : plan.actions) {
    nlohmann::json stmts = nlohmann::json::array();
    for (const auto& s : a.statements) {
      nlohmann::json st = nlohmann::json::object();
      st["sql"] = s.sql.to_json();
      st["check_rc"] = s.check_rc;
      stmts.push_back(std::move(st));
    }
    nlohmann::json ja = nlohmann::json::object();
    ja["seq"] = a.seq;
    ja["kind"] = catalog::kind_name(a.kind);
    ja["key"] = a.key;
    if (!a.name.empty()) ja["name"] = a.name;
    ja["operation"] = operation_name(a.op);
    ja["finding"] = a.finding;
    ja["reason"] = a.reason;
    ja["transactional"] = a.transactional;
    ja["skip_if"] = a.skip_if.to_json();
    ja["needs_secret"] = a.needs_secret();
    ja["block"] = block_name(a.block);
    ja["blocked"] = a.blocked;
    ja["advice"] = a.advice;
    ja["loses"] = a.loses;
    ja["needs"] = a.needs;
    ja["statements"] = std::move(stmts);
    actions.push_back(std::move(ja));
  }
  nlohmann::json kinds = nlohmann::json::array();
  for (auto k : plan.options.kinds) kinds.push_back(catalog::kind_name(k));
  const Summary s = plan.summary();
  return {{"version", plan.version},
          {"pair", plan.pair},
          {"created_at", plan.created_at},
          {"source_snapshot", plan.source_snapshot ? nlohmann::json(*plan.source_snapshot) : nlohmann::json()},
          {"source", plan.source},
          {"target", plan.target},
          {"reversed", plan.reversed},
          {"direction", plan.direction},
          {"target_is_managed_instance", plan.target_is_managed_instance},
          {"options",
           {{"allow_recreate", plan.options.allow_recreate},
            {"prune", prune_name(plan.options.prune)},
            {"kinds", kinds},
            {"include", plan.options.include},
            {"exclude", plan.options.exclude}}},
          {"summary",
           {{"create", s.create}, {"alter", s.alter}, {"drop", s.drop}, {"disable", s.disable},
            {"incompatible", s.incompatible}, {"blocked", s.blocked}, {"skipped", s.skipped}}},
          {"actions", std::move(actions)}};
}

Result<Plan> plan_from_json(const nlohmann::json& j) {
  try {
    Plan p;
    p.version = j.at("version").get<int>();
    if (p.version != 1) return fail(ErrorCode::kDataErr, fmt::format("unsupported plan version {}", p.version));
    p.pair = j.at("pair").get<std::string>();
    p.created_at = j.at("created_at").get<std::string>();
    if (!j.at("source_snapshot").is_null()) p.source_snapshot = j.at("source_snapshot").get<int64_t>();
    p.target = j.at("target").get<std::string>();
    p.source = j.value("source", std::string());
    p.reversed = j.value("reversed", false);
    p.direction = j.value("direction", std::string());
    p.target_is_managed_instance = j.at("target_is_managed_instance").get<bool>();
    const auto& o = j.at("options");
    p.options.allow_recreate = o.at("allow_recreate").get<bool>();
    auto prune = from_name<PlanOptions::Prune>(kPruneNames, o.at("prune").get<std::string>());
    if (!prune) return fail(ErrorCode::kDataErr, "unknown prune mode in plan");
    p.options.prune = *prune;
    for (const auto& k : o.at("kinds")) {
      auto kind = catalog::kind_from_name(k.get<std::string>());
      if (!kind) return fail(ErrorCode::kDataErr, "unknown kind in plan: " + k.get<std::string>());
      p.options.kinds.push_back(*kind);
    }
    p.options.include = o.at("include").get<std::vector<std::string>>();
    p.options.exclude = o.at("exclude").get<std::vector<std::string>>();
    for (const auto& ja : j.at("actions")) {
      Action a;
      a.seq = ja.at("seq").get<int>();
      auto kind = catalog::kind_from_name(ja.at("kind").get<std::string>());
      auto op = operation_from_name(ja.at("operation").get<std::string>());
      auto block = from_name<Block>(kBlockNames, ja.at("block").get<std::string>());
      if (!kind || !op || !block) return fail(ErrorCode::kDataErr, fmt::format("bad action #{} in plan", a.seq));
      a.kind = *kind;
      a.op = *op;
      a.block = *block;
      a.key = ja.at("key").get<std::string>();
      a.name = ja.value("name", "");
      a.finding = ja.at("finding").get<std::string>();
      a.reason = ja.at("reason").get<std::string>();
      a.transactional = ja.at("transactional").get<bool>();
      auto guard = tsql::Sql::from_json(ja.at("skip_if"));
      if (!guard) return fail(guard.error());
      a.skip_if = std::move(*guard);
      a.blocked = ja.at("blocked").get<std::string>();
      a.advice = ja.at("advice").get<std::string>();
      a.loses = ja.at("loses").get<std::vector<std::string>>();
      if (ja.contains("needs")) a.needs = ja.at("needs").get<std::vector<int>>();
      for (const auto& js : ja.at("statements")) {
        auto sql = tsql::Sql::from_json(js.at("sql"));
        if (!sql) return fail(sql.error());
        a.statements.push_back(Statement{std::move(*sql), js.at("check_rc").get<bool>()});
      }
      p.actions.push_back(std::move(a));
    }
    return p;
  } catch (const nlohmann::json::exception& e) {
    return fail(ErrorCode::kDataErr, fmt::format("bad plan document: {}", e.what()));
  }
}

}  // namespace understudy::replay
