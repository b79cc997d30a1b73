// sql_pg.cc — the PostgreSQL half of sql.h (libpq), and the URL and DDL helpers.
#include "store/sql_pg.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

#include "store/sql.h"

namespace understudy::store {

namespace {

bool pg_word_is(std::string_view word, std::string_view upper) {
  return word.size() == upper.size() &&
         std::equal(word.begin(), word.end(), upper.begin(),
                    [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; });
}

bool pg_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The end of the quoted run that starts at `i` (a ' or "), doubled quotes included.
size_t pg_quoted_end(std::string_view s, size_t i) {
  char q = s[i];
  size_t j = i + 1;
  while (j < s.size()) {
    if (s[j] == q) {
      if (j + 1 < s.size() && s[j + 1] == q) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    ++j;
  }
  return j;
}

// At a quote: copies the quoted run to `out`, moves `i` past it and returns true.
bool pg_copy_quoted(std::string_view s, size_t& i, std::string& out) {
  if (s[i] != '\'' && s[i] != '"') return false;
  size_t end = pg_quoted_end(s, i);
  out.append(s.substr(i, end - i));
  i = end;
  return true;
}

}  // namespace

bool is_postgres_url(std::string_view where) {
  return where.rfind("postgresql://", 0) == 0 || where.rfind("postgres://", 0) == 0;
}

Status refuse_password_in_url(std::string_view url) {
  PQconninfoOption* opts = PQconninfoParse(std::string(url).c_str(), nullptr);
  if (opts == nullptr)
    return fail(ErrorCode::kConfig, "store is not a valid PostgreSQL URL",
                "write it as postgresql://USER@HOST:PORT/DATABASE (docs/deployment.md)");
  bool has_password = false;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o)
    if (std::strcmp(o->keyword, "password") == 0 && o->val != nullptr && *o->val != '\0') has_password = true;
  PQconninfoFree(opts);
  if (has_password)
    return fail(ErrorCode::kConfig, "store: the PostgreSQL URL carries a password",
                "remove it from the URL and set store_password_env or store_password_file (docs/configuration.md)");
  return {};
}

Result<std::unique_ptr<Db>> Db::connect_postgres(const std::string& url, const Secret& password, int busy_timeout_ms) {
  US_TRY(refuse_password_in_url(url));
  // connect_timeout first: the URL's own value, expanded from dbname, overrides it.
  const char* keys[] = {"connect_timeout", "dbname", "password", "application_name", nullptr};
  const char* vals[] = {"10", url.c_str(), password.empty() ? nullptr : password.reveal().c_str(), "understudy",
                        nullptr};
  PGconn* conn = PQconnectdbParams(keys, vals, 1);
  std::unique_ptr<Db> db(new Db());
  db->pg_ = conn;
  if (conn == nullptr) return fail(ErrorCode::kUnavailable, "store: cannot allocate a PostgreSQL connection");
  // The server's notices ("relation already exists, skipping") are not ours to print.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return fail(ErrorCode::kUnavailable, "cannot connect to the PostgreSQL store: " + msg,
                "check that the server is up and reachable, and the store URL, user and password "
                "(store_password_env / store_password_file)");
  }
  US_TRY(db->exec("SET lock_timeout = " + std::to_string(std::max(busy_timeout_ms, 1)) +
                  "; SET client_min_messages = warning; SET TIME ZONE 'UTC'"));
  return db;
}

PgStmt::~PgStmt() { clear_result(); }

void PgStmt::clear_result() {
  if (res) PQclear(res);
  res = nullptr;
  row = -1;
}

