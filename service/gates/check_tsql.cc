// tsql: a DBA's assertion written in T-SQL — the batch passes when it completes without error,
// fails with the error's number and message (e.g. THROW 50001, 'Required login(s) missing …'), and
// is unknown when it cannot run (no connection, timeout). The batch never changes the instance it
// runs on: gather_tsql (cutover_sources.cc) sends it through sp_executesql inside BEGIN TRANSACTION
// with SET XACT_ABORT ON and always rolls back (docs/gates.md says what a rollback cannot undo).
// Statements that end or nest that transaction (COMMIT, ROLLBACK, SAVE/BEGIN TRANSACTION) and
// sqlcmd's GO lines are refused when the gate file is loaded.
// Thread-safety: immutable after parsing; run() is const and reentrant.
#include <cctype>

#include "gates/check_cutover.h"
#include "gates/validate.h"

namespace understudy::gates {
namespace {

namespace v = validate;

constexpr std::string_view kType = "tsql";

// Upper-cased words of `text` outside string literals, [bracketed] and "quoted" identifiers and
// comments — enough to find statements that must not be in a gate batch.
std::vector<std::string> batch_words(const std::string& text) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    auto skip_to = [&](const std::string& end) {
      size_t e = text.find(end, i + 1);
      i = e == std::string::npos ? text.size() : e + end.size() - 1;
    };
    if (c == '\'') {
      flush();
      for (++i; i < text.size(); ++i) {
        if (text[i] == '\'' && i + 1 < text.size() && text[i + 1] == '\'') ++i;
        else if (text[i] == '\'') break;
      }
    } else if (c == '[') {
      flush();
      skip_to("]");
    } else if (c == '"') {
      flush();
      skip_to("\"");
    } else if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      flush();
      skip_to("\n");
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      flush();
      skip_to("*/");
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@' || c == '#') {
      cur.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    } else {
      flush();
    }
  }
  flush();
  return words;
}

// The reason `batch` cannot be a gate batch, or "".
std::string refused_batch(const std::string& batch) {
  size_t start = 0;
  while (start <= batch.size()) {
    size_t nl = batch.find('\n', start);
    std::string line = batch.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    std::string t;
    for (char c : line)
      if (!std::isspace(static_cast<unsigned char>(c))) t.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    if (t == "GO") return "a line holding GO (a client's batch separator, not T-SQL): a gate batch is one batch";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  auto words = batch_words(batch);
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    const std::string next = i + 1 < words.size() ? words[i + 1] : "";
    const bool tran = next == "TRAN" || next == "TRANSACTION";
    if (w == "COMMIT" || w == "ROLLBACK" || (w == "SAVE" && tran) || (w == "BEGIN" && (tran || next == "DISTRIBUTED"))) {
      return "transaction control (" + w + (tran ? " " + next : std::string()) +
             "): the batch runs inside a transaction that Understudy rolls back";
    }
  }
  return "";
}

class TsqlCheck final : public Check {
 public:
  explicit TsqlCheck(TsqlSpec spec) : spec_(std::move(spec)) {}
  std::string_view type() const override { return kType; }
  unsigned needs() const override { return kNeedTsql; }

  CheckOutcome run(const EvalContext& ctx) const override {
    auto it = ctx.input.tsql.find(tsql_input_key(spec_));
    if (it == ctx.input.tsql.end()) return cutover::unknown(kType, "the batch was not run");
    if (!it->second) return cutover::unknown(kType, "the batch could not run: " + it->second.error().message);
    const TsqlRun& r = *it->second;
    CheckOutcome out{std::string(kType), Verdict::kPass, {}, {}, nullptr};
    out.details = {{"instance", r.instance}, {"on", spec_.on}};
    if (r.error_number != 0) {
      out.failures.push_back({catalog::Kind::kInstance, r.instance, "error",
                              {{"error_number", r.error_number}, {"error_message", r.error_message}, {"on", spec_.on}},
                              "tsql"});
    }
    cutover::conclude(out, "T-SQL error(s): " + (r.error_number != 0 ? std::to_string(r.error_number) + " " + r.error_message : ""),
                      "the batch completed without error on " + r.instance + " (rolled back)");
    return out;
  }

  nlohmann::json to_json() const override { return {{"type", kType}, {"on", spec_.on}, {"batch", spec_.batch}}; }
  const TsqlSpec& spec() const { return spec_; }

 private:
  TsqlSpec spec_;
};

}  // namespace

const TsqlSpec* tsql_spec(const Check& check) {
  const auto* t = dynamic_cast<const TsqlCheck*>(&check);
  return t ? &t->spec() : nullptr;
}

std::string tsql_input_key(const TsqlSpec& spec) { return spec.on + "\n" + spec.batch; }

Result<std::shared_ptr<const Check>> parse_tsql(const nlohmann::json& j, const std::string& p) {
  US_TRY(v::object(j, p, {"type", "on", "batch"}, {"type", "batch"}));
  TsqlSpec spec;
  spec.on = "target";
  if (j.contains("on")) {
    auto on = v::one_of(j.at("on"), v::child(p, "on"), {"target", "primary"}, "instance");
    if (!on) return tl::unexpected(on.error());
    spec.on = *on;
  }
  // "batch": a string, or an array of lines (joined with \n) so that a file stays readable.
  const nlohmann::json& b = j.at("batch");
  const std::string bp = v::child(p, "batch");
  if (b.is_string()) {
    spec.batch = b.get<std::string>();
  } else if (b.is_array() && !b.empty()) {
    for (size_t i = 0; i < b.size(); ++i) {
      if (!b[i].is_string()) return v::problem(v::child(bp, i), "expected a string, found " + v::type_phrase(b[i]));
      spec.batch += (i ? "\n" : "") + b[i].get<std::string>();
    }
  } else {
    return v::problem(bp, "expected a string or a non-empty array of lines, found " + v::type_phrase(b));
  }
  if (batch_words(spec.batch).empty()) return v::problem(bp, "the batch is empty");
  if (auto why = refused_batch(spec.batch); !why.empty()) return v::problem(bp, "refused: " + why);
  return std::make_shared<const TsqlCheck>(std::move(spec));
}

}  // namespace understudy::gates
