// cluster_internal.h — helpers shared by cluster.cc (the model and its transitions) and
// cluster_views.cc (writing the model into each instance's HA views): the listeners' routing
// instance, and a statement runner over an
// instance's SQLite state, run under that instance's execution lock as one savepoint.
// Thread-safety: with_cluster_instance takes the instance's lock; Writer is used inside it only.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

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

}  // namespace emu

namespace emu::cluster_detail {

class Writer {
 public:
  explicit Writer(sqlite3* db) : db_(db) {}
  // Runs one statement; ?1… bound to `text` (nullopt = NULL). Throws std::runtime_error.
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

// Runs f(Writer&) under the instance's execution lock, as one SQLite savepoint (all or nothing).
template <typename F>
void with_cluster_instance(Instance& instance, const void* owner, F f) {
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

}  // namespace emu::cluster_detail
