// cluster.cc — see cluster.h: the model and its transitions. The HA views are written by
// cluster_views.cc. Documentation followed for the transitions (MicrosoftDocs/sql-docs paths):
// - AG planned/forced failover, and "After a forced failover, when the former primary replica comes
//   online, it transitions to the secondary role":
//   docs/database-engine/availability-groups/windows/use-the-fail-over-availability-group-wizard-sql-server-management-studio.md
//   (https://learn.microsoft.com/sql/database-engine/availability-groups/windows/use-the-fail-over-availability-group-wizard-sql-server-management-studio);
//   secondary databases suspended after a forced failover: perform-a-forced-manual-failover-of-an-availability-group-sql-server.md.
// - MI failover group: a forced failover makes the secondary primary at once; when the outage is
//   over the old primary reconnects as the new secondary; failback is manual:
//   azure-sql/managed-instance/failover-group-sql-mi.md
//   (https://learn.microsoft.com/azure/azure-sql/managed-instance/failover-group-sql-mi).
//   Deleting the group leaves both databases read-write: azure-sql/managed-instance/failover-group-configure-sql-mi.md.
// - MI link: a forced failover followed by the old primary's return leaves both replicas PRIMARY
//   (split brain); the fix is ALTER AVAILABILITY GROUP … SET (ROLE = SECONDARY) on the old primary:
//   azure-sql/managed-instance/managed-instance-link-troubleshoot-how-to.md §"Inconsistent state after forced failover"
//   (https://learn.microsoft.com/azure/azure-sql/managed-instance/managed-instance-link-troubleshoot-how-to).
//   A one-way (SQL Server 2016–2019) cutover drops the link and DAG; both databases become
//   read-write: azure-sql/managed-instance/managed-instance-link-failover-how-to.md.
// - DAG failover window: SET (ROLE = SECONDARY) on the global primary, then the forwarder is forced;
//   in between both report SECONDARY: docs/database-engine/availability-groups/windows/configure-distributed-availability-groups.md.
#include "cluster/cluster.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "cluster/cluster_internal.h"

namespace emu {

using cluster_detail::with_cluster_instance;
using cluster_detail::Writer;

namespace {

bool cluster_iequal(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

bool cluster_known(const char* const* names, size_t n, const std::string& v) {
  for (size_t i = 0; i < n; ++i)
    if (v == names[i]) return true;
  return false;
}

const char* const kClusterStates[] = {"NOT_SYNCHRONIZING", "SYNCHRONIZING", "SYNCHRONIZED", "REVERTING", "INITIALIZING"};
const char* const kClusterHealths[] = {"NOT_HEALTHY", "PARTIALLY_HEALTHY", "HEALTHY"};

const char* role_name(ClusterRole r) {
  return r == ClusterRole::kPrimary ? "PRIMARY" : r == ClusterRole::kSecondary ? "SECONDARY" : "RESOLVING";
}

}  // namespace

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)) {
  if (options_.mechanism != "link" && options_.mechanism != "availability_group" && options_.mechanism != "failover_group")
    throw std::runtime_error("cluster: mechanism must be link, availability_group or failover_group");
  if (options_.mechanism == "failover_group" && options_.engine_edition != 8)
    throw std::runtime_error("cluster: a failover group joins two Managed Instances (engine edition 8)");
  if (cluster_iequal(options_.names[0], options_.names[1]))
    throw std::runtime_error("cluster: the two instances need different names");
  for (int i = 0; i < 2; ++i) {
    servers_[i] = std::make_unique<TestServer>(TestServerOptions{.fixture = options_.fixtures[i],
                                                                 .engine_edition = options_.engine_edition,
                                                                 .sa_password = options_.sa_password,
                                                                 .server_name = options_.names[i],
                                                                 .tls_cert = options_.tls_cert,
                                                                 .tls_key = options_.tls_key,
                                                                 .require_encryption = options_.require_encryption});
  }
  // Replicated databases: the user databases both instances have.
  std::vector<std::string> both[2];
  for (int i = 0; i < 2; ++i)
    with_cluster_instance(servers_[i]->instance(), this, [&](Writer& w) { both[i] = w.user_databases(); });
  for (const auto& db : both[0])
    if (std::find(both[1].begin(), both[1].end(), db) != both[1].end()) dbs_[db] = DatabaseHa{};
  for (int r = 0; r < 2; ++r) {
    auto route = std::make_unique<RoutingInstance>(&servers_[r]->instance());
    routes_[r] = route.get();
    listeners_[r] = std::make_unique<TestServer>(std::move(route), options_.sa_password, servers_[0]->tls());
  }
  std::lock_guard lock(mu_);
  apply_locked();
}

Cluster::~Cluster() {
  for (auto& l : listeners_) l.reset();
  for (auto& s : servers_) s.reset();
}

uint16_t Cluster::port(int instance) const { return servers_[instance]->port(); }
uint16_t Cluster::rw_port() const { return listeners_[0]->port(); }
uint16_t Cluster::ro_port() const { return listeners_[1]->port(); }

