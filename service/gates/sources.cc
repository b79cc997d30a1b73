#include "gates/sources.h"

#include <algorithm>

#include "config/secrets.h"
#include "odbc/connection.h"

namespace understudy::gates {

catalog::ReadOptions read_options_for(const config::Pair& pair) {
  catalog::ReadOptions o;
  for (const auto& k : pair.kinds)
    if (auto kind = catalog::kind_from_name(k)) o.kinds.push_back(*kind);
  for (const auto& [k, f] : pair.filters)
    if (auto kind = catalog::kind_from_name(k)) o.filters[*kind] = {f.include, f.exclude};
  return o;
}

Result<LiveRead> read_live(const config::Config& cfg, const std::string& instance_name, const config::Pair& pair) {
  auto inst = cfg.instance(instance_name);
  if (!inst) return tl::unexpected(inst.error());
  auto pw = config::instance_password(**inst);
  if (!pw) return tl::unexpected(pw.error());
  odbc::ConnectOptions co;
  co.connection_string = (*inst)->connection;
  co.password = std::move(*pw);
  co.label = instance_name;
  co.login_timeout_seconds = (*inst)->login_timeout_seconds;
  co.query_timeout_seconds = (*inst)->query_timeout_seconds;
  auto conn = odbc::Connection::connect(co);
  if (!conn) return tl::unexpected(conn.error());
  auto objs = catalog::read_objects(*conn, read_options_for(pair));
  if (!objs) return tl::unexpected(objs.error());
  LiveRead out;
  for (const auto& o : *objs)
    if (o.kind == catalog::Kind::kInstance && o.fields.contains("server_name") && o.fields["server_name"].is_string())
      out.server_name = o.fields["server_name"].get<std::string>();
  out.objects = std::move(*objs);
  return out;
}

Result<PrimarySnapshot> latest_primary(store::Store& store, const config::Pair& pair) {
  auto latest = store.latest_snapshot(pair.primary);
  if (!latest) return tl::unexpected(latest.error());
  if (!*latest)
    return fail(ErrorCode::kNotFound, "no snapshot of primary instance '" + pair.primary + "' in the store",
                "take one: understudy snapshot --pair " + pair.name);
  const auto& info = **latest;
  auto objs = store.load_objects(info.id);
  if (!objs) return tl::unexpected(objs.error());
  PrimarySnapshot snap;
  snap.id = std::to_string(info.id);
  snap.instance = info.server_name;
  auto t = parse_rfc3339_utc(info.taken_at);
  if (!t) return fail(ErrorCode::kDataErr, "snapshot " + snap.id + " has an unreadable taken_at");
  snap.taken_at = *t;
  auto opts = read_options_for(pair);
  for (auto& o : *objs) {
    if (!opts.kinds.empty() && o.kind != catalog::Kind::kInstance &&
        std::find(opts.kinds.begin(), opts.kinds.end(), o.kind) == opts.kinds.end())
      continue;
    snap.objects.push_back(std::move(o));
  }
  return snap;
}

}  // namespace understudy::gates
