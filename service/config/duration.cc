// duration.cc — "1h30m" style durations, and kind names / glob patterns used by pairs.
#include <cctype>

#include "base/glob.h"
#include "config/config.h"

namespace understudy::config {

Result<std::chrono::seconds> parse_duration(std::string_view text) {
  auto bad = [&] {
    return fail(ErrorCode::kConfig, "bad duration '" + std::string(text) + "'",
                "use a number followed by s, m, h or d, e.g. 90s, 15m, 1h30m, 2d");
  };
  if (text.empty()) return bad();
  if (text == "0") return std::chrono::seconds(0);
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return bad();
    int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      if (n > 100000000) return bad();
      ++i;
    }
    if (i == text.size()) return bad();
    switch (text[i++]) {
      case 's': total += n; break;
      case 'm': total += n * 60; break;
      case 'h': total += n * 3600; break;
      case 'd': total += n * 86400; break;
      default: return bad();
    }
  }
  return std::chrono::seconds(total);
}

std::string format_duration(std::chrono::seconds s) {
  int64_t v = s.count();
  if (v == 0) return "0s";
  std::string out;
  const std::pair<int64_t, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (auto [size, unit] : units) {
    if (v >= size) {
      out += std::to_string(v / size) + unit;
      v %= size;
    }
  }
  return out;
}

const std::vector<std::string_view>& kind_names() {
  // From the one table of kinds. Config sits below catalog in the dependency order, so it reads
  // the table itself (data only, no link to catalog) rather than asking catalog::kind_name.
  static const std::vector<std::string_view> names = {
#define UNDERSTUDY_KIND(e, name, replay) name,
#include "catalog/kinds.def"
#undef UNDERSTUDY_KIND
  };
  static const std::vector<std::string_view> listable(names.begin() + 1, names.end());  // all but instance
  return listable;
}

bool Pair::selects(std::string_view kind, std::string_view name) const {
  if (!kinds.empty()) {
    bool listed = false;
    for (const auto& k : kinds) listed = listed || k == kind;
    if (!listed) return false;
  }
  auto it = filters.find(std::string(kind));
  if (it == filters.end()) return true;
  const KindFilter& f = it->second;
  for (const auto& p : f.exclude)
    if (glob_match(p, name)) return false;
  if (f.include.empty()) return true;
  for (const auto& p : f.include)
    if (glob_match(p, name)) return true;
  return false;
}

std::string_view role_name(Role r) {
  switch (r) {
    case Role::kRunbook: return "runbook";
    case Role::kAuditor: return "auditor";
    case Role::kOperator: return "operator";
  }
  return "runbook";
}

}  // namespace understudy::config
