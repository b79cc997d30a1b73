// expectation.cc — see expectation.h.
#include "diff/expectation.h"

#include "catalog/reader.h"
#include "config/secrets.h"
#include "odbc/connection.h"

namespace understudy::drift {

bool jobs_disabled_on_secondary(const config::Pair& pair) {
  return pair.jobs_on_secondary == config::Pair::JobsOnSecondary::kDisabled;
}

catalog::ServerObject expected_on_secondary(const config::Pair& pair, catalog::ServerObject object) {
  if (object.kind != catalog::Kind::kAgentJob || !jobs_disabled_on_secondary(pair)) return object;
  auto it = object.fields.find("enabled");
  if (it == object.fields.end()) return object;
  const nlohmann::json off = it->is_boolean() ? nlohmann::json(false) : nlohmann::json(0);
  if (*it == off) return object;
  *it = off;
  object.seal();
  return object;
}

void expect_on_secondary(const config::Pair& pair, std::vector<catalog::ServerObject>& source) {
  if (!jobs_disabled_on_secondary(pair)) return;
  for (auto& o : source)
    if (o.kind == catalog::Kind::kAgentJob) o = expected_on_secondary(pair, std::move(o));
}

Status expect_on_secondary(const config::Pair& pair, std::vector<catalog::ObjectDigest>& source,
                           const diff::Fetch& fetch) {
  if (!jobs_disabled_on_secondary(pair)) return {};
  std::vector<int64_t> handles;
  std::vector<size_t> where;
  for (size_t i = 0; i < source.size(); ++i)
    if (source[i].kind == catalog::Kind::kAgentJob) {
      handles.push_back(source[i].handle);
      where.push_back(i);
    }
  if (handles.empty()) return {};
  auto objects = fetch(handles);
  if (!objects) return tl::unexpected(objects.error());
  if (objects->size() != handles.size()) return fail(ErrorCode::kDataErr, "stored jobs could not all be loaded");
  for (size_t k = 0; k < where.size(); ++k) {
    auto expected = expected_on_secondary(pair, std::move((*objects)[k]));
    if (!expected.fingerprint.empty()) source[where[k]].fingerprint = catalog::fingerprint_bytes(expected.fingerprint);
  }
  return {};
}

diff::Fetch expecting(const config::Pair& pair, diff::Fetch fetch) {
  if (!jobs_disabled_on_secondary(pair)) return fetch;
  return [pair, fetch = std::move(fetch)](std::span<const int64_t> handles) -> Result<std::vector<catalog::ServerObject>> {
    auto objects = fetch(handles);
    if (!objects) return objects;
    expect_on_secondary(pair, *objects);
    return objects;
  };
}

namespace {
bool job_enabled(const catalog::ServerObject& o) {
  auto it = o.fields.find("enabled");
  if (it == o.fields.end()) return false;
  return it->is_boolean() ? it->get<bool>() : it->is_number() ? it->get<double>() != 0 : false;
}
}  // namespace

Result<std::map<std::string, bool>> snapshot_jobs(store::Store& store, const config::Pair& pair, int64_t snapshot_id) {
  auto objects = store.load_objects(snapshot_id);
  if (!objects) return tl::unexpected(objects.error());
  std::map<std::string, bool> out;
  for (const auto& o : *objects)
    if (o.kind == catalog::Kind::kAgentJob && pair.selects("agent_job", o.key)) out[o.key] = job_enabled(o);
  return out;
}

Result<std::map<std::string, bool>> live_jobs(const config::Config& config, const std::string& instance,
                                              const config::Pair& pair) {
  auto conn = config::connect(config, instance);
  if (!conn) return tl::unexpected(conn.error());
  auto ro = catalog::read_options(&pair);
  ro.kinds = {catalog::Kind::kAgentJob};
  auto objects = catalog::read_objects(*conn, ro);
  if (!objects) return tl::unexpected(objects.error());
  std::map<std::string, bool> out;
  for (const auto& o : *objects)
    if (o.kind == catalog::Kind::kAgentJob) out[o.match_key()] = job_enabled(o);
  return out;
}

}  // namespace understudy::drift
