// procs_internal.h — system procedures of the state layer: the parameter table each procedure
// declares (names, types, defaults, OUTPUT), argument binding with SQL Server's errors (201, 8144,
// 8145, 119, 8162, conversions), and the handlers (procs_linked.cc, procs_agent_*.cc).
//
// A handler raises SQL Server's error by throwing st::SqlError (the procedure returns 1 and its
// changes are rolled back), or returns normally (0). Informational messages go through info().
// Internal to the state layer. Thread-safety: one call at a time (instance lock).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/context.h"
#include "engine/state_model.h"

namespace emu::st {

enum class PType { kStr, kInt, kGuid };

struct ParamDef {
  const char* name;   // "@job_name"
  PType type;
  SqlType sql_type;   // for OUTPUT values
  bool required = false;
  std::optional<Value> def;  // default when omitted/DEFAULT (NULL when absent)
  bool output = false;
};

class ProcCall;
using ProcHandler = std::function<void(ProcCall&)>;

struct ProcDef {
  const char* name;
  const char* home;  // "master" (system procedure, any database) or "msdb"
  std::vector<ParamDef> params;
  ProcHandler handler;
};

// The bound arguments of one call, and what it needs from the session.
class ProcCall {
 public:
  ProcCall(ExecContext& ctx, sqlite3* db, const ProcDef& def) : ctx_(ctx), db_(db), def_(def) {}

  ExecContext& ctx() { return ctx_; }
  sqlite3* db() { return db_; }
  const InstanceConfig& config() const { return *ctx_.config; }
  const std::string& proc_name() const { return proc_name_; }
  bool managed_instance() const { return ctx_.config->is_managed_instance(); }

  // Binds the evaluated arguments (throws SqlError 201/8144/8145/119/8162).
  void bind(const std::vector<ProcArg>& args);

  bool is_null(const char* param) const;
  // Typed accessors; NULL → nullopt. Conversion failures throw SqlError (8114, 8169).
  std::optional<std::string> str(const char* param) const;  // trimmed of leading/trailing spaces
  std::optional<std::string> raw_str(const char* param) const;  // as given
  std::optional<int64_t> num(const char* param) const;
  int64_t num_or(const char* param, int64_t def) const { return num(param).value_or(def); }
  std::optional<std::string> guid(const char* param) const;
  // Sets an OUTPUT parameter's value.
  void set_output(const char* param, Value v);
  void info(int32_t number, const std::string& text);

  std::vector<std::pair<std::string, std::pair<SqlType, Value>>> outputs(const std::vector<ProcArg>& args) const;

  void set_proc_name(std::string n) { proc_name_ = std::move(n); }

 private:
  const ParamDef* param(const char* name) const;
  ExecContext& ctx_;
  sqlite3* db_;
  const ProcDef& def_;
  std::string proc_name_;
  std::map<std::string, Value> values_;  // by lower-case parameter name
  std::vector<std::string> arg_params_;  // parameter name of each argument
};

// Registry: every procedure the state layer implements.
const std::vector<ProcDef>& procedures();
void add_linked_server_procs(std::vector<ProcDef>* out);
void add_deprecated_security_procs(std::vector<ProcDef>* out);  // procs_deprecated.cc
void add_agent_job_procs(std::vector<ProcDef>* out);
void add_agent_step_procs(std::vector<ProcDef>* out);
void add_agent_schedule_procs(std::vector<ProcDef>* out);
void add_agent_operator_procs(std::vector<ProcDef>* out);
void add_agent_proxy_procs(std::vector<ProcDef>* out);
void add_master_procs(std::vector<ProcDef>* out);  // procs_master.cc
// RECONFIGURE (procs_master.cc; parsed with the DDL statements). Throws SqlError.
void reconfigure(ExecContext& ctx, sqlite3* db);

// Helpers for parameter tables.
ParamDef p_str(const char* name, int32_t len, bool required = false, std::optional<Value> def = std::nullopt);
ParamDef p_int(const char* name, std::optional<int64_t> def = std::nullopt, bool required = false);
ParamDef p_guid(const char* name, bool output = false);
ParamDef p_out_int(const char* name);

// Shared checks.
void require_sysadmin(ProcCall& c);                              // 15003
void refuse_in_transaction(ProcCall& c);                          // 15002
[[noreturn]] void raise_does_not_exist(const std::string& param, const std::string& value);  // 14262
[[noreturn]] void raise_invalid_returned_by(const std::string& param, const std::string& proc);  // 14234
[[noreturn]] void raise_invalid_values(const std::string& param, const std::string& values);  // 14266
[[noreturn]] void raise_mi_unsupported(const std::string& feature, uint8_t state);  // 41914

// Job identification as sp_verify_job_identifiers: exactly one of @job_id / @job_name (14294), and
// it must exist (14262). Returns job_id.
std::string resolve_job(ProcCall& c, const char* id_param = "@job_id", const char* name_param = "@job_name");
// Non-sysadmin callers may only change their own jobs (14525).
void require_job_owner(ProcCall& c, const std::string& job_id);
// The caller's SID (sa's when the context has no login).
std::string caller_sid(ProcCall& c);
bool caller_is_sysadmin(ProcCall& c);

}  // namespace emu::st
