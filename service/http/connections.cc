#include "http/connections.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "http/problem.h"

namespace understudy::http {
namespace {

using Clock = std::chrono::steady_clock;

thread_local int tl_connection = -1;
thread_local bool tl_close_after = false;

int ms_until(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return ms < 0 ? 0 : static_cast<int>(std::min<long long>(ms, 1 << 30));
}

// Waits until `fd` is ready for `events` or `deadline` passes.
bool wait_ready(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, ms_until(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::string address_text(const sockaddr_storage& a, int* port) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (a.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&a);
    ::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    if (port) *port = ntohs(in->sin_port);
  } else if (a.ss_family == AF_INET6) {
    auto* in = reinterpret_cast<const sockaddr_in6*>(&a);
    ::inet_ntop(AF_INET6, &in->sin6_addr, buf, sizeof buf);
    if (port) *port = ntohs(in->sin6_port);
  }
  return buf;
}

std::string peer_of(int fd, int* port = nullptr) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return "";
  return address_text(a, port);
}

// A socket whose reads end at a deadline (the request's) and whose writes each have a timeout.
// Reads are buffered: httplib reads a request head byte by byte.
class GovernedStream : public httplib::Stream {
 public:
  GovernedStream(int fd, Clock::time_point read_deadline, int write_seconds)
      : fd_(fd), deadline_(read_deadline), write_seconds_(write_seconds) {}

  bool is_readable() const override { return pos_ < len_ || wait_ready(fd_, POLLIN, deadline_); }
  bool is_writable() const override {
    return wait_ready(fd_, POLLOUT, Clock::now() + std::chrono::seconds(write_seconds_));
  }
  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == len_) {
      if (!wait_ready(fd_, POLLIN, deadline_)) {  // the request took too long
        failed_ = true;
        return -1;
      }
      ssize_t n;
      do n = ::recv(fd_, buf_, sizeof buf_, 0);
      while (n < 0 && errno == EINTR);
      if (n <= 0) {
        failed_ = true;  // closed by the client, or shut down by the governor
        return n;
      }
      pos_ = 0;
      len_ = static_cast<size_t>(n);
    }
    size_t n = std::min(size, len_ - pos_);
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { ip = peer_of(fd_, &port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) ip = address_text(a, &port);
  }
  socket_t socket() const override { return fd_; }
  // Bytes of the next (pipelined) request already read.
  bool buffered() const { return pos_ < len_; }
  // A read hit the request's deadline, the end of the stream or an error: whatever httplib
  // answered, the connection is done (the rest of a cut-off request must not be read as the next).
  bool failed() const { return failed_; }
  void set_read_deadline(Clock::time_point t) { deadline_ = t; }

 private:
  int fd_;
  Clock::time_point deadline_;
  int write_seconds_;
  char buf_[4096];
  size_t pos_ = 0, len_ = 0;
  bool failed_ = false;
};

