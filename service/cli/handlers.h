// handlers.h — one declaration per command handler named in commands.cc.
// Each returns a process exit code (error table, base/error_codes.def); errors go through
// Invocation::fail so they print as "error: …" + "HINT: …".
#pragma once

namespace understudy::cli {

class Invocation;

int run_config_check(const Invocation& inv);  // cmd_config_check.cc
int run_help(const Invocation& inv);          // cmd_help.cc
int run_version(const Invocation& inv);       // cmd_version.cc

}  // namespace understudy::cli
