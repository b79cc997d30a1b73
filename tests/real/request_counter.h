// request_counter.h — counts the ODBC calls that cost a round trip to the server, so the real
// lane can bound a snapshot's round trips on any server (a real one has no emulator counters).
//
// request_counter.cc defines SQLDriverConnectW, SQLExecDirectW, SQLPrepareW and SQLExecute in
// this test executable: the product's odbc module (linked statically, unchanged) calls these
// definitions, which count and forward to unixODBC's (dlsym RTLD_NEXT). Fetches stream the
// response of the request that was already sent, so requests = round trips after login.
// Thread-safety: atomic counters; the suite reads them from the test thread.
#pragma once

#include <cstdint>

namespace understudy::real {

struct RequestCount {
  uint64_t connects = 0;  // SQLDriverConnectW (one login each)
  uint64_t requests = 0;  // SQLExecDirectW + SQLPrepareW + SQLExecute
};

RequestCount request_count();

}  // namespace understudy::real
