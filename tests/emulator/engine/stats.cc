// stats.cc — Stats::to_json (api.h): the counters as one JSON object, for --stats-file and tests.
#include <nlohmann/json.hpp>

#include "engine/api.h"

namespace emu {

std::string Stats::to_json() const {
  nlohmann::json j = {
      {"connections", connections.load()}, {"logins", logins.load()},         {"batches", batches.load()},
      {"rpcs", rpcs.load()},               {"statements", statements.load()}, {"writes", writes.load()},
      {"rows", rows.load()},               {"errors", errors.load()},         {"attentions", attentions.load()},
      {"logins_tls_login_only", logins_tls_login_only.load()}, {"logins_tls", logins_tls.load()},
      {"logins_tds8", logins_tds8.load()},
  };
  return j.dump();
}

}  // namespace emu
