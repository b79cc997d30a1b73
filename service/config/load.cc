// load.cc — TOML file -> Config, strictly: unknown keys, wrong types and unsafe values are errors
// naming file, line and key. Override layers (environment, flags) are applied after the file.
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/config.h"
#include "config/secrets.h"
#include "config/settings.h"
#include "odbc/connection.h"

namespace understudy::config {
namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

// Reads one TOML table, remembering which keys were consumed so leftovers are reported.
class Reader {
 public:
  Reader(const toml::table& t, std::string path, const std::string& file) : t_(t), path_(std::move(path)), file_(file) {}

  std::string at(const toml::node& n) const { return file_ + ":" + std::to_string(n.source().begin.line); }
  std::string at_table() const { return at(t_); }
  std::string key_path(std::string_view k) const { return path_.empty() ? std::string(k) : path_ + "." + std::string(k); }

  const toml::node* get(std::string_view k) {
    seen_.insert(std::string(k));
    return t_.get(k);
  }

  Result<std::optional<std::string>> string(std::string_view k) {
    const toml::node* n = get(k);
    if (n == nullptr) return std::optional<std::string>();
    if (!n->is_string()) return fail(ErrorCode::kConfig, at(*n) + ": " + key_path(k) + " must be a string");
    return std::optional<std::string>(**n->as_string());
  }

  Result<std::string> required_string(std::string_view k) {
    auto v = string(k);
    if (!v) return tl::unexpected(v.error());
    if (!*v || (*v)->empty())
      return fail(ErrorCode::kConfig, at_table() + ": [" + path_ + "] has no " + std::string(k));
    return **v;
  }

  // Integer seconds or a duration string.
  Result<std::optional<std::chrono::seconds>> duration(std::string_view k) {
    const toml::node* n = get(k);
    if (n == nullptr) return std::optional<std::chrono::seconds>();
    if (n->is_integer() && **n->as_integer() >= 0) return std::optional(std::chrono::seconds(**n->as_integer()));
    if (n->is_string()) {
      auto d = parse_duration(**n->as_string());
      if (!d) return fail(ErrorCode::kConfig, at(*n) + ": " + key_path(k) + ": " + d.error().message, d.error().hint);
      return std::optional(*d);
    }
    return fail(ErrorCode::kConfig, at(*n) + ": " + key_path(k) + " must be a duration such as \"15m\" or seconds");
  }

  Result<std::vector<std::string>> strings(std::string_view k) {
    std::vector<std::string> out;
    const toml::node* n = get(k);
    if (n == nullptr) return out;
    const toml::array* a = n->as_array();
    if (a == nullptr) return fail(ErrorCode::kConfig, at(*n) + ": " + key_path(k) + " must be an array of strings");
    for (const auto& e : *a) {
      if (!e.is_string()) return fail(ErrorCode::kConfig, at(e) + ": " + key_path(k) + " must be an array of strings");
      out.push_back(**e.as_string());
    }
    return out;
  }

  Result<const toml::table*> table(std::string_view k) {
    const toml::node* n = get(k);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) return fail(ErrorCode::kConfig, at(*n) + ": " + key_path(k) + " must be a table");
    return n->as_table();
  }

  // Every key not consumed is an error; the hint lists the known ones.
  Status finish(const std::vector<std::string>& known) const {
    for (const auto& [k, v] : t_) {
      if (seen_.count(std::string(k.str())) != 0) continue;
      std::string line = file_ + ":" + std::to_string(k.source().begin.line);
      std::string where = path_.empty() ? "at the top level" : "in [" + path_ + "]";
      return fail(ErrorCode::kConfig, line + ": unknown key '" + key_path(k.str()) + "'",
                  "known keys " + where + ": " + join(known));
    }
    return {};
  }

 private:
  const toml::table& t_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> seen_;
};

