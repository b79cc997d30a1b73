// orphaned_users: no user database of the target has a user mapped to a SQL or Windows login whose
// SID has no login on the target (users follow logins by SID, so a login recreated without SID = …
// has another SID and orphans them in every database:
// https://learn.microsoft.com/sql/sql-server/failover-clusters/troubleshoot-orphaned-users-sql-server).
// Each orphan is listed with its database, name, SID, and the target's login of the same name with
// its other SID when there is one — the fix is then either CREATE LOGIN … SID = <user sid> or ALTER USER … WITH LOGIN. Databases the target
// cannot be queried in (a non-readable availability group secondary) are listed, and the check is
// unknown rather than passing when nothing else fails.
#include "gates/check_cutover.h"
#include "gates/validate.h"

namespace understudy::gates {
namespace {

namespace v = validate;

constexpr std::string_view kType = "orphaned_users";

class OrphanedUsers final : public Check {
 public:
  std::string_view type() const override { return kType; }
  unsigned needs() const override { return kNeedDatabaseUsers; }

  CheckOutcome run(const EvalContext& ctx) const override {
    const auto& in = ctx.input;
    if (!in.users) return cutover::unknown(kType, "the database users of the target were not read");
    if (!*in.users) return cutover::unknown(kType, "database users unreadable: " + in.users->error().message);
    const DatabaseUsers& u = **in.users;
    CheckOutcome out{std::string(kType), Verdict::kPass, {}, {}, nullptr};
    for (const auto& o : u.orphans) {
      nlohmann::json fields = {{"database", o.database},
                               {"user", o.user},
                               {"type", o.type},
                               {"sid", o.sid},
                               {"login", o.login.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.login)},
                               {"login_sid", o.login_sid.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.login_sid)}};
      out.failures.push_back({catalog::Kind::kInstance, o.database + "|" + o.user,
                              o.login.empty() ? "orphaned" : "orphaned_sid_mismatch", std::move(fields), "database_user"});
    }
    out.details = {{"instance", u.instance}, {"databases", u.databases}, {"unreadable_databases", u.unreadable}};
    cutover::conclude(out, "orphaned database user(s)",
                      "no orphaned users in " + std::to_string(u.databases.size()) + " user database(s)");
    if (out.verdict == Verdict::kPass && !u.unreadable.empty()) {
      // The readable databases are clean, but the users of the others cannot be seen.
      std::string names;
      for (const auto& db : u.unreadable) names += (names.empty() ? "" : ", ") + db;
      out.verdict = Verdict::kUnknown;
      out.reason = "no orphaned users in " + std::to_string(u.databases.size()) +
                   " readable user database(s); not readable on the target (availability group secondary without "
                   "read access): " + names;
    }
    return out;
  }

  nlohmann::json to_json() const override { return {{"type", kType}}; }
};

}  // namespace

Result<std::shared_ptr<const Check>> parse_orphaned_users(const nlohmann::json& j, const std::string& p) {
  US_TRY(v::object(j, p, {"type"}, {"type"}));
  return std::make_shared<const OrphanedUsers>();
}

}  // namespace understudy::gates