std::string pg_placeholders(std::string_view sql, int& params) {
  std::string out;
  out.reserve(sql.size() + 16);
  params = 0;
  int next = 0;
  for (size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (pg_copy_quoted(sql, i, out)) {
      continue;
    } else if (c == '?') {
      size_t j = i + 1;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
      int n = j > i + 1 ? std::stoi(std::string(sql.substr(i + 1, j - i - 1))) : ++next;
      if (j > i + 1) next = std::max(next, n);
      params = std::max(params, n);
      out += '$';
      out += std::to_string(n);
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

Error pg_error(PGconn* conn, const PGresult* res, std::string_view what) {
  std::string primary;
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (res && PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  if (primary.empty() && conn) primary = PQerrorMessage(conn);
  while (!primary.empty() && (primary.back() == '\n' || primary.back() == ' ')) primary.pop_back();
  std::string msg = std::string(what) + ": " + primary;
  std::string_view code = state ? state : "";
  if ((conn && PQstatus(conn) == CONNECTION_BAD) || code.rfind("08", 0) == 0 || code == "57P01" || code == "57P02" ||
      code == "57P03")
    return Error(ErrorCode::kUnavailable, std::string(what) + ": the connection to the PostgreSQL store was lost: " + primary,
                 "check the store server; nothing of the interrupted transaction was kept, a rerun starts again");
  if (code == "40001" || code == "40P01" || code == "55P03")
    return Error(ErrorCode::kTempFail, msg, "another understudy process holds the store; try again");
  if (code == "25006")  // read_only_sql_transaction: a standby, or a primary not yet promoted
    return Error(ErrorCode::kUnavailable, msg,
                 "the store's server is read-only (a standby): writes wait until it is promoted, or point the "
                 "store URL at the primary (target_session_attrs=read-write)");
  return Error(ErrorCode::kIo, msg);
}

Status pg_exec(PGconn* conn, std::string_view sql) {
  PGresult* res = PQexec(conn, std::string(sql).c_str());
  ExecStatusType s = PQresultStatus(res);
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY) {
    PQclear(res);
    return {};
  }
  Error e = pg_error(conn, res, "store");
  PQclear(res);
  return tl::unexpected(e);
}

Result<bool> pg_step(PgStmt& st) {
  if (!st.res) {
    size_t n = st.values.size();
    std::vector<const char*> vals(n);
    std::vector<int> lengths(n);
    for (size_t i = 0; i < n; ++i) {
      vals[i] = st.is_null[i] ? nullptr : st.values[i].data();
      lengths[i] = static_cast<int>(st.values[i].size());
    }
    st.res = PQexecParams(st.conn, st.sql.c_str(), static_cast<int>(n), nullptr, vals.data(), lengths.data(),
                          st.formats.data(), 0);
    ExecStatusType s = PQresultStatus(st.res);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
      Error e = pg_error(st.conn, st.res, "store");
      st.clear_result();
      return tl::unexpected(e);
    }
    st.row = -1;
  }
  if (st.row + 1 >= PQntuples(st.res)) {
    st.row = PQntuples(st.res);
    return false;
  }
  ++st.row;
  return true;
}

std::string pg_unhex(std::string_view text) {
  if (text.rfind("\\x", 0) == 0) text.remove_prefix(2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
  };
  std::string out(text.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(nibble(text[2 * i]) * 16 + nibble(text[2 * i + 1]));
  return out;
}

std::string pg_ddl(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 256);
  auto skip_space = [&](size_t j) {
    while (j < sql.size() && std::isspace(static_cast<unsigned char>(sql[j]))) ++j;
    return j;
  };
  auto word_at = [&](size_t j) {
    size_t k = j;
    while (k < sql.size() && pg_word_char(sql[k])) ++k;
    return sql.substr(j, k - j);
  };
  for (size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (pg_copy_quoted(sql, i, out)) {
      continue;
    } else if (sql.substr(i, 5) == "/*pg:") {
      size_t end = sql.find("*/", i);
      if (end == std::string_view::npos) end = sql.size();
      out.append(sql.substr(i + 5, end - i - 5));
      i = end + 2;
    } else if (pg_word_char(c) && (i == 0 || !pg_word_char(sql[i - 1]))) {
      std::string_view w = word_at(i);
      size_t after = i + w.size();
      if (pg_word_is(w, "INTEGER")) {
        size_t p = skip_space(after);
        std::string_view w2 = word_at(p);
        size_t q = skip_space(p + w2.size());
        if (pg_word_is(w2, "PRIMARY") && pg_word_is(word_at(q), "KEY")) {
          out += "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
          after = q + 3;
        } else {
          out += "BIGINT";
        }
      } else if (pg_word_is(w, "BLOB")) {
        out += "BYTEA";
      } else if (pg_word_is(w, "TEXT")) {
        out += "TEXT COLLATE \"C\"";
      } else if (pg_word_is(w, "WITHOUT") && pg_word_is(word_at(skip_space(after)), "ROWID")) {
        after = skip_space(after) + 5;
      } else {
        out.append(w);
      }
      i = after;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace understudy::store
