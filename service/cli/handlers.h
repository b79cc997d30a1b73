// handlers.h — one declaration per command handler named in commands.cc.
// Each returns a process exit code (error table, base/error_codes.def); errors go through
// Invocation::fail so they print as "error: …" + "HINT: …".
#pragma once

namespace understudy::cli {

class Invocation;

int run_config_check(const Invocation& inv);  // cmd_config_check.cc
int run_help(const Invocation& inv);          // cmd_help.cc
int run_version(const Invocation& inv);       // cmd_version.cc
int run_serve(const Invocation& inv);         // cmd_serve.cc
int run_gate(const Invocation& inv);          // cmd_gate.cc
int run_audit_verify(const Invocation& inv);  // cmd_audit.cc
int run_report(const Invocation& inv);        // cmd_report.cc
int run_store_copy(const Invocation& inv);    // cmd_store.cc
int run_sync(const Invocation& inv);          // cmd_sync.cc
int run_activate(const Invocation& inv);      // cmd_activate.cc
int run_script(const Invocation& inv);        // cmd_script.cc
int run_snapshot(const Invocation& inv);        // cmd_snapshot.cc
int run_snapshots_list(const Invocation& inv);  // cmd_snapshot.cc
int run_snapshots_show(const Invocation& inv);  // cmd_snapshot.cc
int run_diff(const Invocation& inv);            // cmd_diff.cc

}  // namespace understudy::cli
