// cmd_config_check.cc — `understudy config check [--resolve-secrets] [--live]`. --live connects to
// every instance and names the permissions its login lacks for what the pairs do with it
// (catalog/rights.h, docs/permissions.md).
#include <algorithm>
#include <ostream>

#include "catalog/rights.h"
#include "cli/handlers.h"
#include "cli/invocation.h"
#include "config/secrets.h"
#include "odbc/connection.h"

namespace understudy::cli {
namespace {

// Checks each instance's login; returns the exit code of the worst finding (0 when all suffice).
int check_live(const Invocation& inv, const config::Config& c) {
  int worst = 0;
  for (const auto& [name, in] : c.instances) {
    bool secondary = false;
    for (const auto& [pname, p] : c.pairs) secondary = secondary || p.secondary == name;
    auto password = config::instance_password(in);
    if (!password) {
      worst = std::max(worst, inv.fail(password.error()));
      continue;
    }
    auto conn = odbc::Connection::connect({.connection_string = in.connection,
                                           .password = std::move(*password),
                                           .label = name,
                                           .login_timeout_seconds = in.login_timeout_seconds,
                                           .query_timeout_seconds = in.query_timeout_seconds});
    if (!conn) {
      worst = std::max(worst, inv.fail(conn.error()));
      continue;
    }
    auto rights = catalog::read_rights(*conn);
    if (!rights) {
      worst = std::max(worst, inv.fail(rights.error()));
      continue;
    }
    std::vector<std::string> missing = catalog::missing_to_read(*rights);
    if (secondary) {
      for (auto& m : catalog::missing_to_sync(*rights)) missing.push_back(std::move(m));
    }
    const std::string uses = secondary ? "snapshot, diff, gates and sync --apply" : "snapshot, diff and gates";
    if (missing.empty()) {
      inv.out() << "instance '" << name << "': the login has what " << uses << " need\n";
      continue;
    }
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    worst = std::max(worst, inv.fail(Error(ErrorCode::kPermission,
                                           "instance '" + name + "': the login lacks " + list + " (needed by " + uses + ")",
                                           "grant them as docs/permissions.md shows")));
  }
  return worst;
}

}  // namespace

int run_config_check(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  const config::Config& c = **cfg;
  inv.out() << config::describe(c);
  if (inv.flag("live")) {
    if (int rc = check_live(inv, c); rc != 0) return rc;
  }
  int failures = 0;
  Error last;
  // Secret files of [secrets] are checked where they are used, not at load (one open file must
  // not stop every command); config check reports every one, without reading it.
  auto open_file = [&](const config::SecretSource& s, const std::string& what) {
    if (s.file.empty()) return;
    auto ok = config::check_owner_only(s.file, what);
    if (ok) return;
    ++failures;
    last = ok.error();
    inv.fail(ok.error());
  };
  if (!inv.flag("resolve-secrets")) {
    for (const auto& [name, s] : c.secrets.credentials) open_file(s, "secret of credential '" + name + "'");
    for (const auto& [name, s] : c.secrets.linked_server_logins) {
      open_file(s, "secret of linked server login '" + name + "'");
    }
    if (failures > 0) return last.exit_code();
    inv.out() << "configuration ok\n";
    return 0;
  }
  // Read every source (which checks the files too); report each failure, never a value.
  auto check = [&](const config::SecretSource& s, const std::string& what) {
    if (s.empty()) return;
    auto r = config::resolve(s, what);
    if (r) {
      inv.out() << what << ": ok (" << config::describe_source(s) << ")\n";
      return;
    }
    ++failures;
    last = r.error();
    inv.fail(r.error());
  };
  for (const auto& [name, in] : c.instances) check(in.password, "password of instance '" + name + "'");
  for (const auto& [name, p] : c.pairs) check(p.listener_password, "listener password of pair '" + name + "'");
  for (const auto& [name, s] : c.secrets.credentials) check(s, "secret of credential '" + name + "'");
  for (const auto& [name, s] : c.secrets.linked_server_logins) check(s, "secret of linked server login '" + name + "'");
  if (failures > 0) return last.exit_code();
  inv.out() << "configuration ok\n";
  return 0;
}

}  // namespace understudy::cli
