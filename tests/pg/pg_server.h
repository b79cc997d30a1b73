// pg_server.h — a PostgreSQL server of the test process's own, for the tests that run the store on
// PostgreSQL (store, journal, records, the CLI). Started on first use — initdb and pg_ctl on a
// temporary directory, a Unix socket in it and no TCP listener, scram-sha-256 with a password —
// and stopped by a GoogleTest environment when the test program ends: one server per test
// program, not per test (CMake runs each program's PostgreSQL cases in one process:
// tests/pg/CMakeLists.txt, understudy_add_pg_tests). As root (CI), initdb and the server run as
// the `postgres` user (Debian's package creates it; `nobody` otherwise) through runuser: initdb
// refuses to run as root.
//
// Each test takes a database of its own (new_database()). The password is in the environment
// variable kPasswordEnv (so a config's store_password_env and a child `understudy` find it).
// A test that needs a server and finds none fails (PostgreSQL is installed by
// scripts/install-deps.sh); nothing is skipped.
//
// Thread-safety: call from the test's main thread. Ownership: the server lives until the program ends.
#pragma once

#include <string>

#include "base/secret.h"
#include "store/store.h"

namespace understudy::testing {

enum class Backend { kSqlite, kPostgres };
std::string backend_name(Backend b);  // "SQLite", "PostgreSQL": the parameter's name in test names

inline constexpr const char* kPasswordEnv = "UNDERSTUDY_TEST_STORE_PASSWORD";

class PgServer {
 public:
  // The program's server, started now if it is not running. Aborts the test (fatal failure,
  // returns null) when it cannot start.
  static PgServer* get();
  // A new empty database; its URL ("postgresql://understudy@%2Ftmp%2F…:5432/tN").
  std::string new_database();
  const Secret& password() const { return password_; }
  const std::string& dir() const { return dir_; }
  // Stops the server ("fast") and starts it again: a store lost and back (fault tests).
  bool stop();
  bool start();
  void shutdown();  // the environment's TearDown

 private:
  bool init();
  std::string dir_, bin_, user_;
  Secret password_;
  int databases_ = 0;
  bool running_ = false;
};

// Where a test's store lives on `backend`: a file in `dir`, or a new database of the program's server.
std::string new_store(Backend backend, const std::string& dir);
// OpenOptions with the store's password (PostgreSQL).
store::OpenOptions store_options(Backend backend, store::OpenOptions options = {});
// TOML for the top of a test config: store = "…" (and store_password_env on PostgreSQL).
std::string store_toml(Backend backend, const std::string& location);

}  // namespace understudy::testing
