// real_env.cc — see real_env.h.
#include "real_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/run.h"
#include "config/secrets.h"

extern char** environ;

namespace understudy::real {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

[[noreturn]] void give_up(const std::string& what) {
  ADD_FAILURE() << what;
  std::abort();
}

std::string instance_toml(const std::string& name, const char* cs_var, const char* pw_var) {
  std::string t = "[instances." + name + "]\nconnection = " + toml_string(env(cs_var)) + "\n";
  // Unset password variable: integrated authentication (Kerberos), as the config allows.
  if (std::getenv(pw_var) != nullptr) t += "password_env = " + toml_string(pw_var) + "\n";
  return t + "login_timeout = 30\n";
}

}  // namespace

std::string missing(Needs needs) {
  if (env(kPrimaryVar).empty())
    return std::string("set ") + kPrimaryVar + " (ODBC connection string without password) and " + kPrimaryPasswordVar +
           " to run the real-instance lane (docs/testing.md)";
  if (needs == Needs::kPrimary) return "";
  if (env(kSecondaryVar).empty())
    return std::string("set ") + kSecondaryVar + " (ODBC connection string without password) and " +
           kSecondaryPasswordVar + " to run the tests that need a secondary (docs/testing.md)";
  if (needs == Needs::kPair) return "";
  if (env(kAllowWritesVar) != "1")
    return std::string("set ") + kAllowWritesVar +
           "=1 to allow tests that create and drop understudy_test_* objects on the secondary (docs/testing.md)";
  return "";
}

std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

RealWorld::RealWorld(const std::string& extra_toml) {
  char tmpl[] = "/tmp/understudy-real-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) give_up("cannot create a temp dir");
  dir_ = tmpl;
  std::ostringstream toml;
  toml << "store = " << toml_string(store_path()) << "\n";
  toml << instance_toml("primary", kPrimaryVar, kPrimaryPasswordVar);
  if (!env(kSecondaryVar).empty()) {
    toml << instance_toml("secondary", kSecondaryVar, kSecondaryPasswordVar);
    toml << "[pairs.real]\nprimary = \"primary\"\nsecondary = \"secondary\"\n";
  }
  toml << extra_toml;
  config_path_ = file("understudy.toml");
  std::ofstream(config_path_) << toml.str();
}

RealWorld::~RealWorld() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

config::Config RealWorld::config() const {
  auto c = config::load({.path = config_path_, .path_required = true});
  if (!c) give_up("the lane's config does not load: " + c.error().to_string());
  return *c;
}

std::unique_ptr<store::Store> RealWorld::open_store() const {
  auto s = store::Store::open(store_path());
  if (!s) give_up(s.error().to_string());
  return std::move(*s);
}

Result<odbc::Connection> RealWorld::connect(const std::string& instance) const {
  const auto cfg = config();
  auto in = cfg.instance(instance);
  if (!in) return tl::unexpected(in.error());
  auto options = config::connect_options(**in);
  if (!options) return tl::unexpected(options.error());
  return odbc::Connection::connect(*options);
}

CliRun RealWorld::understudy(std::vector<std::string> args) const {
  args.insert(args.end(), {"--config", config_path_, "--log-level", "error"});
  cli::Getenv getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name.rfind("UNDERSTUDY_", 0) == 0) return std::nullopt;
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  std::ostringstream out, err;
  CliRun r;
  r.exit_code = cli::run(args, out, err, getenv);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::vector<std::string> password_hashes(store::Store& store, int64_t snapshot_id) {
  std::vector<std::string> hashes;
  auto objects = store.load_objects(snapshot_id, {.with_password_hashes = true});
  if (!objects) give_up(objects.error().to_string());
  for (const auto& o : *objects)
    if (o.password_hash && !o.password_hash->reveal().empty()) hashes.push_back(std::string(o.password_hash->reveal()));
  return hashes;
}

std::vector<std::string> leaked_hashes(const std::string& text, const std::vector<std::string>& hashes) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::vector<std::string> leaked;
  for (const auto& h : hashes) {
    std::string digits = h.rfind("0x", 0) == 0 || h.rfind("0X", 0) == 0 ? h.substr(2) : h;
    std::transform(digits.begin(), digits.end(), digits.begin(), [](unsigned char c) { return std::tolower(c); });
    // The second half of the hex digits is digest alone: found anywhere, in any case, it leaked.
    if (digits.size() >= 16 && lower.find(digits.substr(digits.size() / 2)) != std::string::npos) leaked.push_back(h);
  }
  return leaked;
}

}  // namespace understudy::real
