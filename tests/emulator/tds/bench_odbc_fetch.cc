// bench_odbc_fetch.cc — the emulator benchmark's client (scripts/bench-emulator.sh), not a test:
// through unixODBC + FreeTDS, times (1) one catalog SELECT fetched to the end with bound columns
// and (2) N trivial round trips (SELECT 1: execute, fetch, close). Prints one JSON object.
//
//   bench-odbc-fetch "CONNECTION STRING" "SELECT …" ROUND_TRIPS
#include <sql.h>
#include <sqlext.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

void die(const char* what, SQLSMALLINT type, SQLHANDLE h) {
  SQLCHAR state[6] = {0}, msg[1024] = {0};
  SQLINTEGER native = 0;
  SQLSMALLINT len = 0;
  SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len);
  std::fprintf(stderr, "bench-odbc-fetch: %s failed: %s %d %s\n", what, state, static_cast<int>(native), msg);
  std::exit(1);
}

SQLCHAR* text(const std::string& s) { return reinterpret_cast<SQLCHAR*>(const_cast<char*>(s.c_str())); }

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench-odbc-fetch CONNECTION_STRING SELECT ROUND_TRIPS\n");
    return 64;
  }
  const std::string cs = argv[1], select = argv[2];
  const long trips = std::atol(argv[3]);
  SQLHENV env;
  SQLHDBC dbc;
  SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
  SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
  if (!SQL_SUCCEEDED(SQLDriverConnect(dbc, nullptr, text(cs), SQL_NTS, nullptr, 0, nullptr,
                                      SQL_DRIVER_NOPROMPT)))
    die("connect", SQL_HANDLE_DBC, dbc);
  SQLHSTMT st;
  SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);

  // (1) the catalog SELECT, every column bound as text
  auto t0 = std::chrono::steady_clock::now();
  if (!SQL_SUCCEEDED(SQLExecDirect(st, text(select), SQL_NTS))) die("select", SQL_HANDLE_STMT, st);
  SQLSMALLINT ncols = 0;
  SQLNumResultCols(st, &ncols);
  static char buf[16][512];
  SQLLEN ind[16];
  for (SQLUSMALLINT c = 1; c <= ncols && c <= 16; ++c) SQLBindCol(st, c, SQL_C_CHAR, buf[c - 1], 512, &ind[c - 1]);
  long rows = 0;
  SQLRETURN rc;
  while ((rc = SQLFetch(st)) != SQL_NO_DATA) {
    if (!SQL_SUCCEEDED(rc)) die("fetch", SQL_HANDLE_STMT, st);
    ++rows;
  }
  const double select_s = seconds_since(t0);
  SQLFreeStmt(st, SQL_CLOSE);
  SQLFreeStmt(st, SQL_UNBIND);

  // (2) round trips
  t0 = std::chrono::steady_clock::now();
  const std::string one = "SELECT 1";
  for (long i = 0; i < trips; ++i) {
    if (!SQL_SUCCEEDED(SQLExecDirect(st, text(one), SQL_NTS))) die("SELECT 1", SQL_HANDLE_STMT, st);
    while (SQLFetch(st) == SQL_SUCCESS) {
    }
    SQLFreeStmt(st, SQL_CLOSE);
  }
  const double trips_s = seconds_since(t0);

  std::printf("{\"rows\": %ld, \"select_seconds\": %.3f, \"rows_per_second\": %.0f, \"round_trips\": %ld, "
              "\"round_trip_seconds\": %.3f, \"round_trips_per_second\": %.0f}\n",
              rows, select_s, rows / select_s, trips, trips_s, trips / trips_s);
  SQLFreeHandle(SQL_HANDLE_STMT, st);
  SQLDisconnect(dbc);
  SQLFreeHandle(SQL_HANDLE_DBC, dbc);
  SQLFreeHandle(SQL_HANDLE_ENV, env);
  return 0;
}
