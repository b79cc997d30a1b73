// record.h — an object as the text the store keeps (CPU per object).
//
// The catalog reader writes each object straight into this form — its fields as JSON text with
// sorted keys, the canonical text its fingerprint covers — instead of building a JSON tree per
// object: at scale L (half a million objects) the trees were a third of a snapshot's CPU. The
// store keeps exactly these texts, and a diff needs a tree only for the few objects that differ
// (to_object()).
//
// The texts are byte for byte what a ServerObject of the same content gives — `fields` is
// append_json_text(o.fields), `canonical` is append_canonical(o.fields) — so content ids and
// fingerprints do not depend on the path an object took (tests/service/catalog/record_test.cc).
// Thread-safety: plain values. A record can be clear()ed and refilled, keeping its buffers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret.h"
#include "catalog/object.h"

namespace understudy::catalog {

struct ObjectRecord {
  Kind kind = Kind::kLogin;
  std::string key;              // natural key as the instance spells it
  std::string fields;           // JSON text, keys sorted (append_json_text of ServerObject::fields)
  std::string volatile_fields;  // the same for ServerObject::volatile_fields
  std::string canonical;        // append_canonical of ServerObject::fields, what is fingerprinted;
                                // "" when it is `fields` itself (no name with a capital letter)
  std::optional<Secret> password_hash;  // SQL logins; never serialised to output
  std::string fingerprint;              // hex SHA-256 once seal()ed; "" until then

  std::string match_key() const { return fold_name(key); }
  // The canonical text: `canonical`, or `fields` when they are the same.
  const std::string& canonical_text() const { return canonical.empty() ? fields : canonical; }
  // What ServerObject::compute_fingerprint gives for the same content (hex SHA-256).
  std::string compute_fingerprint() const;
  // Sets `fingerprint` (a snapshot's reader thread does it when the writer lags behind).
  void seal() { fingerprint = compute_fingerprint(); }
  // `fingerprint` when sealed, else computed.
  std::string fingerprint_or_compute() const { return fingerprint.empty() ? compute_fingerprint() : fingerprint; }
  // The object as a tree, sealed. kDataErr when a text is not JSON (never for a record the
  // reader or from_object() made).
  Result<ServerObject> to_object() const;
  // The record of a ServerObject (sealed or not).
  static ObjectRecord from_object(const ServerObject& o);
  // Empties every member but keeps the strings' capacity (records are reused batch after batch).
  void clear();
};

// The fingerprint of an object of `kind` whose match key is `match_key`, canonical fields text
// `canonical` and password hash `hash`: the one definition behind ServerObject::compute_fingerprint
// and ObjectRecord::compute_fingerprint.
std::string fingerprint_of(Kind kind, std::string_view match_key, std::string_view canonical,
                           const std::optional<Secret>& hash);

}  // namespace understudy::catalog
