// glob.h — name patterns as a DBA writes them in include/exclude lists: '*' any run, '?' one
// character, ASCII letters compared case-insensitively (SQL Server's default CI collation).
// Thread-safety: pure function.
#pragma once

#include <string_view>

namespace understudy {

bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace understudy
