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

// The kinds, their names and orders: one table, catalog/kinds.def. Enumerator values are the
// display order (kind_order in canonical.h).
enum class Kind {
#define UNDERSTUDY_KIND(e, name, replay) e,
#include "catalog/kinds.def"
#undef UNDERSTUDY_KIND
};

// Every kind, in display order.
inline constexpr Kind kAllKinds[] = {
#define UNDERSTUDY_KIND(e, name, replay) Kind::e,
#include "catalog/kinds.def"
#undef UNDERSTUDY_KIND
};

// The names of the table ("login", "agent_job", "instance" …).
std::string_view kind_name(Kind k);
std::optional<Kind> kind_from_name(std::string_view name);
// Every kind's name in display order, joined with `sep` ("instance,credential,…"); without
// `instance` when `replayed_only` (the kinds a pair or sync may list).
std::string kind_names_joined(std::string_view sep, bool replayed_only);

// The replay position of a kind (dependencies first; lower runs first). kInstance, never
// replayed, ranks after every other kind.
int replay_rank(Kind k);
// The replayed kinds (all but instance) in replay order.
const std::vector<Kind>& replay_order();

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
