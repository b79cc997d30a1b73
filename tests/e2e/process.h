// process.h — end-to-end scaffolding: start the real binaries as child processes.
//
// Child::start runs argv with the given extra environment, stdout on a pipe and stderr into a
// file (so tests can grep logs for secrets). read_line() reads stdout up to a newline with a
// deadline — e.g. "listening on 127.0.0.1:PORT", from which listening_port() takes the port.
// The destructor sends SIGTERM, waits up to 10 s, then SIGKILL. Errors throw std::runtime_error:
// this is test scaffolding, the test fails with the message.
// Also: run() for a command to completion (exit code, stdout, stderr), a temp dir, file helpers.
// Thread-safety: one thread per Child.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace e2e {

class Child {
 public:
  Child(std::vector<std::string> argv, std::map<std::string, std::string> env, std::string stderr_path);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // The next line of stdout (without '\n'); throws after `timeout_ms` or at end of output.
  std::string read_line(int timeout_ms = 30000);
  // Port of "listening on HOST:PORT…" on the first line of stdout.
  int listening_port(int timeout_ms = 30000);
  void signal(int sig);
  // Waits for exit; returns the exit status (128+signal when killed).
  int wait(int timeout_ms = 30000);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  bool exited_ = false;
  int status_ = 0;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
RunResult run(std::vector<std::string> argv, std::map<std::string, std::string> env, int timeout_ms = 60000);
// The same with stderr on a pseudo-terminal (what a person at a terminal sees on stderr).
RunResult run_with_terminal_stderr(std::vector<std::string> argv, std::map<std::string, std::string> env,
                                   int timeout_ms = 60000);

std::string make_temp_dir(const std::string& prefix);
void remove_tree(const std::string& path);
void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

}  // namespace e2e
