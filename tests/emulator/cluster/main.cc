// main.cc — the `understudy-emulator-cluster` binary: two emulated instances replicating their
// user databases, a read-write and a read-only listener that follow the roles, and a control port
// for failover drills (cluster.h).
//
//   understudy-emulator-cluster --sa-password PW [--fixture-0 FILE] [--fixture-1 FILE]
//     [--name-0 NAME] [--name-1 NAME] [--engine-edition 2|3|8]
//     [--mechanism link|availability_group|failover_group] [--group NAME]
//     [--tls-cert FILE --tls-key FILE [--require-encryption]]   (as understudy-emulator's)
//
// Prints one line on stdout once everything listens (all on 127.0.0.1):
//   ports instance0=P0 instance1=P1 rw=P2 ro=P3 control=P4
// Control (HTTP on loopback; JSON answers; tests/emulator/README.md §5 documents them):
//   GET  /state                                  the roles as each instance reports them, ports, databases
//   POST /failover?mode=planned|forced[&to=NAME] 200 with the new state; 409 when refused
//   POST /ha?db=NAME[&state=S][&health=H][&lag=SECONDS]   200 with the new state; 400 on bad input
//   POST /stop?instance=NAME   POST /start?instance=NAME   the instance unreachable / back
//   POST /split-brain                            both instances report PRIMARY, cut off from each other
//   POST /role?instance=NAME&role=SECONDARY|RESOLVING     what the instance reports (ALTER AG … SET (ROLE …))
//   POST /remove                                 the group is gone (link cutover, failover group deleted)
// Serves until SIGTERM/SIGINT and exits 0. Exit codes: 64 usage, 65 bad fixture, 66 unusable TLS
// certificate or key, 69 cannot listen.
#include <httplib.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "cluster/cluster.h"

namespace {

constexpr const char* kUsage =
    "usage: understudy-emulator-cluster --sa-password PW [--fixture-0 FILE] [--fixture-1 FILE]\n"
    "         [--name-0 NAME] [--name-1 NAME] [--engine-edition 2|3|8]\n"
    "         [--mechanism link|availability_group|failover_group] [--group NAME]\n"
    "         [--tls-cert FILE --tls-key FILE [--require-encryption]]\n";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "understudy-emulator-cluster: " << message << "\n" << kUsage;
  std::exit(64);
}

emu::ClusterOptions parse(int argc, char** argv) {
  emu::ClusterOptions o;
  o.sa_password.clear();
  std::map<std::string, std::string*> text = {
      {"--sa-password", &o.sa_password}, {"--fixture-0", &o.fixtures[0]}, {"--fixture-1", &o.fixtures[1]},
      {"--name-0", &o.names[0]},         {"--name-1", &o.names[1]},       {"--mechanism", &o.mechanism},
      {"--group", &o.group},             {"--tls-cert", &o.tls_cert},     {"--tls-key", &o.tls_key}};
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (flag == "--require-encryption") {
      o.require_encryption = true;
      continue;
    }
    if (i + 1 >= argc) usage_error("missing value for " + flag);
    std::string value = argv[++i];
    if (flag == "--engine-edition") {
      if (value != "2" && value != "3" && value != "8") usage_error("--engine-edition must be 2, 3 or 8");
      o.engine_edition = std::stoi(value);
    } else if (auto it = text.find(flag); it != text.end()) {
      *it->second = value;
    } else {
      usage_error("unknown option " + flag);
    }
  }
  if (o.sa_password.empty()) usage_error("--sa-password is required");
  if (o.tls_cert.empty() != o.tls_key.empty()) usage_error("--tls-cert and --tls-key go together");
  if (o.require_encryption && o.tls_cert.empty()) usage_error("--require-encryption needs --tls-cert and --tls-key");
  if (o.mechanism != "link" && o.mechanism != "availability_group" && o.mechanism != "failover_group")
    usage_error("--mechanism must be link, availability_group or failover_group");
  return o;
}

