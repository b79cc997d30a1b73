// help.h — help text and Markdown generated from the tables (spec.h) and the error table.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "cli/spec.h"

namespace understudy::cli {

std::string overview_text();                         // `understudy help`
std::string command_text(const CommandSpec& command);  // `understudy help COMMAND`, `COMMAND --help`
std::string exit_codes_text();                       // `understudy help exit-codes`
std::string cli_markdown();                          // docs/cli.md
std::string errors_markdown();                       // docs/errors.md
// The version string, e.g. "0.1.0".
const char* version();

}  // namespace understudy::cli
