// sql_rows.h — end-to-end scaffolding: run one T-SQL batch on an instance and read back what it
// returned, as text, to assert instance state (jobs enabled, password hashes, job steps).
// Errors (connection, SQL) throw std::runtime_error with the label: the test fails with the message.
// Thread-safety: reentrant (one connection per call).
#pragma once

#include <string>
#include <vector>

namespace e2e {

// Every row of every result set of `sql`, columns joined by '|': text as is, integers in decimal,
// binary as 0x… upper-case hex, NULL as "NULL".
std::vector<std::string> query_rows(const std::string& connection_string_without_password, const std::string& password,
                                    const std::string& label, const std::string& sql);

}  // namespace e2e