// password_env / password_file (or listener_password_*) -> SecretSource.
Result<SecretSource> password_source(Reader& r, std::string_view prefix, const std::string& base_dir,
                                     std::string_view what) {
  auto env = r.string(std::string(prefix) + "_env");
  if (!env) return tl::unexpected(env.error());
  auto file = r.string(std::string(prefix) + "_file");
  if (!file) return tl::unexpected(file.error());
  SecretSource s;
  if (*env && *file)
    return fail(ErrorCode::kConfig,
                r.at_table() + ": " + std::string(what) + " has both " + std::string(prefix) + "_env and " +
                    std::string(prefix) + "_file",
                "keep one of them");
  if (*env) s.env = **env;
  if (*file) {
    s.file = resolve_path(**file, base_dir);
    US_TRY(check_owner_only(s.file, "password_file of " + std::string(what)));
  }
  return s;
}

Status refuse_password_in(const Reader& r, const toml::node* n, const std::string& key_path) {
  if (n == nullptr || !n->is_string() || !odbc::has_password_attribute(**n->as_string())) return {};
  return fail(ErrorCode::kConfig, r.at(*n) + ": " + key_path + " contains a password (PWD=)",
              "remove PWD= from the connection string and set password_env or password_file");
}

Result<Instance> read_instance(const std::string& name, const toml::table& t, const std::string& file,
                               const std::string& base_dir) {
  Reader r(t, "instances." + name, file);
  Instance in;
  in.name = name;
  auto conn = r.required_string("connection");
  if (!conn) return tl::unexpected(conn.error());
  in.connection = *conn;
  US_TRY(refuse_password_in(r, t.get("connection"), r.key_path("connection")));
  auto pw = password_source(r, "password", base_dir, "instance '" + name + "'");
  if (!pw) return tl::unexpected(pw.error());
  in.password = *pw;
  auto lt = r.duration("login_timeout");
  if (!lt) return tl::unexpected(lt.error());
  if (*lt) in.login_timeout_seconds = static_cast<int>((*lt)->count());
  auto qt = r.duration("query_timeout");
  if (!qt) return tl::unexpected(qt.error());
  if (*qt) in.query_timeout_seconds = static_cast<int>((*qt)->count());
  US_TRY(r.finish({"connection", "password_env", "password_file", "login_timeout", "query_timeout"}));
  return in;
}

Result<std::string> known_kind(const Reader& r, const toml::node& n, const std::string& kind, const std::string& where) {
  const auto& names = kind_names();
  if (std::find(names.begin(), names.end(), kind) != names.end()) return kind;
  std::vector<std::string> all(names.begin(), names.end());
  return fail(ErrorCode::kConfig, r.at(n) + ": unknown kind '" + kind + "' in " + where, "kinds: " + join(all));
}

