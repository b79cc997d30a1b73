#include "catalog/key.h"

namespace understudy::catalog {

std::string make_key(std::initializer_list<std::string_view> parts) {
  std::string out;
  append_key(parts, out);
  return out;
}

void append_key(std::initializer_list<std::string_view> parts, std::string& out) {
  bool first = true;
  for (auto part : parts) {
    if (!first) out.push_back('|');
    first = false;
    if (part.find_first_of("\\|") == std::string_view::npos) {  // nearly every name: as it is
      out.append(part);
      continue;
    }
    for (char c : part) {
      if (c == '\\' || c == '|') out.push_back('\\');
      out.push_back(c);
    }
  }
}

std::vector<std::string> split_key(std::string_view key) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c == '\\' && i + 1 < key.size()) {
      parts.back().push_back(key[++i]);
    } else if (c == '|') {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  return parts;
}

}  // namespace understudy::catalog
