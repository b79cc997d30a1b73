// roles.cc — see roles.h. Pure: no connection, no store, no clock.
#include "roles/roles.h"

#include <algorithm>
#include <cctype>

#include "config/config.h"

namespace understudy::roles {
namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool same_name(std::string_view a, std::string_view b) { return lower_ascii(a) == lower_ascii(b); }

std::string mechanism_words(std::string_view m) {
  if (m == kAvailabilityGroup) return "availability group";
  if (m == kDistributedAg) return "distributed availability group (MI link)";
  if (m == kFailoverGroup) return "failover group";
  return std::string(m);
}

int rank_of(std::string_view mechanism) {
  if (mechanism == kDistributedAg) return 0;
  if (mechanism == kAvailabilityGroup) return 1;
  return 2;
}

// The groups of one side that decide the pair's roles (see roles.h, "Which group counts").
std::vector<const Group*> deciding_groups(const config::Pair& pair, const Side& side) {
  std::vector<const Group*> out;
  int best = 3;
  for (const auto& g : side.groups) {
    if (!pair.ha_group.empty() && !(g.mechanism != kFailoverGroup && same_name(g.name, pair.ha_group))) continue;
    best = std::min(best, rank_of(g.mechanism));
  }
  for (const auto& g : side.groups) {
    if (!pair.ha_group.empty() && !(g.mechanism != kFailoverGroup && same_name(g.name, pair.ha_group))) continue;
    if (rank_of(g.mechanism) == best) out.push_back(&g);
  }
  return out;
}

// What the deciding groups of one side amount to.
struct Verdict {
  bool answered = false;   // the instance could be asked
  bool has_group = false;  // it shows a deciding group
  std::optional<Role> role;  // one role all its deciding groups agree on; nullopt when they disagree
  std::string mechanism, group;
  std::vector<std::string> members;  // union of the members its groups name
  std::string text;                  // said(): one phrase
};

std::string group_label(const std::vector<const Group*>& gs) {
  if (gs.empty()) return "";
  if (gs.front()->mechanism == kFailoverGroup)
    return "geo-replication links of " + std::to_string(gs.size()) + (gs.size() == 1 ? " database" : " databases");
  std::string names;
  for (const auto* g : gs) names += (names.empty() ? "" : ", ") + g->name;
  return names;
}

Verdict verdict_of(const config::Pair& pair, const Side& side) {
  Verdict v;
  if (side.error) {
    v.text = side.instance + " is unreachable: " + side.error->message;
    return v;
  }
  v.answered = true;
  const std::string who = side.instance + " (" + side.server_name + ")";
  auto gs = deciding_groups(pair, side);
  if (gs.empty()) {
    v.text = who + (pair.ha_group.empty() ? " shows no HA group"
                                          : " shows no availability group named '" + pair.ha_group + "'");
    return v;
  }
  v.has_group = true;
  v.mechanism = gs.front()->mechanism;
  v.group = group_label(gs);
  v.role = gs.front()->role;
  for (const auto* g : gs) {
    if (g->role != *v.role) v.role.reset();
    for (const auto& m : g->members)
      if (std::none_of(v.members.begin(), v.members.end(), [&](const std::string& x) { return same_server(x, m); }))
        v.members.push_back(m);
  }
  if (v.role) {
    v.text = who + " reports " + std::string(role_name(*v.role)) + " of " + mechanism_words(v.mechanism) + " " + v.group;
  } else {
    std::string each;
    for (const auto* g : gs)
      each += (each.empty() ? "" : ", ") + (g->database.empty() ? g->name : g->database) + " " +
              std::string(role_name(g->role));
    v.text = who + " reports mixed roles in " + mechanism_words(v.mechanism) + " " + v.group + ": " + each;
  }
  return v;
}

Error refusal(const config::Pair& pair, const std::string& why, const Verdict& a, const Verdict& b, std::string hint) {
  return Error(ErrorCode::kRolesUnknown,
               "pair " + pair.name + ": the roles cannot be established (" + why + "): " + a.text + "; " + b.text,
               std::move(hint));
}

}  // namespace

std::string_view role_name(Role r) {
  switch (r) {
    case Role::kPrimary: return "PRIMARY";
    case Role::kSecondary: return "SECONDARY";
    case Role::kResolving: return "RESOLVING";
  }
  return "RESOLVING";
}

bool same_server(std::string_view a, std::string_view b) {
  if (same_name(a, b)) return true;
  auto label = [](std::string_view s) { return s.substr(0, s.find('.')); };
  return !label(a).empty() && same_name(label(a), label(b));
}

std::string said(const Side& side) {
  config::Pair any;
  return verdict_of(any, side).text;
}

