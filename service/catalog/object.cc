#include "catalog/object.h"

#include <algorithm>
#include <array>
#include <utility>

#include "catalog/canonical.h"
#include "catalog/record.h"

namespace understudy::catalog {

namespace {

constexpr std::array<std::pair<Kind, std::string_view>, 13> kNames = {{
    {Kind::kInstance, "instance"},
    {Kind::kCredential, "credential"},
    {Kind::kServerRole, "server_role"},
    {Kind::kLogin, "login"},
    {Kind::kServerRoleMember, "server_role_member"},
    {Kind::kServerPermission, "server_permission"},
    {Kind::kLinkedServer, "linked_server"},
    {Kind::kLinkedServerLogin, "linked_server_login"},
    {Kind::kAgentCategory, "agent_category"},
    {Kind::kAgentOperator, "agent_operator"},
    {Kind::kAgentProxy, "agent_proxy"},
    {Kind::kAgentSchedule, "agent_schedule"},
    {Kind::kAgentJob, "agent_job"},
}};

}  // namespace

std::string_view kind_name(Kind k) {
  for (const auto& [kind, name] : kNames)
    if (kind == k) return name;
  return "unknown";
}

std::optional<Kind> kind_from_name(std::string_view name) {
  for (const auto& [kind, n] : kNames)
    if (n == name) return kind;
  return std::nullopt;
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
