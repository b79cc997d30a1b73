// cli_util.h — end-to-end helpers: a config file for emulated instances and the real
// `understudy` binary run as a child process (UNDERSTUDY_BIN is its path, set by CMake).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "emu_util.h"

namespace understudy::testing {

struct Instance {
  std::string name;
  emu::TestServer* server;  // nullptr: an address where nothing listens
};

// Writes <dir>/understudy.toml with the store in `dir`, the instances, and pair "prod"
// (primary = first, secondary = second). Passwords come from US_TEST_<NAME>_PW.
inline std::string write_config(const TempDir& dir, const std::vector<Instance>& instances) {
  std::ostringstream toml;
  toml << "store = '" << dir.file("understudy.db") << "'\n";
  for (const auto& in : instances) {
    std::string cs = in.server ? in.server->connection_string_without_password()
                               : "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=1;UID=sa;TDS_Version=7.4;ClientCharset=UTF-8";
    toml << "[instances." << in.name << "]\nconnection = '" << cs << "'\npassword_env = 'US_TEST_" << in.name
         << "_PW'\nlogin_timeout = 3\n";
    ::setenv(("US_TEST_" + in.name + "_PW").c_str(), in.server ? in.server->sa_password().c_str() : "x", 1);
  }
  if (instances.size() >= 2)
    toml << "[pairs.prod]\nprimary = '" << instances[0].name << "'\nsecondary = '" << instances[1].name << "'\n";
  std::string path = dir.file("understudy.toml");
  std::ofstream(path) << toml.str();
  return path;
}

struct Run {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts the binary with `args`; stdout/stderr to files in `dir`. Returns the child's pid.
inline pid_t spawn_understudy(const TempDir& dir, const std::vector<std::string>& args) {
  // posix_spawn, not fork + exec: the test process runs emulator threads that allocate, and after
  // fork() only async-signal-safe calls are allowed in the child. Building argv there deadlocked
  // once under AddressSanitizer (its allocator has no fork handler in GCC 12's libasan: a lock
  // held by another thread at fork stays held in the child forever), which hung a test at its
  // 300 s timeout. Everything is built here, before the child exists.
  std::string bin = UNDERSTUDY_BIN;
  std::vector<char*> argv;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string out = dir.file("stdout"), err = dir.file("stderr");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attr;  // the child must not inherit a test thread's blocked signals
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, bin.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    std::ofstream(err) << "cannot start " << bin << ": " << std::strerror(rc) << "\n";
    return -1;
  }
  return pid;
}

inline Run wait_understudy(const TempDir& dir, pid_t pid) {
  int status = 0;
  Run r;
  if (pid > 0 && waitpid(pid, &status, 0) == pid)
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(dir.file("stdout"));
  r.err = slurp(dir.file("stderr"));
  return r;
}

// Runs `understudy --config <dir>/understudy.toml ARGS…` to completion.
inline Run understudy(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.end(), {"--config", dir.file("understudy.toml"), "--log-level", "warn"});
  return wait_understudy(dir, spawn_understudy(dir, args));
}

}  // namespace understudy::testing
