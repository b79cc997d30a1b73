// main.cc — the `understudy-emulator` binary: an emulated SQL Server instance served over TDS.
//
//   understudy-emulator --listen 127.0.0.1:0 --sa-password PW [--fixture FILE] [--init-sql FILE]
//     [--server-name NAME] [--engine-edition 2|3|8] [--stats-file FILE]
//     [--drop-after-statements N] [--fail-pattern REGEX --fail-error NUMBER[:MESSAGE] [--fail-repeat]]
//     [--reply-delay-ms N] [--refuse-logins] [--tls-cert FILE --tls-key FILE [--require-encryption]]
//
// Prints "listening on HOST:PORT" as the first line of stdout, serves until SIGTERM/SIGINT and
// exits 0. Writes the counters (Stats::to_json) to --stats-file on exit and on SIGUSR1.
// With --tls-cert/--tls-key, PRELOGIN negotiates encryption as SQL Server does and TDS 8.0 clients
// (TLS first) are accepted; --require-encryption refuses unencrypted sessions (tds/tls.h).
// Exit codes: 0 ok, 64 usage, 65 bad fixture/init SQL, 66 unusable TLS certificate or key,
// 69 cannot listen, 74 cannot write stats.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <regex>
#include <string>

#include "engine/instance.h"
#include "instance_options.h"
#include "tds/server.h"

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = -1;
  std::string sa_password;
  std::string fixture, init_sql, server_name = "UNDERSTUDY-EMU", stats_file;
  int engine_edition = 3;
  long long drop_after = -1;
  std::string fail_pattern, fail_error;
  bool fail_repeat = false;
  int reply_delay_ms = 0;
  bool refuse_logins = false;
  std::string tls_cert, tls_key;
  bool require_encryption = false;
};

constexpr const char* kUsage =
    "usage: understudy-emulator --listen HOST:PORT --sa-password PW [--fixture FILE] [--init-sql FILE]\n"
    "         [--server-name NAME] [--engine-edition 2|3|8] [--stats-file FILE]\n"
    "         [--drop-after-statements N] [--fail-pattern REGEX --fail-error NUMBER[:MESSAGE] [--fail-repeat]]\n"
    "         [--reply-delay-ms N] [--refuse-logins]\n"
    "         [--tls-cert FILE --tls-key FILE [--require-encryption]]\n";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "understudy-emulator: " << message << "\n" << kUsage;
  std::exit(64);
}

long long parse_int(const std::string& flag, const std::string& v, long long lo, long long hi) {
  try {
    size_t used = 0;
    const long long x = std::stoll(v, &used);
    if (used == v.size() && x >= lo && x <= hi) return x;
  } catch (const std::exception&) {
  }
  usage_error("invalid value for " + flag + ": " + v);
}

