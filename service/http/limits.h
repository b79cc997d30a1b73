// limits.h — the bounds `understudy serve` keeps on its connections (connections.h explains
// each; docs/api.md "Connections"). Thread-safety: a plain value.
#pragma once

#include <cstddef>

namespace understudy::http {

struct Limits {
  size_t workers = 96;          // > 64 concurrent pollers (docs/benchmarks.md)
  size_t reserved = 8;          // workers never running /v1 handlers
  size_t per_client = 64;       // connections per peer address (a runbook host polls with many)
  int request_seconds = 10;     // head and body of one request, from its first byte
  int idle_seconds = 5;         // a kept-alive connection waiting for its next request
  int write_seconds = 5;        // per write of an answer
  size_t keep_alive_requests = 1000;
};

}  // namespace understudy::http
