// connection.cc — environment, connect/disconnect, transactions, and the convenience executors.
#include <mutex>

#include "odbc/diag.h"
#include "odbc/internal.h"

namespace understudy::odbc {
namespace {

// The process-wide ODBC environment: created once, never freed (drivers dislike re-creation).
Result<SQLHENV> environment() {
  static SQLHENV env = SQL_NULL_HENV;
  static Error env_error;
  static std::once_flag once;
  std::call_once(once, [] {
    SQLHENV h = SQL_NULL_HENV;
    if (!ok(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &h))) {
      env_error = Error(ErrorCode::kInternal, "cannot allocate the ODBC environment");
      return;
    }
    if (!ok(SQLSetEnvAttr(h, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0))) {
      env_error = make_error(SQL_HANDLE_ENV, h, "", Phase::kStatement, "SQLSetEnvAttr");
      SQLFreeHandle(SQL_HANDLE_ENV, h);
      return;
    }
    env = h;
  });
  if (env == SQL_NULL_HENV) return tl::unexpected(env_error);
  return env;
}

// Splits "A=1;B={x;y}" into attribute names (upper-cased, trimmed); braces protect ';'.
std::vector<std::string> attribute_names(std::string_view cs) {
  std::vector<std::string> names;
  size_t i = 0;
  while (i < cs.size()) {
    size_t eq = cs.find('=', i);
    size_t semi = cs.find(';', i);
    if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
      if (semi == std::string_view::npos) break;
      i = semi + 1;
      continue;
    }
    std::string name;
    for (char c : cs.substr(i, eq - i))
      if (c != ' ' && c != '\t') name.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    names.push_back(name);
    size_t j = eq + 1;
    while (j < cs.size() && cs[j] == ' ') ++j;
    if (j < cs.size() && cs[j] == '{') {  // braced value: '}}' is an escaped '}'
      ++j;
      while (j < cs.size()) {
        if (cs[j] == '}') {
          if (j + 1 < cs.size() && cs[j + 1] == '}') {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
    }
    size_t end = cs.find(';', j);
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return names;
}

}  // namespace

std::string connection_string_with_password(std::string_view cs, const Secret& password) {
  std::string out(cs);
  while (!out.empty() && (out.back() == ';' || out.back() == ' ')) out.pop_back();
  const std::string& pw = password.reveal();
  // Braces only where the value needs them (a ';', a leading '{', spaces at an edge): FreeTDS 1.3
  // ends a braced value at its first '}' and does not undo the '}}' that ODBC specifies, so a
  // password such as "Pw}x1!" logs in only when sent bare. Microsoft's driver reads both forms.
  bool braces = pw.empty() || pw.find(';') != std::string::npos || pw.front() == '{' || pw.front() == ' ' ||
                pw.back() == ' ';
  if (!braces) {
    out += ";PWD=" + pw + ";";
    return out;
  }
  out += ";PWD={";
  for (char c : pw) {
    out.push_back(c);
    if (c == '}') out.push_back('}');
  }
  out += "};";  // FreeTDS 1.3 misreads a braced value that ends the string; a ';' after it is safe for every driver
  return out;
}

bool has_password_attribute(std::string_view cs) {
  for (const auto& n : attribute_names(cs))
    if (n == "PWD" || n == "PASSWORD") return true;
  return false;
}

Connection::Impl::~Impl() {
  if (dbc == SQL_NULL_HDBC) return;
  if (!autocommit) SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK);
  SQLDisconnect(dbc);
  SQLFreeHandle(SQL_HANDLE_DBC, dbc);
}

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

const std::string& Connection::label() const { return impl_->label; }
int Connection::query_timeout_seconds() const { return impl_->query_timeout_seconds; }
void* Connection::native_handle() const { return impl_->dbc; }

Result<Connection> Connection::connect(const ConnectOptions& o) {
  auto env = environment();
  if (!env) return tl::unexpected(env.error());
  auto impl = std::make_unique<Impl>();
  impl->label = o.label;
  impl->query_timeout_seconds = o.query_timeout_seconds;
  if (o.connection_string.empty())
    return fail(ErrorCode::kConfig, (o.label.empty() ? "" : o.label + ": ") + "empty connection string");
  if (!ok(SQLAllocHandle(SQL_HANDLE_DBC, *env, &impl->dbc)))
    return fail(make_error(SQL_HANDLE_ENV, *env, o.label, Phase::kConnect, "SQLAllocHandle"));
  if (o.login_timeout_seconds > 0)
    SQLSetConnectAttr(impl->dbc, SQL_ATTR_LOGIN_TIMEOUT,
                      reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(o.login_timeout_seconds)), 0);

  std::string full = o.password.empty() ? o.connection_string
                                        : connection_string_with_password(o.connection_string, o.password);
  std::vector<SQLWCHAR> w = wide(full);
  for (auto& c : full) reinterpret_cast<volatile char&>(c) = 0;  // the password was in there
  SQLRETURN rc = SQLDriverConnectW(impl->dbc, nullptr, w.data(), SQL_NTS, nullptr, 0, nullptr, SQL_DRIVER_NOPROMPT);
  for (auto& c : w) reinterpret_cast<volatile SQLWCHAR&>(c) = 0;
  if (!ok(rc)) {
    Error e = make_error(SQL_HANDLE_DBC, impl->dbc, o.label, Phase::kConnect, "SQLDriverConnect");
    SQLFreeHandle(SQL_HANDLE_DBC, impl->dbc);
    impl->dbc = SQL_NULL_HDBC;
    return fail(std::move(e));
  }
  Connection conn(std::move(impl));
  if (!o.autocommit) US_TRY(conn.set_autocommit(false));
  return conn;
}

Status Connection::set_autocommit(bool on) {
  SQLULEN v = on ? SQL_AUTOCOMMIT_ON : SQL_AUTOCOMMIT_OFF;
  if (!ok(SQLSetConnectAttr(impl_->dbc, SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(v), 0)))
    return fail(make_error(SQL_HANDLE_DBC, impl_->dbc, impl_->label, Phase::kTransaction, "set autocommit"));
  impl_->autocommit = on;
  return {};
}

Status Connection::commit() {
  if (!ok(SQLEndTran(SQL_HANDLE_DBC, impl_->dbc, SQL_COMMIT)))
    return fail(make_error(SQL_HANDLE_DBC, impl_->dbc, impl_->label, Phase::kTransaction, "commit"));
  return {};
}

Status Connection::rollback() {
  if (!ok(SQLEndTran(SQL_HANDLE_DBC, impl_->dbc, SQL_ROLLBACK)))
    return fail(make_error(SQL_HANDLE_DBC, impl_->dbc, impl_->label, Phase::kTransaction, "rollback"));
  return {};
}

Result<Statement> Connection::statement() {
  auto impl = std::make_unique<Statement::Impl>();
  impl->label = impl_->label;
  if (!ok(SQLAllocHandle(SQL_HANDLE_STMT, impl_->dbc, &impl->stmt))) {
    impl->stmt = SQL_NULL_HSTMT;
    return fail(make_error(SQL_HANDLE_DBC, impl_->dbc, impl_->label, Phase::kStatement, "SQLAllocHandle"));
  }
  if (impl_->query_timeout_seconds > 0)
    SQLSetStmtAttr(impl->stmt, SQL_ATTR_QUERY_TIMEOUT,
                   reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(impl_->query_timeout_seconds)), 0);
  return Statement(std::move(impl));
}

Result<std::vector<ResultSet>> Connection::execute(std::string_view sql, const std::vector<Value>& params) {
  auto st = statement();
  if (!st) return tl::unexpected(st.error());
  US_TRY(st->execute_direct(sql, params));
  std::vector<ResultSet> out;
  while (true) {
    ResultSet rs;
    rs.columns = st->columns();
    if (!rs.columns.empty()) {
      auto rows = st->fetch_all();
      if (!rows) return tl::unexpected(rows.error());
      rs.rows = std::move(*rows);
      rs.row_count = static_cast<int64_t>(rs.rows.size());
    } else {
      rs.row_count = st->row_count();
    }
    out.push_back(std::move(rs));
    auto more = st->next_result();
    if (!more) return tl::unexpected(more.error());
    if (!*more) break;
  }
  return out;
}

Result<ResultSet> Connection::query(std::string_view sql, const std::vector<Value>& params) {
  auto all = execute(sql, params);
  if (!all) return tl::unexpected(all.error());
  for (auto& rs : *all)
    if (!rs.columns.empty()) return std::move(rs);
  return ResultSet{};
}

}  // namespace understudy::odbc
