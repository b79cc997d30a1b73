// connections.h — how `understudy serve` holds its connections, so that slow, idle or numerous
// clients cannot take every worker and leave /livez, /readyz and /metrics without an answer.
//
// cpp-httplib gives each connection one worker thread for the connection's whole life, and its
// read timeout is per read: a client that sends a header line every 2 s held its worker forever,
// and 97 such clients kept /livez from answering with 96 workers. GovernedServer keeps httplib's
// parsing and routing but runs each connection itself (Limits):
//  - a request's head and body must arrive within `request_seconds` of its first byte;
//  - a kept-alive connection that sends nothing for `idle_seconds` is closed;
//  - one client (peer address) holds at most `per_client` connections: a new one closes that
//    client's oldest connection that is not running a handler, or is refused with 503;
//  - when every worker is busy and a new connection waits, the oldest connection that is not
//    running a handler (idle, or still sending its request) is closed to free its worker;
//  - at most `workers - reserved` handlers of /v1 routes run at once (more: 503 "busy" with
//    Retry-After), so the health endpoints always find a worker that can be freed.
// TLS connections (httplib::SSLServer) keep httplib's own handling; see docs/api.md.
//
// Thread-safety: every member may be called from any thread. Ownership: the Governor is owned
// by the Server (server.h) and outlives its GovernedServer and pool.
#pragma once

#include <httplib.h>

#include "http/limits.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace understudy::http {


class Governor {
 public:
  explicit Governor(Limits limits) : limits_(limits) {}
  const Limits& limits() const { return limits_; }

  // A connection accepted from `peer`. False: refuse it (the client holds `per_client`
  // connections, all running handlers).
  bool admit(int fd, const std::string& peer);
  void release(int fd);
  // The connection of the calling worker starts or ends running a handler.
  void handling(int fd, bool on);
  // Closes (shuts down) the oldest connection that is not running a handler; false when none.
  bool evict_oldest(const std::string& only_peer = "");
  // A /v1 handler may start (false: `workers - reserved` are running); leave_v1() when done.
  bool enter_v1();
  void leave_v1();
  size_t connections();

 private:
  struct Conn {
    std::string peer;
    bool handling = false;
    std::chrono::steady_clock::time_point since;
  };
  bool evict_locked(const std::string& only_peer);
  Limits limits_;
  std::mutex mu_;
  std::map<int, Conn> conns_;
  size_t v1_running_ = 0;
};

// httplib's worker pool, plus: when a connection waits for a worker and none is idle, the
// governor frees one (checked on every enqueue and every 100 ms while one waits).
class GovernedPool : public httplib::TaskQueue {
 public:
  GovernedPool(Governor& governor, size_t workers);
  ~GovernedPool() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void work();
  void watch();
  Governor& governor_;
  std::mutex mu_;
  std::condition_variable cv_, watch_cv_;
  std::deque<std::function<void()>> tasks_;
  size_t idle_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  std::thread watcher_;
};

// A plain-HTTP httplib::Server whose connections the governor holds (see above).
class GovernedServer : public httplib::Server {
 public:
  explicit GovernedServer(Governor& governor);

 private:
  bool process_and_close_socket(socket_t sock) override;
  Governor& governor_;
};

// For the calling worker's connection: close it once the current answer is written (a request
// whose unread bytes must not be taken for the next request). No effect under TLS.
void close_after_response();
// The calling worker's connection (-1 outside a governed connection).
int current_connection();

}  // namespace understudy::http