Result<Pair> read_pair(const std::string& name, const toml::table& t, const std::string& file, const std::string& base_dir) {
  Reader r(t, "pairs." + name, file);
  Pair p;
  p.name = name;
  auto primary = r.required_string("primary");
  if (!primary) return tl::unexpected(primary.error());
  p.primary = *primary;
  auto secondary = r.required_string("secondary");
  if (!secondary) return tl::unexpected(secondary.error());
  p.secondary = *secondary;
  auto kinds = r.strings("kinds");
  if (!kinds) return tl::unexpected(kinds.error());
  for (const auto& k : *kinds) {
    auto ok = known_kind(r, *t.get("kinds"), k, r.key_path("kinds"));
    if (!ok) return tl::unexpected(ok.error());
  }
  p.kinds = *kinds;
  for (const char* side : {"include", "exclude"}) {
    auto tab = r.table(side);
    if (!tab) return tl::unexpected(tab.error());
    if (*tab == nullptr) continue;
    Reader fr(**tab, r.key_path(side), file);
    for (const auto& [k, v] : **tab) {
      std::string kind(k.str());
      auto ok = known_kind(fr, v, kind, fr.key_path(""));
      if (!ok) return tl::unexpected(ok.error());
      auto pats = fr.strings(kind);
      if (!pats) return tl::unexpected(pats.error());
      (std::string_view(side) == "include" ? p.filters[kind].include : p.filters[kind].exclude) = *pats;
    }
  }
  for (const char* key : {"read_write_listener", "read_only_listener"}) {
    auto v = r.string(key);
    if (!v) return tl::unexpected(v.error());
    US_TRY(refuse_password_in(r, t.get(key), r.key_path(key)));
    (std::string_view(key) == "read_write_listener" ? p.read_write_listener : p.read_only_listener) = v->value_or("");
  }
  auto lp = password_source(r, "listener_password", base_dir, "pair '" + name + "'");
  if (!lp) return tl::unexpected(lp.error());
  p.listener_password = *lp;
  auto w2e = r.table("windows_to_entra");
  if (!w2e) return tl::unexpected(w2e.error());
  if (*w2e != nullptr) {
    for (const auto& [k, v] : **w2e) {
      if (!v.is_string())
        return fail(ErrorCode::kConfig, r.at(v) + ": " + r.key_path("windows_to_entra") + " values must be strings");
      p.windows_to_entra[std::string(k.str())] = **v.as_string();
    }
  }
  auto age = r.duration("max_snapshot_age");
  if (!age) return tl::unexpected(age.error());
  if (*age) p.max_snapshot_age = **age;
  auto group = r.string("ha_group");
  if (!group) return tl::unexpected(group.error());
  p.ha_group = group->value_or("");
  auto jobs = r.string("jobs_on_secondary");
  if (!jobs) return tl::unexpected(jobs.error());
  if (*jobs) {
    if (**jobs == "enabled") p.jobs_on_secondary = Pair::JobsOnSecondary::kEnabled;
    else if (**jobs != "disabled")
      return fail(ErrorCode::kConfig,
                  r.at(*t.get("jobs_on_secondary")) + ": " + r.key_path("jobs_on_secondary") + " must be \"disabled\" or \"enabled\", not \"" + **jobs + "\"");
  }
  US_TRY(r.finish({"primary", "secondary", "kinds", "include", "exclude", "read_write_listener",
                   "read_only_listener", "listener_password_env", "listener_password_file", "windows_to_entra",
                   "max_snapshot_age", "ha_group", "jobs_on_secondary"}));
  return p;
}

Result<SecretSource> read_secret_source(const std::string& path, const toml::node& n, const std::string& file,
                                        const std::string& base_dir) {
  if (!n.is_table())
    return fail(ErrorCode::kConfig, file + ":" + std::to_string(n.source().begin.line) + ": " + path +
                                        " must be a table such as { env = \"NAME\" }");
  Reader r(*n.as_table(), path, file);
  SecretSource s;
  int count = 0;
  for (const char* key : {"env", "file", "command"}) {
    auto v = r.string(key);
    if (!v) return tl::unexpected(v.error());
    if (!*v) continue;
    ++count;
    if (std::string_view(key) == "env") s.env = **v;
    if (std::string_view(key) == "file") s.file = resolve_path(**v, base_dir);
    if (std::string_view(key) == "command") s.command = **v;
  }
  US_TRY(r.finish({"env", "file", "command"}));
  if (count != 1)
    return fail(ErrorCode::kConfig, r.at_table() + ": " + path + " needs exactly one of env, file, command");
  // A [secrets] file is checked where it is used (config::resolve: the sync action needing it is
  // blocked with the reason; `config check` reports it), not here: one mode slip on one
  // linked-server secret must not stop every command that never reads it.
  return s;
}