std::string Cluster::connection_string_without_password(uint16_t port) const {
  return "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=" + std::to_string(port) + ";UID=sa;TDS_Version=7.4;ClientCharset=UTF-8";
}

int Cluster::instance_index(const std::string& name_or_index) const {
  if (name_or_index == "0" || name_or_index == "1") return name_or_index[0] - '0';
  for (int i = 0; i < 2; ++i)
    if (cluster_iequal(name_or_index, options_.names[i])) return i;
  return -1;
}

// The one reachable instance reporting PRIMARY (a stopped instance reports nothing); -1 when none
// or both do.
int Cluster::primary_locked() const {
  if (!group_exists_) return -1;
  const bool p0 = reachable_[0] && role_[0] == ClusterRole::kPrimary;
  const bool p1 = reachable_[1] && role_[1] == ClusterRole::kPrimary;
  return p0 == p1 ? -1 : p0 ? 0 : 1;
}

int Cluster::primary() const {
  std::lock_guard lock(mu_);
  return primary_locked();
}

// The replicas talk to each other: both reachable, not partitioned, exactly one PRIMARY.
bool Cluster::connected_locked() const {
  return group_exists_ && reachable_[0] && reachable_[1] && !partitioned_ && primary_locked() >= 0;
}

std::vector<std::string> Cluster::databases() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, _] : dbs_) out.push_back(name);
  return out;
}

std::string Cluster::set_ha(const std::string& database, std::optional<std::string> state,
                            std::optional<std::string> health, std::optional<int64_t> lag_seconds) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(dbs_.begin(), dbs_.end(), [&](const auto& kv) { return cluster_iequal(kv.first, database); });
  if (it == dbs_.end()) return "no replicated database named '" + database + "'";
  if (state && !cluster_known(kClusterStates, 5, *state))
    return "state must be one of NOT_SYNCHRONIZING, SYNCHRONIZING, SYNCHRONIZED, REVERTING, INITIALIZING";
  if (health && !cluster_known(kClusterHealths, 3, *health))
    return "health must be one of NOT_HEALTHY, PARTIALLY_HEALTHY, HEALTHY";
  if (lag_seconds && *lag_seconds < 0) return "lag must not be negative";
  if (state) it->second.state = *state;
  if (health) it->second.health = *health;
  if (lag_seconds) it->second.lag_seconds = *lag_seconds;
  apply_locked();
  return "";
}

// Data movement stops: every database NOT_SYNCHRONIZING / NOT_HEALTHY; with `forced`, the ones
// that were not SYNCHRONIZED lost transactions.
void Cluster::suspend_databases_locked(bool forced) {
  for (auto& [name, d] : dbs_) {
    if (forced && d.state != "SYNCHRONIZED") d.lost_transactions = true;
    d.state = "NOT_SYNCHRONIZING";
    d.health = "NOT_HEALTHY";
  }
}

std::string Cluster::failover(const std::string& mode, const std::string& to) {
  std::lock_guard lock(mu_);
  if (mode != "planned" && mode != "forced") return "mode must be planned or forced";
  if (!group_exists_) return "failover refused: the group " + options_.group + " no longer exists";
  if (mode == "planned") {
    const int p = primary_locked();
    if (!to.empty()) return "a planned failover goes to the secondary; 'to' is for forced failovers";
    if (p < 0) return "planned failover refused: no single instance reports PRIMARY (split brain or failover window)";
    for (int i = 0; i < 2; ++i)
      if (!reachable_[i]) return "planned failover refused: " + options_.names[i] + " is unreachable";
    if (!connected_locked()) return "planned failover refused: the replicas are not connected";
    for (const auto& [name, d] : dbs_)
      if (d.state != "SYNCHRONIZED" || d.health != "HEALTHY")
        return "planned failover refused: database " + name + " is " + d.state + " and " + d.health +
               " (a planned failover needs every database SYNCHRONIZED; a forced one may lose data)";
    std::swap(role_[0], role_[1]);
    rw_target_ = 1 - p;
  } else {
    int target = -1;
    if (!to.empty()) {
      target = instance_index(to);
      if (target < 0) return "no instance named '" + to + "'";
    } else {
      // The one reachable instance not reporting PRIMARY.
      for (int i = 0; i < 2; ++i)
        if (reachable_[i] && role_[i] != ClusterRole::kPrimary) target = target < 0 ? i : 2;
      if (target < 0 || target == 2)
        return "forced failover: no single reachable instance to promote; name it with to=NAME";
    }
    if (!reachable_[target]) return "forced failover refused: " + options_.names[target] + " is unreachable";
    if (role_[target] == ClusterRole::kPrimary && role_[1 - target] != ClusterRole::kPrimary)
      return "forced failover refused: " + options_.names[target] + " is already the primary";
    const int old = 1 - target;
    role_[target] = ClusterRole::kPrimary;
    if (reachable_[old] && !partitioned_) {
      role_[old] = ClusterRole::kSecondary;
    } else if (role_[old] == ClusterRole::kPrimary) {
      missed_forced_[old] = !reachable_[old];  // it learns of the failover when it returns
    }
    suspend_databases_locked(true);
    rw_target_ = target;
  }
  ++failovers_;
  apply_locked();
  return "";
}

