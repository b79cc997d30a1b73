// instance.cc — create_instance and the executor's Instance (see instance_impl.h).
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/functions.h"
#include "engine/instance_impl.h"
#include "engine/session.h"

namespace emu {

namespace {

constexpr size_t kRequestLogSize = 1000;
constexpr size_t kStatementCacheSize = 512;

// Collects what the init SQL produced so its first error can be reported.
class InitSink final : public ReplySink {
 public:
  void message(const Message& m) override {
    if (m.severity > 10 && first_error.empty()) {
      first_error = "init sql: line " + std::to_string(m.line) + ": error " + std::to_string(m.number) + ": " + m.text;
    }
  }
  void columns(const std::vector<ColumnInfo>&) override {}
  void row(const Row&) override {}
  void done(const DoneInfo&) override {}
  std::string first_error;
};

}  // namespace

std::unique_ptr<InstanceImpl> InstanceImpl::create(const InstanceOptions& options, std::string* error) {
  std::unique_ptr<InstanceImpl> inst(new InstanceImpl());
  inst->config_ = options.config;
  if (inst->config_.is_managed_instance() && inst->config_.edition.rfind("Enterprise", 0) == 0) {
    inst->config_.edition = "SQL Azure";
  }
  inst->state_ = CatalogState::create(inst->config_, options.sa_password, error);
  if (!inst->state_) return nullptr;
  if (!register_functions(inst->state_->db(), inst->state_.get(), error)) return nullptr;
  if (!options.fixture_path.empty()) {
    std::ifstream in(options.fixture_path);
    if (!in) {
      *error = "cannot read fixture " + options.fixture_path;
      return nullptr;
    }
    nlohmann::json fixture;
    try {
      in >> fixture;
    } catch (const std::exception& e) {
      *error = "fixture " + options.fixture_path + ": invalid JSON: " + e.what();
      return nullptr;
    }
    std::string ferr;
    if (!inst->state_->load_fixture(fixture, &ferr)) {
      *error = "fixture " + options.fixture_path + ": " + ferr;
      return nullptr;
    }
  }
  if (!options.init_sql_path.empty()) {
    std::ifstream in(options.init_sql_path);
    if (!in) {
      *error = "cannot read init sql " + options.init_sql_path;
      return nullptr;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    LoginRequest req;
    req.user = "sa";
    std::string sid;
    (void)inst->state_->check_login("sa", options.sa_password, &sid);
    SessionImpl session(*inst, req, sid, "master", 0);
    // Like sqlcmd, a line holding only GO ends a batch.
    std::vector<std::string> batches(1);
    std::istringstream lines(ss.str());
    for (std::string line; std::getline(lines, line);) {
      std::string t = line;
      t.erase(0, t.find_first_not_of(" \t\r"));
      t.erase(t.find_last_not_of(" \t\r;") + 1);
      if (t.size() == 2 && (t[0] == 'G' || t[0] == 'g') && (t[1] == 'O' || t[1] == 'o')) {
        batches.emplace_back();
      } else {
        batches.back() += line + "\n";
      }
    }
    for (const auto& batch : batches) {
      if (batch.find_first_not_of(" \t\r\n") == std::string::npos) continue;
      InitSink sink;
      session.execute_batch(batch, sink);
      if (!sink.first_error.empty()) {
        *error = sink.first_error;
        return nullptr;
      }
    }
  }
  return inst;
}

InstanceImpl::~InstanceImpl() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  cache_.clear();
}

LoginResult InstanceImpl::login(const LoginRequest& req) {
  if (faults_.refuse_logins.load()) {
    LoginResult r;
    r.ok = false;
    r.error = Message{18456, 1, 14, "Login failed for user '" + req.user + "'.", 1, {}};
    return r;
  }
  std::lock_guard<std::recursive_mutex> g(sqlite_mu_);
  std::string sid;
  LoginResult r = state_->check_login(req.user, req.password, &sid);
  if (r.ok && !req.database.empty()) {
    if (!state_->database_exists(req.database)) {
      r.ok = false;
      r.error = Message{4060, 1, 11,
                        "Cannot open database \"" + req.database + "\" requested by the login. The login failed.", 1, {}};
    } else {
      r.database = req.database;
    }
  }
  return r;
}

std::unique_ptr<Session> InstanceImpl::open_session(const LoginRequest& req, const std::string& database,
                                                    uint16_t spid) {
  std::string sid;
  {
    std::lock_guard<std::recursive_mutex> g(sqlite_mu_);
    Value v = state_->suser_sid(req.user);
    if (const auto* b = std::get_if<Blob>(&v)) sid = b->bytes;
  }
  return std::make_unique<SessionImpl>(*this, req, sid, database.empty() ? "master" : database, spid);
}

bool InstanceImpl::acquire(const void* owner, int timeout_ms) {
  std::unique_lock<std::mutex> lk(lock_mu_);
  auto free_or_mine = [&] { return lock_owner_ == nullptr || lock_owner_ == owner; };
  if (timeout_ms < 0) {
    lock_cv_.wait(lk, free_or_mine);
  } else if (!lock_cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms), free_or_mine)) {
    return false;
  }
  lock_owner_ = owner;
  return true;
}

