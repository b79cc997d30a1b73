#include "config/settings.h"

#include <filesystem>

namespace understudy::config {
std::string resolve_path(const std::string& p, const std::string& base_dir) {
  namespace fs = std::filesystem;
  if (p.empty() || base_dir.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(base_dir) / p).lexically_normal().string();
}

namespace {

bool store_is_url(std::string_view v) { return v.rfind("postgresql://", 0) == 0 || v.rfind("postgres://", 0) == 0; }

// A password in a PostgreSQL URL: user:password@ in its authority, or a password= parameter.
Status refuse_store_url_password(const std::string& v, const std::string& where) {
  std::string_view rest = std::string_view(v).substr(v.find("://") + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  size_t at = authority.rfind('@');
  bool in_userinfo = at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos;
  size_t q = rest.find('?');
  bool in_query = false;
  if (q != std::string_view::npos) {
    std::string_view query = rest.substr(q + 1);
    for (size_t p = 0; p <= query.size();) {
      size_t amp = query.find('&', p);
      std::string_view param = query.substr(p, amp == std::string_view::npos ? std::string_view::npos : amp - p);
      if (param.rfind("password=", 0) == 0) in_query = true;
      if (amp == std::string_view::npos) break;
      p = amp + 1;
    }
  }
  if (!in_userinfo && !in_query) return {};
  return fail(ErrorCode::kConfig, where + ": store: the PostgreSQL URL carries a password",
              "remove it from the URL and set store_password_env or store_password_file (docs/configuration.md)");
}

Status check_listen(const std::string& v, const std::string& where) {
  auto bad = [&] {
    return fail(ErrorCode::kConfig, where + ": service.listen must be host:port (got '" + v + "')",
                "e.g. 127.0.0.1:8470 or [::1]:8470");
  };
  size_t colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v.size()) return bad();
  std::string port = v.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return bad();
  int n = std::stoi(port);
  if (n > 65535) return bad();  // 0 = any free port (tests, the demo)
  return {};
}

}  // namespace

const std::vector<std::string_view>& settable_keys() {
  static const std::vector<std::string_view> keys = {
      "store",          "service.listen",    "service.tls_cert", "service.tls_key", "service.snapshot_interval",
      "service.gates_dir", "log.format",     "log.level"};
  return keys;
}

Status set_key(Config& c, std::string_view key, const std::string& v, const std::string& where,
               const std::string& base_dir) {
  if (key == "store") {
    if (v.empty()) return fail(ErrorCode::kConfig, where + ": store must not be empty");
    if (store_is_url(v)) {
      US_TRY(refuse_store_url_password(v, where));
      c.store = v;
    } else {
      c.store = resolve_path(v, base_dir);
    }
  } else if (key == "service.listen") {
    US_TRY(check_listen(v, where));
    c.service.listen = v;
  } else if (key == "service.tls_cert") {
    c.service.tls_cert = resolve_path(v, base_dir);
  } else if (key == "service.tls_key") {
    c.service.tls_key = resolve_path(v, base_dir);
  } else if (key == "service.snapshot_interval") {
    auto d = parse_duration(v);
    if (!d) return fail(ErrorCode::kConfig, where + ": service.snapshot_interval: " + d.error().message, d.error().hint);
    c.service.snapshot_interval = *d;
  } else if (key == "service.gates_dir") {
    c.service.gates_dir = resolve_path(v, base_dir);
  } else if (key == "log.format") {
    if (v == "plain") c.log.format = LogFormat::kPlain;
    else if (v == "json") c.log.format = LogFormat::kJson;
    else return fail(ErrorCode::kConfig, where + ": log.format must be plain or json (got '" + v + "')");
  } else if (key == "log.level") {
    if (v != "debug" && v != "info" && v != "warn" && v != "error")
      return fail(ErrorCode::kConfig, where + ": log.level must be debug, info, warn or error (got '" + v + "')");
    c.log.level = v;
  } else {
    return fail(ErrorCode::kInternal, where + ": '" + std::string(key) + "' is not a settable config key");
  }
  return {};
}

Status validate(const Config& c) {
  if (!c.store_password.empty() && !store_is_url(c.store))
    return fail(ErrorCode::kConfig, "store_password_env / store_password_file are set but the store is a SQLite file (" +
                                        c.store + ")",
                "they are the password of a PostgreSQL store (store = \"postgresql://USER@HOST:PORT/DB\"); remove them");
  if (c.service.tls_cert.empty() != c.service.tls_key.empty())
    return fail(ErrorCode::kConfig, "service.tls_cert and service.tls_key must be set together",
                "set both for TLS, or neither for plain HTTP on loopback");
  return {};
}

Result<const Instance*> Config::instance(std::string_view name) const {
  auto it = instances.find(std::string(name));
  if (it != instances.end()) return &it->second;
  std::string defined;
  for (const auto& [n, _] : instances) defined += (defined.empty() ? "" : ", ") + n;
  return fail(ErrorCode::kNotFound, "instance '" + std::string(name) + "' is not defined in the config",
              defined.empty() ? "add an [instances." + std::string(name) + "] table" : "defined instances: " + defined);
}

Result<const Pair*> Config::pair(std::string_view name) const {
  auto it = pairs.find(std::string(name));
  if (it != pairs.end()) return &it->second;
  std::string defined;
  for (const auto& [n, _] : pairs) defined += (defined.empty() ? "" : ", ") + n;
  return fail(ErrorCode::kNotFound, "pair '" + std::string(name) + "' is not defined in the config",
              defined.empty() ? "add a [pairs." + std::string(name) + "] table" : "defined pairs: " + defined);
}

}  // namespace understudy::config
