// cluster.cc — see cluster.h. The HA views are plain tables of the emulator's state layer
// (engine/schema.cc); the cluster rewrites them from its model under each instance's lock.
#include "cluster/cluster.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>

#include "engine/instance_impl.h"

namespace emu {

// Serves whichever instance currently holds a role; new logins follow route().
class RoutingInstance final : public Instance {
 public:
  explicit RoutingInstance(Instance* target) : target_(target) {}
  void route(Instance* target) { target_.store(target); }
  LoginResult login(const LoginRequest& req) override { return target_.load()->login(req); }
  std::unique_ptr<Session> open_session(const LoginRequest& req, const std::string& database, uint16_t spid) override {
    return target_.load()->open_session(req, database, spid);
  }
  std::string server_name() const override { return target_.load()->server_name(); }
  Stats& stats() override { return target_.load()->stats(); }
  FaultPlan& faults() override { return target_.load()->faults(); }

 private:
  std::atomic<Instance*> target_;
};

namespace {

const char* const kStates[] = {"NOT_SYNCHRONIZING", "SYNCHRONIZING", "SYNCHRONIZED", "REVERTING", "INITIALIZING"};
const char* const kHealths[] = {"NOT_HEALTHY", "PARTIALLY_HEALTHY", "HEALTHY"};

int index_of(const char* const* names, size_t n, const std::string& v) {
  for (size_t i = 0; i < n; ++i)
    if (v == names[i]) return static_cast<int>(i);
  return -1;
}
int state_code(const std::string& s) { return index_of(kStates, 5, s); }
int health_code(const std::string& s) { return index_of(kHealths, 3, s); }
// The view spells it with a space: "NOT SYNCHRONIZING".
std::string state_desc(const std::string& s) { return s == "NOT_SYNCHRONIZING" ? "NOT SYNCHRONIZING" : s; }

std::string guid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "6A0C3D20-0000-4000-8000-%012d", n);
  return buf;
}

// A tiny statement runner over the instance's SQLite connection (under the instance lock).
class Writer {
 public:
  explicit Writer(sqlite3* db) : db_(db) {}
  void exec(const std::string& sql, const std::vector<std::optional<std::string>>& text = {}) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("cluster: ") + sqlite3_errmsg(db_) + " in " + sql);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i]) sqlite3_bind_text(st, static_cast<int>(i + 1), text[i]->c_str(), -1, SQLITE_TRANSIENT);
      else sqlite3_bind_null(st, static_cast<int>(i + 1));
    }
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) throw std::runtime_error(std::string("cluster: ") + sqlite3_errmsg(db_));
  }
  std::optional<int64_t> database_id(const std::string& name) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT database_id FROM t_databases WHERE name = ?1", -1, &st, nullptr);
    sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    std::optional<int64_t> id;
    if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
  }
  std::vector<std::string> user_databases() {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT name FROM t_databases WHERE database_id > 4 ORDER BY name", -1, &st, nullptr);
    std::vector<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_;
};

// Runs f(Writer&) under the instance's execution lock, as one SQLite transaction.
template <typename F>
void with_instance(Instance& instance, const void* owner, F f) {
  auto* impl = dynamic_cast<InstanceImpl*>(&instance);
  if (!impl) throw std::runtime_error("cluster: not an emulated instance");
  if (!impl->acquire(owner, -1)) throw std::runtime_error("cluster: cannot lock the instance");
  Writer w(impl->state().db());
  try {
    w.exec("SAVEPOINT cluster_ha");
    f(w);
    w.exec("RELEASE cluster_ha");
  } catch (...) {
    w.exec("ROLLBACK TO cluster_ha");
    w.exec("RELEASE cluster_ha");
    impl->release(owner);
    throw;
  }
  impl->release(owner);
}