void refuse_busy(int fd) {
  auto body = to_json(problem(503, "temporary", "this client holds too many connections that are running requests", "",
                              "wait for an answer before opening more connections"),
                      "")
                  .dump() +
              "\n";
  std::string r = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
                  "Cache-Control: no-store\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)::send(fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

void close_after_response() { tl_close_after = true; }
int current_connection() { return tl_connection; }

// ---- Governor ----

bool Governor::admit(int fd, const std::string& peer) {
  std::lock_guard lock(mu_);
  size_t held = static_cast<size_t>(
      std::count_if(conns_.begin(), conns_.end(), [&](const auto& c) { return c.second.peer == peer; }));
  if (held >= limits_.per_client && !evict_locked(peer)) return false;
  conns_[fd] = Conn{peer, false, Clock::now()};
  return true;
}

void Governor::release(int fd) {
  std::lock_guard lock(mu_);
  conns_.erase(fd);
}

void Governor::handling(int fd, bool on) {
  std::lock_guard lock(mu_);
  auto it = conns_.find(fd);
  if (it == conns_.end()) return;
  it->second.handling = on;
  it->second.since = Clock::now();
}

bool Governor::evict_oldest(const std::string& only_peer) {
  std::lock_guard lock(mu_);
  return evict_locked(only_peer);
}

// Under mu_: a connection is erased (release) before its socket is closed, so `fd` is still
// that connection's socket here.
bool Governor::evict_locked(const std::string& only_peer) {
  auto victim = conns_.end();
  for (auto it = conns_.begin(); it != conns_.end(); ++it) {
    if (it->second.handling || (!only_peer.empty() && it->second.peer != only_peer)) continue;
    if (victim == conns_.end() || it->second.since < victim->second.since) victim = it;
  }
  if (victim == conns_.end()) return false;
  ::shutdown(victim->first, SHUT_RDWR);  // its worker's poll or read returns; it closes
  conns_.erase(victim);
  return true;
}

bool Governor::enter_v1() {
  std::lock_guard lock(mu_);
  if (v1_running_ + limits_.reserved >= limits_.workers) return false;
  ++v1_running_;
  return true;
}

void Governor::leave_v1() {
  std::lock_guard lock(mu_);
  if (v1_running_ > 0) --v1_running_;
}

size_t Governor::connections() {
  std::lock_guard lock(mu_);
  return conns_.size();
}

// ---- GovernedPool ----

GovernedPool::GovernedPool(Governor& governor, size_t workers) : governor_(governor) {
  for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
  watcher_ = std::thread([this] { watch(); });
}

GovernedPool::~GovernedPool() { shutdown(); }

void GovernedPool::enqueue(std::function<void()> fn) {
  bool starved;
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(fn));
    starved = tasks_.size() > idle_;
  }
  cv_.notify_one();
  if (starved) {
    governor_.evict_oldest();
    watch_cv_.notify_one();
  }
}

void GovernedPool::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  watch_cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  if (watcher_.joinable()) watcher_.join();
}

void GovernedPool::work() {
  while (true) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mu_);
      ++idle_;
      cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      --idle_;
      if (tasks_.empty()) return;  // stopping, nothing left
      fn = std::move(tasks_.front());
      tasks_.pop_front();
    }
    fn();
  }
}

void GovernedPool::watch() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    watch_cv_.wait_for(lock, std::chrono::milliseconds(100));
    if (stopping_) return;
    if (tasks_.size() > idle_) {
      lock.unlock();
      governor_.evict_oldest();
      lock.lock();
    }
  }
}

// ---- GovernedServer ----

GovernedServer::GovernedServer(Governor& governor) : governor_(governor) {}

bool GovernedServer::process_and_close_socket(socket_t sock) {
  const auto& lim = governor_.limits();
  bool ok = true;
  if (!governor_.admit(sock, peer_of(sock))) {
    refuse_busy(sock);
    ok = false;
  } else {
    tl_connection = sock;
    GovernedStream strm(sock, Clock::now(), lim.write_seconds);
    size_t left = lim.keep_alive_requests;
    while (left > 0 && svr_sock_ != INVALID_SOCKET) {
      // Idle: wait for the next request's first byte, waking to notice a stopping server.
      auto idle_until = Clock::now() + std::chrono::seconds(lim.idle_seconds);
      bool readable = strm.buffered();
      while (!readable && Clock::now() < idle_until && svr_sock_ != INVALID_SOCKET)
        readable = wait_ready(sock, POLLIN, std::min(idle_until, Clock::now() + std::chrono::milliseconds(100)));
      if (!readable) break;
      strm.set_read_deadline(Clock::now() + std::chrono::seconds(lim.request_seconds));
      bool closed = false;
      tl_close_after = false;
      ok = process_request(strm, left == 1, closed, nullptr);
      governor_.handling(sock, false);
      if (!ok || closed || tl_close_after || strm.failed()) break;
      --left;
    }
    tl_connection = -1;
    governor_.release(sock);
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace understudy::http
