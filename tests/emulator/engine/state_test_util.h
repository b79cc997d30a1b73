// state_test_util.h — helpers for the state layer's tests: a fresh CatalogState, SELECT through
// SQLite, fixture paths. Test-only.
#pragma once

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/state.h"
#include "engine/state_util.h"

namespace emu::test {

inline std::unique_ptr<CatalogState> make_state(int edition = 3, const std::string& sa = "Sa-Passw0rd!") {
  InstanceConfig c;
  c.engine_edition = edition;
  std::string err;
  auto s = CatalogState::create(c, sa, &err);
  EXPECT_TRUE(s) << err;
  return s;
}

inline std::string fixture_file(const std::string& name) {
  return std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/fixtures/" + name;
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

inline std::unique_ptr<CatalogState> make_payments(int edition = 3) {
  auto s = make_state(edition);
  std::string err;
  EXPECT_TRUE(s->load_fixture(read_json(fixture_file("payments-primary.json")), &err)) << err;
  return s;
}

inline std::vector<Row> rows(CatalogState& s, const std::string& sql, const std::vector<Value>& p = {}) {
  return st::query(s.db(), sql, p);
}

// Runs one DDL statement through CatalogState::execute_ddl as `login` (empty = the instance).
struct DdlResult {
  bool ok = false;
  int32_t number = 0;  // first error's number, 0 when none
  std::string text;    // first error's text
  size_t end = 0;      // token index where the statement stopped
  size_t tokens = 0;   // number of tokens in the batch (incl. kEnd)
};
inline DdlResult run_ddl(CatalogState& s, const std::string& sql, const std::string& login = "",
                         const std::string& db = "master") {
  std::vector<Token> toks;
  LexError le;
  EXPECT_TRUE(tokenize(sql, &toks, &le)) << sql;
  EXPECT_TRUE(CatalogState::is_ddl_start(toks, 0)) << sql;
  ExecContext ctx;
  ctx.state = &s;
  ctx.config = &s.config();
  ctx.login_name = login;
  ctx.current_database = db;
  size_t pos = 0;
  DdlResult r;
  r.ok = s.execute_ddl(ctx, toks, &pos);
  r.end = pos;
  r.tokens = toks.size();
  for (const auto& m : ctx.messages) {
    if (m.severity > 10) {
      r.number = m.number;
      r.text = m.text;
      break;
    }
  }
  return r;
}

// Calls a procedure as `login` from `db`; collects the first error.
struct ProcResult {
  ProcOutcome outcome;
  int32_t number = 0;
  std::string text;
  std::vector<Message> messages;
  Value output(const std::string& name) const {
    for (const auto& [n, tv] : outcome.outputs) {
      if (n == name) return tv.second;
    }
    return Null{};
  }
};
inline ProcArg arg(const std::string& name, Value v) { return ProcArg{name, std::move(v), false, false, std::nullopt}; }
inline ProcArg out(const std::string& name) { return ProcArg{name, Null{}, false, true, std::nullopt}; }
inline ProcResult call(CatalogState& s, const std::vector<std::string>& proc, const std::vector<ProcArg>& args,
                       const std::string& db = "master", const std::string& login = "", bool in_tran = false) {
  ExecContext ctx;
  ctx.state = &s;
  ctx.config = &s.config();
  ctx.current_database = db;
  ctx.login_name = login;
  ctx.in_user_transaction = in_tran;
  ProcResult r;
  r.outcome = s.call_procedure(ctx, proc, args);
  r.messages = ctx.messages;
  for (const auto& m : ctx.messages) {
    if (m.severity > 10) {
      r.number = m.number;
      r.text = m.text;
      break;
    }
  }
  return r;
}
inline std::vector<std::string> msdb(const std::string& proc) { return {"msdb", "dbo", proc}; }

inline std::string str(const Value& v) {
  if (auto t = st::as_text(v)) return *t;
  return "NULL";
}

}  // namespace emu::test