Options parse(int argc, char** argv) {
  Options o;
  using Setter = std::function<void(const std::string&)>;
  const std::map<std::string, Setter> with_value = {
      {"--listen", [&](const std::string& v) {
         const auto colon = v.rfind(':');
         if (colon == std::string::npos) usage_error("--listen needs HOST:PORT");
         o.host = v.substr(0, colon);
         o.port = static_cast<int>(parse_int("--listen", v.substr(colon + 1), 0, 65535));
       }},
      {"--sa-password", [&](const std::string& v) { o.sa_password = v; }},
      {"--fixture", [&](const std::string& v) { o.fixture = v; }},
      {"--tls-cert", [&](const std::string& v) { o.tls_cert = v; }},
      {"--tls-key", [&](const std::string& v) { o.tls_key = v; }},
      {"--init-sql", [&](const std::string& v) { o.init_sql = v; }},
      {"--server-name", [&](const std::string& v) { o.server_name = v; }},
      {"--stats-file", [&](const std::string& v) { o.stats_file = v; }},
      {"--engine-edition", [&](const std::string& v) {
         o.engine_edition = static_cast<int>(parse_int("--engine-edition", v, 2, 8));
         if (o.engine_edition != 2 && o.engine_edition != 3 && o.engine_edition != 8)
           usage_error("--engine-edition must be 2, 3 or 8");
       }},
      {"--drop-after-statements", [&](const std::string& v) { o.drop_after = parse_int("--drop-after-statements", v, 0, 1LL << 62); }},
      {"--fail-pattern", [&](const std::string& v) { o.fail_pattern = v; }},
      {"--fail-error", [&](const std::string& v) { o.fail_error = v; }},
      {"--reply-delay-ms", [&](const std::string& v) { o.reply_delay_ms = static_cast<int>(parse_int("--reply-delay-ms", v, 0, 3'600'000)); }},
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool inline_value = false;
    if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    if (arg == "--refuse-logins") { o.refuse_logins = true; continue; }
    if (arg == "--fail-repeat") { o.fail_repeat = true; continue; }
    if (arg == "--require-encryption") { o.require_encryption = true; continue; }
    if (arg == "--help" || arg == "-h") { std::cout << kUsage; std::exit(0); }
    const auto it = with_value.find(arg);
    if (it == with_value.end()) usage_error("unknown option " + arg);
    if (!inline_value) {
      if (i + 1 >= argc) usage_error(arg + " needs a value");
      value = argv[++i];
    }
    it->second(value);
  }
  if (o.port < 0) usage_error("--listen is required");
  if (o.sa_password.empty()) usage_error("--sa-password is required");
  if (o.fail_pattern.empty() != o.fail_error.empty()) usage_error("--fail-pattern and --fail-error go together");
  if (o.tls_cert.empty() != o.tls_key.empty()) usage_error("--tls-cert and --tls-key go together");
  if (o.require_encryption && o.tls_cert.empty()) usage_error("--require-encryption needs --tls-cert and --tls-key");
  return o;
}

void apply_faults(const Options& o, emu::FaultPlan& f) {
  std::lock_guard<std::mutex> lock(f.mu);
  f.drop_after_statements = o.drop_after;
  f.reply_delay_ms = o.reply_delay_ms;
  f.refuse_logins = o.refuse_logins;
  if (!o.fail_pattern.empty()) {
    try {
      f.fail_pattern = std::regex(o.fail_pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error&) {
      usage_error("invalid --fail-pattern regex: " + o.fail_pattern);
    }
    f.fail_pattern_text = o.fail_pattern;
    const auto colon = o.fail_error.find(':');
    const long long number = parse_int("--fail-error", o.fail_error.substr(0, colon), 1, 2147483647);
    f.fail_error = emu::Message{static_cast<int32_t>(number), 1, 16,
                                colon == std::string::npos ? "injected fault " + std::to_string(number)
                                                           : o.fail_error.substr(colon + 1),
                                1, {}};
    f.fail_repeat = o.fail_repeat;
  }
}

bool write_stats(const std::string& path, emu::Instance& instance) {
  if (path.empty()) return true;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << instance.stats().to_json() << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);

  // Block the signals we wait for before any thread starts, so they reach sigwait only.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::string error;
  std::unique_ptr<emu::Instance> instance = emu::create_instance(
      emu::make_instance_options(o.server_name, o.engine_edition, o.sa_password, o.fixture, o.init_sql), &error);
  if (!instance) {
    std::cerr << "understudy-emulator: " << error << "\n";
    return 65;
  }
  apply_faults(o, instance->faults());

  std::shared_ptr<const emu::tds::TlsContext> tls;
  if (!o.tls_cert.empty()) {
    tls = emu::tds::TlsContext::load({o.tls_cert, o.tls_key, o.require_encryption}, &error);
    if (!tls) {
      std::cerr << "understudy-emulator: " << error << "\n";
      return 66;
    }
  }

  emu::TdsServer server(*instance, tls);
  if (!server.start(o.host, static_cast<uint16_t>(o.port), &error)) {
    std::cerr << "understudy-emulator: " << error << "\n";
    return 69;
  }
  std::cout << "listening on " << o.host << ":" << server.port() << std::endl;

  int rc = 0;
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGUSR1) {
      if (!write_stats(o.stats_file, *instance)) std::cerr << "understudy-emulator: cannot write " << o.stats_file << "\n";
      continue;
    }
    break;
  }
  server.stop();
  if (!write_stats(o.stats_file, *instance)) {
    std::cerr << "understudy-emulator: cannot write " << o.stats_file << "\n";
    rc = 74;
  }
  return rc;
}
