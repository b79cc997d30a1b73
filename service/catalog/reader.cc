#include "catalog/reader.h"

#include <algorithm>

#include "base/glob.h"
#include "catalog/assemble.h"
#include "catalog/canonical.h"
#include "config/secrets.h"
#include "odbc/connection.h"

namespace understudy::catalog {

namespace {

bool any_match(const std::vector<std::string>& patterns, std::string_view key) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return name_matches(p, key); });
}

bool keep(const Candidate& c, const ReadOptions& options) {
  const auto& o = c.record;
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

ReadOptions read_options(const config::Pair* pair) {
  ReadOptions opts;
  if (!pair) return opts;
  for (const auto& k : pair->kinds)
    if (auto kind = kind_from_name(k)) opts.kinds.push_back(*kind);
  for (const auto& [k, f] : pair->filters)
    if (auto kind = kind_from_name(k)) opts.filters[*kind] = {f.include, f.exclude};
  return opts;
}

namespace {

// Every (kind, key) read, to refuse two objects whose names differ only in case (e.g. logins `A`
// and `a` under a case-sensitive collation): they cannot both be compared or stored. Checked once
// at the end from a hash per object and one arena of keys: no allocation per object.
class CaseDuplicates {
 public:
  void add(Kind kind, const std::string& key) {
    uint64_t h = 14695981039346656037ull;  // FNV-1a over the kind and the folded key
    h = (h ^ static_cast<uint64_t>(kind)) * 1099511628211ull;
    for (char c : key) h = (h ^ static_cast<unsigned char>(folded(c))) * 1099511628211ull;
    entries_.push_back({h, static_cast<uint64_t>(arena_.size()), static_cast<uint32_t>(key.size()),
                        static_cast<uint32_t>(kind)});
    arena_.append(key);
  }
  // The first pair found, as "<kind> objects named <first> and <second>", or "".
  std::string find() {
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return a.hash != b.hash ? a.hash < b.hash : a.offset < b.offset;
    });
    for (size_t i = 0; i < entries_.size(); ++i)
      for (size_t j = i + 1; j < entries_.size() && entries_[j].hash == entries_[i].hash; ++j) {
        const auto &a = entries_[i], &b = entries_[j];
        if (a.kind != b.kind) continue;
        std::string_view x(arena_.data() + a.offset, a.size), y(arena_.data() + b.offset, b.size);
        if (std::equal(x.begin(), x.end(), y.begin(), y.end(), [](char p, char q) { return folded(p) == folded(q); }))
          return std::string(kind_name(static_cast<Kind>(a.kind))) + " objects named " + std::string(x) + " and " +
                 std::string(y);
      }
    return "";
  }

 private:
  static char folded(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
  struct Entry {  // 24 bytes: half a million of them at scale L
    uint64_t hash;
    uint64_t offset;
    uint32_t size;
    uint32_t kind;
  };
  std::vector<Entry> entries_;
  std::string arena_;
};

// Thrown through the Assembler to stop the read when the sink fails; carries the sink's error.
struct SinkStop {
  Error error;
};

}  // namespace

Status read_records(odbc::Connection& conn, const ReadOptions& options, const RecordSink& sink) {
  auto st = conn.statement();
  if (!st) return tl::unexpected(st.error());
  US_TRY(st->execute_direct(kCatalogBatch));
  CaseDuplicates names;
  Assembler assembler([&](Candidate& c) {
    if (!keep(c, options)) return;
    names.add(c.record.kind, c.record.key);
    if (auto r = sink(c.record); !r) throw SinkStop{r.error()};
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
        if (id == ResultSetId::kRights) {
          const int64_t* control = odbc::as_int(cols.at(row, "control_server"));
          if (!control || *control != 1) {
            return fail(ErrorCode::kPermission,
                        conn.label() + ": the login cannot see every server-level object (it lacks CONTROL SERVER)",
                        "a partial read would show unseen objects as missing; grant CONTROL SERVER or use a sysadmin "
                        "login (docs/permissions.md)");
          }
          continue;
        }
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
  if (auto dup = names.find(); !dup.empty())
    return fail(ErrorCode::kDataErr, conn.label() + ": two " + dup + " differ only in case",
                "exclude one of them with a per-pair filter");
  return {};
}

Status read_objects(odbc::Connection& conn, const ReadOptions& options, const ObjectSink& sink) {
  return read_records(conn, options, [&](ObjectRecord& r) -> Status {
    auto o = r.to_object();
    if (!o) return tl::unexpected(o.error());
    return sink(std::move(*o));
  });
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

Result<std::vector<ServerObject>> read_instance(const config::Config& config, const std::string& instance,
                                                const config::Pair* pair) {
  auto conn = config::connect(config, instance);
  if (!conn) return tl::unexpected(conn.error());
  return read_objects(*conn, read_options(pair));
}

}  // namespace understudy::catalog
