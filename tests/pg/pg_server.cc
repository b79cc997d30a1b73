// pg_server.cc — see pg_server.h.
#include "pg_server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

namespace understudy::testing {

namespace {

PgServer* the_server = nullptr;

class PgEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    if (the_server) the_server->shutdown();
  }
};
[[maybe_unused]] ::testing::Environment* const pg_environment =
    ::testing::AddGlobalTestEnvironment(new PgEnvironment);

std::string pg_bindir() {
  if (const char* env = std::getenv("UNDERSTUDY_PG_BINDIR"); env && *env) return env;
  for (int v = 17; v >= 13; --v) {
    std::string dir = "/usr/lib/postgresql/" + std::to_string(v) + "/bin";
    if (std::filesystem::exists(dir + "/initdb")) return dir;
  }
  return "";
}

std::string pct_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

int run_cmd(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string read_tail(const std::string& path) {
  std::ifstream f(path);
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace

std::string backend_name(Backend b) { return b == Backend::kPostgres ? "PostgreSQL" : "SQLite"; }

PgServer* PgServer::get() {
  if (the_server && the_server->running_) return the_server;
  if (!the_server) {
    the_server = new PgServer();
    if (!the_server->init()) {
      ADD_FAILURE() << "cannot start the test's PostgreSQL server (scripts/install-deps.sh installs it)";
      return nullptr;
    }
  } else if (!the_server->start()) {
    ADD_FAILURE() << "cannot restart the test's PostgreSQL server";
    return nullptr;
  }
  return the_server;
}

bool PgServer::init() {
  bin_ = pg_bindir();
  if (bin_.empty()) {
    ADD_FAILURE() << "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (Debian postgresql)";
    return false;
  }
  char tmpl[] = "/tmp/us-pg-XXXXXX";
  if (!mkdtemp(tmpl)) return false;
  dir_ = tmpl;
  std::random_device rd;
  char pw[33];
  std::snprintf(pw, sizeof pw, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  password_ = Secret(pw);
  {
    std::ofstream f(dir_ + "/pw");
    f << password_.reveal() << "\n";
  }
  ::chmod((dir_ + "/pw").c_str(), 0600);
  std::string as;  // initdb refuses root: run it and the server as an ordinary user
  if (::geteuid() == 0) {
    const passwd* pwd = ::getpwnam("postgres");
    if (!pwd) pwd = ::getpwnam("nobody");
    if (!pwd) {
      ADD_FAILURE() << "running as root and no postgres or nobody user to run PostgreSQL as";
      return false;
    }
    user_ = pwd->pw_name;
    for (const char* f : {"", "/pw"})
      if (::chown((dir_ + f).c_str(), pwd->pw_uid, pwd->pw_gid) != 0) return false;
    as = "runuser -u " + user_ + " -- ";
  }
  const std::string initdb = as + bin_ + "/initdb -D " + dir_ + "/data -U understudy --pwfile=" + dir_ +
                             "/pw -A scram-sha-256 -E UTF8 --locale=C -N >" + dir_ + "/initdb.log 2>&1";
  if (run_cmd(initdb) != 0) {
    ADD_FAILURE() << "initdb failed: " << read_tail(dir_ + "/initdb.log");
    return false;
  }
  ::setenv(kPasswordEnv, password_.reveal().c_str(), 1);
  return start();
}

bool PgServer::start() {
  std::string as = user_.empty() ? "" : "runuser -u " + user_ + " -- ";
  // A Unix socket in the directory and no TCP: no port to collide with another test program.
  const std::string cmd = as + bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 60 -o \"-k " +
                          dir_ + " -c listen_addresses='' -p 5432 -c fsync=off -c full_page_writes=off\" start >/dev/null 2>&1";
  if (run_cmd(cmd) != 0) {
    ADD_FAILURE() << "pg_ctl start failed: " << read_tail(dir_ + "/server.log");
    return false;
  }
  running_ = true;
  return true;
}

bool PgServer::stop() {
  if (!running_) return true;
  std::string as = user_.empty() ? "" : "runuser -u " + user_ + " -- ";
  running_ = false;
  return run_cmd(as + bin_ + "/pg_ctl -D " + dir_ + "/data -m fast -w stop >/dev/null 2>&1") == 0;
}

void PgServer::shutdown() {
  if (dir_.empty()) return;
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  dir_.clear();
}

std::string PgServer::new_database() {
  const std::string base = "postgresql://understudy@" + pct_encode(dir_) + ":5432/";
  const std::string name = "t" + std::to_string(++databases_);
  const char* keys[] = {"dbname", "password", nullptr};
  const std::string admin = base + "postgres";
  const char* vals[] = {admin.c_str(), password_.reveal().c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys, vals, 1);
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) ADD_FAILURE() << "CREATE DATABASE: " << PQerrorMessage(c);
    PQclear(r);
  } else {
    ADD_FAILURE() << "cannot connect to the test's PostgreSQL server: " << PQerrorMessage(c);
  }
  PQfinish(c);
  return base + name;
}

std::string new_store(Backend backend, const std::string& dir) {
  if (backend == Backend::kSqlite) return dir + "/understudy.db";
  PgServer* s = PgServer::get();
  return s ? s->new_database() : "postgresql://understudy@%2Fnonexistent:5432/none";
}

store::OpenOptions store_options(Backend backend, store::OpenOptions options) {
  if (backend == Backend::kPostgres) {
    if (PgServer* s = PgServer::get()) options.password = s->password();
  }
  return options;
}

std::string store_toml(Backend backend, const std::string& location) {
  std::string out = "store = \"" + location + "\"\n";
  if (backend == Backend::kPostgres) out += std::string("store_password_env = \"") + kPasswordEnv + "\"\n";
  return out;
}

}  // namespace understudy::testing
