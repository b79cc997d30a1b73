// utf16.h — UTF-8 <-> UTF-16 for the ODBC "W" functions (SQLWCHAR is 16-bit in unixODBC).
//
// Invalid UTF-8 and lone surrogates become U+FFFD rather than failing: server text is data, and
// a replacement character is visible where a silent truncation would not be.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace understudy::odbc {

using U16 = std::vector<uint16_t>;

// UTF-16 code units of `s`, without a terminator.
U16 utf8_to_utf16(std::string_view s);
// UTF-8 of the first `n` code units of `p`.
std::string utf16_to_utf8(const uint16_t* p, size_t n);
// The same into `out` (replacing its contents, reusing its capacity: a fetch loop decodes every
// text cell of every row into the same strings).
void utf16_to_utf8(const uint16_t* p, size_t n, std::string& out);

}  // namespace understudy::odbc
