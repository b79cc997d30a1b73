// request_counter.cc — see request_counter.h. The signatures are unixODBC's (sqlucode.h/sql.h).
#include "request_counter.h"

#include <dlfcn.h>
#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

#include <atomic>
#include <cstdlib>
#include <cstdio>

namespace {

std::atomic<uint64_t> g_connects{0};
std::atomic<uint64_t> g_requests{0};

template <typename Fn>
Fn next_symbol(const char* name) {
  void* sym = dlsym(RTLD_NEXT, name);
  if (sym == nullptr) {
    std::fprintf(stderr, "request_counter: unixODBC has no %s\n", name);
    std::abort();
  }
  return reinterpret_cast<Fn>(sym);
}

}  // namespace

namespace understudy::real {

RequestCount request_count() { return {g_connects.load(), g_requests.load()}; }

}  // namespace understudy::real

extern "C" {

SQLRETURN SQL_API SQLDriverConnectW(SQLHDBC dbc, SQLHWND window, SQLWCHAR* in, SQLSMALLINT in_len, SQLWCHAR* out,
                                    SQLSMALLINT out_max, SQLSMALLINT* out_len, SQLUSMALLINT completion) {
  using Fn = SQLRETURN (*)(SQLHDBC, SQLHWND, SQLWCHAR*, SQLSMALLINT, SQLWCHAR*, SQLSMALLINT, SQLSMALLINT*, SQLUSMALLINT);
  static const Fn next = next_symbol<Fn>("SQLDriverConnectW");
  ++g_connects;
  return next(dbc, window, in, in_len, out, out_max, out_len, completion);
}

SQLRETURN SQL_API SQLExecDirectW(SQLHSTMT stmt, SQLWCHAR* text, SQLINTEGER len) {
  using Fn = SQLRETURN (*)(SQLHSTMT, SQLWCHAR*, SQLINTEGER);
  static const Fn next = next_symbol<Fn>("SQLExecDirectW");
  ++g_requests;
  return next(stmt, text, len);
}

SQLRETURN SQL_API SQLPrepareW(SQLHSTMT stmt, SQLWCHAR* text, SQLINTEGER len) {
  using Fn = SQLRETURN (*)(SQLHSTMT, SQLWCHAR*, SQLINTEGER);
  static const Fn next = next_symbol<Fn>("SQLPrepareW");
  ++g_requests;
  return next(stmt, text, len);
}

SQLRETURN SQL_API SQLExecute(SQLHSTMT stmt) {
  using Fn = SQLRETURN (*)(SQLHSTMT);
  static const Fn next = next_symbol<Fn>("SQLExecute");
  ++g_requests;
  return next(stmt);
}

}  // extern "C"
