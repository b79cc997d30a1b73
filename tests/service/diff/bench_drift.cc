// bench_drift — not a test: the store and diff half of scripts/bench-snapshot.sh at scale L.
//
//   bench_drift STORE_PATH [scale]     scale: L (default), M (1/10), S (1/100)
// Builds scale-L object sets in memory (100k logins, 200k role memberships, 100k permissions,
// 10k jobs x 5 steps x 2 schedules, 1000 linked servers x 3 login mappings, 500 credentials),
// stores a snapshot, stores an unchanged one (growth), changes 1% of the objects, and times
// diff::compare. Prints one JSON document of figures.
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "catalog/canonical.h"
#include "catalog/key.h"
#include "diff/diff.h"
#include "store/sqlite.h"
#include "store/store.h"

using namespace understudy;
using catalog::Kind;
using catalog::ServerObject;
using nlohmann::json;

namespace {

ServerObject make(Kind kind, std::string key, json fields, std::optional<std::string> hash = std::nullopt) {
  ServerObject o;
  o.kind = kind;
  o.key = std::move(key);
  o.fields = std::move(fields);
  o.volatile_fields = {{"create_date", "2026-01-01 00:00:00.000"}};
  if (hash) o.password_hash = Secret(*hash);
  return o;
}

std::string hex(size_t n, size_t width) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%0*zX", static_cast<int>(width), n);
  return buf;
}

