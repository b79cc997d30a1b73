// session.cc — requests, locking and transactions of SessionImpl (see session.h).
#include "engine/session.h"

#include <sqlite3.h>

#include <functional>

namespace emu {

namespace {

// Releases the instance lock at the end of a request unless a transaction keeps it.
class RequestLock {
 public:
  explicit RequestLock(std::function<void()> release) : release_(std::move(release)) {}
  ~RequestLock() {
    if (release_) release_();
  }

 private:
  std::function<void()> release_;
};

Message lock_timeout_error() {
  return Message{1222, 56, 16, "Lock request time out period exceeded.", 1, {}};
}

}  // namespace

SessionImpl::SessionImpl(InstanceImpl& inst, const LoginRequest& req, std::string login_sid, std::string database,
                         uint16_t spid)
    : inst_(inst),
      spid_(spid),
      login_(req.user),
      login_sid_(std::move(login_sid)),
      app_(req.app_name),
      host_(req.host_name),
      default_db_(database),
      db_(std::move(database)) {}

SessionImpl::~SessionImpl() {
  if (trancount_ > 0) {
    std::lock_guard<std::recursive_mutex> g(inst_.sqlite_mutex());
    Message ignored;
    rollback_tran(&ignored);
  }
  if (holds_lock_) {
    inst_.release(this);
    holds_lock_ = false;
  }
}

bool SessionImpl::ensure_lock(Message* err) {
  if (holds_lock_) return true;
  if (!inst_.acquire(this, lock_timeout_ms_)) {
    *err = lock_timeout_error();
    return false;
  }
  holds_lock_ = true;
  return true;
}

void SessionImpl::unlock_after_request() {
  if (holds_lock_ && trancount_ == 0) {
    inst_.release(this);
    holds_lock_ = false;
  }
}

void SessionImpl::execute_batch(const std::string& sql, ReplySink& sink) {
  inst_.log_request("BATCH " + sql);
  RequestLock guard([this] { unlock_after_request(); });
  Frame frame;
  run_text(sql, frame, sink);
}

bool SessionImpl::begin_tran(Message* err) {
  if (trancount_ == 0) {
    char* msg = nullptr;
    if (sqlite3_exec(inst_.state().db(), "BEGIN", nullptr, nullptr, &msg) != SQLITE_OK) {
      *err = Message{50000, 1, 16, std::string("emulator: cannot begin transaction: ") + (msg ? msg : ""), 1, {}};
      sqlite3_free(msg);
      return false;
    }
    tran_id_ = inst_.next_transaction_id();
  }
  ++trancount_;
  return true;
}

bool SessionImpl::commit_tran(Message* err) {
  if (trancount_ == 0) {
    *err = Message{3902, 1, 16, "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.", 1, {}};
    return false;
  }
  if (refuse_write_when_doomed(err)) return false;  // COMMIT of an uncommittable transaction: 3930
  if (--trancount_ == 0) {
    char* msg = nullptr;
    if (sqlite3_exec(inst_.state().db(), "COMMIT", nullptr, nullptr, &msg) != SQLITE_OK) {
      *err = Message{50000, 1, 16, std::string("emulator: cannot commit: ") + (msg ? msg : ""), 1, {}};
      sqlite3_free(msg);
      sqlite3_exec(inst_.state().db(), "ROLLBACK", nullptr, nullptr, nullptr);
      return false;
    }
  }
  return true;
}

bool SessionImpl::rollback_tran(Message* err) {
  if (trancount_ == 0) {
    *err = Message{3903, 1, 16, "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.", 1, {}};
    return false;
  }
  trancount_ = 0;
  doomed_ = false;
  sqlite3_exec(inst_.state().db(), "ROLLBACK", nullptr, nullptr, nullptr);
  return true;
}

bool SessionImpl::begin_transaction(Message* err) {
  if (!holds_lock_) {
    if (!inst_.acquire(this, lock_timeout_ms_)) {
      *err = lock_timeout_error();
      return false;
    }
    holds_lock_ = true;
  }
  bool ok;
  {
    std::lock_guard<std::recursive_mutex> g(inst_.sqlite_mutex());
    ok = begin_tran(err);
  }
  unlock_after_request();
  return ok;
}

bool SessionImpl::commit_transaction(Message* err) {
  if (!holds_lock_ && !inst_.acquire(this, lock_timeout_ms_)) {
    *err = lock_timeout_error();
    return false;
  }
  holds_lock_ = true;
  bool ok;
  {
    std::lock_guard<std::recursive_mutex> g(inst_.sqlite_mutex());
    ok = commit_tran(err);
  }
  unlock_after_request();
  return ok;
}

bool SessionImpl::rollback_transaction(Message* err) {
  if (!holds_lock_ && !inst_.acquire(this, lock_timeout_ms_)) {
    *err = lock_timeout_error();
    return false;
  }
  holds_lock_ = true;
  bool ok;
  {
    std::lock_guard<std::recursive_mutex> g(inst_.sqlite_mutex());
    ok = rollback_tran(err);
  }
  unlock_after_request();
  return ok;
}

void SessionImpl::reset() {
  if (trancount_ > 0) {
    if (!holds_lock_) {
      inst_.acquire(this, -1);
      holds_lock_ = true;
    }
    std::lock_guard<std::recursive_mutex> g(inst_.sqlite_mutex());
    Message ignored;
    rollback_tran(&ignored);
  }
  unlock_after_request();
  db_ = default_db_;
  nocount_ = false;
  xact_abort_ = false;
  lock_timeout_ms_ = 10000;
  last_error_ = 0;
  last_rowcount_ = 0;
}

}  // namespace emu
