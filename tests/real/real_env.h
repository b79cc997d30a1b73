// real_env.h — the real-instance lane's view of the environment, and the product driven as the
// `understudy` binary drives it.
//
//   UNDERSTUDY_REAL_PRIMARY            ODBC connection string of the primary, without password
//   UNDERSTUDY_REAL_PRIMARY_PASSWORD   its password (unset: integrated authentication)
//   UNDERSTUDY_REAL_SECONDARY          optional: the secondary (same form)
//   UNDERSTUDY_REAL_SECONDARY_PASSWORD
//   UNDERSTUDY_REAL_ALLOW_WRITES=1     optional: tests may create (and drop) objects on the SECONDARY
//
// Each test names what it needs (primary; primary + secondary; + writes) and is skipped, with the
// variable to set, when the environment does not provide it. The primary is only ever read.
// A test gets a temp dir with understudy.toml naming instance `primary` (and `secondary`, pair
// `real`); passwords reach the product through password_env, as an operator would configure it.
// Thread-safety: test-thread only. Ownership: RealWorld owns its temp dir.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "odbc/connection.h"
#include "store/store.h"

namespace understudy::real {

inline constexpr const char* kPrimaryVar = "UNDERSTUDY_REAL_PRIMARY";
inline constexpr const char* kPrimaryPasswordVar = "UNDERSTUDY_REAL_PRIMARY_PASSWORD";
inline constexpr const char* kSecondaryVar = "UNDERSTUDY_REAL_SECONDARY";
inline constexpr const char* kSecondaryPasswordVar = "UNDERSTUDY_REAL_SECONDARY_PASSWORD";
inline constexpr const char* kAllowWritesVar = "UNDERSTUDY_REAL_ALLOW_WRITES";

enum class Needs { kPrimary, kPair, kWrites };

// Why the environment does not allow a test that needs `needs`, or "" when it does.
std::string missing(Needs needs);

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

class RealWorld {
 public:
  // Writes understudy.toml (store, instances, pair `real` when a secondary is given, and
  // `extra_toml` appended). REQUIRES: missing(Needs::kPrimary) is empty.
  explicit RealWorld(const std::string& extra_toml = "");
  ~RealWorld();
  RealWorld(const RealWorld&) = delete;
  RealWorld& operator=(const RealWorld&) = delete;

  const std::string& dir() const { return dir_; }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& config_path() const { return config_path_; }
  std::string store_path() const { return file("understudy.db"); }

  // The config as `understudy` loads it (fails the test and aborts when it does not load).
  config::Config config() const;
  std::unique_ptr<store::Store> open_store() const;
  // A connection to a configured instance ("primary", "secondary"), as the product opens one.
  [[nodiscard]] Result<odbc::Connection> connect(const std::string& instance) const;

  // `understudy ARGS… --config <this config> --log-level error`, in process (cli::run), with the
  // process environment minus UNDERSTUDY_* (the lane's own variables are not product settings).
  CliRun understudy(std::vector<std::string> args) const;

 private:
  std::string dir_;
  std::string config_path_;
};

// A TOML basic string holding `text` ("…" with \ " and control characters escaped).
std::string toml_string(const std::string& text);

// Every password hash of the snapshot's objects ("0x0200…"), read the way only replay reads them.
std::vector<std::string> password_hashes(store::Store& store, int64_t snapshot_id);

// The hashes (with and without 0x, upper and lower case) that occur in `text`.
std::vector<std::string> leaked_hashes(const std::string& text, const std::vector<std::string>& hashes);

}  // namespace understudy::real
