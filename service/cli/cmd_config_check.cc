// cmd_config_check.cc — `understudy config check [--resolve-secrets]`.
#include <ostream>

#include "cli/handlers.h"
#include "cli/invocation.h"
#include "config/secrets.h"

namespace understudy::cli {

int run_config_check(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  const config::Config& c = **cfg;
  inv.out() << config::describe(c);
  if (!inv.flag("resolve-secrets")) {
    inv.out() << "configuration ok\n";
    return 0;
  }
  // Read every source; report each failure, never a value.
  int failures = 0;
  Error last;
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
