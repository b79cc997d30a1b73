// channel.h — a bounded queue between two threads, closable from either side.
//
// Why: a snapshot reads the catalog on one thread and writes the store on another (so that, on
// two cores the ODBC fetch and SQLite's inserts overlap instead of adding up). Batches go one way
// full and come back spent, so their buffers are reused instead of freed on another thread.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace understudy {

template <typename T>
class Channel {
 public:
  // REQUIRES: capacity > 0.
  explicit Channel(size_t capacity) : capacity_(capacity) {}

  // Waits while the channel is full. False (and `v` untouched) once it is closed.
  bool push(T& v) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(v));
    not_empty_.notify_one();
    return true;
  }
  // Waits for an item. nullopt once the channel is closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    return take(lock);
  }
  // An item if one is waiting, without waiting.
  std::optional<T> try_pop() {
    std::unique_lock lock(mu_);
    return take(lock);
  }
  // Items waiting now (a hint: another thread may change it at once).
  size_t size() {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  size_t capacity() const { return capacity_; }
  // Wakes every waiter; later pushes fail, pops drain what is left.
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  std::optional<T> take(std::unique_lock<std::mutex>&) {
    if (items_.empty()) return std::nullopt;
    std::optional<T> v(std::move(items_.front()));
    items_.pop_front();
    not_full_.notify_one();
    return v;
  }

  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace understudy
