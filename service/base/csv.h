// csv.h — RFC 4180 CSV with a guard against formula injection.
//
// Fields are quoted when they hold a comma, a quote, CR or LF; quotes are doubled; lines end in
// CRLF. A field that a spreadsheet would run as a formula — first character '=', '+', '-', '@',
// TAB or CR — is prefixed with a single quote (OWASP's advice), so `=HYPERLINK(...)` in a login
// name arrives in Excel as text. Thread-safety: pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace understudy {

std::string csv_field(std::string_view value);
// One record, CRLF-terminated.
std::string csv_line(const std::vector<std::string>& fields);

}  // namespace understudy
