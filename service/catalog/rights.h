// rights.h — what the connected login may see and do, as SQL Server decides it, and which of the
// project's operations that is enough for (docs/permissions.md). One round trip.
//
// snapshot / live diff / object gates read the catalog: everything is visible only with CONTROL
// SERVER (password hashes need it, provider strings need ALTER ANY LINKED SERVER, metadata
// visibility hides other principals without VIEW ANY DEFINITION; CONTROL SERVER implies them).
// Cutover gates also read DMVs (VIEW SERVER STATE, implied by CONTROL SERVER).
// sync runs msdb's Agent procedures for jobs of other owners and operators (sysadmin only), so
// it needs membership in sysadmin.
// Thread-safety: pure functions besides read_rights, which uses the caller's connection.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "odbc/connection.h"

namespace understudy::catalog {

struct Rights {
  bool sysadmin = false;
  bool control_server = false;
  bool view_server_state = false;
  bool view_any_definition = false;
};

// IS_SRVROLEMEMBER('sysadmin') and HAS_PERMS_BY_NAME(NULL, NULL, …) for the connected login.
[[nodiscard]] Result<Rights> read_rights(odbc::Connection& conn);

// What is missing for reading the catalog (snapshot, live diff, object gates, cutover gates).
std::vector<std::string> missing_to_read(const Rights& r);
// What is missing for sync --apply onto this instance (besides what reading needs).
std::vector<std::string> missing_to_sync(const Rights& r);

}  // namespace understudy::catalog