std::vector<ServerObject> scale_l(size_t div) {
  std::vector<ServerObject> v;
  v.push_back(make(Kind::kInstance, "instance", {{"engine_edition", 3}, {"subsystems", {"CmdExec", "SSIS"}}}));
  size_t logins = 100000 / div, creds = 500 / div, servers = 1000 / div, jobs = 10000 / div;
  for (size_t i = 0; i < creds; ++i)
    v.push_back(make(Kind::kCredential, "cred_" + std::to_string(i), {{"credential_identity", "SHARED ACCESS SIGNATURE"}, {"target_type", nullptr}}));
  v.push_back(make(Kind::kServerRole, "role_a", {{"owner_name", "sa"}}));
  v.push_back(make(Kind::kServerRole, "role_b", {{"owner_name", "sa"}}));
  for (size_t i = 0; i < logins; ++i) {
    std::string name = "login_" + std::to_string(i);
    v.push_back(make(Kind::kLogin, name,
                     {{"type", "S"}, {"type_desc", "SQL_LOGIN"}, {"sid", "0x" + hex(i, 32)}, {"is_disabled", false},
                      {"default_database_name", "master"}, {"default_language_name", "us_english"},
                      {"is_policy_checked", true}, {"is_expiration_checked", false}, {"deny_connect_sql", false},
                      {"credential_name", nullptr}},
                     "0x0200" + hex(i, 136)));
    for (const char* role : {"role_a", "role_b"})
      v.push_back(make(Kind::kServerRoleMember, catalog::make_key({role, name}),
                       {{"role_name", role}, {"member_name", name}, {"member_type", "S"}}));
    v.push_back(make(Kind::kServerPermission, catalog::make_key({name, "SERVER", "", "VIEW SERVER STATE"}),
                     {{"grantee", name}, {"grantee_type", "S"}, {"class_desc", "SERVER"}, {"securable", ""},
                      {"securable_type", nullptr}, {"permission_name", "VIEW SERVER STATE"}, {"type", "VWSS"},
                      {"state", "G"}, {"state_desc", "GRANT"}}));
  }
  for (size_t i = 0; i < servers; ++i) {
    std::string name = "LS_" + std::to_string(i);
    v.push_back(make(Kind::kLinkedServer, name, {{"product", "SQL Server"}, {"provider", "MSOLEDBSQL"}, {"data_source", name + ".example"}}));
    for (int j = 0; j < 3; ++j)
      v.push_back(make(Kind::kLinkedServerLogin, catalog::make_key({name, "login_" + std::to_string(j)}),
                       {{"linked_server", name}, {"local_login", "login_" + std::to_string(j)}, {"uses_self_credential", false}, {"remote_name", "r"}}));
  }
  for (size_t i = 0; i < jobs; ++i) {
    json steps = json::array();
    for (int s = 1; s <= 5; ++s)
      steps.push_back({{"step_id", s}, {"step_name", "step " + std::to_string(s)}, {"subsystem", "TSQL"},
                       {"command", "EXEC dbo.job_" + std::to_string(i) + "_step_" + std::to_string(s) + ";"},
                       {"database_name", "master"}, {"on_success_action", s < 5 ? 3 : 1}, {"on_fail_action", 2},
                       {"retry_attempts", 0}, {"retry_interval", 0}, {"flags", 0}, {"proxy_name", nullptr}});
    std::string u1 = "00000000-0000-0000-0000-" + hex(2 * i, 12), u2 = "00000000-0000-0000-0000-" + hex(2 * i + 1, 12);
    for (const auto& u : {u1, u2})
      v.push_back(make(Kind::kAgentSchedule, u, {{"name", "sched"}, {"enabled", true}, {"freq_type", 4}, {"freq_interval", 1}}));
    v.push_back(make(Kind::kAgentJob, "job_" + std::to_string(i),
                     {{"enabled", true}, {"owner_login_name", "sa"}, {"steps", steps}, {"schedules", {u1, u2}}, {"servers", {"(local)"}}}));
  }
  for (auto& o : v) o.seal();
  catalog::sort_objects(v);  // as the readers and the store deliver them
  return v;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

int64_t file_size(const std::string& p) {
  struct stat sb {};
  return ::stat(p.c_str(), &sb) == 0 ? sb.st_size : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_drift STORE_PATH [L|M|S]\n");
    return 64;
  }
  std::string path = argv[1];
  std::string scale = argc > 2 ? argv[2] : "L";
  size_t div = scale == "S" ? 100 : scale == "M" ? 10 : 1;
  json out = {{"scale", scale}};

  auto t = std::chrono::steady_clock::now();
  auto source = scale_l(div);
  out["objects"] = source.size();
  out["build_seconds"] = seconds_since(t);

  auto store = store::Store::open(path);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
    return 74;
  }
  auto checkpoint = [&] { (void)store::exec((*store)->db(), "PRAGMA wal_checkpoint(TRUNCATE)"); };
  t = std::chrono::steady_clock::now();
  auto first = (*store)->save_snapshot({.instance = "bench"}, source);
  out["store_first_seconds"] = seconds_since(t);
  checkpoint();
  int64_t size1 = file_size(path);
  t = std::chrono::steady_clock::now();
  auto second = (*store)->save_snapshot({.instance = "bench"}, source);
  out["store_unchanged_seconds"] = seconds_since(t);
  checkpoint();
  int64_t size2 = file_size(path);
  if (!first || !second) {
    std::fprintf(stderr, "store failed\n");
    return 74;
  }
  out["store_bytes"] = size1;
  out["unchanged_snapshot_growth_bytes"] = size2 - size1;

  auto target = source;
  size_t changed = 0;
  for (size_t i = 1; i < target.size(); i += 100) {  // 1% of the objects
    auto& o = target[i];
    o.fields["drift_marker"] = true;
    o.seal();
    ++changed;
  }
  t = std::chrono::steady_clock::now();
  auto c = diff::compare(source, target);
  out["diff_seconds"] = seconds_since(t);
  out["diff_changed_objects"] = changed;
  out["diff_findings"] = c.findings.size();

  t = std::chrono::steady_clock::now();
  auto loaded = (*store)->load_objects(second->id);
  out["load_seconds"] = seconds_since(t);
  out["loaded_objects"] = loaded ? loaded->size() : 0;

  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  out["peak_rss_mb"] = ru.ru_maxrss / 1024;
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
