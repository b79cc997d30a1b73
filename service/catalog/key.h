// key.h — composite natural keys ("role|member", "grantee|class|securable|permission").
//
// Parts are joined with '|'; inside a part '\' becomes "\\" and '|' becomes "\|", so names that
// contain either cannot make two different objects share a key. split_key() inverts make_key().
// Thread-safety: pure functions.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace understudy::catalog {

std::string make_key(std::initializer_list<std::string_view> parts);
// make_key appended to `out` (the catalog reader writes keys into reused buffers).
void append_key(std::initializer_list<std::string_view> parts, std::string& out);
std::vector<std::string> split_key(std::string_view key);

}  // namespace understudy::catalog
