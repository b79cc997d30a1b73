// ddl.h — per-kind T-SQL for replay (internal to service/replay).
//
// Each builder turns one object (and, for alters, the target's current object) into Statements
// through service/tsql only. Builders never see secrets: password hashes, credential secrets and
// linked-server passwords are slots (tsql::SecretRef) filled at execution.
//   create  the object as the source has it (existence guards are the planner's)
//   alter   only the fields that differ, in place, with absolute values
//   drop / disable  for --prune and for drop-and-recreate
// Errors: kDataErr from quoting (a name over 128 characters …), kInternal for a kind the builder
// does not handle. Reference: docs/replay.md, and Microsoft's page of each statement and procedure
// (https://learn.microsoft.com/en-us/sql/t-sql/statements/ and …/relational-databases/system-stored-procedures/).
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "catalog/object.h"
#include "replay/plan.h"
#include "tsql/exec.h"

namespace understudy::replay::ddl {

// What the builders may look up besides the object itself.
struct Context {
  // True when the source has an object of this kind and key (e.g. the all-logins mapping of a
  // linked server, to decide whether the default self-mapping must be dropped).
  std::function<bool(catalog::Kind, const std::string&)> source_has;
  // Azure SQL Managed Instance (engine edition 8) documents a shorter CREATE LOGIN: no HASHED,
  // CHECK_POLICY, CHECK_EXPIRATION or CREDENTIAL; those are set by ALTER LOGIN after the create.
  bool target_is_managed_instance = false;
};

[[nodiscard]] Result<std::vector<Statement>> create(const catalog::ServerObject& src, const Context& ctx);
[[nodiscard]] Result<std::vector<Statement>> alter(const catalog::ServerObject& src, const catalog::ServerObject& tgt,
                                                   const Context& ctx);
[[nodiscard]] Result<std::vector<Statement>> drop(const catalog::ServerObject& tgt);
// Logins and jobs only (kInternal otherwise).
[[nodiscard]] Result<std::vector<Statement>> disable(const catalog::ServerObject& tgt);
// "EXISTS (SELECT 1 FROM … WHERE name = N'…')": guards creates so a re-applied plan is a no-op.
[[nodiscard]] Result<tsql::Sql> exists(catalog::Kind kind, const std::string& key);

// Per-kind entry points (ddl_security.cc, ddl_agent.cc, ddl_linked.cc).
[[nodiscard]] Result<std::vector<Statement>> create_security(const catalog::ServerObject& src, const Context& ctx);
[[nodiscard]] Result<std::vector<Statement>> alter_security(const catalog::ServerObject& src, const catalog::ServerObject& tgt);
[[nodiscard]] Result<std::vector<Statement>> drop_security(const catalog::ServerObject& tgt);
[[nodiscard]] Result<std::vector<Statement>> create_agent(const catalog::ServerObject& src);
[[nodiscard]] Result<std::vector<Statement>> alter_agent(const catalog::ServerObject& src, const catalog::ServerObject& tgt);
[[nodiscard]] Result<std::vector<Statement>> drop_agent(const catalog::ServerObject& tgt);
[[nodiscard]] Result<std::vector<Statement>> create_linked(const catalog::ServerObject& src, const Context& ctx);
[[nodiscard]] Result<std::vector<Statement>> alter_linked(const catalog::ServerObject& src, const catalog::ServerObject& tgt);
[[nodiscard]] Result<std::vector<Statement>> drop_linked(const catalog::ServerObject& tgt);
// ddl_master.cc: custom messages, server configuration.
[[nodiscard]] Result<std::vector<Statement>> create_master(const catalog::ServerObject& src);
[[nodiscard]] Result<std::vector<Statement>> alter_master(const catalog::ServerObject& src, const catalog::ServerObject& tgt);
[[nodiscard]] Result<std::vector<Statement>> drop_master(const catalog::ServerObject& tgt);
// A custom message in us_english: replayed before the other languages of its message_id.
bool is_us_english_message(const catalog::ServerObject& o);
// The linked-server definition fields (product, provider, data_source, location,
// provider_string, catalog) that differ: sp_serveroption cannot change them, only a drop and
// recreate can. Empty when only options differ (or either object is not a linked server).
std::vector<std::string> linked_definition_changes(const catalog::ServerObject& src, const catalog::ServerObject& tgt);

// Field access (absent and JSON null read as nullopt / 0 / false).
std::optional<std::string> opt_text(const nlohmann::json& f, const char* name);
std::string text(const nlohmann::json& f, const char* name);
int64_t num(const nlohmann::json& f, const char* name);
bool flag(const nlohmann::json& f, const char* name);
// True when the field differs between the two objects (compared as SQL Server compares it).
bool differs(const nlohmann::json& a, const nlohmann::json& b, const char* name);
inline bool differs(const catalog::ServerObject& a, const catalog::ServerObject& b, const char* name) {
  return differs(a.fields, b.fields, name);
}


}  // namespace understudy::replay::ddl
