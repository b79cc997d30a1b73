// state.h — the emulated instance's state layer: SQLite schema, seeding, fixtures, logins,
// catalog views, DDL and system procedures. Implemented in catalog_state.cc, views.cc,
// fixture.cc, ddl.cc, procs.cc (and more files as needed).
//
// Thread-safety: not thread-safe; the executor serialises access with its instance lock.
// Atomicity: every DDL statement and procedure call is all-or-nothing (SAVEPOINT inside); they
// never issue BEGIN/COMMIT themselves, so the executor's BEGIN TRAN spans them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/context.h"

namespace emu {

class CatalogState {
 public:
  // Creates the schema in a fresh in-memory SQLite database and seeds a new instance: sa
  // (principal_id 1, sid 0x01, password `sa_password`), public, the fixed server roles, sys.servers
  // row 0, the system databases, msdb's seeded categories and subsystems (MI's set when
  // config.engine_edition == 8).
  static std::unique_ptr<CatalogState> create(const InstanceConfig& config, const std::string& sa_password,
                                              std::string* error);
  ~CatalogState();

  sqlite3* db() const { return db_; }
  const InstanceConfig& config() const { return config_; }

  // Loads a JSON fixture (format: tests/emulator/README.md). All or nothing. Returns false with a
  // message naming the JSON pointer on bad input.
  bool load_fixture(const nlohmann::json& fixture, std::string* error);

  // LOGIN7 check: 18456 for unknown login or wrong password (SQL Server's text "Login failed for
  // user '%s'."), 18470 for a disabled login ("Login failed for user '%s'. Reason: The account is
  // disabled."). On success fills the login's SID and default database.
  LoginResult check_login(const std::string& user, const std::string& password, std::string* sid_out) const;

  // Resolves a one-, two- or three-part object name as SQL Server would from `current_db`
  // (sys.* views from any database; msdb.dbo.* tables; per-database sys.database_principals).
  std::optional<ViewDef> resolve_view(const std::string& current_db, const std::vector<std::string>& parts) const;
  // The same as the session's login `login` sees it (empty: everything, as for the instance
  // itself): sys.sql_logins.password_hash is NULL without CONTROL SERVER, sys.servers.
  // provider_string NULL without ALTER ANY LINKED SERVER.
  std::optional<ViewDef> resolve_view_for(const std::string& current_db, const std::vector<std::string>& parts,
                                          const std::string& login) const;
  // HAS_PERMS_BY_NAME(NULL, NULL, permission) for `login`: 1 / 0, NULL for an unknown permission.
  Value has_server_permission_by_name(const std::string& login, const std::string& permission) const;

  // Built-in functions that depend on state (the executor exposes them to SELECT).
  Value login_property(const std::string& login, const std::string& property) const;   // LOGINPROPERTY
  Value suser_sname(const Value& sid) const;                                          // SUSER_SNAME(sid)
  Value suser_sid(const std::string& login) const;                                    // SUSER_SID(name)
  Value database_property_ex(const std::string& db, const std::string& property) const;  // DATABASEPROPERTYEX
  Value server_property(const std::string& property) const;                           // SERVERPROPERTY
  bool database_exists(const std::string& name) const;
  // A user-defined message (sys.messages, 50001 and up) in us_english, for RAISERROR(msg_id, …):
  // its text and severity, or nullopt (procs_master.cc).
  std::optional<std::pair<std::string, int64_t>> user_message(int64_t message_id) const;

  // DDL statements handled here: CREATE/ALTER/DROP LOGIN, CREATE/ALTER/DROP SERVER ROLE,
  // GRANT/DENY/REVOKE at server scope, CREATE/ALTER/DROP CREDENTIAL.
  // True when tokens[pos] starts one of them.
  static bool is_ddl_start(const std::vector<Token>& tokens, size_t pos);
  // Parses the statement at tokens[*pos] (leaving *pos just past it, before any ';') and executes
  // it. Syntax errors are reported as 102/156 through ctx.error(); returns false on any error.
  bool execute_ddl(ExecContext& ctx, const std::vector<Token>& tokens, size_t* pos);

  // Calls a system procedure by its (1–3 part) name, e.g. {"msdb","dbo","sp_add_job"} or
  // {"sp_addlinkedserver"}. Arguments are already evaluated. Errors go through ctx.error().
  ProcOutcome call_procedure(ExecContext& ctx, const std::vector<std::string>& name_parts,
                             const std::vector<ProcArg>& args);

 private:
  CatalogState() = default;
  sqlite3* db_ = nullptr;
  InstanceConfig config_;
};

}  // namespace emu
