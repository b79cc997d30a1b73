#include "catalog/record.h"

#include "base/sha256.h"
#include "catalog/canonical.h"

namespace understudy::catalog {

std::string fingerprint_of(Kind kind, std::string_view match_key, std::string_view canonical,
                           const std::optional<Secret>& hash) {
  // Hashed piece by piece (no concatenated copy). Separators are NUL bytes: they cannot occur in
  // a kind name, a SQL Server name or JSON text.
  thread_local Sha256 sha;
  static constexpr std::string_view kNul("\0", 1);
  sha.update(kind_name(kind));
  sha.update(kNul);
  sha.update(match_key);
  sha.update(kNul);
  sha.update(canonical);
  sha.update(kNul);
  if (hash) {
    std::string folded = "H" + fold_name(hash->reveal());  // hex: 0x0200AB… and 0x0200ab… are one hash
    sha.update(folded);
    for (auto& c : folded) reinterpret_cast<volatile char&>(c) = 0;  // the hash passed through here
  } else {
    sha.update("-");
  }
  unsigned char md[32];
  sha.finish(md);
  return hex_of(md, sizeof md);
}

std::string ObjectRecord::compute_fingerprint() const {
  return fingerprint_of(kind, match_key(), canonical_text(), password_hash);
}

Result<ServerObject> ObjectRecord::to_object() const {
  ServerObject o;
  o.kind = kind;
  o.key = key;
  try {
    o.fields = nlohmann::json::parse(fields);
    o.volatile_fields = nlohmann::json::parse(volatile_fields);
  } catch (const std::exception& e) {
    return fail(ErrorCode::kDataErr,
                std::string(kind_name(kind)) + " " + key + ": stored fields are not JSON: " + e.what());
  }
  o.password_hash = password_hash;
  o.fingerprint = fingerprint_or_compute();
  return o;
}

ObjectRecord ObjectRecord::from_object(const ServerObject& o) {
  ObjectRecord r;
  r.kind = o.kind;
  r.key = o.key;
  append_json_text(o.fields, r.fields);
  append_json_text(o.volatile_fields, r.volatile_fields);
  append_canonical(o.fields, r.canonical);
  if (r.canonical == r.fields) r.canonical.clear();
  r.password_hash = o.password_hash;
  r.fingerprint = o.fingerprint;
  return r;
}

void ObjectRecord::clear() {
  kind = Kind::kLogin;
  key.clear();
  fields.clear();
  volatile_fields.clear();
  canonical.clear();
  password_hash.reset();
  fingerprint.clear();
}

}  // namespace understudy::catalog
