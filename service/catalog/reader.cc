#include "catalog/reader.h"

#include <algorithm>
#include <unordered_set>

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

namespace {

// "kind\0key" compared and hashed as SQL Server compares names (fold_name), so a second spelling
// of a stored name is found and the error can quote the first one.
struct FoldedHash {
  size_t operator()(const std::string& s) const { return std::hash<std::string>()(fold_name(s)); }
};
struct FoldedEqual {
  bool operator()(const std::string& a, const std::string& b) const {
    return a.size() == b.size() && fold_name(a) == fold_name(b);
  }
};

// Thrown through the Assembler to stop the read when the sink fails; carries the sink's error.
struct SinkStop {
  Error error;
};

}  // namespace

Status read_objects(odbc::Connection& conn, const ReadOptions& options, const ObjectSink& sink) {
  auto st = conn.statement();
  if (!st) return tl::unexpected(st.error());
  US_TRY(st->execute_direct(kCatalogBatch));
  std::unordered_set<std::string, FoldedHash, FoldedEqual> seen;
  Assembler assembler([&](Candidate&& c) {
    if (!keep(c, options)) return;
    std::string id(kind_name(c.object.kind));
    id.push_back('\0');
    id.append(c.object.key);
    auto [it, inserted] = seen.insert(std::move(id));
    if (!inserted) {
      // Two objects with one match key (e.g. logins `A` and `a` under a case-sensitive collation)
      // cannot both be compared or stored: refuse rather than drop one silently.
      std::string first = it->substr(it->find('\0') + 1);
      throw SinkStop{Error(ErrorCode::kDataErr,
                           conn.label() + ": two " + std::string(kind_name(c.object.kind)) + " objects named " + first +
                               " and " + c.object.key + " differ only in case",
                           "exclude one of them with a per-pair filter")};
    }
    c.object.seal();
    if (auto r = sink(std::move(c.object)); !r) throw SinkStop{r.error()};
  });
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
      assembler.end(id);
    }
  } catch (const SinkStop& stop) {
    return tl::unexpected(stop.error);
  } catch (const CatalogError& e) {
    return fail(ErrorCode::kSql, conn.label() + ": " + e.what());
  } catch (const std::exception& e) {
    return fail(ErrorCode::kInternal, conn.label() + ": catalog: " + e.what());
  }
  return {};
}

Result<std::vector<ServerObject>> read_objects(odbc::Connection& conn, const ReadOptions& options) {
  std::vector<ServerObject> out;
  US_TRY(read_objects(conn, options, [&](ServerObject&& o) -> Status {
    out.push_back(std::move(o));
    return {};
  }));
  sort_objects(out);
  return out;
}

}  // namespace understudy::catalog