void InstanceImpl::release(const void* owner) {
  {
    std::lock_guard<std::mutex> lk(lock_mu_);
    if (lock_owner_ != owner) return;
    lock_owner_ = nullptr;
  }
  lock_cv_.notify_all();
}

sqlite3_stmt* InstanceImpl::prepare(const std::string& sql, std::string* error) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  if (cache_.size() >= kStatementCacheSize) {
    for (auto& [text, stmt] : cache_) sqlite3_finalize(stmt);
    cache_.clear();
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(state_->db(), sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                         nullptr) != SQLITE_OK) {
    *error = sqlite3_errmsg(state_->db());
    sqlite3_finalize(stmt);
    return nullptr;
  }
  cache_.emplace(sql, stmt);
  return stmt;
}

bool InstanceImpl::fault_before_statement(const std::string& text, Message* err) {
  std::lock_guard<std::mutex> lk(faults_.mu);
  if (faults_.drop_after_statements == 0) {
    faults_.drop_after_statements = -1;
    throw DropConnection{};
  }
  if (faults_.fail_pattern && std::regex_search(text, *faults_.fail_pattern)) {
    *err = faults_.fail_error;
    if (err->number == 0) err->number = 50000;
    if (err->severity == 0) err->severity = 16;
    if (!faults_.fail_repeat) {
      faults_.fail_pattern.reset();
      faults_.fail_pattern_text.clear();
    }
    return true;
  }
  return false;
}

void InstanceImpl::fault_after_statement() {
  std::lock_guard<std::mutex> lk(faults_.mu);
  if (faults_.drop_after_statements > 0 && --faults_.drop_after_statements == 0) {
    faults_.drop_after_statements = -1;
    throw DropConnection{};
  }
}

void InstanceImpl::log_request(std::string entry) {
  std::lock_guard<std::mutex> lk(log_mu_);
  if (log_.size() >= kRequestLogSize) log_.pop_front();
  log_.push_back(std::move(entry));
}

std::vector<std::string> InstanceImpl::request_log() const {
  std::lock_guard<std::mutex> lk(log_mu_);
  return {log_.begin(), log_.end()};
}

void InstanceImpl::clear_request_log() {
  std::lock_guard<std::mutex> lk(log_mu_);
  log_.clear();
}

std::unique_ptr<Instance> create_instance(const InstanceOptions& options, std::string* error) {
  return InstanceImpl::create(options, error);
}

std::vector<std::string> request_log(const Instance& instance) {
  if (const auto* impl = dynamic_cast<const InstanceImpl*>(&instance)) return impl->request_log();
  return {};
}

void clear_request_log(Instance& instance) {
  if (auto* impl = dynamic_cast<InstanceImpl*>(&instance)) impl->clear_request_log();
}

}  // namespace emu
