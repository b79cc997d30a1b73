#include "base/sha256.h"
#include "world.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "http/auth.h"
#include "odbc/connection.h"
#include "sql_rows.h"

namespace e2e {

namespace {

// A loopback port nobody listens on (bound, then closed): "the target is unreachable".
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

// A CA and a server certificate signed by it, made now (tests/emulator/tds/make-test-pki.sh).
std::string make_pki(const std::string& dir) {
  auto r = run({"/bin/bash", std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/emulator/tds/make-test-pki.sh", dir}, {});
  if (r.exit_code != 0) throw std::runtime_error("make-test-pki.sh: " + r.err);
  return dir;
}

// `flags` plus, with a PKI, the certificate and --require-encryption.
std::vector<std::string> with_tls_flags(std::vector<std::string> flags, const std::string& pki_dir) {
  if (pki_dir.empty()) return flags;
  for (const std::string& a : {std::string("--tls-cert"), pki_dir + "/server.pem", std::string("--tls-key"),
                               pki_dir + "/server.key", std::string("--require-encryption")})
    flags.push_back(a);
  return flags;
}

std::unique_ptr<Child> start_emulator(const std::string& dir, const std::string& fixture, const std::string& name,
                                      int* port, const std::vector<std::string>& flags = {}) {
  std::vector<std::string> args{UNDERSTUDY_EMULATOR_BIN, "--listen", "127.0.0.1:0", "--sa-password", kSaPassword,
                                "--fixture", std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/fixtures/" + fixture};
  args.insert(args.end(), flags.begin(), flags.end());
  auto c = std::make_unique<Child>(args, std::map<std::string, std::string>{}, dir + "/" + name + ".log");
  *port = c->listening_port();
  return c;
}

}  // namespace

World::World(WorldOptions options) {
  dir_ = make_temp_dir("understudy-e2e");
  std::filesystem::create_directories(gates_dir());
  env_ = {{"E2E_SA_PASSWORD", kSaPassword}, {"E2E_CREDENTIAL_SECRET", kCredentialSecret},
          {"E2E_LINKED_SECRET", kLinkedLoginSecret}};
  std::string pki;
  if (options.encrypted_sql) {
    encrypted_sql_ = true;
    pki = make_pki(dir_ + "/pki");
    const std::string trusted = options.trust_another_ca ? make_pki(dir_ + "/other-ca") : pki;
    // Everything FreeTDS-specific: encryption required, the CA, the host name checked (127.0.0.1
    // is in the certificate's subjectAltName).
    write_file(dir_ + "/freetds.conf", "[understudy_tls]\n\thost = 127.0.0.1\n\ttds version = 7.4\n"
                                       "\tencryption = require\n\tca file = " + trusted + "/ca.pem\n");
    env_["FREETDSCONF"] = dir_ + "/freetds.conf";
    // This process's own queries (exec_on_primary, query) go through the same section.
    if (const char* old = std::getenv("FREETDSCONF")) saved_freetdsconf_ = old;
    ::setenv("FREETDSCONF", env_["FREETDSCONF"].c_str(), 1);
  }
  primary_ = start_emulator(dir_, "payments-primary.json", "primary", &primary_port_, with_tls_flags({}, pki));
  if (options.secondary)
    secondary_ = start_emulator(dir_, "empty-secondary.json", "secondary", &secondary_port_,
                                with_tls_flags(options.secondary_flags, pki));
  else
    secondary_port_ = closed_port();
  if (!options.extra_gate.empty()) write_file(gates_dir() + "/" + options.extra_gate_name + ".json", options.extra_gate);
  using understudy::sha256_hex;
  std::string toml = "store = \"" + dir_ + "/understudy.db\"\n\n";
  toml += "[instances.primary]\nconnection = \"" + connection(primary_port_) +
          "\"\npassword_env = \"E2E_SA_PASSWORD\"\nlogin_timeout = \"5s\"\n\n";
  toml += "[instances.secondary]\nconnection = \"" + connection(secondary_port_) +
          "\"\npassword_env = \"E2E_SA_PASSWORD\"\nlogin_timeout = \"5s\"\n\n";
  toml += "[pairs.payments]\nprimary = \"primary\"\nsecondary = \"secondary\"\n" + options.pair_settings + "\n";
  toml += "[service]\nlisten = \"127.0.0.1:" + std::to_string(closed_port()) + "\"\nsnapshot_interval = \"0\"\ngates_dir = \"" + gates_dir() + "\"\n";
  if (options.tls) {
    auto r = run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                  "/CN=localhost", "-keyout", dir_ + "/tls.key", "-out", dir_ + "/tls.crt"},
                 {});
    if (r.exit_code != 0) throw std::runtime_error("openssl: " + r.err);
    toml += "tls_cert = \"" + dir_ + "/tls.crt\"\ntls_key = \"" + dir_ + "/tls.key\"\n";
  }
  toml += "\n";
  toml += "[secrets.credentials]\npayments_backup_url = { env = \"E2E_CREDENTIAL_SECRET\" }\n\n";
  toml += "[secrets.linked_server_logins]\n\"LEDGER_ARCHIVE|app_ledger_svc\" = { env = \"E2E_LINKED_SECRET\" }\n\n";
  for (auto [name, role, token] : {std::tuple{"cutover-runbook", "runbook", kRunbookToken},
                                   std::tuple{"audit-team", "auditor", kAuditorToken},
                                   std::tuple{"dba-on-call", "operator", kOperatorToken}})
    toml += std::string("[[service.tokens]]\nname = \"") + name + "\"\nrole = \"" + role + "\"\nsha256 = \"" +
            sha256_hex(token) + "\"\n\n";
  write_file(config_path(), toml);
}

World::~World() {
  serve_.reset();
  secondary_.reset();
  primary_.reset();
  if (encrypted_sql_) {
    if (saved_freetdsconf_) ::setenv("FREETDSCONF", saved_freetdsconf_->c_str(), 1);
    else ::unsetenv("FREETDSCONF");
  }
  remove_tree(dir_);
}

std::string World::connection(int port) const {
  if (encrypted_sql_)
    return "DRIVER={FreeTDS};Servername=understudy_tls;PORT=" + std::to_string(port) + ";UID=sa;ClientCharset=UTF-8";
  return "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=" + std::to_string(port) +
         ";UID=sa;TDS_Version=7.4;ClientCharset=UTF-8";
}

RunResult World::cli(std::vector<std::string> args) const {
  std::vector<std::string> argv = {UNDERSTUDY_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--config");
  argv.push_back(config_path());
  return run(argv, env_);
}

RunResult World::cli_on_terminal(std::vector<std::string> args) const {
  std::vector<std::string> argv = {UNDERSTUDY_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--config");
  argv.push_back(config_path());
  return run_with_terminal_stderr(argv, env_);
}

int World::start_serve() {
  serve_ = std::make_unique<Child>(std::vector<std::string>{UNDERSTUDY_BIN, "serve", "--config", config_path()}, env_,
                                   serve_log());
  serve_port_ = serve_->listening_port();
  return serve_port_;
}

RunResult World::serve_expecting_failure() {
  return run({UNDERSTUDY_BIN, "serve", "--config", config_path()}, env_, 30000);
}

void World::stop_serve() {
  if (!serve_) return;
  serve_->signal(SIGTERM);
  serve_->wait();
  serve_.reset();
}

namespace {
httplib::Headers auth(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}
}  // namespace

httplib::Result World::get(const std::string& path, const std::string& token) {
  httplib::Client c("127.0.0.1", serve_port_);
  c.set_read_timeout(60, 0);
  return c.Get(path.c_str(), auth(token));
}

httplib::Result World::head(const std::string& path, const std::string& token) {
  httplib::Client c("127.0.0.1", serve_port_);
  c.set_read_timeout(60, 0);
  return c.Head(path.c_str(), auth(token));
}

httplib::Result World::post(const std::string& path, const std::string& body, const std::string& token) {
  httplib::Client c("127.0.0.1", serve_port_);
  c.set_read_timeout(120, 0);
  return c.Post(path.c_str(), auth(token), body, "application/json");
}

void World::exec_on_primary(const std::string& sql) {
  understudy::odbc::ConnectOptions o;
  o.connection_string = connection(primary_port_);
  o.password = understudy::Secret(kSaPassword);
  o.label = "primary";
  auto conn = understudy::odbc::Connection::connect(o);
  if (!conn) throw std::runtime_error("connect to primary: " + conn.error().message);
  auto r = conn->execute(sql);
  if (!r) throw std::runtime_error("primary: " + r.error().message);
}

std::vector<std::string> World::query(bool on_primary, const std::string& sql) {
  return query_rows(connection(on_primary ? primary_port_ : secondary_port_), kSaPassword,
                    on_primary ? "primary" : "secondary", sql);
}

nlohmann::json body_json(const httplib::Result& r) {
  if (!r) throw std::runtime_error("no HTTP response: " + httplib::to_string(r.error()));
  try {
    return nlohmann::json::parse(r->body);
  } catch (const std::exception&) {
    throw std::runtime_error("not JSON (status " + std::to_string(r->status) + "): " + r->body);
  }
}

}  // namespace e2e
