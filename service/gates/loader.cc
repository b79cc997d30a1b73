#include "gates/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "base/time.h"
#include "gates/check.h"
#include "gates/validate.h"
#include "gates/verdict.h"

namespace understudy::gates {
namespace {

namespace v = validate;
namespace fs = std::filesystem;

bool valid_gate_name(const std::string& s) {
  static const std::regex re("^[a-z0-9][a-z0-9-]{0,62}$");
  return std::regex_match(s, re);
}
bool valid_pair_name(const std::string& s) {
  static const std::regex re("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$");
  return s == "*" || std::regex_match(s, re);
}

Result<Gate> parse_document(const nlohmann::json& j, const std::string& stem) {
  US_TRY(v::object(j, "",
                   {"$schema", "format_version", "name", "description", "pairs", "max_snapshot_age_seconds", "checks",
                    "exceptions"},
                   {"format_version", "name", "description", "pairs", "checks"}));
  Gate g;
  auto ver = v::integer(j, "format_version", "", 1, 1000);
  if (!ver) return tl::unexpected(ver.error());
  if (*ver != kGateFormatVersion)
    return v::problem("/format_version",
                      "unsupported format version " + std::to_string(*ver) + " (this build reads " +
                          std::to_string(kGateFormatVersion) + ")");
  g.format_version = static_cast<int>(*ver);

  auto name = v::string(j, "name", "");
  if (!name) return tl::unexpected(name.error());
  if (!valid_gate_name(*name))
    return v::problem("/name", "gate name \"" + *name + "\" is not lower-case letters, digits and '-'");
  if (*name != stem)
    return v::problem("/name", "gate name \"" + *name + "\" differs from the file name \"" + stem + ".json\"");
  g.name = *name;

  auto desc = v::string(j, "description", "");
  if (!desc) return tl::unexpected(desc.error());
  g.description = *desc;

  auto pairs = v::array(j, "pairs", "");
  if (!pairs) return tl::unexpected(pairs.error());
  for (size_t i = 0; i < (*pairs)->size(); ++i) {
    const auto& p = (**pairs)[i];
    auto ptr = v::child("/pairs", i);
    if (!p.is_string()) return v::problem(ptr, "expected a pair name, found " + v::type_phrase(p));
    auto s = p.get<std::string>();
    if (!valid_pair_name(s)) return v::problem(ptr, "pair name \"" + s + "\" is not a valid name or \"*\"");
    if (std::find(g.pairs.begin(), g.pairs.end(), s) != g.pairs.end())
      return v::problem(ptr, "duplicate pair \"" + s + "\"");
    g.pairs.push_back(s);
  }

  if (j.contains("max_snapshot_age_seconds")) {
    auto age = v::integer(j, "max_snapshot_age_seconds", "", 1, 366LL * 24 * 3600);
    if (!age) return tl::unexpected(age.error());
    g.max_snapshot_age_seconds = *age;
  }

  auto checks = v::array(j, "checks", "");
  if (!checks) return tl::unexpected(checks.error());
  for (size_t i = 0; i < (*checks)->size(); ++i) {
    auto c = parse_check((**checks)[i], v::child("/checks", i));
    if (!c) return tl::unexpected(c.error());
    g.checks.push_back(*c);
  }

  if (j.contains("exceptions")) {
    auto ex = v::array(j, "exceptions", "", false);
    if (!ex) return tl::unexpected(ex.error());
    for (size_t i = 0; i < (*ex)->size(); ++i) {
      auto ptr = v::child("/exceptions", i);
      const auto& e = (**ex)[i];
      US_TRY(v::object(e, ptr, {"kind", "key", "reason", "approved_by", "until"},
                       {"kind", "key", "reason", "approved_by", "until"}));
      GateException ge;
      auto k = v::kind(e.at("kind"), v::child(ptr, "kind"));
      if (!k) return tl::unexpected(k.error());
      ge.object.kind = *k;
      auto key = v::string(e, "key", ptr);
      if (!key) return tl::unexpected(key.error());
      ge.object.key = *key;
      auto reason = v::string(e, "reason", ptr);
      if (!reason) return tl::unexpected(reason.error());
      ge.reason = *reason;
      auto by = v::string(e, "approved_by", ptr);
      if (!by) return tl::unexpected(by.error());
      ge.approved_by = *by;
      auto until = v::string(e, "until", ptr);
      if (!until) return tl::unexpected(until.error());
      auto t = parse_utc(*until);
      if (!t)
        return v::problem(v::child(ptr, "until"), "\"" + *until + "\" is not an RFC 3339 UTC time",
                          "write it like 2027-01-31T00:00:00Z");
      ge.until = *until;
      ge.until_unix = *t;
      g.exceptions.push_back(std::move(ge));
    }
  }
  return g;
}

}  // namespace

Result<Gate> parse_gate(const std::string& text, const std::string& file_name) {
  std::string stem = fs::path(file_name).stem().string();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return fail(ErrorCode::kDataErr, file_name + ": invalid JSON at byte " + std::to_string(e.byte));
  }
  auto g = parse_document(j, stem);
  if (!g) {
    auto err = g.error();
    err.message = file_name + ": " + err.message;
    return tl::unexpected(err);
  }
  g->source_file = file_name;
  return g;
}

Result<Gate> load_gate_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, path + ": cannot read the gate file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > 1024 * 1024) return fail(ErrorCode::kDataErr, path + ": gate file larger than 1 MiB");
  return parse_gate(ss.str(), path);
}

Result<GateSet> load_gate_dirs(const std::vector<std::string>& dirs) {
  GateSet set;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      return fail(ErrorCode::kConfig, dir + ": gates directory does not exist or is not a directory");
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      auto p = entry.path();
      if (p.extension() == ".json" && p.filename() != "schema.json" && entry.is_regular_file()) files.push_back(p.string());
    }
    if (ec) return fail(ErrorCode::kIo, dir + ": cannot list the gates directory: " + ec.message());
    std::sort(files.begin(), files.end());
    std::map<std::string, std::string> here;  // name → file, within this directory
    for (const auto& f : files) {
      auto g = load_gate_file(f);
      if (!g) return tl::unexpected(g.error());
      auto [it, fresh] = here.emplace(g->name, f);
      if (!fresh) return fail(ErrorCode::kDataErr, f + ": gate \"" + g->name + "\" is also defined in " + it->second);
      std::string name = g->name;  // before the move below
      set[name] = std::make_shared<const Gate>(std::move(*g));
    }
  }
  return set;
}

Status GateRegistry::load() {
  auto set = load_gate_dirs(dirs_);
  std::lock_guard lock(mu_);
  if (!set) {
    last_error_ = set.error().message;
    return tl::unexpected(set.error());
  }
  set_ = std::make_shared<const GateSet>(std::move(*set));
  last_error_.clear();
  return {};
}

Status GateRegistry::reload() {
  auto set = load_gate_dirs(dirs_);
  std::lock_guard lock(mu_);
  if (!set) {
    last_error_ = set.error().message;
    auto err = set.error();
    err.hint = "kept the last good set of " + std::to_string(set_->size()) + " gate(s)";
    return tl::unexpected(err);
  }
  set_ = std::make_shared<const GateSet>(std::move(*set));
  last_error_.clear();
  return {};
}

std::shared_ptr<const GateSet> GateRegistry::current() const {
  std::lock_guard lock(mu_);
  return set_;
}

std::shared_ptr<const Gate> GateRegistry::find(const std::string& name) const {
  auto set = current();
  auto it = set->find(name);
  return it == set->end() ? nullptr : it->second;
}

std::string GateRegistry::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

}  // namespace understudy::gates
