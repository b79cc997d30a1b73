// single_flight.h — concurrent identical requests share one evaluation.
//
// run(key, fn): the first caller for `key` runs fn; callers arriving while it runs wait for and
// receive the same value. Nothing is cached: a caller arriving after it finished runs fn again, so
// every answer is as fresh as a request made at that moment (a gate must compare against the live
// target). `shared` tells the caller whether it rode on another's evaluation (for metrics).
// Thread-safety: thread-safe. REQUIRES: fn does not throw (it returns a Result).
#pragma once

#include <future>
#include <map>
#include <mutex>
#include <string>

namespace understudy::http {

template <typename T>
class SingleFlight {
 public:
  template <typename Fn>
  T run(const std::string& key, Fn&& fn, bool* shared = nullptr) {
    std::unique_lock lock(mu_);
    auto it = inflight_.find(key);
    if (it != inflight_.end()) {
      auto fut = it->second;
      ++waiters_[key];
      lock.unlock();
      if (shared) *shared = true;
      return fut.get();
    }
    std::promise<T> promise;
    inflight_.emplace(key, promise.get_future().share());
    lock.unlock();
    if (shared) *shared = false;
    T value = fn();
    promise.set_value(value);
    lock.lock();
    inflight_.erase(key);
    waiters_.erase(key);
    return value;
  }

  // Callers that joined the evaluation of `key` now in flight (tests and metrics).
  size_t waiters(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = waiters_.find(key);
    return it == waiters_.end() ? 0 : it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_future<T>> inflight_;
  std::map<std::string, size_t> waiters_;
};

}  // namespace understudy::http
