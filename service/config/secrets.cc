#include "config/secrets.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace understudy::config {
namespace {

std::string mode_octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

void drop_one_newline(std::string& s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
}

void wipe(std::string& s) {
  for (auto& c : s) reinterpret_cast<volatile char&>(c) = 0;
  s.clear();
}

}  // namespace

Status check_owner_only(const std::string& path, std::string_view what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};  // absence is reported when the secret is read
  if ((st.st_mode & 077) != 0)
    return fail(ErrorCode::kConfig,
                std::string(what) + " file '" + path + "' is accessible by group or others (mode " +
                    mode_octal(st.st_mode) + ")",
                "run: chmod 600 '" + path + "'");
  return {};
}

Result<Secret> resolve(const SecretSource& src, std::string_view what) {
  const std::string w(what);
  if (!src.env.empty()) {
    const char* v = std::getenv(src.env.c_str());
    if (v == nullptr || *v == '\0')
      return fail(ErrorCode::kConfig, w + ": environment variable " + src.env + " is not set",
                  "export " + src.env + " before running understudy, or use a file or command source");
    return Secret(v);
  }
  if (!src.file.empty()) {
    US_TRY(check_owner_only(src.file, w));
    std::ifstream in(src.file, std::ios::binary);
    if (!in)
      return fail(ErrorCode::kConfig, w + ": cannot read file '" + src.file + "': " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    drop_one_newline(s);
    if (s.empty()) return fail(ErrorCode::kConfig, w + ": file '" + src.file + "' is empty");
    Secret out(s);
    wipe(s);
    return out;
  }
  if (!src.command.empty()) {
    FILE* p = ::popen(src.command.c_str(), "r");
    if (p == nullptr) return fail(ErrorCode::kConfig, w + ": cannot run command: " + std::strerror(errno));
    std::string s;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) s.append(buf, n);
    std::memset(buf, 0, sizeof buf);
    int status = ::pclose(p);
    if (status != 0) {
      wipe(s);
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return fail(ErrorCode::kConfig, w + ": command exited with status " + std::to_string(code));
    }
    drop_one_newline(s);
    if (s.empty()) return fail(ErrorCode::kConfig, w + ": command printed nothing");
    Secret out(s);
    wipe(s);
    return out;
  }
  return fail(ErrorCode::kConfig, w + ": no source configured");
}

Result<Secret> store_password(const Config& config) {
  if (config.store_password.empty()) return Secret();
  return resolve(config.store_password, "password of the store");
}

Result<Secret> instance_password(const Instance& instance) {
  if (instance.password.empty()) return Secret();
  return resolve(instance.password, "password of instance '" + instance.name + "'");
}

Result<odbc::ConnectOptions> connect_options(const Instance& instance) {
  auto password = instance_password(instance);
  if (!password) return tl::unexpected(password.error());
  odbc::ConnectOptions o;
  o.connection_string = instance.connection;
  o.password = std::move(*password);
  o.label = instance.name;
  o.login_timeout_seconds = instance.login_timeout_seconds;
  o.query_timeout_seconds = instance.query_timeout_seconds;
  return o;
}

Result<odbc::Connection> connect(const Config& config, const std::string& name) {
  auto in = config.instance(name);
  if (!in) return tl::unexpected(in.error());
  auto opts = connect_options(**in);
  if (!opts) return tl::unexpected(opts.error());
  return odbc::Connection::connect(*opts);
}

std::string describe_source(const SecretSource& s) {
  if (!s.env.empty()) return "env " + s.env;
  if (!s.file.empty()) return "file " + s.file;
  if (!s.command.empty()) return "command `" + s.command + "`";
  return "none";
}

}  // namespace understudy::config
