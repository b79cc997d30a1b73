#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <poll.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace e2e {

namespace {

std::vector<std::string> merged_env(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string s(*e);
    auto eq = s.find('=');
    if (eq != std::string::npos) env[s.substr(0, eq)] = s.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, int out_fd,
            int err_fd) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  // The child must not inherit a blocked signal mask from a test thread.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto envs = merged_env(env);
  std::vector<char*> envp;
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), &fa, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

int decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

Child::Child(std::vector<std::string> argv, std::map<std::string, std::string> env, std::string stderr_path) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (err_fd < 0) throw std::runtime_error("cannot open " + stderr_path);
  pid_ = spawn(argv, env, fds[1], err_fd);
  ::close(fds[1]);
  ::close(err_fd);
  out_fd_ = fds[0];
}

Child::~Child() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGTERM);
    try {
      wait(10000);
    } catch (...) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  if (out_fd_ >= 0) ::close(out_fd_);
}

std::string Child::read_line(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      auto line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) throw std::runtime_error("no line on stdout in time; got so far: " + buffer_);
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    auto n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) throw std::runtime_error("stdout closed before a full line; got: " + buffer_);
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

int Child::listening_port(int timeout_ms) {
  auto line = read_line(timeout_ms);
  auto pos = line.find("listening on ");
  if (pos == std::string::npos) throw std::runtime_error("unexpected first line: " + line);
  auto colon = line.find(':', pos);
  return std::stoi(line.substr(colon + 1));
}

void Child::signal(int sig) {
  if (pid_ > 0 && !exited_) ::kill(pid_, sig);
}

int Child::wait(int timeout_ms) {
  if (exited_) return status_;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      status_ = decode(st);
      return status_;
    }
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("child did not exit in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

RunResult run(std::vector<std::string> argv, std::map<std::string, std::string> env, int timeout_ms) {
  auto dir = make_temp_dir("e2e-run");
  auto out_path = dir + "/out", err_path = dir + "/err";
  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  pid_t pid = spawn(argv, env, out_fd, err_fd);
  ::close(out_fd);
  ::close(err_fd);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  RunResult r;
  while (true) {
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid) {
      r.exit_code = decode(st);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      remove_tree(dir);
      throw std::runtime_error("command timed out: " + argv[0]);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  remove_tree(dir);
  return r;
}

RunResult run_with_terminal_stderr(std::vector<std::string> argv, std::map<std::string, std::string> env,
                                   int timeout_ms) {
  int master = -1, slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
  auto dir = make_temp_dir("e2e-run");
  auto out_path = dir + "/out";
  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  pid_t pid = spawn(argv, env, out_fd, slave);
  ::close(out_fd);
  ::close(slave);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  RunResult r;
  char buf[4096];
  bool exited = false;
  while (true) {  // drain the terminal while the command runs: a full pty would block it
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 10) > 0) {
      ssize_t n = ::read(master, buf, sizeof buf);
      if (n > 0) {
        r.err.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (exited) break;  // EIO: the terminal is closed and drained
    } else if (exited) {
      break;
    }
    int st = 0;
    if (!exited && ::waitpid(pid, &st, WNOHANG) == pid) {
      r.exit_code = decode(st);
      exited = true;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      if (!exited) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
      ::close(master);
      remove_tree(dir);
      throw std::runtime_error("command timed out: " + argv[0]);
    }
  }
  ::close(master);
  r.out = read_file(out_path);
  remove_tree(dir);
  return r;
}

std::string make_temp_dir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace e2e