std::string num(int64_t v) { return std::to_string(v); }

}  // namespace

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)) {
  if (options_.mechanism != "link" && options_.mechanism != "availability_group" && options_.mechanism != "failover_group")
    throw std::runtime_error("cluster: mechanism must be link, availability_group or failover_group");
  for (int i = 0; i < 2; ++i) {
    servers_[i] = std::make_unique<TestServer>(TestServerOptions{.fixture = options_.fixtures[i],
                                                                 .engine_edition = options_.engine_edition,
                                                                 .sa_password = options_.sa_password,
                                                                 .server_name = options_.names[i]});
  }
  // Replicated databases: the user databases both instances have.
  std::vector<std::string> both[2];
  for (int i = 0; i < 2; ++i)
    with_instance(servers_[i]->instance(), this, [&](Writer& w) { both[i] = w.user_databases(); });
  for (const auto& db : both[0])
    if (std::find(both[1].begin(), both[1].end(), db) != both[1].end()) dbs_[db] = DatabaseHa{};
  for (int r = 0; r < 2; ++r) {
    auto route = std::make_unique<RoutingInstance>(&servers_[r == 0 ? 0 : 1]->instance());
    routes_[r] = route.get();
    listeners_[r] = std::make_unique<TestServer>(std::move(route), options_.sa_password);
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

int Cluster::primary() const {
  std::lock_guard lock(mu_);
  return primary_;
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
  auto it = std::find_if(dbs_.begin(), dbs_.end(), [&](const auto& kv) {
    return std::equal(kv.first.begin(), kv.first.end(), database.begin(), database.end(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); });
  });
  if (it == dbs_.end()) return "no replicated database named '" + database + "'";
  if (state && state_code(*state) < 0)
    return "state must be one of NOT_SYNCHRONIZING, SYNCHRONIZING, SYNCHRONIZED, REVERTING, INITIALIZING";
  if (health && health_code(*health) < 0) return "health must be one of NOT_HEALTHY, PARTIALLY_HEALTHY, HEALTHY";
  if (lag_seconds && *lag_seconds < 0) return "lag must not be negative";
  if (state) it->second.state = *state;
  if (health) it->second.health = *health;
  if (lag_seconds) it->second.lag_seconds = *lag_seconds;
  apply_locked();
  return "";
}

std::string Cluster::failover(const std::string& mode) {
  std::lock_guard lock(mu_);
  if (mode != "planned" && mode != "forced") return "mode must be planned or forced";
  if (mode == "planned") {
    for (const auto& [name, d] : dbs_)
      if (d.state != "SYNCHRONIZED" || d.health != "HEALTHY")
        return "planned failover refused: database " + name + " is " + d.state + " and " + d.health +
               " (a planned failover needs every database SYNCHRONIZED; a forced one may lose data)";
  } else {
    for (auto& [name, d] : dbs_) {
      if (d.state != "SYNCHRONIZED") d.lost_transactions = true;
      d.state = "NOT_SYNCHRONIZING";  // suspended until resumed (set_ha)
      d.health = "NOT_HEALTHY";
    }
  }
  primary_ = 1 - primary_;
  ++failovers_;
  apply_locked();
  return "";
}

nlohmann::json Cluster::state() const {
  std::lock_guard lock(mu_);
  auto dbs = nlohmann::json::array();
  for (const auto& [name, d] : dbs_)
    dbs.push_back({{"name", name}, {"state", d.state}, {"health", d.health}, {"lag_seconds", d.lag_seconds},
                   {"lost_transactions", d.lost_transactions}});
  return {{"primary", options_.names[primary_]},
          {"secondary", options_.names[1 - primary_]},
          {"mechanism", options_.mechanism},
          {"group", options_.group},
          {"failovers", failovers_},
          {"ports", {{options_.names[0], servers_[0]->port()}, {options_.names[1], servers_[1]->port()}}},
          {"read_write_port", listeners_[0]->port()},
          {"read_only_port", listeners_[1]->port()},
          {"databases", dbs}};
}

void Cluster::apply_locked() {
  const bool geo = options_.mechanism == "failover_group";
  const std::string group_id = guid(1);
  const std::string replica_id[2] = {guid(2), guid(3)};
  for (int i = 0; i < 2; ++i) {
    const bool is_primary = i == primary_;
    with_instance(servers_[i]->instance(), this, [&](Writer& w) {
      for (const char* t : {"ha_availability_groups", "ha_availability_replicas", "ha_database_replica_states",
                            "ha_availability_replica_states", "t_geo_links"})
        w.exec(std::string("DELETE FROM ") + t);
      int worst = 2;
      for (const auto& [_, d] : dbs_) worst = std::min(worst, health_code(d.health));
      if (!geo) {
        w.exec("INSERT INTO ha_availability_groups (group_id, name, is_distributed, cluster_type, cluster_type_desc, "
               "failure_condition_level, health_check_timeout, db_failover, basic_features, dtc_support) "
               "VALUES (?1, ?2, " + num(options_.mechanism == "link") + ", 2, 'NONE', 3, 30000, 1, 0, 0)",
               {group_id, options_.group});
        for (int r = 0; r < 2; ++r) {
          w.exec("INSERT INTO ha_availability_replicas (replica_id, group_id, replica_server_name, availability_mode, "
                 "availability_mode_desc, failover_mode, failover_mode_desc, secondary_role_allow_connections, "
                 "secondary_role_allow_connections_desc, seeding_mode, seeding_mode_desc) "
                 "VALUES (?1, ?2, ?3, 0, 'ASYNCHRONOUS_COMMIT', 1, 'MANUAL', 2, 'ALL', 0, 'AUTOMATIC')",
                 {replica_id[r], group_id, options_.names[r]});
          if (r != i && !is_primary) continue;  // a secondary sees only its own replica's state
          const bool r_primary = r == primary_;
          w.exec("INSERT INTO ha_availability_replica_states (replica_id, group_id, is_local, \"role\", role_desc, "
                 "operational_state, operational_state_desc, connected_state, connected_state_desc, "
                 "synchronization_health, synchronization_health_desc) VALUES (?1, ?2, " + num(r == i) + ", " +
                 num(r_primary ? 1 : 2) + ", '" + (r_primary ? "PRIMARY" : "SECONDARY") + "', " +
                 (r == i ? "2, 'ONLINE'" : "NULL, NULL") + ", 1, 'CONNECTED', " + num(worst) + ", ?3)",
                 {replica_id[r], group_id, std::string(kHealths[worst])});
        }
      }
      int n = 0;
      for (const auto& [name, d] : dbs_) {
        ++n;
        auto id = w.database_id(name);
        if (!id) continue;
        w.exec("UPDATE t_databases SET is_read_only = " + num(!is_primary) + " WHERE database_id = " + num(*id));
        if (geo) {
          const int rs = d.state == "INITIALIZING" ? 1 : (d.state == "SYNCHRONIZED" || d.state == "SYNCHRONIZING") ? 2 : 4;
          const char* rs_desc = rs == 1 ? "SEEDING" : rs == 2 ? "CATCH_UP" : "SUSPENDED";
          w.exec("INSERT INTO t_geo_links (database_id, link_guid, partner_server, partner_database, last_replication, "
                 "replication_lag_sec, replication_state, replication_state_desc, \"role\", role_desc, "
                 "secondary_allow_connections, secondary_allow_connections_desc, last_commit) VALUES (" + num(*id) +
                 ", ?1, ?2, ?3, " + (is_primary ? "'2026-11-27 00:00:00.0000000 +00:00'" : "NULL") + ", " +
                 (is_primary ? num(d.lag_seconds) : "NULL") + ", " + num(rs) + ", '" + rs_desc + "', " +
                 num(is_primary ? 0 : 1) + ", '" + (is_primary ? "PRIMARY" : "SECONDARY") +
                 "', 2, 'ALL', '2026-11-27 00:00:00.0000000 +00:00')",
                 {guid(100 + n), options_.names[1 - i], name});
          continue;
        }
        // The local replica's row; the primary also sees the secondary's.
        for (int r = 0; r < 2; ++r) {
          if (r != i && !is_primary) continue;
          const bool r_primary = r == primary_;
          w.exec("INSERT INTO ha_database_replica_states (database_id, group_id, replica_id, group_database_id, is_local, "
                 "is_primary_replica, synchronization_state, synchronization_state_desc, is_commit_participant, "
                 "synchronization_health, synchronization_health_desc, database_state, database_state_desc, "
                 "is_suspended, secondary_lag_seconds) VALUES (" + num(*id) + ", ?1, ?2, ?3, " + num(r == i) + ", " +
                 num(r_primary) + ", " + num(state_code(d.state)) + ", ?4, 0, " + num(health_code(d.health)) +
                 ", ?5, 0, 'ONLINE', " + num(d.state == "NOT_SYNCHRONIZING") + ", " +
                 (r_primary ? std::string("NULL") : num(d.lag_seconds)) + ")",
                 {group_id, replica_id[r], guid(200 + n), state_desc(d.state), d.health});
        }
      }
    });
  }
  routes_[0]->route(&servers_[primary_]->instance());
  routes_[1]->route(&servers_[1 - primary_]->instance());
}

}  // namespace emu
