// sync_util.h — a primary and a secondary emulator, a config naming them (pair "prod") with the
// payments secrets in owner-only files, and the library-level sync call the tests share.
#pragma once

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <string>

#include "../catalog/cli_util.h"
#include "config/config.h"
#include "replay/journal.h"
#include "replay/sync.h"
#include "store/store.h"

namespace understudy::replay::testing {

using understudy::testing::TempDir;

// The secrets seeded in tests/fixtures/payments-primary.json (the emulator keeps them; the
// catalog never shows them). No plan, journal, store or log may contain them.
inline const char* const kCredentialSecret = "sv=2022-11-02&ss=b&srt=co&sp=rwdlac&sig=FIXTURE-SECRET";
inline const char* const kLinkedPassword = "Archive-Passw0rd!";

struct SyncPair {
  TempDir dir;
  std::unique_ptr<emu::TestServer> primary, secondary;
  std::string config_path;

  // `secrets`: extra TOML appended (e.g. [secrets.*] or [pairs.prod.windows_to_entra]).
  SyncPair(emu::TestServerOptions p, emu::TestServerOptions s, const std::string& extra_toml = default_secrets()) {
    primary = std::make_unique<emu::TestServer>(std::move(p));
    secondary = std::make_unique<emu::TestServer>(std::move(s));
    config_path = understudy::testing::write_config(dir, {{"primary", primary.get()}, {"secondary", secondary.get()}});
    write_secret("credential.secret", kCredentialSecret);
    write_secret("ledger.secret", kLinkedPassword);
    std::ofstream(config_path, std::ios::app) << substitute(extra_toml);
  }

  static std::string default_secrets() {
    return "[secrets.credentials]\npayments_backup_url = { file = '@DIR@/credential.secret' }\n"
           "[secrets.linked_server_logins]\n'LEDGER_ARCHIVE|app_ledger_svc' = { file = '@DIR@/ledger.secret' }\n";
  }

  std::string substitute(std::string t) const {
    for (size_t at = t.find("@DIR@"); at != std::string::npos; at = t.find("@DIR@")) t.replace(at, 5, dir.path());
    return t;
  }

  void write_secret(const std::string& name, const std::string& value) const {
    const std::string path = dir.file(name);
    std::ofstream(path) << value << "\n";
    ::chmod(path.c_str(), 0600);
  }

  config::Config config() const {
    auto c = config::load({.path = config_path, .path_required = true});
    if (!c) {
      ADD_FAILURE() << c.error().to_string();
      std::abort();
    }
    return *c;
  }

  std::unique_ptr<store::Store> store() const {
    auto s = store::Store::open(dir.file("understudy.db"));
    if (!s) {
      ADD_FAILURE() << s.error().to_string();
      std::abort();
    }
    return std::move(*s);
  }

  // replay::sync through the library (live source unless a snapshot exists).
  Result<SyncReport> sync(bool apply, PlanOptions options = {}, bool stop_on_error = false,
                          std::vector<AcceptedException> accepted = {}) const {
    auto c = config();
    auto st = store();
    SyncRequest r;
    r.pair = "prod";
    r.apply = apply;
    r.options = std::move(options);
    r.stop_on_error = stop_on_error;
    r.who = "test";
    r.live_source = true;
    r.accepted = std::move(accepted);
    return replay::sync(c, *st, r);
  }

  // The journal's newest run of the pair (its status and summary are what `runs` show).
  JournalRun last_run() const {
    auto st = store();
    auto j = Journal::open(*st);
    if (!j) {
      ADD_FAILURE() << j.error().to_string();
      return {};
    }
    auto runs = j->runs("prod", 1);
    if (!runs || runs->empty()) {
      ADD_FAILURE() << "no run in the journal";
      return {};
    }
    return runs->front();
  }
};

// The first column of the first row of `sql` run on `server` as sa (-1 and a test failure when
// there is none).
inline int64_t count(emu::TestServer& server, const std::string& sql) {
  auto conn = understudy::testing::connect_sa(server, "check");
  auto rs = conn.query(sql);
  if (!rs || rs->rows.empty()) {
    ADD_FAILURE() << sql << ": " << (rs ? "no rows" : rs.error().to_string());
    return -1;
  }
  const int64_t* v = odbc::as_int(rs->rows[0][0]);
  return v ? *v : -1;
}

inline emu::TestServerOptions payments_primary() { return {.fixture = emu::fixture_path("payments-primary.json")}; }
inline emu::TestServerOptions empty_secondary(int edition = 3) {
  return {.fixture = emu::fixture_path("empty-secondary.json"), .engine_edition = edition};
}

}  // namespace understudy::replay::testing
