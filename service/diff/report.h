// report.h — a pair's drift rendered for people and auditors: a table, JSON and RFC 4180 CSV,
// all from the same rows (docs/diff.md specifies the columns, version 1).
//
// No format ever carries a password hash: a changed hash is the word "differs", and logins carry
// `sid_matches` / `password_hash_matches` booleans in JSON. CSV cells that start with '=', '+',
// '-' or '@' are prefixed with a single quote so a spreadsheet does not run them as formulas.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "diff/drift.h"

namespace understudy::drift {

nlohmann::json report_json(const PairDrift& d);
std::string report_csv(const PairDrift& d);
std::string report_table(const PairDrift& d);

// "3 findings: 1 missing, 1 different, 1 sid_mismatch" or "no drift".
std::string summary_line(const diff::Comparison& c);

}  // namespace understudy::drift
