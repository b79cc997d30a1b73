// settings.h — the scalar keys that environment and flag layers may set, and whole-config
// validation (internal to service/config).
// Thread-safety: pure functions over the Config passed in.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "config/config.h"

namespace understudy::config {

// Sets `key` (one of settable_keys()) from its text form. `where` prefixes messages
// ("understudy.toml:3" or "--listen"); relative paths are resolved against `base_dir` when set.
[[nodiscard]] Status set_key(Config& c, std::string_view key, const std::string& value, const std::string& where,
                             const std::string& base_dir);

// `p` made absolute against `base_dir` when it is relative and base_dir is set.
std::string resolve_path(const std::string& p, const std::string& base_dir);

// Checks that need the whole, layered config (TLS cert and key together).
[[nodiscard]] Status validate(const Config& c);

}  // namespace understudy::config
