// sync_options.h — the options `sync` and `script` share, parsed into a replay::SyncRequest.
// Lists (--kinds, --include, --exclude) are comma-separated; kinds are catalog kind names.
// Errors: kUsage naming the option.
#pragma once

#include <string_view>

#include "base/result.h"
#include "cli/invocation.h"
#include "replay/sync.h"

namespace understudy::cli {

[[nodiscard]] Result<replay::SyncRequest> sync_request(const Invocation& inv, std::string_view command);

}  // namespace understudy::cli
