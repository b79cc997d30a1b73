// label.h — how an object is named to people.
//
// Nearly every kind is keyed by its name and shown by its key. An Agent schedule is keyed by its
// schedule_uid (schedule names repeat in msdb, uids do not), and a bare GUID tells a DBA nothing:
// it is shown by its name with the key as detail, `Nightly 01:30 (631B3284-8CFF-…)`. Every text
// output (diff, plan, sync, script, gate, drift report) renders an object through display_key();
// JSON and CSV carry the key and, where it differs, the name.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "catalog/object.h"

namespace understudy::catalog {

// The name people know `o` by when its key is not that name ("" otherwise, or when unknown).
std::string object_name(const ServerObject& o);

// `key`, or `name (key)` when a name is given.
std::string display_key(std::string_view key, std::string_view name);

}  // namespace understudy::catalog
