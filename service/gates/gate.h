// gate.h — a gate definition (docs/gates.md, gates/schema.json): the data a gate file holds.
//
// A gate is a named rule over one pair (primary → target): a list of checks, each of a registered
// check type (check.h), the maximum age of the primary snapshot it compares against, and the
// exceptions auditors approved. Gates are loaded and validated by loader.h and evaluated by
// evaluate.h; this header only describes them.
// Thread-safety: a Gate is immutable once loaded and shared as shared_ptr<const Gate>.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/object.h"

namespace understudy::gates {

class Check;  // check.h

// The version of the gate file format this build reads (docs/gates.md).
inline constexpr int kGateFormatVersion = 1;


struct ObjectRef {
  catalog::Kind kind = catalog::Kind::kLogin;
  std::string key;  // natural key as written in the file; matched with catalog::fold_name
};

// An approved exception: a finding about `object` does not fail the gate until `until`.
struct GateException {
  ObjectRef object;
  std::string reason;
  std::string approved_by;
  std::string until;       // RFC 3339 UTC as written in the file, e.g. "2027-01-31T00:00:00Z"
  int64_t until_unix = 0;  // the same instant, seconds since the epoch
};

struct Gate {
  int format_version = kGateFormatVersion;
  std::string name;         // ^[a-z0-9][a-z0-9-]*$, equal to the file name without ".json"
  std::string description;
  std::vector<std::string> pairs;  // pair names; "*" = every configured pair
  // Oldest primary snapshot the gate compares against; nullopt = the pair's max_snapshot_age
  // (config, default 1h). `?max_age=` overrides both for one request.
  std::optional<int64_t> max_snapshot_age_seconds;
  std::vector<std::shared_ptr<const Check>> checks;  // in file order, at least one
  std::vector<GateException> exceptions;
  std::string source_file;  // where it was loaded from (for messages and /v1/gates)

  bool applies_to(const std::string& pair) const;
};

}  // namespace understudy::gates
