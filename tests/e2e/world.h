// world.h — an emulated DR setup for end-to-end tests: two `understudy-emulator` processes
// (payments primary, empty secondary) on free loopback ports, a config file with tokens for each
// role, a store in a temp dir, and `understudy serve` on a free port. Everything is torn down
// (processes stopped, temp dir removed) when the World is destroyed.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "process.h"

namespace e2e {

inline constexpr const char* kSaPassword = "E2e-Sa-Pass}w0rd!";  // a "}" logs in (sent bare: FreeTDS 1.3)
inline constexpr const char* kRunbookToken = "runbook-token-6f1d2c";
inline constexpr const char* kAuditorToken = "auditor-token-9a8b7c";
inline constexpr const char* kOperatorToken = "operator-token-1e2f3a";
// Secrets sync needs for the fixture's credential and linked-server login (config [secrets]).
inline constexpr const char* kCredentialSecret = "e2e-credential-secret-7Hq";
inline constexpr const char* kLinkedLoginSecret = "e2e-linked-secret-K2p";

struct WorldOptions {
  bool secondary = true;          // false: the secondary's port is closed (target unreachable)
  std::string extra_gate;         // a gate file (JSON) written as gates/<name>.json in gates_dir
  std::string extra_gate_name;
  bool tls = false;               // generate a self-signed certificate and serve HTTPS
  std::string pair_settings;      // TOML lines appended to [pairs.payments] (e.g. jobs_on_secondary)
  std::vector<std::string> secondary_flags;  // extra emulator flags, e.g. {"--fail-pattern", …}
  // The emulators get a certificate from a CA made for this world and require encryption; the
  // connection strings ask FreeTDS for encryption with that certificate verified (FreeTDS 1.3 takes
  // the CA from the freetds.conf section named by Servername=, found through FREETDSCONF).
  bool encrypted_sql = false;
  bool trust_another_ca = false;  // with encrypted_sql: FreeTDS trusts an unrelated CA instead
};

class World {
 public:
  explicit World(WorldOptions options = {});
  ~World();

  const std::string& dir() const { return dir_; }
  std::string config_path() const { return dir_ + "/understudy.toml"; }
  std::string gates_dir() const { return dir_ + "/gates"; }
  std::string serve_log() const { return dir_ + "/serve.log"; }
  int primary_port() const { return primary_port_; }
  int secondary_port() const { return secondary_port_; }

  // `understudy ARGS… --config <this world's config>`, with the password environment set.
  RunResult cli(std::vector<std::string> args) const;
  // The same with stderr on a terminal (err holds what the terminal showed).
  RunResult cli_on_terminal(std::vector<std::string> args) const;
  // Starts `understudy serve`; returns its port. Throws when it does not come up.
  int start_serve();
  // Starts serve expecting it to fail; returns (exit code, stderr).
  RunResult serve_expecting_failure();
  Child& serve() { return *serve_; }
  void stop_serve();

  // HTTP to the running serve. `token` "" = no Authorization header.
  httplib::Result get(const std::string& path, const std::string& token = kOperatorToken);
  httplib::Result head(const std::string& path, const std::string& token = kOperatorToken);
  httplib::Result post(const std::string& path, const std::string& body, const std::string& token = kOperatorToken);

  // Runs one T-SQL batch on the primary emulator (tests add hostile names through it).
  void exec_on_primary(const std::string& sql);
  // Runs one batch on the primary or the secondary; each result set's rows as text, columns
  // joined by '|' (NULL as "NULL").
  std::vector<std::string> query(bool on_primary, const std::string& sql);

 private:
  std::string dir_;
  std::unique_ptr<Child> primary_, secondary_, serve_;
  int primary_port_ = 0, secondary_port_ = 0, serve_port_ = 0;
  std::map<std::string, std::string> env_;
  bool encrypted_sql_ = false;
  std::optional<std::string> saved_freetdsconf_;  // this process's FREETDSCONF before the world
  std::string connection(int port) const;
};

// Parses a response body as JSON (throws with the body when it is not).
nlohmann::json body_json(const httplib::Result& r);

}  // namespace e2e
