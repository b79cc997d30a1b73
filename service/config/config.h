// config.h — Understudy's configuration: the TOML file, environment and flag layers, defaults.
//
// One Config value describes the store, the instances, the pairs, the gate service, the secret
// sources and logging. docs/configuration.md documents every key; understudy.toml.example shows
// them commented. Precedence, lowest first: defaults < file < environment (UNDERSTUDY_…) < flags.
// The environment and flag layers are built by service/cli from its options table (each option
// names the config key it sets) and passed to load() as Layers; this module knows nothing of argv.
//
// Rules enforced at load (each error names the file, line and key):
//   - unknown keys and wrong types are errors (a typo never silently means "default");
//   - a connection string must not carry PWD=/Password= (passwords come from password_env or
//     password_file, so they never sit in a file others read or in `ps`);
//   - password_file and secret files must not be accessible by group or others;
//   - every pair names defined instances; kinds and token roles come from fixed lists;
//   - a PostgreSQL store URL must not carry a password (store_password_env / _file instead).
// Passwords and secrets are NOT read at load: a DR tool must still reach the secondary when the
// primary's secret store is gone with its region. They are resolved when used (secrets.h), into
// Secret values that print as [redacted]. Relative paths in the file are relative to the file's
// directory; relative paths from flags or the environment are relative to the working directory.
// Thread-safety: plain values; load() is reentrant (reads the environment only through layers).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace understudy::config {

// Where a secret comes from. Exactly one of the three is set.
struct SecretSource {
  std::string env;      // name of an environment variable holding the secret
  std::string file;     // path of a file (owner-only access) holding the secret; one trailing newline is dropped
  std::string command;  // run by /bin/sh; its standard output (trailing newline dropped) is the secret
  bool empty() const { return env.empty() && file.empty() && command.empty(); }
};

struct Instance {
  std::string name;
  std::string connection;          // ODBC connection string without PWD
  SecretSource password;           // from password_env / password_file; empty = integrated authentication
  int login_timeout_seconds = 15;  // login_timeout
  int query_timeout_seconds = 300; // query_timeout; 0 = none
};

// include/exclude name patterns of one object kind: '*' any run, '?' one character, compared
// case-insensitively (ASCII) as SQL Server's default collation compares names.
struct KindFilter {
  std::vector<std::string> include;  // empty = everything
  std::vector<std::string> exclude;
};

struct Pair {
  std::string name;
  // The home direction: instance names. Which one is primary *now* is read live from the HA
  // group before every run (service/roles); these two only say which instance is which.
  std::string primary;
  std::string secondary;
  std::string ha_group;                       // the AG / distributed AG (MI link) whose roles count; "" = any the instances show
  std::vector<std::string> kinds;             // catalog kind names; empty = all kinds
  std::map<std::string, KindFilter> filters;  // by kind name
  std::string read_write_listener;            // connection strings (no PWD) for the landing gate
  std::string read_only_listener;
  SecretSource listener_password;             // empty = the primary instance's password source
  std::map<std::string, std::string> windows_to_entra;  // "DOMAIN\\user" -> Entra login name (MI targets)
  std::chrono::seconds max_snapshot_age{3600};          // default "1h"
  // Agent jobs on the live secondary: kDisabled (default) replays them disabled there and
  // expects them disabled; kEnabled replays the primary's `enabled` flag (jobs that check their
  // replica's role themselves).
  enum class JobsOnSecondary { kDisabled, kEnabled };
  JobsOnSecondary jobs_on_secondary = JobsOnSecondary::kDisabled;

  // True when objects of `kind` named `name` take part in snapshots, diffs and syncs of this pair.
  bool selects(std::string_view kind, std::string_view name) const;
};

enum class Role { kRunbook, kAuditor, kOperator };
std::string_view role_name(Role r);

struct Token {
  std::string name;
  Role role = Role::kRunbook;
  std::string sha256;  // lower-case hex SHA-256 of the bearer token; the token itself is never stored
};

struct Service {
  std::string listen = "127.0.0.1:8470";  // host:port
  std::string tls_cert;                   // both or neither; TLS when set
  std::string tls_key;
  std::chrono::seconds snapshot_interval{900};  // "15m"; 0 disables scheduled snapshots
  std::string gates_dir;                  // extra gate definitions; "" = only the shipped ones
  std::vector<Token> tokens;
};

// [secrets]: where the secrets of replayed objects come from. Keys are catalog keys:
// credential name; linked-server login "server|local_login" ("server|" for the all-logins mapping).
struct Secrets {
  std::map<std::string, SecretSource> credentials;
  std::map<std::string, SecretSource> linked_server_logins;
};

enum class LogFormat { kPlain, kJson };

struct Log {
  LogFormat format = LogFormat::kPlain;
  std::string level = "info";  // debug | info | warn | error
};

struct Config {
  std::string source;              // the file it was loaded from ("" when there was none)
  // A SQLite file, or a PostgreSQL URL "postgresql://USER@HOST:PORT/DB" (never with a password).
  std::string store = "understudy.db";
  SecretSource store_password;     // store_password_env / store_password_file (PostgreSQL only)
  std::map<std::string, Instance> instances;
  std::map<std::string, Pair> pairs;
  Service service;
  Secrets secrets;
  Log log;

  // REQUIRES nothing; returns kNotFound naming the defined ones when absent.
  [[nodiscard]] Result<const Instance*> instance(std::string_view name) const;
  [[nodiscard]] Result<const Pair*> pair(std::string_view name) const;
};

// One override layer: values for config keys, named by their dotted path ("store",
// "service.listen", "log.format" — settable_keys() lists them), and where they came from.
struct Layer {
  struct Value {
    std::string key;
    std::string value;
    std::string origin;  // for messages: "--listen" or "environment variable UNDERSTUDY_LISTEN"
  };
  std::vector<Value> values;
};

struct LoadOptions {
  std::string path = "understudy.toml";
  bool path_required = false;      // true when the user named the file (--config); else absent = defaults
  std::vector<Layer> layers;       // applied in order over the file: environment first, then flags
};

// Loads and validates. Errors are ErrorCode::kConfig (exit 78) except an unreadable file (kIo).
[[nodiscard]] Result<Config> load(const LoadOptions& options);
// Parses TOML text (tests, `config check -`); `source_name` appears in messages.
[[nodiscard]] Result<Config> load_from_string(std::string_view toml, std::string_view source_name,
                                              const std::vector<Layer>& layers = {});

// The keys a Layer may set, and how each is parsed (for the CLI table's consistency test).
const std::vector<std::string_view>& settable_keys();

// A redacted, human-readable summary (what `understudy config check` prints). Never contains a
// secret: sources are named ("env PRIMARY_SA_PASSWORD"), token hashes print as [redacted].
std::string describe(const Config& config);

// "90s", "15m", "1h30m", "2d" -> seconds. Errors name the text.
[[nodiscard]] Result<std::chrono::seconds> parse_duration(std::string_view text);
std::string format_duration(std::chrono::seconds s);

// The kind names a pair may list (catalog::kind_name of every kind but instance).
const std::vector<std::string_view>& kind_names();

}  // namespace understudy::config
