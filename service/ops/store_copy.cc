// store_copy.cc — see store_copy.h.
#include "ops/store_copy.h"

#include <iterator>
#include <map>
#include <sstream>

#include "replay/journal.h"
#include "report/records.h"
#include "store/sql.h"
#include "store/store.h"

namespace understudy::ops {

namespace {

// One table: its component, columns ("name:type", type i = integer, t = text, b = bytes), the
// order rows are read in, and its identity column on PostgreSQL ("" = none).
struct CopyTable {
  const char* component;
  const char* name;
  const char* columns;
  const char* order;
  const char* identity;
};

// Parents before children (PostgreSQL checks foreign keys as rows arrive). run's rowid is SQLite's
// implicit one and PostgreSQL's own column of that name (report/records.cc): latest_run() orders by it.
constexpr CopyTable kCopyTables[] = {
    {"snapshot", "instance", "id:i name:t", "id", "id"},
    {"snapshot", "snapshot", "id:i instance_id:i taken_at:t run_id:t server_name:t object_count:i counts:t complete:i",
     "id", "id"},
    {"snapshot", "object_version",
     "id:i instance_id:i from_snapshot:i to_snapshot:i content_id:b kind:t key:t fingerprint:b fields:t "
     "volatile_fields:t",
     "id", "id"},
    {"snapshot", "object_secret", "version_id:i password_hash:t", "version_id", "version_id"},
    {"sync", "sync_run",
     "id:i run_id:t pair:t who:t started_at:t finished_at:t mode:t status:t plan_json:t summary_json:t", "id", "id"},
    {"sync", "sync_action",
     "run:i seq:i kind:t key:t operation:t status:t tsql:t error_number:i error_message:t started_at:t duration_ms:i",
     "run, seq", ""},
    {"service", "run", "rowid:i id:t type:t pair:t status:t actor:t started_at:t finished_at:t result:t", "rowid",
     "rowid"},
    {"service", "gate_evaluation", "id:i gate:t pair:t status:t checked_at:t primary_snapshot_id:t body:t", "id", "id"},
    {"service", "audit_entry", "seq:i at:t actor:t action:t pair:t run_id:t detail:t prev_hash:t hash:t", "seq", "seq"},
};

struct CopyColumn {
  std::string name;
  char type;
};

std::vector<CopyColumn> copy_columns(const CopyTable& t) {
  std::vector<CopyColumn> out;
  std::istringstream in(t.columns);
  std::string word;
  while (in >> word) out.push_back({word.substr(0, word.size() - 2), word.back()});
  return out;
}

// The versions of the components this build copies.
std::map<std::string, int> known_components() {
  return {{"snapshot", static_cast<int>(store::core_migrations().size())},
          {"sync", static_cast<int>(replay::Journal::migrations().size())},
          {"service", static_cast<int>(report::service_migrations().size())}};
}

Result<int64_t> copy_count(store::Db& db, const std::string& table) {
  auto q = store::Stmt::prepare(db, "SELECT count(*) FROM " + table);
  if (!q) return tl::unexpected(q.error());
  auto row = q->step();
  if (!row) return tl::unexpected(row.error());
  return *row ? q->int64(0) : 0;
}

Status copy_rows(store::Db& from, store::Db& to, const CopyTable& t, int64_t& copied) {
  auto cols = copy_columns(t);
  std::string names, marks;
  for (size_t i = 0; i < cols.size(); ++i) {
    names += (i ? ", " : "") + cols[i].name;
    marks += i ? ",?" : "?";
  }
  auto sel = store::Stmt::prepare(from, "SELECT " + names + " FROM " + t.name + " ORDER BY " + t.order);
  if (!sel) return tl::unexpected(sel.error());
  auto ins = store::Stmt::prepare(to, std::string("INSERT INTO ") + t.name + " (" + names + ") VALUES (" + marks + ")");
  if (!ins) return tl::unexpected(ins.error());
  while (true) {
    auto row = sel->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    for (size_t i = 0; i < cols.size(); ++i) {
      const int c = static_cast<int>(i), p = c + 1;
      if (sel->is_null(c)) ins->bind_null(p);
      else if (cols[i].type == 'i') ins->bind(p, sel->int64(c));
      else if (cols[i].type == 'b') ins->bind_blob(p, sel->blob_view(c));
      else ins->bind(p, sel->text_view(c));
    }
    US_TRY(ins->run());
    ++copied;
  }
  return {};
}

}  // namespace

Result<StoreCopyReport> copy_store(const std::string& from, const Secret& from_password, const std::string& to,
                                   const Secret& to_password) {
  for (const std::string* where : {&from, &to})
    if (store::is_postgres_url(*where)) US_TRY(store::refuse_password_in_url(*where));
  auto source = store::Store::open(from, {.read_only = true, .password = from_password});
  if (!source) return tl::unexpected(source.error());
  store::Store& src = **source;
  const auto known = known_components();
  std::map<std::string, int> present;  // components the source has tables of
  {
    auto q = store::Stmt::prepare(src.db(), "SELECT component, max(version) FROM schema_migrations GROUP BY component");
    if (!q) return tl::unexpected(q.error());
    while (true) {
      auto row = q->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      std::string component = q->text(0);
      int version = static_cast<int>(q->int64(1));
      auto it = known.find(component);
      if (it == known.end() || version > it->second)
        return fail(ErrorCode::kDataErr,
                    "store " + from + " was written by a newer understudy (schema " + component + " version " +
                        std::to_string(version) + ")",
                    "copy it with the understudy that wrote it");
      if (version < it->second)
        return fail(ErrorCode::kDataErr,
                    "store " + from + " has an older schema (" + component + " version " + std::to_string(version) +
                        ", this build copies " + std::to_string(it->second) + ")",
                    "open it once read-write with this build (`understudy snapshots list` upgrades it), then copy");
      present[component] = version;
    }
  }

  auto target = store::Store::open(to, {.create = true, .password = to_password});
  if (!target) return tl::unexpected(target.error());
  store::Store& dst = **target;
  if (auto journal = replay::Journal::open(dst); !journal) return tl::unexpected(journal.error());
  US_TRY(report::migrate(dst));

  StoreCopyReport report;
  auto copied = dst.in_transaction([&](store::Db& db) -> Status {
    // Refused unless empty: checked inside the transaction that writes, so no writer slips in.
    std::string held;
    for (const auto& t : kCopyTables) {
      auto n = copy_count(db, t.name);
      if (!n) return tl::unexpected(n.error());
      if (*n > 0) held += (held.empty() ? "" : ", ") + std::to_string(*n) + " " + t.name + " row(s)";
    }
    if (!held.empty())
      return fail(ErrorCode::kDataErr, "store " + to + " is not empty (" + held + "); nothing was copied",
                  "copy into a new file or an empty database");
    for (const auto& t : kCopyTables) {
      int64_t n = 0;
      if (present.count(t.component)) US_TRY(copy_rows(src.db(), db, t, n));
      report.rows.emplace_back(t.name, n);
    }
    if (db.postgres()) {
      for (const auto& t : kCopyTables) {
        if (!*t.identity) continue;
        US_TRY(store::exec(db, std::string("SELECT setval(pg_get_serial_sequence('") + t.name + "', '" + t.identity +
                                   "'), (SELECT coalesce(max(" + t.identity + "), 0) + 1 FROM " + t.name + "), false)"));
      }
    }
    // Verified before it is committed: the same number of rows as the source, table by table, …
    for (size_t i = 0; i < std::size(kCopyTables); ++i) {
      const std::string table = kCopyTables[i].name;
      const int64_t n = report.rows[i].second;
      auto on_source = present.count(kCopyTables[i].component) ? copy_count(src.db(), table) : Result<int64_t>(0);
      if (!on_source) return tl::unexpected(on_source.error());
      auto on_target = copy_count(db, table);
      if (!on_target) return tl::unexpected(on_target.error());
      if (*on_source != n || *on_target != n)
        return fail(ErrorCode::kDataErr,
                    "store copy: " + table + " has " + std::to_string(*on_source) + " row(s) in " + from + " but " +
                        std::to_string(*on_target) + " in the copy; nothing was copied",
                    "was the source written to during the copy? stop its writers and copy again");
    }
    // … and the audit chain holds on the copy, ending where the source's ends.
    if (present.count("service")) {
      auto v = report::verify_audit(dst);
      if (!v) return tl::unexpected(v.error());
      auto s = report::verify_audit(src);
      if (!s) return tl::unexpected(s.error());
      if (v->first_broken)
        return fail(ErrorCode::kDataErr,
                    "store copy: the audit trail of the copy is broken at entry " + std::to_string(*v->first_broken) +
                        " (" + v->problem + ")" +
                        (s->first_broken ? "; it is broken in " + from + " too" : std::string()) +
                        "; nothing was copied",
                    "`understudy audit verify` on the source names the entry");
      if (v->head_hash != s->head_hash || v->entries != s->entries)
        return fail(ErrorCode::kDataErr, "store copy: the copy's audit trail does not end where the source's does",
                    "was the source written to during the copy? stop its writers and copy again");
      report.audit_entries = v->entries;
      report.audit_head = v->head_hash;
    }
    return {};
  });
  if (!copied) return tl::unexpected(copied.error());
  return report;
}

}  // namespace understudy::ops
