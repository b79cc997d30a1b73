// cmd_snapshot.cc — `understudy snapshot`, `understudy snapshots list`, `understudy snapshots show`.
//
// No output path here reads a password hash: the store is asked for objects without them.
#include <ostream>

#include "base/csv.h"
#include "catalog/canonical.h"
#include "cli/handlers.h"
#include "cli/invocation.h"
#include "cli/progress_terminal.h"
#include "ops/context.h"
#include "ops/snapshot.h"
#include "store/store.h"

namespace understudy::cli {

namespace {

Result<std::unique_ptr<store::Store>> open_store(const Invocation& inv, bool create) {
  auto cfg = inv.config();
  if (!cfg) return tl::unexpected(cfg.error());
  return ops::open_store(**cfg, {.create = create});
}

Result<int64_t> parse_id(const std::string& text) {
  try {
    size_t used = 0;
    long long id = std::stoll(text, &used);
    if (used == text.size() && id > 0) return static_cast<int64_t>(id);
  } catch (const std::exception&) {
  }
  return fail(ErrorCode::kUsage, "snapshot id must be a positive integer, not '" + text + "'",
              "`understudy snapshots list` shows the ids");
}

nlohmann::json info_json(const store::SnapshotInfo& s) {
  return {{"id", s.id},          {"instance", s.instance},         {"taken_at", s.taken_at},
          {"run_id", s.run_id},  {"server_name", s.server_name},   {"object_count", s.object_count},
          {"counts", s.counts}};
}

}  // namespace

int run_snapshot(const Invocation& inv) {
  auto instance = inv.get("instance");
  auto pair_name = inv.get("pair");
  if (instance.has_value() == pair_name.has_value())
    return inv.fail(Error(ErrorCode::kUsage, "give exactly one of --instance and --pair",
                          "--pair NAME snapshots the pair's live primary"));
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  const config::Pair* pair = nullptr;
  std::string name;
  if (pair_name) {
    auto p = (*cfg)->pair(*pair_name);
    if (!p) return inv.fail(p.error());
    pair = *p;
  } else {
    name = *instance;
    auto in = (*cfg)->instance(name);  // before the store is created: a typo writes nothing
    if (!in) return inv.fail(in.error());
  }
  auto ctx = ops::Context::open(**cfg);
  if (!ctx) return inv.fail(ctx.error());
  show_progress(inv, **ctx);
  // Recorded (run row, audit entry) as the service records a snapshot on request: ops/snapshot.h.
  auto taken = ops::snapshot(**ctx, name, pair, ops::cli_actor());
  if (!taken) return inv.fail(taken.error());
  const store::SnapshotInfo* info = &taken->info;
  inv.out() << "snapshot " << info->id << " of " << info->instance << " (" << info->server_name << "): "
            << info->object_count << " objects at " << info->taken_at << "\n";
  return 0;
}

int run_snapshots_list(const Invocation& inv) {
  auto st = open_store(inv, false);
  if (!st) return inv.fail(st.error());
  auto list = (*st)->list_snapshots(inv.get("instance"));
  if (!list) return inv.fail(list.error());
  auto format = inv.value("format");
  if (format == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& s : *list) arr.push_back(info_json(s));
    inv.out() << arr.dump(2) << "\n";
  } else if (format == "csv") {
    inv.out() << "id,instance,taken_at,run_id,server_name,object_count\r\n";
    for (const auto& s : *list)
      inv.out() << csv_line({std::to_string(s.id), s.instance, s.taken_at, s.run_id, s.server_name,
                             std::to_string(s.object_count)});
  } else {
    inv.out() << "ID      INSTANCE          TAKEN_AT              OBJECTS  SERVER\n";
    for (const auto& s : *list) {
      char line[128];
      std::snprintf(line, sizeof line, "%-7lld %-17s %-21s %7lld  ", static_cast<long long>(s.id), s.instance.c_str(),
                    s.taken_at.c_str(), static_cast<long long>(s.object_count));
      inv.out() << line << s.server_name << "\n";
    }
  }
  return 0;
}

int run_snapshots_show(const Invocation& inv) {
  auto id = parse_id(inv.value("id"));
  if (!id) return inv.fail(id.error());
  std::optional<catalog::Kind> kind;
  if (auto k = inv.get("kind")) {
    kind = catalog::kind_from_name(*k);
    if (!kind) return inv.fail(Error(ErrorCode::kUsage, "unknown kind '" + *k + "'"));
  }
  auto st = open_store(inv, false);
  if (!st) return inv.fail(st.error());
  auto info = (*st)->get_snapshot(*id);
  if (!info) return inv.fail(info.error());
  auto objects = (*st)->load_objects(*id, {.kind = kind, .with_password_hashes = false});
  if (!objects) return inv.fail(objects.error());
  auto format = inv.value("format");
  if (format == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& o : *objects)
      arr.push_back({{"kind", catalog::kind_name(o.kind)}, {"key", o.key}, {"fingerprint", o.fingerprint},
                     {"fields", o.fields}, {"volatile_fields", o.volatile_fields}});
    nlohmann::json doc = info_json(*info);
    doc["objects"] = std::move(arr);
    inv.out() << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (format == "csv") {
    inv.out() << "kind,key,fingerprint,fields\r\n";
    for (const auto& o : *objects)
      inv.out() << csv_line({std::string(catalog::kind_name(o.kind)), o.key, o.fingerprint,
                             o.fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
  } else {
    inv.out() << "snapshot " << info->id << " of " << info->instance << " (" << info->server_name << ") taken "
              << info->taken_at << ": " << objects->size() << " objects\n";
    for (const auto& o : *objects)
      inv.out() << catalog::kind_name(o.kind) << "  " << o.key << "  "
                << o.fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return 0;
}

}  // namespace understudy::cli
