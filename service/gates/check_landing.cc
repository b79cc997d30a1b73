// landing: the read-write listener lands on the expected primary and its user databases are
// READ_WRITE; the read-only listener lands on the secondary and they are READ_ONLY there.
// ?expect=primary (default) expects the pair's primary behind the read-write listener;
// ?expect=swapped — after a failover — expects the pair's secondary there, and the primary behind
// the read-only listener. The instances' names are read from the instances directly
// (@@SERVERNAME), so the body says which one each listener reached.
// Unknown when a listener is not configured or unreachable, or an expected instance cannot be
// named: a landing that cannot be seen never passes.
#include "gates/check_cutover.h"
#include "gates/validate.h"

namespace understudy::gates {
namespace {

namespace v = validate;

constexpr std::string_view kType = "landing";

struct Expectation {
  const char* listener;       // "read_write" | "read_only"
  const char* label;          // "read-write" | "read-only"
  const char* config_key;     // for the unknown reason
  const char* updateability;  // READ_WRITE | READ_ONLY
};
constexpr Expectation kRw{"read_write", "read-write", "read_write_listener", "READ_WRITE"};
constexpr Expectation kRo{"read_only", "read-only", "read_only_listener", "READ_ONLY"};

class LandingCheck final : public Check {
 public:
  explicit LandingCheck(std::string expect) : expect_(std::move(expect)) {}
  std::string_view type() const override { return kType; }
  unsigned needs() const override { return kNeedLanding; }

  CheckOutcome run(const EvalContext& ctx) const override {
    const auto& in = ctx.input;
    if (!in.landing) return cutover::unknown(kType, "the listeners were not read");
    if (!*in.landing) return cutover::unknown(kType, "listeners unreadable: " + in.landing->error().message);
    const Landing& l = **in.landing;
    const std::string expect = cutover::param_or(in, "expect", expect_);
    const bool swapped = expect == "swapped";
    CheckOutcome out{std::string(kType), Verdict::kPass, {}, {}, nullptr};
    out.details = {{"expect", expect}};
    std::vector<std::string> reached_text;
    for (const auto* e : {&kRw, &kRo}) {
      const auto& listener = e == &kRw ? l.read_write : l.read_only;
      if (!listener) return cutover::unknown(kType, std::string("pair '") + in.pair + "' has no " + e->config_key + " configured");
      if (!*listener)
        return cutover::unknown(kType, std::string(e->label) + " listener unreachable: " + listener->error().message);
      // read-write → the primary unless swapped; read-only → the other one.
      const bool want_primary = (e == &kRw) != swapped;
      const auto& expected = want_primary ? l.primary_server : l.secondary_server;
      const char* expected_role = want_primary ? "primary" : "secondary";
      if (!expected)
        return cutover::unknown(kType, std::string("cannot name the pair's ") + expected_role +
                                           " instance: " + expected.error().message);
      const ListenerLanding& got = **listener;
      std::string reached_as = "an instance of neither role";
      if (l.primary_server && catalog::fold_name(got.server_name) == catalog::fold_name(*l.primary_server))
        reached_as = "the pair's primary";
      else if (l.secondary_server && catalog::fold_name(got.server_name) == catalog::fold_name(*l.secondary_server))
        reached_as = "the pair's secondary";
      nlohmann::json dbs = nlohmann::json::object();
      for (const auto& [db, upd] : got.updateability) dbs[db] = upd.empty() ? nlohmann::json(nullptr) : nlohmann::json(upd);
      out.details[e->listener] = {{"reached", got.server_name},
                                  {"server_property_name", got.server_property_name},
                                  {"reached_instance", reached_as},
                                  {"expected", *expected},
                                  {"expected_instance", std::string("the pair's ") + expected_role},
                                  {"updateability", dbs}};
      if (catalog::fold_name(got.server_name) != catalog::fold_name(*expected)) {
        out.failures.push_back({catalog::Kind::kInstance, e->listener, "wrong_instance",
                                {{"reached", got.server_name}, {"reached_instance", reached_as},
                                 {"expected", *expected}, {"expected_instance", std::string("the pair's ") + expected_role}},
                                "listener"});
      }
      for (const auto& [db, upd] : got.updateability) {
        if (upd == e->updateability) continue;
        out.failures.push_back({catalog::Kind::kInstance, std::string(e->listener) + "|" + db,
                                std::string("not_") + (e == &kRw ? "read_write" : "read_only"),
                                {{"reached", got.server_name}, {"database", db},
                                 {"updateability", upd.empty() ? nlohmann::json(nullptr) : nlohmann::json(upd)},
                                 {"expected_updateability", e->updateability}},
                                "listener"});
      }
      reached_text.push_back(std::string(e->label) + " listener reached " + got.server_name + " (" + reached_as + ")");
    }
    std::string summary = reached_text[0] + "; " + reached_text[1];
    cutover::conclude(out, "landing finding(s): " + summary, summary + (swapped ? ", roles swapped as expected" : ", as expected"));
    return out;
  }

  nlohmann::json to_json() const override { return {{"type", kType}, {"expect", expect_}}; }

 private:
  std::string expect_;
};

}  // namespace

Result<std::shared_ptr<const Check>> parse_landing(const nlohmann::json& j, const std::string& p) {
  US_TRY(v::object(j, p, {"type", "expect"}, {"type"}));
  std::string expect = "primary";
  if (j.contains("expect")) {
    auto e = v::one_of(j.at("expect"), v::child(p, "expect"), {"primary", "swapped"}, "expectation");
    if (!e) return tl::unexpected(e.error());
    expect = *e;
  }
  return std::make_shared<const LandingCheck>(std::move(expect));
}

}  // namespace understudy::gates
