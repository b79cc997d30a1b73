// sync_options.cc — see sync_options.h.
#include "cli/sync_options.h"

#include <string>
#include <vector>

namespace understudy::cli {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

Result<replay::SyncRequest> sync_request(const Invocation& inv, std::string_view command) {
  replay::SyncRequest r;
  r.pair = inv.value("pair");
  if (r.pair.empty()) {
    return fail(ErrorCode::kUsage, std::string(command) + " needs --pair NAME", "`understudy config check` lists the pairs");
  }
  r.apply = command == "sync" && inv.flag("apply");
  r.stop_on_error = inv.flag("stop-on-error");
  r.options.allow_recreate = inv.flag("allow-recreate");
  const std::string prune = inv.value("prune");
  r.options.prune = prune == "drop"      ? replay::PlanOptions::Prune::kDrop
                    : prune == "disable" ? replay::PlanOptions::Prune::kDisable
                                         : replay::PlanOptions::Prune::kNone;
  for (const auto& k : split_list(inv.value("kinds"))) {
    auto kind = catalog::kind_from_name(k);
    if (!kind || *kind == catalog::Kind::kInstance) {
      return fail(ErrorCode::kUsage, "--kinds: unknown kind " + k, "`understudy help " + std::string(command) + "` lists them");
    }
    r.options.kinds.push_back(*kind);
  }
  r.options.include = split_list(inv.value("include"));
  r.options.exclude = split_list(inv.value("exclude"));
  if (auto snap = inv.get("snapshot")) r.snapshot = std::stoll(*snap);
  r.live_source = inv.flag("live-source");
  r.carry_stranded = command == "sync" && inv.flag("carry-stranded");
  r.configured_direction = command == "sync" && inv.flag("configured-direction");
  return r;
}

}  // namespace understudy::cli