Status read_service(Reader& top, Config& c, const std::string& file, const std::string& base_dir) {
  auto tab = top.table("service");
  if (!tab) return tl::unexpected(tab.error());
  if (*tab == nullptr) return {};
  Reader r(**tab, "service", file);
  for (const char* key : {"listen", "tls_cert", "tls_key", "snapshot_interval", "gates_dir"}) {
    const toml::node* n = r.get(key);
    if (n == nullptr) continue;
    std::string k = std::string("service.") + key;
    if (!n->is_string()) return fail(ErrorCode::kConfig, r.at(*n) + ": " + k + " must be a string");
    US_TRY(set_key(c, k, **n->as_string(), r.at(*n), base_dir));
  }
  if (const toml::node* n = r.get("tokens")) {
    const toml::array* a = n->as_array();
    if (a == nullptr || !a->is_array_of_tables())
      return fail(ErrorCode::kConfig, r.at(*n) + ": service.tokens must be an array of tables ([[service.tokens]])");
    for (const auto& e : *a) {
      Reader tr(*e.as_table(), "service.tokens", file);
      Token tok;
      auto name = tr.required_string("name");
      if (!name) return tl::unexpected(name.error());
      tok.name = *name;
      auto role = tr.required_string("role");
      if (!role) return tl::unexpected(role.error());
      if (*role == "runbook") tok.role = Role::kRunbook;
      else if (*role == "auditor") tok.role = Role::kAuditor;
      else if (*role == "operator") tok.role = Role::kOperator;
      else
        return fail(ErrorCode::kConfig, tr.at(*e.as_table()->get("role")) + ": token '" + tok.name +
                                            "' has unknown role '" + *role + "'",
                    "roles: runbook, auditor, operator");
      auto sha = tr.required_string("sha256");
      if (!sha) return tl::unexpected(sha.error());
      std::string h = *sha;
      std::transform(h.begin(), h.end(), h.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (h.size() != 64 || h.find_first_not_of("0123456789abcdef") != std::string::npos)
        return fail(ErrorCode::kConfig, tr.at(*e.as_table()->get("sha256")) + ": token '" + tok.name +
                                            "' sha256 must be 64 hex digits",
                    "compute it with: printf %s \"$TOKEN\" | sha256sum");
      tok.sha256 = h;
      US_TRY(tr.finish({"name", "role", "sha256"}));
      for (const auto& other : c.service.tokens)
        if (other.name == tok.name)
          return fail(ErrorCode::kConfig, tr.at_table() + ": token name '" + tok.name + "' is used twice");
      c.service.tokens.push_back(std::move(tok));
    }
  }
  return r.finish({"listen", "tls_cert", "tls_key", "snapshot_interval", "gates_dir", "tokens"});
}

Status read_secrets(Reader& top, Config& c, const std::string& file, const std::string& base_dir) {
  auto tab = top.table("secrets");
  if (!tab) return tl::unexpected(tab.error());
  if (*tab == nullptr) return {};
  Reader r(**tab, "secrets", file);
  for (const char* group : {"credentials", "linked_server_logins"}) {
    auto g = r.table(group);
    if (!g) return tl::unexpected(g.error());
    if (*g == nullptr) continue;
    auto& target = std::string_view(group) == "credentials" ? c.secrets.credentials : c.secrets.linked_server_logins;
    for (const auto& [k, v] : **g) {
      std::string name(k.str());
      auto s = read_secret_source("secrets." + std::string(group) + "." + name, v, file, base_dir);
      if (!s) return tl::unexpected(s.error());
      target[name] = *s;
    }
  }
  return r.finish({"credentials", "linked_server_logins"});
}

Status read_log(Reader& top, Config& c, const std::string& file) {
  auto tab = top.table("log");
  if (!tab) return tl::unexpected(tab.error());
  if (*tab == nullptr) return {};
  Reader r(**tab, "log", file);
  for (const char* key : {"format", "level"}) {
    const toml::node* n = r.get(key);
    if (n == nullptr) continue;
    std::string k = std::string("log.") + key;
    if (!n->is_string()) return fail(ErrorCode::kConfig, r.at(*n) + ": " + k + " must be a string");
    US_TRY(set_key(c, k, **n->as_string(), r.at(*n), ""));
  }
  return r.finish({"format", "level"});
}

Result<Config> from_table(const toml::table& root, const std::string& file, const std::string& base_dir) {
  Config c;
  c.source = file;
  Reader top(root, "", file);
  if (const toml::node* n = top.get("store")) {
    if (!n->is_string()) return fail(ErrorCode::kConfig, top.at(*n) + ": store must be a string");
    US_TRY(set_key(c, "store", **n->as_string(), top.at(*n), base_dir));
  }
  auto store_pw = password_source(top, "store_password", base_dir, "the store");
  if (!store_pw) return tl::unexpected(store_pw.error());
  c.store_password = *store_pw;
  auto instances = top.table("instances");
  if (!instances) return tl::unexpected(instances.error());
  if (*instances != nullptr) {
    for (const auto& [k, v] : **instances) {
      std::string name(k.str());
      if (!v.is_table())
        return fail(ErrorCode::kConfig, top.at(v) + ": instances." + name + " must be a table ([instances." + name + "])");
      auto in = read_instance(name, *v.as_table(), file, base_dir);
      if (!in) return tl::unexpected(in.error());
      c.instances.emplace(name, std::move(*in));
    }
  }
  auto pairs = top.table("pairs");
  if (!pairs) return tl::unexpected(pairs.error());
  if (*pairs != nullptr) {
    for (const auto& [k, v] : **pairs) {
      std::string name(k.str());
      if (!v.is_table())
        return fail(ErrorCode::kConfig, top.at(v) + ": pairs." + name + " must be a table ([pairs." + name + "])");
      auto p = read_pair(name, *v.as_table(), file, base_dir);
      if (!p) return tl::unexpected(p.error());
      // Cross-references: a pair must name defined, distinct instances.
      const toml::table& pt = *v.as_table();
      for (const char* side : {"primary", "secondary"}) {
        const std::string& inst = std::string_view(side) == "primary" ? p->primary : p->secondary;
        if (c.instances.count(inst) != 0) continue;
        std::vector<std::string> defined;
        for (const auto& [n, _] : c.instances) defined.push_back(n);
        return fail(ErrorCode::kConfig,
                    top.at(*pt.get(side)) + ": pair '" + name + "' names " + side + " instance '" + inst +
                        "', which is not defined",
                    defined.empty() ? "define it in an [instances." + inst + "] table"
                                    : "defined instances: " + join(defined));
      }
      if (p->primary == p->secondary)
        return fail(ErrorCode::kConfig, top.at(pt) + ": pair '" + name + "' uses instance '" + p->primary +
                                            "' as both primary and secondary");
      c.pairs.emplace(name, std::move(*p));
    }
  }
  US_TRY(read_service(top, c, file, base_dir));
  US_TRY(read_secrets(top, c, file, base_dir));
  US_TRY(read_log(top, c, file));
  US_TRY(top.finish(
      {"store", "store_password_env", "store_password_file", "instances", "pairs", "service", "secrets", "log"}));
  return c;
}

Result<Config> finish(Result<Config> c, const std::vector<Layer>& layers) {
  if (!c) return c;
  for (const auto& layer : layers)
    for (const auto& v : layer.values) US_TRY(set_key(*c, v.key, v.value, v.origin, ""));
  US_TRY(validate(*c));
  return c;
}

Result<Config> parse(std::string_view text, const std::string& name, const std::string& base_dir) {
  try {
    toml::table root = toml::parse(text, name);
    return from_table(root, name, base_dir);
  } catch (const toml::parse_error& e) {
    std::string what(e.description());
    if (!what.empty() && what[0] >= 'A' && what[0] <= 'Z') what[0] = static_cast<char>(what[0] - 'A' + 'a');
    return fail(ErrorCode::kConfig, name + ":" + std::to_string(e.source().begin.line) + ": " + what,
                "the file is not valid TOML; see docs/configuration.md");
  }
}

}  // namespace

Result<Config> load_from_string(std::string_view toml, std::string_view source_name, const std::vector<Layer>& layers) {
  return finish(parse(toml, std::string(source_name), ""), layers);
}

Result<Config> load(const LoadOptions& o) {
  std::error_code ec;
  if (!fs::exists(o.path, ec)) {
    if (o.path_required)
      return fail(ErrorCode::kConfig, "config file '" + o.path + "' does not exist",
                  "see understudy.toml.example and docs/configuration.md");
    return finish(Config{}, o.layers);
  }
  std::ifstream in(o.path, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, "cannot read config file '" + o.path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string base = fs::absolute(o.path, ec).parent_path().string();
  return finish(parse(ss.str(), o.path, base), o.layers);
}

}  // namespace understudy::config
