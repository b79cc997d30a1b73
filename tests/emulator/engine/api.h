// api.h — the contract between the emulator's TDS wire layer (tests/emulator/tds) and its
// engine (tests/emulator/engine).
//
// The wire layer decodes TDS requests and calls a Session; the Session executes T-SQL against the
// emulated instance's state and reports what happened through a ReplySink, in order. The wire layer
// turns sink calls into TDS tokens (COLMETADATA, ROW, INFO/ERROR, DONE/DONEINPROC/DONEPROC), sets
// DONE_MORE on all but the last, and splits the reply into packets.
//
// Thread-safety: an Instance is shared by all connections and is thread-safe. A Session belongs to
// one connection and is used by one thread at a time. A ReplySink is used by one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "engine/value.h"

namespace emu {

// A server message: INFO when severity <= 10, ERROR otherwise (SQL Server's numbers and texts).
struct Message {
  int32_t number = 0;
  uint8_t state = 1;
  uint8_t severity = 16;
  std::string text;  // UTF-8
  int32_t line = 1;
  std::string proc;  // procedure name for errors raised inside a procedure, else empty
};

// End of one statement's output.
struct DoneInfo {
  bool count_valid = false;  // DONE_COUNT: row count of a SELECT / rows affected of DML
  int64_t count = 0;
  bool error = false;        // DONE_ERROR: the statement raised an error
  uint16_t curcmd = 0xC1;    // 0xC1 SELECT; 0 otherwise is fine for clients
};

class ReplySink {
 public:
  virtual ~ReplySink() = default;
  virtual void message(const Message& m) = 0;
  virtual void columns(const std::vector<ColumnInfo>& cols) = 0;  // starts a result set
  virtual void row(const Row& values) = 0;                        // one per row, after columns()
  virtual void done(const DoneInfo& d) = 0;                       // ends a statement
  // True once an ATTENTION arrived: stop producing rows, return promptly.
  virtual bool cancelled() const { return false; }
};

// One decoded RPC parameter.
struct RpcParam {
  std::string name;  // "@P1", "@stmt", or "" when the client sent it unnamed (FreeTDS)
  SqlType type;
  Value value;
  bool output = false;  // by-reference (OUTPUT)
};

struct RpcRequest {
  std::string proc_name;  // lower-case canonical name when sent by ProcID ("sp_executesql"), else as sent
  uint16_t proc_id = 0;   // 0 when sent by name
  std::vector<RpcParam> params;
};

struct OutputParam {
  uint16_t ordinal = 0;  // position of the parameter in the request
  std::string name;      // as the client sent it ("" for FreeTDS)
  SqlType type;
  Value value;
};

struct RpcResult {
  int32_t return_status = 0;
  std::vector<OutputParam> outputs;
  bool error = false;  // an error was raised (DONEPROC gets DONE_ERROR)
};

// Thrown by the engine when a fault says "drop the connection now". The wire layer catches it and
// closes the socket without replying.
struct DropConnection {};

// Faults on demand, for reliability tests. Set by flags or by a hosting test; read by both layers.
struct FaultPlan {
  std::mutex mu;
  // After this many more statements (across all sessions), drop the connection; -1 = never.
  int64_t drop_after_statements = -1;
  // The next statement whose text matches `fail_pattern` (ECMAScript, case-insensitive) fails with
  // `fail_error` instead of running; then the fault clears unless fail_repeat is set.
  std::optional<std::regex> fail_pattern;
  std::string fail_pattern_text;
  Message fail_error;
  bool fail_repeat = false;
  // Delay every reply by this many milliseconds.
  std::atomic<int> reply_delay_ms{0};
  // While set, every request waits before it runs (until cleared or the client cancels it):
  // a latch for tests of what must not wait on a slow instance. `held_requests` counts the
  // requests waiting now.
  std::atomic<bool> hold_requests{false};
  std::atomic<int> held_requests{0};
  // Refuse every login with 18456.
  std::atomic<bool> refuse_logins{false};
};

// Counters of what the instance served. Benchmarks and tests count round trips with them.
struct Stats {
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> logins{0};
  std::atomic<uint64_t> batches{0};      // SQLBatch requests
  std::atomic<uint64_t> rpcs{0};         // RPC requests (each RPC in a request counts)
  std::atomic<uint64_t> statements{0};   // T-SQL statements executed (incl. inside RPCs)
  std::atomic<uint64_t> writes{0};       // state-changing statements (DDL, procs that modify, DML)
  std::atomic<uint64_t> rows{0};         // rows sent in result sets
  std::atomic<uint64_t> errors{0};       // ERROR tokens sent
  std::atomic<uint64_t> attentions{0};
  // Logins by how the wire layer protected them (MS-TDS 2.2.6.5): only the LOGIN7 packet encrypted,
  // the whole session encrypted after a TDS 7.x PRELOGIN negotiation, or TDS 8.0 (TLS first).
  std::atomic<uint64_t> logins_tls_login_only{0};
  std::atomic<uint64_t> logins_tls{0};
  std::atomic<uint64_t> logins_tds8{0};
  std::string to_json() const;
};

struct LoginRequest {
  std::string user;
  std::string password;
  std::string database;  // "" = login's default database
  std::string app_name;
  std::string host_name;
};

struct LoginResult {
  bool ok = false;
  Message error;                 // 18456 / 18470 / 4060 when !ok
  std::string database;          // database the session starts in
};

class Session {
 public:
  virtual ~Session() = default;
  // Executes a SQL batch (UTF-8). Reports every statement through the sink; never throws except
  // DropConnection.
  virtual void execute_batch(const std::string& sql, ReplySink& sink) = 0;
  // Executes one RPC (sp_executesql, sp_prepare, sp_prepexec, sp_execute, sp_unprepare, or a
  // stored procedure by name).
  virtual RpcResult execute_rpc(const RpcRequest& req, ReplySink& sink) = 0;
  // Transaction-manager requests. Return false with a message on error.
  virtual bool begin_transaction(Message* err) = 0;
  virtual bool commit_transaction(Message* err) = 0;
  virtual bool rollback_transaction(Message* err) = 0;
  // Transaction descriptor for ENVCHANGE (0 when none is open).
  virtual uint64_t transaction_id() const = 0;
  virtual std::string current_database() const = 0;
  // RESETCONNECTION: back to the login's state (rolls back an open transaction).
  virtual void reset() = 0;
};

class Instance {
 public:
  virtual ~Instance() = default;
  virtual LoginResult login(const LoginRequest& req) = 0;
  virtual std::unique_ptr<Session> open_session(const LoginRequest& req, const std::string& database,
                                                uint16_t spid) = 0;
  virtual std::string server_name() const = 0;
  virtual Stats& stats() = 0;
  virtual FaultPlan& faults() = 0;
};

}  // namespace emu
