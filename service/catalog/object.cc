#include "catalog/object.h"

#include <algorithm>
#include <array>
#include <utility>

#include "catalog/canonical.h"
#include "catalog/record.h"

namespace understudy::catalog {

namespace {

struct KindRow {
  Kind kind;
  std::string_view name;
  int replay;
};

constexpr KindRow kKindRows[] = {
#define UNDERSTUDY_KIND(e, name, replay) {Kind::e, name, replay},
#include "catalog/kinds.def"
#undef UNDERSTUDY_KIND
};

}  // namespace

std::string_view kind_name(Kind k) {
  auto i = static_cast<size_t>(k);
  return i < std::size(kKindRows) ? kKindRows[i].name : "unknown";
}

std::optional<Kind> kind_from_name(std::string_view name) {
  for (const auto& r : kKindRows)
    if (r.name == name) return r.kind;
  return std::nullopt;
}

std::string kind_names_joined(std::string_view sep, bool replayed_only) {
  std::string out;
  for (const auto& r : kKindRows) {
    if (replayed_only && r.replay < 0) continue;
    if (!out.empty()) out += sep;
    out += r.name;
  }
  return out;
}

int replay_rank(Kind k) {
  auto i = static_cast<size_t>(k);
  int r = i < std::size(kKindRows) ? kKindRows[i].replay : -1;
  return r < 0 ? static_cast<int>(std::size(kKindRows)) : r;
}

const std::vector<Kind>& replay_order() {
  static const std::vector<Kind> order = [] {
    std::vector<Kind> v;
    for (const auto& r : kKindRows)
      if (r.replay >= 0) v.push_back(r.kind);
    std::sort(v.begin(), v.end(), [](Kind a, Kind b) { return replay_rank(a) < replay_rank(b); });
    return v;
  }();
  return order;
}

std::string fold_name(std::string_view name) {
  std::string out(name);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string ServerObject::compute_fingerprint() const {
  std::string canonical;
  append_canonical(fields, canonical);
  return fingerprint_of(kind, match_key(), canonical, password_hash);
}

std::array<unsigned char, 32> fingerprint_bytes(std::string_view hex) {
  // A table, not branches: a diff of scale L converts a million fingerprints.
  static constexpr auto kNibble = [] {
    std::array<signed char, 256> t{};
    t.fill(-1);
    for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = static_cast<signed char>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[static_cast<size_t>(c)] = static_cast<signed char>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) t[static_cast<size_t>(c)] = static_cast<signed char>(c - 'A' + 10);
    return t;
  }();
  std::array<unsigned char, 32> out{};
  if (hex.size() != 64) return out;
  for (size_t i = 0; i < 32; ++i) {
    int hi = kNibble[static_cast<unsigned char>(hex[2 * i])], lo = kNibble[static_cast<unsigned char>(hex[2 * i + 1])];
    if (hi < 0 || lo < 0) return {};
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return out;
}

bool digest_less(const ObjectDigest& a, const ObjectDigest& b) {
  size_t ka = kind_order(a.kind), kb = kind_order(b.kind);
  return ka != kb ? ka < kb : a.match_key < b.match_key;
}

void sort_digests(std::vector<ObjectDigest>& digests) { std::sort(digests.begin(), digests.end(), digest_less); }

}  // namespace understudy::catalog
