#include "catalog/reader.h"

#include <algorithm>

#include "base/glob.h"
#include "catalog/assemble.h"
#include "catalog/canonical.h"
#include "odbc/connection.h"

namespace understudy::catalog {

namespace {

bool any_match(const std::vector<std::string>& patterns, std::string_view key) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return name_matches(p, key); });
}

bool keep(const Candidate& c, const ReadOptions& options) {
  const auto& o = c.object;
  if (o.kind == Kind::kInstance) return true;
  if (!options.kinds.empty() && std::find(options.kinds.begin(), options.kinds.end(), o.kind) == options.kinds.end())
    return false;
  auto f = options.filters.find(o.kind);
  bool included = false;
  if (f != options.filters.end()) {
    if (any_match(f->second.exclude, o.key)) return false;
    included = any_match(f->second.include, o.key);
    if (!f->second.include.empty() && !included) return false;
  }
  return included || !(options.default_exclusions && c.default_excluded);
}

}  // namespace

bool name_matches(std::string_view pattern, std::string_view key) { return glob_match(pattern, key); }

Result<std::vector<ServerObject>> read_objects(odbc::Connection& conn, const ReadOptions& options) {
  auto st = conn.statement();
  if (!st) return tl::unexpected(st.error());
  US_TRY(st->execute_direct(kCatalogBatch));
  Assembler assembler;
  std::vector<Candidate> candidates;
  try {
    constexpr size_t kSets = std::size(kResultSetNames);
    for (size_t i = 0; i < kSets; ++i) {
      auto id = static_cast<ResultSetId>(i);
      if (i > 0) {
        auto more = st->next_result();
        if (!more) return tl::unexpected(more.error());
        if (!*more)
          return fail(ErrorCode::kSql, conn.label() + ": catalog result set " + std::string(kResultSetNames[i]) + " is missing");
      }
      Columns cols(kResultSetNames[i], st->columns());
      odbc::Row row;
      while (true) {
        auto got = st->fetch(row);
        if (!got) return tl::unexpected(got.error());
        if (!*got) break;
        assembler.row(id, cols, row);
      }
    }
    candidates = assembler.take();
  } catch (const CatalogError& e) {
    return fail(ErrorCode::kSql, conn.label() + ": " + e.what());
  } catch (const std::exception& e) {
    return fail(ErrorCode::kInternal, conn.label() + ": catalog: " + e.what());
  }

  std::vector<ServerObject> out;
  out.reserve(candidates.size());
  for (auto& c : candidates)
    if (keep(c, options)) out.push_back(std::move(c.object));
  candidates.clear();
  for (auto& o : out) o.seal();
  sort_objects(out);
  auto& sorted = out;
  // Two objects with one match key (e.g. logins `A` and `a` under a case-sensitive collation)
  // cannot both be compared or stored: refuse rather than drop one silently.
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i].kind == sorted[i - 1].kind && sorted[i].match_key() == sorted[i - 1].match_key())
      return fail(ErrorCode::kDataErr,
                  conn.label() + ": two " + std::string(kind_name(sorted[i].kind)) + " objects named " + sorted[i - 1].key +
                      " and " + sorted[i].key + " differ only in case",
                  "exclude one of them with a per-pair filter");
  return sorted;
}

}  // namespace understudy::catalog
