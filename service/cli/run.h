// run.h — the command line entry point: argv -> command handler -> exit code.
//
// Parses with CLI11 built from the tables in spec.h (no CLI11 config files: the TOML file is
// loaded by service/config as the bottom layer). Usage errors exit 64 with "error: …" and a
// HINT naming `understudy help COMMAND`; a secret given as a flag is refused before parsing.
// Thread-safety: run() is not reentrant (logging is process-wide); call it once per process,
// or serially in tests.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "cli/invocation.h"

namespace understudy::cli {

// `args` excludes the program name.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const Getenv& getenv = process_environment());

}  // namespace understudy::cli
