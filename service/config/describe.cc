// describe.cc — the redacted summary `understudy config check` prints.
#include <sstream>

#include "config/config.h"
#include "config/secrets.h"

namespace understudy::config {

std::string describe(const Config& c) {
  std::ostringstream o;
  o << "config: " << (c.source.empty() ? "(none; defaults)" : c.source) << "\n";
  o << "store: " << c.store << "\n";
  if (!c.store_password.empty()) o << "  password: " << describe_source(c.store_password) << "\n";
  for (const auto& [name, in] : c.instances) {
    o << "instance " << name << ": " << in.connection << "\n";
    o << "  password: " << describe_source(in.password) << "; login timeout "
      << format_duration(std::chrono::seconds(in.login_timeout_seconds)) << "; query timeout "
      << format_duration(std::chrono::seconds(in.query_timeout_seconds)) << "\n";
  }
  for (const auto& [name, p] : c.pairs) {
    o << "pair " << name << ": " << p.primary << " -> " << p.secondary << "\n";
    std::string kinds;
    for (const auto& k : p.kinds) kinds += (kinds.empty() ? "" : ", ") + k;
    o << "  kinds: " << (kinds.empty() ? "all" : kinds) << "; max snapshot age " << format_duration(p.max_snapshot_age)
      << "\n";
    for (const auto& [kind, f] : p.filters)
      o << "  " << kind << ": include " << f.include.size() << " pattern(s), exclude " << f.exclude.size()
        << " pattern(s)\n";
    if (!p.read_write_listener.empty()) o << "  read-write listener: " << p.read_write_listener << "\n";
    if (!p.read_only_listener.empty()) o << "  read-only listener: " << p.read_only_listener << "\n";
    if (!p.ha_group.empty()) o << "  ha group: " << p.ha_group << "\n";
    if (p.jobs_on_secondary == Pair::JobsOnSecondary::kEnabled) o << "  jobs on the secondary: enabled (as on the primary)\n";
    if (!p.windows_to_entra.empty()) o << "  windows_to_entra: " << p.windows_to_entra.size() << " mapping(s)\n";
  }
  o << "service: listen " << c.service.listen << "; tls " << (c.service.tls_cert.empty() ? "off" : "on")
    << "; snapshot interval " << format_duration(c.service.snapshot_interval) << "; gates dir "
    << (c.service.gates_dir.empty() ? "(shipped gates only)" : c.service.gates_dir) << "\n";
  for (const auto& t : c.service.tokens)
    o << "  token " << t.name << ": role " << role_name(t.role) << ", sha256 [redacted]\n";
  for (const auto& [name, s] : c.secrets.credentials) o << "secret for credential " << name << ": " << describe_source(s) << "\n";
  for (const auto& [name, s] : c.secrets.linked_server_logins)
    o << "secret for linked server login " << name << ": " << describe_source(s) << "\n";
  o << "log: " << (c.log.format == LogFormat::kJson ? "json" : "plain") << ", level " << c.log.level << "\n";
  return o.str();
}

}  // namespace understudy::config