Result<Roles> decide(const config::Pair& pair, const Side& home_primary, const Side& home_secondary) {
  const Verdict v[2] = {verdict_of(pair, home_primary), verdict_of(pair, home_secondary)};
  const Side* sides[2] = {&home_primary, &home_secondary};
  Roles r;
  r.pair = pair.name;
  r.home_primary = pair.primary;
  r.home_secondary = pair.secondary;
  r.said = {v[0].text, v[1].text};
  r.primary_reachable = v[0].answered;
  r.secondary_reachable = v[1].answered;
  auto configured = [&]() {
    r.primary = pair.primary;
    r.secondary = pair.secondary;
    return r;
  };
  // `p` (0 or 1) is the index of the side that holds the primary role now.
  auto live = [&](int p, const Verdict& by) {
    r.live = true;
    r.reversed = p == 1;
    r.primary = sides[p]->instance;
    r.secondary = sides[1 - p]->instance;
    r.primary_reachable = v[p].answered;
    r.secondary_reachable = v[1 - p].answered;
    r.mechanism = by.mechanism;
    r.group = by.group;
    return r;
  };
  const std::string hint_unknown =
      "nothing was written; run again once both instances answer and exactly one reports PRIMARY";

  if (!v[0].answered && !v[1].answered)
    return tl::unexpected(refusal(pair, "neither instance answers", v[0], v[1], hint_unknown));

  // One side dark: the other's own word decides, when it has one.
  for (int i = 0; i < 2; ++i) {
    if (v[i].answered) continue;
    const Verdict& o = v[1 - i];
    if (!o.has_group) return configured();
    if (!o.role || *o.role == Role::kResolving)
      return tl::unexpected(refusal(pair, "the only instance that answers is not PRIMARY or SECONDARY", v[0], v[1],
                                    hint_unknown));
    return live(*o.role == Role::kPrimary ? 1 - i : i, o);
  }

  // Both answer.
  if (!v[0].has_group && !v[1].has_group) return configured();
  if (v[0].has_group != v[1].has_group)
    return tl::unexpected(refusal(pair, "only one instance shows the HA group", v[0], v[1],
                                  "after a one-way MI link cutover or a removed failover group, set the pair's "
                                  "direction in the configuration (docs/runbook.md); nothing was written"));
  if (v[0].mechanism != v[1].mechanism)
    return tl::unexpected(refusal(pair, "the instances show different kinds of HA group", v[0], v[1], hint_unknown));
  for (int i = 0; i < 2; ++i) {
    // A distributed AG names member AGs, not instances: nothing to check against there. An
    // instance cut off from its cluster lists only its own replica (sys.availability_replicas):
    // an incomplete list, not a third instance.
    if (v[i].mechanism == kDistributedAg) continue;
    const std::string& self = sides[i]->server_name;
    const std::string& other = sides[1 - i]->server_name;
    const bool only_self = std::all_of(v[i].members.begin(), v[i].members.end(),
                                       [&](const std::string& m) { return same_server(m, self); });
    if (only_self) continue;
    if (std::none_of(v[i].members.begin(), v[i].members.end(), [&](const std::string& m) { return same_server(m, other); })) {
      std::string names;
      for (const auto& m : v[i].members) names += (names.empty() ? "" : ", ") + m;
      return tl::unexpected(refusal(pair, "the HA group of " + sides[i]->instance + " names " + names + ", not " + other,
                                    v[0], v[1],
                                    "the pair's two instances must be the group's replicas (or partners); check the "
                                    "pair's instances and ha_group; nothing was written"));
    }
  }
  if (v[0].mechanism != kFailoverGroup && lower_ascii(v[0].group) != lower_ascii(v[1].group))
    return tl::unexpected(refusal(pair, "the instances show different groups", v[0], v[1],
                                  "name the pair's group with ha_group; nothing was written"));
  if (!v[0].role || !v[1].role)
    return tl::unexpected(refusal(pair, "a failover is in progress", v[0], v[1], hint_unknown));
  const Role a = *v[0].role, b = *v[1].role;
  if (a == Role::kPrimary && b == Role::kPrimary)
    return tl::unexpected(refusal(pair, "both instances report PRIMARY: split brain", v[0], v[1],
                                  "after a forced failover whose old primary came back, demote it as Microsoft's "
                                  "procedure says (docs/runbook.md); nothing was written"));
  if (a == Role::kSecondary && b == Role::kSecondary)
    return tl::unexpected(refusal(pair, "both instances report SECONDARY: mid-failover, or the primary is another instance",
                                  v[0], v[1], hint_unknown));
  if (a == Role::kResolving || b == Role::kResolving)
    return tl::unexpected(refusal(pair, "an instance is RESOLVING its role", v[0], v[1], hint_unknown));
  return live(a == Role::kPrimary ? 0 : 1, v[0]);
}

config::Pair live_pair(const config::Pair& pair, const Roles& roles) {
  config::Pair p = pair;
  p.primary = roles.primary;
  p.secondary = roles.secondary;
  return p;
}

std::string Roles::describe() const {
  if (!live)
    return "no HA group visible: the configured direction, " + primary + " -> " + secondary;
  std::string out = "roles read live (" + mechanism_words(mechanism) + " " + group + "): primary " + primary +
                    (primary_reachable ? "" : " (unreachable)") + ", secondary " + secondary +
                    (secondary_reachable ? "" : " (unreachable)");
  if (reversed) out += "; the reverse of the configured direction (" + home_primary + " -> " + home_secondary + ")";
  return out;
}

nlohmann::json Roles::to_json() const {
  return {{"primary", primary},
          {"secondary", secondary},
          {"source", live ? "live" : "configured"},
          {"reversed", reversed},
          {"mechanism", mechanism},
          {"group", group},
          {"primary_reachable", primary_reachable},
          {"secondary_reachable", secondary_reachable},
          {"configured", {{"primary", home_primary}, {"secondary", home_secondary}}},
          {"said", said}};
}

}  // namespace understudy::roles
