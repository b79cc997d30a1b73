// object.h — the one object model (design invariant 1).
//
// Every server-level object, whether read from a live instance or loaded from a snapshot, is a
// ServerObject: a kind, a natural key, the canonical definition (`fields`, compared), the volatile
// fields (`volatile_fields`: kept for the record, never compared — create/modify dates, job_id,
// schedule_id, principal_id …), the password hash of a SQL login (a Secret, compared only through
// the fingerprint, never printed), and a fingerprint of everything compared.
// Diff is one function of two sets of ServerObjects; a gate is a diff with a rule on top.
//
// Keys: ids are never portable between instances, so every key and every reference is by name
// (or by schedule_uid for schedules, which sp_add_schedule can preserve). `match_key` folds case
// the way SQL Server's default case-insensitive collation compares names (ASCII letters), so
// `App_Svc` and `app_svc` are the same login.
//
// Field names are SQL Server's column names where one exists (is_disabled, default_database_name,
// on_success_action …) so a DBA recognises them; docs/object-model.md lists them per kind.
// Thread-safety: plain values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/secret.h"

namespace understudy::catalog {

enum class Kind {
  kInstance,           // facts about the instance (one object, key = "instance"); never replayed
  kCredential,         // key: credential name
  kServerRole,         // user-defined server roles; key: role name
  kLogin,              // key: login name
  kServerRoleMember,   // key: "role|member"
  kServerPermission,   // key: "grantee|class|securable|permission"; state (G/W/D) is a field
  kLinkedServer,       // key: linked server name
  kLinkedServerLogin,  // key: "server|local_login" (local_login "" = all logins)
  kAgentCategory,      // user job categories; key: category name
  kAgentOperator,      // key: operator name
  kAgentProxy,         // key: proxy name
  kAgentSchedule,      // key: schedule_uid (upper-case GUID); name is a field (names are not unique)
  kAgentJob,           // key: job name; steps, schedule attachments and job servers are fields
};

// Dependency order for replay (server roles → logins → memberships → permissions; credentials →
// proxies; categories, operators → schedules → jobs; linked servers → their logins).
inline constexpr Kind kAllKinds[] = {
    Kind::kInstance,        Kind::kCredential,     Kind::kServerRole,       Kind::kLogin,
    Kind::kServerRoleMember, Kind::kServerPermission, Kind::kLinkedServer, Kind::kLinkedServerLogin,
    Kind::kAgentCategory,   Kind::kAgentOperator,  Kind::kAgentProxy,       Kind::kAgentSchedule,
    Kind::kAgentJob,
};

// "login", "server_role", "server_role_member", "server_permission", "credential",
// "linked_server", "linked_server_login", "agent_category", "agent_operator", "agent_proxy",
// "agent_schedule", "agent_job", "instance".
std::string_view kind_name(Kind k);
std::optional<Kind> kind_from_name(std::string_view name);

// Case folding used for names (SQL Server CI collation, ASCII letters).
std::string fold_name(std::string_view name);

struct ServerObject {
  Kind kind = Kind::kLogin;
  std::string key;                  // natural key as the instance spells it
  nlohmann::json fields = nlohmann::json::object();           // compared; never contains a secret
  nlohmann::json volatile_fields = nlohmann::json::object();  // kept, not compared
  std::optional<Secret> password_hash;  // SQL logins: "0x0200…" hex; never serialised to output
  std::string fingerprint;              // hex SHA-256 of kind, match key, fields, password hash

  std::string match_key() const { return fold_name(key); }
  // Recomputes `fingerprint` from the compared content.
  void seal() { fingerprint = compute_fingerprint(); }
  // What seal() would set, without setting it.
  std::string compute_fingerprint() const;
};

// The light form of an object, for comparing sets too large to hold whole (a diff of
// scale L in a few hundred MB): enough to pair it with its counterpart and to tell whether the
// two are equal. `handle` lets its owner fetch the whole object when they are not (a store
// version id, an index into a vector …).
struct ObjectDigest {
  Kind kind = Kind::kLogin;
  std::string match_key;
  std::array<unsigned char, 32> fingerprint{};  // the raw bytes of ServerObject::fingerprint
  int64_t handle = 0;
};

// The raw fingerprint of a sealed object; all zero when `hex` is not 64 hex digits.
std::array<unsigned char, 32> fingerprint_bytes(std::string_view hex);
// The stable order of digests: kind order, then match key.
bool digest_less(const ObjectDigest& a, const ObjectDigest& b);
// Sorts digests into that order.
void sort_digests(std::vector<ObjectDigest>& digests);

}  // namespace understudy::catalog
