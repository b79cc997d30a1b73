#include "ops/context.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>

#include "config/secrets.h"
#include "report/records.h"

namespace understudy::ops {

namespace {
int64_t system_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

Result<std::unique_ptr<Context>> Context::open(config::Config config, ContextOptions options) {
  std::unique_ptr<Context> c(new Context());
  c->config_ = std::move(config);
  c->clock_ = options.clock ? std::move(options.clock) : system_seconds;
  auto st = open_store(c->config_, {.create = options.create_store});
  if (!st) return tl::unexpected(st.error());
  c->store_ = std::move(*st);
  return c;
}

Status Context::records_ready() {
  std::lock_guard lock(store_mu_);
  if (records_ready_) return {};
  US_TRY(report::migrate(*store_));
  records_ready_ = true;
  return {};
}

Result<std::unique_ptr<store::Store>> Context::own_store() {
  US_TRY(refuse_if_damaged());
  return open_store(config_, {.create = false, .check_integrity = false});
}

Result<std::unique_ptr<store::Store>> open_store(const config::Config& config, store::OpenOptions options) {
  if (store::is_postgres_url(config.store)) {
    auto pw = config::store_password(config);
    if (!pw) return tl::unexpected(pw.error());
    options.password = std::move(*pw);
  }
  return store::Store::open(config.store, options);
}

void Context::mark_damaged(Error e) {
  std::lock_guard lock(state_mu_);
  damaged_ = std::move(e);
}

Status Context::refuse_if_damaged() const {
  std::lock_guard lock(state_mu_);
  if (damaged_) return tl::unexpected(*damaged_);
  return {};
}

std::unique_lock<std::mutex> Context::try_lock_pair(const std::string& pair) {
  std::mutex* m;
  {
    std::lock_guard lock(state_mu_);
    auto& slot = pair_locks_[pair];
    if (!slot) slot = std::make_unique<std::mutex>();
    m = slot.get();
  }
  return std::unique_lock(*m, std::try_to_lock);
}

bool Context::primary_reachable(const std::string& instance) const {
  std::lock_guard lock(state_mu_);
  auto it = reachable_.find(instance);
  return it == reachable_.end() || it->second;
}

void Context::set_primary_reachable(const std::string& instance, bool reachable) {
  std::lock_guard lock(state_mu_);
  reachable_[instance] = reachable;
}

std::string cli_actor() {
  const passwd* pw = getpwuid(geteuid());
  return std::string("cli:") + (pw != nullptr ? pw->pw_name : std::to_string(geteuid()));
}

}  // namespace understudy::ops