void reply(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(2) + "\n", "application/json");
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse(argc, argv);
  // Signals are taken by one thread with sigwait, so the servers' threads never see them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  std::unique_ptr<emu::Cluster> cluster;
  try {
    cluster = std::make_unique<emu::Cluster>(options);
  } catch (const std::exception& e) {
    std::cerr << "understudy-emulator-cluster: " << e.what() << "\n";
    const std::string what = e.what();
    if (what.find("fixture") != std::string::npos) return 65;
    return what.find("TLS") != std::string::npos ? 66 : 69;
  }

  httplib::Server control;
  control.Get("/state", [&](const httplib::Request&, httplib::Response& res) { reply(res, 200, cluster->state()); });
  control.Post("/failover", [&](const httplib::Request& req, httplib::Response& res) {
    std::string mode = req.has_param("mode") ? req.get_param_value("mode") : "planned";
    std::string to = req.has_param("to") ? req.get_param_value("to") : "";
    if (mode != "planned" && mode != "forced") return reply(res, 400, {{"error", "mode must be planned or forced"}});
    if (!to.empty() && cluster->instance_index(to) < 0) return reply(res, 400, {{"error", "no instance named '" + to + "'"}});
    auto err = cluster->failover(mode, to);
    if (!err.empty()) return reply(res, 409, {{"error", err}});
    reply(res, 200, cluster->state());
  });
  // The instance-addressed commands: 400 for an unknown instance, 409 when the cluster refuses.
  auto on_instance = [&](const char* path, auto action) {
    control.Post(path, [&, action](const httplib::Request& req, httplib::Response& res) {
      if (!req.has_param("instance")) return reply(res, 400, {{"error", "instance is required (a name, 0 or 1)"}});
      auto instance = req.get_param_value("instance");
      if (cluster->instance_index(instance) < 0)
        return reply(res, 400, {{"error", "no instance named '" + instance + "'"}});
      std::string err;
      try {
        err = action(req, instance);
      } catch (const std::exception& e) {
        return reply(res, 500, {{"error", e.what()}});
      }
      if (!err.empty()) return reply(res, 409, {{"error", err}});
      reply(res, 200, cluster->state());
    });
  };
  on_instance("/stop", [&](const httplib::Request&, const std::string& i) { return cluster->stop(i); });
  on_instance("/start", [&](const httplib::Request&, const std::string& i) { return cluster->start(i); });
  on_instance("/role", [&](const httplib::Request& req, const std::string& i) {
    return cluster->set_role(i, req.has_param("role") ? req.get_param_value("role") : "");
  });
  control.Post("/split-brain", [&](const httplib::Request&, httplib::Response& res) {
    auto err = cluster->split_brain();
    if (!err.empty()) return reply(res, 409, {{"error", err}});
    reply(res, 200, cluster->state());
  });
  control.Post("/remove", [&](const httplib::Request&, httplib::Response& res) {
    cluster->remove_group();
    reply(res, 200, cluster->state());
  });
  control.Post("/ha", [&](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("db")) return reply(res, 400, {{"error", "db is required"}});
    auto opt = [&](const char* name) -> std::optional<std::string> {
      if (!req.has_param(name)) return std::nullopt;
      return req.get_param_value(name);
    };
    std::optional<int64_t> lag;
    if (auto l = opt("lag")) {
      try {
        lag = std::stoll(*l);
      } catch (const std::exception&) {
        return reply(res, 400, {{"error", "lag must be a number of seconds"}});
      }
    }
    auto err = cluster->set_ha(req.get_param_value("db"), opt("state"), opt("health"), lag);
    if (!err.empty()) return reply(res, 400, {{"error", err}});
    reply(res, 200, cluster->state());
  });
  int control_port = control.bind_to_any_port("127.0.0.1");
  if (control_port <= 0) {
    std::cerr << "understudy-emulator-cluster: cannot bind the control port\n";
    return 69;
  }
  std::thread http([&] { control.listen_after_bind(); });
  std::cout << "ports instance0=" << cluster->port(0) << " instance1=" << cluster->port(1) << " rw=" << cluster->rw_port()
            << " ro=" << cluster->ro_port() << " control=" << control_port << std::endl;

  int sig = 0;
  sigwait(&set, &sig);
  control.stop();
  http.join();
  cluster.reset();
  return 0;
}
