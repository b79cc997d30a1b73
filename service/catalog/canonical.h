// canonical.h — the compared form of an object's fields.
//
// Names compare as SQL Server compares them (default case-insensitive collation): the fields
// that hold names (docs/object-model.md marks them "(name)") are folded with fold_name(); other
// text compares exactly. seal() fingerprints this form and diff compares it, so equal
// fingerprints mean no drift.
// Thread-safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/object.h"

namespace understudy::catalog {

// True when a field of this name holds a SQL Server name (folded before comparing).
bool is_name_field(std::string_view field);

// `fields` with every name field folded (recursively: job steps, lists of names).
nlohmann::json canonical_fields(const nlohmann::json& fields);

// Position of `k` in kinds.def: the order of every listing, diff and report.
size_t kind_order(Kind k);
// Sorts objects into the stable order: kind order, then match key.
void sort_objects(std::vector<ServerObject>& objects);

// The canonical JSON text of `fields` (sorted keys, name fields folded) appended to `out`:
// what seal() fingerprints, without building a folded copy of the tree.
void append_canonical(const nlohmann::json& fields, std::string& out);

// `v.dump()` (compact, invalid UTF-8 replaced) appended to `out`, byte for byte, but faster:
// the form the store keeps fields in.
void append_json_text(const nlohmann::json& v, std::string& out);

// One JSON string exactly as append_json_text writes it (folded with fold_name when `fold`): the
// catalog reader writes object text value by value with it (record.h).
void append_json_string(std::string_view v, bool fold, std::string& out);

}  // namespace understudy::catalog
