// odbc_client.cc — see odbc_client.h.
#include "tds/odbc_client.h"

#include <cstdio>

#include "tds/bytes.h"

namespace emu::tds::testing {

std::vector<SQLWCHAR> wide(const std::string& utf8) {
  const std::string b = utf8_to_utf16le(utf8);
  std::vector<SQLWCHAR> w(b.size() / 2 + 1, 0);
  for (size_t i = 0; i < b.size() / 2; ++i)
    w[i] = static_cast<SQLWCHAR>(static_cast<unsigned char>(b[2 * i]) | (static_cast<unsigned char>(b[2 * i + 1]) << 8));
  return w;
}

std::string narrow(const SQLWCHAR* s, size_t units) {
  std::string b;
  b.reserve(units * 2);
  for (size_t i = 0; i < units; ++i) {
    b.push_back(static_cast<char>(s[i] & 0xFF));
    b.push_back(static_cast<char>(s[i] >> 8));
  }
  return utf16le_to_utf8(b);
}

std::vector<Diag> diagnostics(SQLSMALLINT handle_type, SQLHANDLE handle) {
  std::vector<Diag> out;
  for (SQLSMALLINT i = 1;; ++i) {
    SQLWCHAR state[6] = {0};
    SQLINTEGER native = 0;
    SQLWCHAR msg[2048] = {0};
    SQLSMALLINT len = 0;
    if (!SQL_SUCCEEDED(SQLGetDiagRecW(handle_type, handle, i, state, &native, msg, 2048, &len))) break;
    out.push_back({narrow(state, 5), static_cast<int>(native), narrow(msg, static_cast<size_t>(len))});
  }
  return out;
}

OdbcConnection::OdbcConnection() {
  SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env_);
  SQLSetEnvAttr(env_, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  SQLAllocHandle(SQL_HANDLE_DBC, env_, &dbc_);
}

OdbcConnection::~OdbcConnection() {
  if (connected_) SQLDisconnect(dbc_);
  SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
  SQLFreeHandle(SQL_HANDLE_ENV, env_);
}

bool OdbcConnection::connect(const std::string& cs) {
  auto w = wide(cs);
  SQLWCHAR out[1024];
  SQLSMALLINT out_len = 0;
  const SQLRETURN rc = SQLDriverConnectW(dbc_, nullptr, w.data(), SQL_NTS, out, 1024, &out_len, SQL_DRIVER_NOPROMPT);
  diags_ = diagnostics(SQL_HANDLE_DBC, dbc_);
  connected_ = SQL_SUCCEEDED(rc);
  return connected_;
}

SQLHSTMT OdbcConnection::new_statement() {
  SQLHSTMT stmt = SQL_NULL_HSTMT;
  SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &stmt);
  return stmt;
}

namespace {

bool is_binary(SQLSMALLINT t) { return t == SQL_BINARY || t == SQL_VARBINARY || t == SQL_LONGVARBINARY; }

std::optional<std::string> get_cell(SQLHSTMT stmt, SQLUSMALLINT col, SQLSMALLINT sql_type, std::vector<Diag>* diags) {
  std::string acc;
  if (is_binary(sql_type)) {
    std::string raw;
    for (;;) {
      char buf[4096];
      SQLLEN ind = 0;
      const SQLRETURN rc = SQLGetData(stmt, col, SQL_C_BINARY, buf, sizeof buf, &ind);
      if (rc == SQL_NO_DATA) break;
      if (!SQL_SUCCEEDED(rc)) { auto d = diagnostics(SQL_HANDLE_STMT, stmt); diags->insert(diags->end(), d.begin(), d.end()); return std::nullopt; }
      if (ind == SQL_NULL_DATA) return std::nullopt;
      const size_t got = (ind == SQL_NO_TOTAL || ind > static_cast<SQLLEN>(sizeof buf)) ? sizeof buf : static_cast<size_t>(ind);
      raw.append(buf, got);
      if (rc == SQL_SUCCESS) break;
    }
    acc = "0x";
    char hex[3];
    for (unsigned char c : raw) { std::snprintf(hex, sizeof hex, "%02X", c); acc += hex; }
    return acc;
  }
  std::vector<SQLWCHAR> units;
  for (;;) {
    SQLWCHAR buf[2049];
    SQLLEN ind = 0;
    const SQLRETURN rc = SQLGetData(stmt, col, SQL_C_WCHAR, buf, sizeof buf, &ind);
    if (rc == SQL_NO_DATA) break;
    if (!SQL_SUCCEEDED(rc)) { auto d = diagnostics(SQL_HANDLE_STMT, stmt); diags->insert(diags->end(), d.begin(), d.end()); return std::nullopt; }
    if (ind == SQL_NULL_DATA) return std::nullopt;
    size_t n = 2048;
    if (ind != SQL_NO_TOTAL && ind / 2 < 2048) n = static_cast<size_t>(ind / 2);
    units.insert(units.end(), buf, buf + n);
    if (rc == SQL_SUCCESS) break;
  }
  return narrow(units.data(), units.size());
}

}  // namespace

void read_results(SQLHSTMT stmt, ExecOutcome* out) {
  for (;;) {
    SQLSMALLINT ncols = 0;
    SQLNumResultCols(stmt, &ncols);
    ResultSet rs;
    for (SQLUSMALLINT c = 1; c <= ncols; ++c) {
      SQLWCHAR name[256];
      SQLSMALLINT name_len = 0;
      ColumnDesc d;
      SQLDescribeColW(stmt, c, name, 256, &name_len, &d.sql_type, &d.size, &d.digits, &d.nullable);
      d.name = narrow(name, static_cast<size_t>(name_len));
      rs.columns.push_back(d);
    }
    if (ncols > 0) {
      for (;;) {
        const SQLRETURN rc = SQLFetch(stmt);
        if (rc == SQL_NO_DATA) break;
        if (!SQL_SUCCEEDED(rc)) {
          auto d = diagnostics(SQL_HANDLE_STMT, stmt);
          out->diags.insert(out->diags.end(), d.begin(), d.end());
          out->rc = rc;
          break;
        }
        std::vector<std::optional<std::string>> row;
        for (SQLUSMALLINT c = 1; c <= ncols; ++c) row.push_back(get_cell(stmt, c, rs.columns[c - 1].sql_type, &out->diags));
        rs.rows.push_back(std::move(row));
      }
    }
    SQLRowCount(stmt, &rs.row_count);  // FreeTDS knows the count once the DONE was read
    out->results.push_back(std::move(rs));
    const SQLRETURN more = SQLMoreResults(stmt);
    if (more == SQL_NO_DATA) break;
    auto d = diagnostics(SQL_HANDLE_STMT, stmt);
    out->diags.insert(out->diags.end(), d.begin(), d.end());
    if (!SQL_SUCCEEDED(more)) {
      out->rc = more;
      break;
    }
  }
}

ExecOutcome OdbcConnection::exec(const std::string& sql) {
  ExecOutcome out;
  SQLHSTMT stmt = new_statement();
  auto w = wide(sql);
  out.rc = SQLExecDirectW(stmt, w.data(), SQL_NTS);
  out.diags = diagnostics(SQL_HANDLE_STMT, stmt);
  if (SQL_SUCCEEDED(out.rc)) read_results(stmt, &out);
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  return out;
}

}  // namespace emu::tds::testing
