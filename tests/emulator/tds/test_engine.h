// test_engine.h — a canned Instance/Session for the wire layer's protocol tests ONLY.
//
// It proves nothing about SQL Server semantics (the real engine is engine/); it answers a tiny
// command language so that every token shape and type can be exercised through FreeTDS:
//   select 1                 one INT column "one", value 1
//   rows N                   N rows of (id INT NOT NULL, name NVARCHAR(50)), name "row-<id>"
//   types                    one row of every SqlType, then a row of NULLs
//   echo <text>              one NVARCHAR(MAX) column holding <text> exactly
//   error <n> <text>         ERROR n, severity 16, state 1
//   info <text>              INFO 0 (like PRINT), then a one-row result
//   multi                    result set, row count 3 (no rows), second result set
//   endless                  rows until the sink reports cancelled()
//   drop                     throws DropConnection
//   use <db>                 changes the current database
// Lines of a batch are separate commands. RPCs: sp_executesql/sp_prepexec/sp_execute return a
// one-row result set echoing the parameters after the first (@stmt) or the handle (typed as
// sent); sp_prepexec/sp_prepare return @handle 1 as output; "echo_out" returns its first
// parameter + 1000 as output. It records every batch and RPC for assertions.
// Thread-safety: as api.h requires (Instance shared, Session per connection).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/api.h"

namespace emu::tds::testing {

class CannedInstance final : public Instance {
 public:
  CannedInstance() = default;
  LoginResult login(const LoginRequest& req) override;
  std::unique_ptr<Session> open_session(const LoginRequest& req, const std::string& database, uint16_t spid) override;
  std::string server_name() const override { return "CANNED"; }
  Stats& stats() override { return stats_; }
  FaultPlan& faults() override { return faults_; }

  void record(const std::string& what);
  std::vector<std::string> log() const;

  static constexpr const char* kPassword = "Canned-Pw1!";

 private:
  Stats stats_;
  FaultPlan faults_;
  mutable std::mutex mu_;
  std::vector<std::string> log_;
};

}  // namespace emu::tds::testing