std::string Cluster::stop(const std::string& instance) {
  std::lock_guard lock(mu_);
  const int i = instance_index(instance);
  if (i < 0) return "no instance named '" + instance + "'";
  if (!reachable_[i]) return "";
  reachable_[i] = false;
  servers_[i]->stop_listening();
  if (group_exists_) suspend_databases_locked(false);
  apply_locked();
  return "";
}

std::string Cluster::start(const std::string& instance) {
  std::lock_guard lock(mu_);
  const int i = instance_index(instance);
  if (i < 0) return "no instance named '" + instance + "'";
  if (reachable_[i]) return "";
  servers_[i]->resume_listening();
  reachable_[i] = true;
  if (missed_forced_[i]) {
    missed_forced_[i] = false;
    // AG and failover group: the former primary rejoins as SECONDARY, its databases suspended. The
    // link: it still reports PRIMARY (split brain) until an operator sets it SECONDARY.
    if (options_.mechanism != "link") role_[i] = ClusterRole::kSecondary;
  } else if (connected_locked()) {
    for (auto& [name, d] : dbs_)
      if (!d.lost_transactions) d = DatabaseHa{};  // resynchronized after a restart
  }
  apply_locked();
  return "";
}

std::string Cluster::split_brain() {
  std::lock_guard lock(mu_);
  if (!group_exists_) return "split brain refused: the group " + options_.group + " no longer exists";
  role_[0] = role_[1] = ClusterRole::kPrimary;
  partitioned_ = true;
  suspend_databases_locked(false);
  apply_locked();
  return "";
}

std::string Cluster::set_role(const std::string& instance, const std::string& role) {
  std::lock_guard lock(mu_);
  const int i = instance_index(instance);
  if (i < 0) return "no instance named '" + instance + "'";
  if (!group_exists_) return "the group " + options_.group + " no longer exists";
  if (!reachable_[i]) return options_.names[i] + " is unreachable";
  if (role == "SECONDARY") {
    role_[i] = ClusterRole::kSecondary;
    // The old primary of a split brain rejoins: the partition is over. Data movement stays
    // suspended until resumed (set_ha), as after any forced failover.
    if (role_[1 - i] == ClusterRole::kPrimary) partitioned_ = false;
    else suspend_databases_locked(false);  // DAG failover window: the DAG is unavailable
  } else if (role == "RESOLVING") {
    if (options_.mechanism == "failover_group") return "a failover group has no RESOLVING role";
    role_[i] = ClusterRole::kResolving;
  } else {
    return "role must be SECONDARY or RESOLVING (a replica becomes PRIMARY by a failover)";
  }
  apply_locked();
  return "";
}

std::string Cluster::remove_group() {
  std::lock_guard lock(mu_);
  group_exists_ = false;
  partitioned_ = false;
  apply_locked();
  return "";
}

nlohmann::json Cluster::state() const {
  std::lock_guard lock(mu_);
  auto dbs = nlohmann::json::array();
  for (const auto& [name, d] : dbs_)
    dbs.push_back({{"name", name}, {"state", d.state}, {"health", d.health}, {"lag_seconds", d.lag_seconds},
                   {"lost_transactions", d.lost_transactions}});
  auto instances = nlohmann::json::array();
  for (int i = 0; i < 2; ++i)
    instances.push_back({{"name", options_.names[i]},
                         {"role", group_exists_ ? nlohmann::json(role_name(role_[i])) : nlohmann::json(nullptr)},
                         {"reachable", reachable_[i]},
                         {"port", servers_[i]->port()}});
  const int p = primary_locked();
  nlohmann::json primary = nullptr, secondary = nullptr;
  if (p >= 0) {
    primary = options_.names[p];
    if (role_[1 - p] == ClusterRole::kSecondary) secondary = options_.names[1 - p];
  }
  return {{"primary", primary},
          {"secondary", secondary},
          {"mechanism", options_.mechanism},
          {"group", options_.group},
          {"group_exists", group_exists_},
          {"connected", connected_locked()},
          {"failovers", failovers_},
          {"instances", instances},
          {"ports", {{options_.names[0], servers_[0]->port()}, {options_.names[1], servers_[1]->port()}}},
          {"read_write_port", listeners_[0]->port()},
          {"read_only_port", listeners_[1]->port()},
          {"read_write_instance", options_.names[rw_target_]},
          {"databases", dbs}};
}

void Cluster::apply_locked() {
  write_views_locked();
  const int target[2] = {rw_target_, 1 - rw_target_};
  for (int r = 0; r < 2; ++r) {
    routes_[r]->route(&servers_[target[r]]->instance());
    // A listener whose instance is dark refuses connections (its name resolves to a dead region).
    if (reachable_[target[r]]) listeners_[r]->resume_listening();
    else listeners_[r]->stop_listening();
  }
}

}  // namespace emu
