#include "diff/report.h"

#include <map>
#include <sstream>

#include "base/csv.h"
#include "catalog/label.h"

namespace understudy::drift {

namespace {

using nlohmann::json;

std::string cell_text(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

json source_json(const PairDrift& d) {
  return {{"instance", d.source.instance}, {"snapshot_id", d.source.id}, {"taken_at", d.source.taken_at}};
}

json target_json(const PairDrift& d) {
  json t = {{"instance", d.target_instance}};
  if (d.target_snapshot) {
    t["read"] = "snapshot";
    t["snapshot_id"] = d.target_snapshot->id;
    t["taken_at"] = d.target_snapshot->taken_at;
  } else {
    t["read"] = "live";
    t["snapshot_id"] = nullptr;
  }
  return t;
}

// Auditor booleans for logins: whether the SID and the password hash match.
void add_login_flags(const diff::Finding& f, json& j) {
  if (f.kind != catalog::Kind::kLogin ||
      (f.category != diff::Category::kDifferent && f.category != diff::Category::kSidMismatch))
    return;
  bool sid = true, hash = true;
  for (const auto& c : f.changes) {
    if (c.field == "sid") sid = false;
    if (c.field == "password_hash") hash = false;
  }
  j["sid_matches"] = sid;
  j["password_hash_matches"] = hash;
}

}  // namespace

std::string summary_line(const diff::Comparison& c) {
  if (c.findings.empty()) return "no drift";
  std::map<diff::Category, size_t> counts;
  for (const auto& f : c.findings) counts[f.category]++;
  std::string out = std::to_string(c.findings.size()) + (c.findings.size() == 1 ? " finding: " : " findings: ");
  bool first = true;
  for (const auto& [cat, n] : counts) {
    if (!first) out += ", ";
    first = false;
    out += std::to_string(n) + " " + std::string(diff::category_name(cat));
  }
  return out;
}

json report_json(const PairDrift& d) {
  json findings = json::array();
  std::map<std::string, size_t> by_category;
  for (const auto& f : d.comparison.findings) {
    json j = diff::to_json(f);
    add_login_flags(f, j);
    findings.push_back(std::move(j));
    by_category[std::string(diff::category_name(f.category))]++;
  }
  return {{"version", 1},
          {"run_id", d.run_id},
          {"generated_at", d.generated_at},
          {"pair", d.pair},
          {"source", source_json(d)},
          {"target", target_json(d)},
          {"reversed", d.reversed},
          {"direction", d.direction},
          {"drift", d.comparison.drift()},
          {"summary", {{"findings", d.comparison.findings.size()}, {"by_category", by_category},
                       {"source_objects", d.comparison.source_objects}, {"target_objects", d.comparison.target_objects}}},
          {"findings", findings}};
}

std::string report_csv(const PairDrift& d) {
  std::ostringstream out;
  out << "run_id,generated_at,pair,source_snapshot_id,target_snapshot_id,kind,key,name,category,severity,field,before,"
         "after,reason\r\n";
  std::string target_id = d.target_snapshot ? std::to_string(d.target_snapshot->id) : "live";
  auto row = [&](const diff::Finding& f, const std::string& field, const std::string& before, const std::string& after) {
    out << csv_field(d.run_id) << ',' << csv_field(d.generated_at) << ',' << csv_field(d.pair) << ',' << d.source.id << ','
        << target_id << ',' << catalog::kind_name(f.kind) << ',' << csv_field(f.key) << ',' << csv_field(f.name) << ','
        << diff::category_name(f.category) << ',' << diff::severity_name(f.severity) << ',' << csv_field(field) << ','
        << csv_field(before) << ',' << csv_field(after) << ',' << csv_field(f.reason) << "\r\n";
  };
  for (const auto& f : d.comparison.findings) {
    if (f.changes.empty()) row(f, "", "", "");
    for (const auto& c : f.changes)
      row(f, c.field, c.secret ? "differs" : cell_text(c.before), c.secret ? "differs" : cell_text(c.after));
  }
  return out.str();
}

std::string report_table(const PairDrift& d) {
  std::ostringstream out;
  out << "pair " << d.pair << ": " << d.source.instance << " snapshot " << d.source.id << " (" << d.source.taken_at
      << ") against " << d.target_instance
      << (d.target_snapshot ? " snapshot " + std::to_string(d.target_snapshot->id) : std::string(" live")) << "\n";
  if (!d.direction.empty()) out << "direction: " << d.direction << "\n";
  if (!d.comparison.findings.empty()) {
    out << "SEVERITY  CATEGORY      KIND                 KEY / CHANGE\n";
    for (const auto& f : d.comparison.findings) {
      char line[256];
      std::snprintf(line, sizeof line, "%-9s %-13s %-20s ", std::string(diff::severity_name(f.severity)).c_str(),
                    std::string(diff::category_name(f.category)).c_str(), std::string(catalog::kind_name(f.kind)).c_str());
      out << line << catalog::display_key(f.key, f.name);
      if (f.category == diff::Category::kIncompatible) out << "  (" << f.reason << ")";
      out << "\n";
      for (const auto& c : f.changes) {
        out << std::string(44, ' ') << c.field << ": ";
        if (c.secret) out << "differs";
        else out << c.before.dump() << " -> " << c.after.dump();
        out << "\n";
      }
    }
  }
  out << summary_line(d.comparison) << "\n";
  return out.str();
}

}  // namespace understudy::drift
