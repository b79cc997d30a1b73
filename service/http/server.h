// server.h — `understudy serve`'s HTTP face (cpp-httplib): the route table, authentication,
// RFC 9457 problems, and the handlers that call App (app.h).
//
// Every route is one row of routes(): method, path pattern ({name} segments), who may call it,
// a summary. docs/api.md documents each row and a test keeps the two equal. Dispatch is ours,
// not httplib's: a path that matches a row with another method is 405 with Allow; no match is
// 404; HEAD is GET without a body. Path parameters must be names (letters, digits, '_', '.',
// '-', starting with a letter or digit) — anything else, such as "..", is 400 naming the
// parameter. Unknown query parameters are 400 too (a typo in `max_age` must not silently widen
// a gate). Bodies above 64 KiB are 413.
// Auth: /livez, /readyz and /metrics are open; every /v1 route needs a bearer token with an
// allowed role (runbook: gates and pairs; auditor: reads; operator: everything) — no token 401,
// wrong role 403. Nothing a handler writes or logs contains a token, a hash or a secret.
// Connections: deadlines, a per-client cap and workers kept for /livez, /readyz and /metrics
// (connections.h).
// Thread-safety: handlers run on the server's worker pool; App is thread-safe.
// Ownership: Server borrows App; App must outlive it.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "http/app.h"
#include "http/auth.h"
#include "http/limits.h"

namespace httplib {
class Server;
}

namespace understudy::http {

class Governor;  // connections.h

enum class Access { kOpen, kRunbook, kAuditor, kOperator };  // kRunbook: any role; kAuditor: auditor|operator

struct RouteInfo {
  std::string_view method;   // GET, POST (GET rows answer HEAD too)
  std::string_view pattern;  // "/v1/gates/{gate}"
  Access access;
  std::string_view summary;
};

// The routes the server registers (docs/api.md lists the same).
std::span<const RouteInfo> routes();

inline constexpr size_t kMaxBodyBytes = 64 * 1024;

class Server {
 public:
  explicit Server(App& app, Limits limits = {});
  ~Server();
  // Binds host:port (port 0 = any free port). TLS when cert and key are configured.
  [[nodiscard]] Status bind(const std::string& listen);
  int port() const { return port_; }
  // Serves until stop(). Blocks.
  void serve();
  void stop();
  bool bound() const { return port_ > 0; }

  struct Impl;  // handlers (server.cc)

 private:
  App& app_;
  std::unique_ptr<Governor> governor_;  // outlives server_ (declared first)
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
};

}  // namespace understudy::http
