// statement.cc — execute, bind parameters, block fetch / SQLGetData loops, multiple results.
#include <algorithm>
#include <cstring>

#include "odbc/diag.h"
#include "odbc/internal.h"

namespace understudy::odbc {
namespace {

constexpr SQLSMALLINT kSsVariant = -150;  // SQL_SS_VARIANT (msodbcsql.h), also used by FreeTDS
constexpr SQLSMALLINT kSsXml = -152;      // SQL_SS_XML
constexpr size_t kMaxBlockBytes = 16u << 20;  // cap on the memory of one bound block
constexpr uint64_t kLongText = 4000;          // characters; above: nvarchar(max) path
constexpr uint64_t kLongBinary = 8000;        // bytes; above: varbinary(max) path

bool is_char_type(SQLSMALLINT t) {
  return t == SQL_CHAR || t == SQL_VARCHAR || t == SQL_WCHAR || t == SQL_WVARCHAR;
}

// The C type a column is fetched as (see value.h for the mapping).
SQLSMALLINT c_type_for(const Column& c) {
  switch (c.sql_type) {
    case SQL_BIT: case SQL_TINYINT: case SQL_SMALLINT: case SQL_INTEGER: case SQL_BIGINT:
      return SQL_C_SBIGINT;
    case SQL_DECIMAL: case SQL_NUMERIC:
      return c.decimal_digits == 0 && c.size > 0 && c.size <= 18 ? SQL_C_SBIGINT : SQL_C_WCHAR;
    case SQL_REAL: case SQL_FLOAT: case SQL_DOUBLE:
      return SQL_C_DOUBLE;
    case SQL_BINARY: case SQL_VARBINARY: case SQL_LONGVARBINARY:
      return SQL_C_BINARY;
    default:
      return SQL_C_WCHAR;
  }
}

bool is_long(const Column& c) {
  if (c.sql_type == SQL_WLONGVARCHAR || c.sql_type == SQL_LONGVARCHAR || c.sql_type == SQL_LONGVARBINARY ||
      c.sql_type == kSsXml || c.sql_type == kSsVariant)
    return true;
  SQLSMALLINT ct = c_type_for(c);
  if (ct == SQL_C_BINARY) return c.size == 0 || c.size > kLongBinary;
  if (ct == SQL_C_WCHAR && is_char_type(c.sql_type)) return c.size == 0 || c.size > kLongText;
  return false;
}

// Bytes one bound value of `c` needs.
SQLLEN width_for(const Column& c, SQLSMALLINT ct) {
  if (ct == SQL_C_SBIGINT) return sizeof(SQLBIGINT);
  if (ct == SQL_C_DOUBLE) return sizeof(SQLDOUBLE);
  if (ct == SQL_C_BINARY) return static_cast<SQLLEN>(c.size);
  uint64_t chars = is_char_type(c.sql_type) ? c.size : std::max<uint64_t>(c.size + c.decimal_digits + 4, 64);
  return static_cast<SQLLEN>((chars + 1) * sizeof(SQLWCHAR));
}

void text_of(const SQLWCHAR* p, SQLLEN ind, SQLLEN width, std::string& out) {
  size_t units;
  if (ind == SQL_NO_TOTAL) {
    units = 0;
    while (static_cast<SQLLEN>((units + 1) * sizeof(SQLWCHAR)) < width && p[units] != 0) ++units;
  } else {
    units = static_cast<size_t>(ind) / sizeof(SQLWCHAR);
  }
  utf16_to_utf8(p, units, out);
}

}  // namespace

Statement::Impl::~Impl() {
  if (stmt != SQL_NULL_HSTMT) SQLFreeHandle(SQL_HANDLE_STMT, stmt);
}

Statement::Statement(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Statement::Statement(Statement&&) noexcept = default;
Statement& Statement::operator=(Statement&&) noexcept = default;
Statement::~Statement() = default;

void Statement::set_block_size(size_t rows) { impl_->block_size = std::max<size_t>(rows, 1); }
const std::vector<Column>& Statement::columns() const { return impl_->columns; }
const std::vector<std::string>& Statement::messages() const { return impl_->messages; }
void Statement::cancel() { SQLCancel(impl_->stmt); }

int64_t Statement::row_count() const {
  SQLLEN n = -1;
  if (!ok(SQLRowCount(impl_->stmt, &n))) return -1;
  return n;
}

namespace {

// Reads the shape of the current result and prepares fetching it.
Status setup_result(Statement::Impl& s) {
  SQLFreeStmt(s.stmt, SQL_UNBIND);
  s.columns.clear();
  s.c_types.clear();
  s.bindings.clear();
  s.rows_fetched = 0;
  s.next_in_block = 0;
  s.end_of_set = false;
  s.block_mode = false;
  SQLSMALLINT n = 0;
  if (!ok(SQLNumResultCols(s.stmt, &n)))
    return fail(make_error(SQL_HANDLE_STMT, s.stmt, s.label, Phase::kStatement, "SQLNumResultCols"));
  bool any_long = false;
  SQLLEN row_width = 0;
  for (SQLUSMALLINT i = 1; i <= n; ++i) {
    SQLWCHAR name[512];
    SQLSMALLINT name_len = 0, type = 0, digits = 0, nullable = SQL_NULLABLE_UNKNOWN;
    SQLULEN size = 0;
    if (!ok(SQLDescribeColW(s.stmt, i, name, 512, &name_len, &type, &size, &digits, &nullable)))
      return fail(make_error(SQL_HANDLE_STMT, s.stmt, s.label, Phase::kStatement, "SQLDescribeCol"));
    Column c;
    c.name = utf16_to_utf8(name, std::min<size_t>(static_cast<size_t>(std::max<SQLSMALLINT>(name_len, 0)), 511));
    c.sql_type = type;
    c.size = size;
    c.decimal_digits = digits;
    c.nullable = nullable != SQL_NO_NULLS;
    if (is_long(c)) any_long = true;
    s.c_types.push_back(c_type_for(c));
    if (!any_long) row_width += width_for(c, s.c_types.back()) + static_cast<SQLLEN>(sizeof(SQLLEN));
    s.columns.push_back(std::move(c));
  }
  if (n == 0) return {};
  size_t block = any_long ? 1 : std::clamp<size_t>(kMaxBlockBytes / static_cast<size_t>(std::max<SQLLEN>(row_width, 1)), 1, s.block_size);
  SQLSetStmtAttr(s.stmt, SQL_ATTR_ROW_BIND_TYPE, reinterpret_cast<SQLPOINTER>(SQL_BIND_BY_COLUMN), 0);
  if (!ok(SQLSetStmtAttr(s.stmt, SQL_ATTR_ROW_ARRAY_SIZE, reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(block)), 0)))
    block = 1;  // a driver without block cursors: fetch row by row through the same code
  SQLSetStmtAttr(s.stmt, SQL_ATTR_ROWS_FETCHED_PTR, &s.rows_fetched, 0);
  if (any_long) return {};
  s.block_mode = true;
  s.bindings.resize(s.columns.size());
  for (size_t i = 0; i < s.columns.size(); ++i) {
    Binding& b = s.bindings[i];
    b.c_type = s.c_types[i];
    b.width = std::max<SQLLEN>(width_for(s.columns[i], b.c_type), 1);
    b.buffer.reset(new char[static_cast<size_t>(b.width) * block]);  // default-initialised: not zeroed
    b.indicators.reset(new SQLLEN[block]);
    if (!ok(SQLBindCol(s.stmt, static_cast<SQLUSMALLINT>(i + 1), b.c_type, b.buffer.get(), b.width, b.indicators.get())))
      return fail(make_error(SQL_HANDLE_STMT, s.stmt, s.label, Phase::kStatement, "SQLBindCol"));
  }
  return {};
}

// One value of the current row through SQLGetData (loops for long values).
Result<Value> get_data(Statement::Impl& s, SQLUSMALLINT col, SQLSMALLINT ct) {
  SQLLEN ind = 0;
  auto error = [&] { return fail(make_error(SQL_HANDLE_STMT, s.stmt, s.label, Phase::kStatement, "SQLGetData")); };
  if (ct == SQL_C_SBIGINT || ct == SQL_C_DOUBLE) {
    SQLBIGINT i = 0;
    SQLDOUBLE d = 0;
    SQLRETURN rc = ct == SQL_C_SBIGINT ? SQLGetData(s.stmt, col, ct, &i, sizeof i, &ind)
                                       : SQLGetData(s.stmt, col, ct, &d, sizeof d, &ind);
    if (!ok(rc)) return error();
    if (ind == SQL_NULL_DATA) return Value{};
    return ct == SQL_C_SBIGINT ? Value{static_cast<int64_t>(i)} : Value{static_cast<double>(d)};
  }
  const bool is_text = ct == SQL_C_WCHAR;
  constexpr SQLLEN kChunk = 16384;  // per SQLGetData call; long values loop
  if (!s.chunk) s.chunk = std::make_unique_for_overwrite<char[]>(kChunk);
  char* buf = s.chunk.get();
  const SQLLEN usable = is_text ? kChunk - static_cast<SQLLEN>(sizeof(SQLWCHAR)) : kChunk;  // text: terminator
  auto value_of = [&](const char* data, size_t size) {
    if (is_text) return Value{utf16_to_utf8(reinterpret_cast<const SQLWCHAR*>(data), size / sizeof(SQLWCHAR))};
    return Value{Bytes(data, data + size)};
  };
  std::vector<char> acc;
  bool first = true;
  while (true) {
    SQLRETURN rc = SQLGetData(s.stmt, col, ct, buf, kChunk, &ind);
    if (rc == SQL_NO_DATA) break;
    if (!ok(rc)) return error();
    if (ind == SQL_NULL_DATA) return Value{};
    bool truncated = rc == SQL_SUCCESS_WITH_INFO && (ind == SQL_NO_TOTAL || ind > usable);
    SQLLEN got = truncated ? usable : ind;
    if (!truncated && ind == SQL_NO_TOTAL) got = usable;
    if (first && !truncated) return value_of(buf, static_cast<size_t>(got));  // the common case: one chunk
    acc.insert(acc.end(), buf, buf + got);
    if (first && truncated && ind != SQL_NO_TOTAL) acc.reserve(static_cast<size_t>(ind) + 2);
    first = false;
    if (!truncated) break;
  }
  return value_of(acc.data(), acc.size());
}

// Keeps parameter buffers alive for the duration of an execute.
struct ParamBuffers {
  std::vector<std::vector<SQLWCHAR>> texts;
  std::vector<Bytes> binaries;
  std::vector<SQLBIGINT> ints;
  std::vector<SQLDOUBLE> doubles;
  std::vector<SQLLEN> indicators;
};

Status bind_params(Statement::Impl& s, const std::vector<Value>& params, ParamBuffers& pb) {
  SQLFreeStmt(s.stmt, SQL_RESET_PARAMS);
  // Reserve so that pointers into the vectors stay valid while binding.
  pb.texts.reserve(params.size());
  pb.binaries.reserve(params.size());
  pb.ints.reserve(params.size());
  pb.doubles.reserve(params.size());
  pb.indicators.assign(params.size(), 0);
  static SQLWCHAR empty_text[1] = {0};
  for (size_t i = 0; i < params.size(); ++i) {
    const Value& v = params[i];
    auto n = static_cast<SQLUSMALLINT>(i + 1);
    SQLLEN* ind = &pb.indicators[i];
    SQLRETURN rc;
    if (const auto* iv = as_int(v)) {
      pb.ints.push_back(*iv);
      rc = SQLBindParameter(s.stmt, n, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0, &pb.ints.back(), 0, ind);
    } else if (const auto* dv = as_double(v)) {
      pb.doubles.push_back(*dv);
      rc = SQLBindParameter(s.stmt, n, SQL_PARAM_INPUT, SQL_C_DOUBLE, SQL_DOUBLE, 15, 0, &pb.doubles.back(), 0, ind);
    } else if (const auto* tv = as_text(v)) {
      U16 u = utf8_to_utf16(*tv);
      pb.texts.emplace_back(u.begin(), u.end());
      pb.texts.back().push_back(0);
      auto units = static_cast<SQLULEN>(u.size());
      *ind = static_cast<SQLLEN>(units * sizeof(SQLWCHAR));
      SQLSMALLINT sql_type = units > kLongText ? SQL_WLONGVARCHAR : SQL_WVARCHAR;
      rc = SQLBindParameter(s.stmt, n, SQL_PARAM_INPUT, SQL_C_WCHAR, sql_type, std::max<SQLULEN>(units, 1), 0,
                            pb.texts.back().data(), *ind + static_cast<SQLLEN>(sizeof(SQLWCHAR)), ind);
    } else if (const auto* bv = as_bytes(v)) {
      pb.binaries.push_back(*bv);
      if (pb.binaries.back().empty()) pb.binaries.back().reserve(1);
      auto len = static_cast<SQLULEN>(bv->size());
      *ind = static_cast<SQLLEN>(len);
      SQLSMALLINT sql_type = len > kLongBinary ? SQL_LONGVARBINARY : SQL_VARBINARY;
      rc = SQLBindParameter(s.stmt, n, SQL_PARAM_INPUT, SQL_C_BINARY, sql_type, std::max<SQLULEN>(len, 1), 0,
                            pb.binaries.back().data(), *ind, ind);
    } else {
      *ind = SQL_NULL_DATA;
      rc = SQLBindParameter(s.stmt, n, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR, 1, 0, empty_text, 0, ind);
    }
    if (!ok(rc)) return fail(make_error(SQL_HANDLE_STMT, s.stmt, s.label, Phase::kStatement, "SQLBindParameter"));
  }
  return {};
}

// After SQLExecute/SQLExecDirect/SQLMoreResults: errors out, keeps info messages.
Status after_execute(Statement::Impl& s, SQLRETURN rc, const char* what) {
  if (rc == SQL_NO_DATA) return setup_result(s);  // e.g. a procedure or UPDATE that returned nothing
  if (!ok(rc)) return fail(make_error(SQL_HANDLE_STMT, s.stmt, s.label, Phase::kStatement, what));
  if (rc == SQL_SUCCESS_WITH_INFO)
    for (auto& m : read_messages(SQL_HANDLE_STMT, s.stmt)) s.messages.push_back(std::move(m));
  return setup_result(s);
}

}  // namespace

Status Statement::prepare(std::string_view sql) {
  SQLFreeStmt(impl_->stmt, SQL_CLOSE);
  auto w = wide(sql);
  if (!ok(SQLPrepareW(impl_->stmt, w.data(), SQL_NTS)))
    return fail(make_error(SQL_HANDLE_STMT, impl_->stmt, impl_->label, Phase::kStatement, "SQLPrepare"));
  return {};
}

Status Statement::execute(const std::vector<Value>& params) {
  SQLFreeStmt(impl_->stmt, SQL_CLOSE);
  ParamBuffers pb;
  US_TRY(bind_params(*impl_, params, pb));
  return after_execute(*impl_, SQLExecute(impl_->stmt), "SQLExecute");
}

Status Statement::execute_direct(std::string_view sql, const std::vector<Value>& params) {
  SQLFreeStmt(impl_->stmt, SQL_CLOSE);
  ParamBuffers pb;
  US_TRY(bind_params(*impl_, params, pb));
  auto w = wide(sql);
  return after_execute(*impl_, SQLExecDirectW(impl_->stmt, w.data(), SQL_NTS), "SQLExecDirect");
}

Result<bool> Statement::next_result() {
  SQLRETURN rc = SQLMoreResults(impl_->stmt);
  if (rc == SQL_NO_DATA) {
    impl_->columns.clear();
    return false;
  }
  US_TRY(after_execute(*impl_, rc, "SQLMoreResults"));
  return true;
}

Result<bool> Statement::fetch(Row& row) {
  Impl& s = *impl_;
  if (s.columns.empty() || s.end_of_set) return false;
  if (!s.block_mode || s.next_in_block >= s.rows_fetched) {
    s.rows_fetched = 0;
    s.next_in_block = 0;
    SQLRETURN rc = SQLFetch(s.stmt);
    if (rc == SQL_NO_DATA) {
      s.end_of_set = true;
      return false;
    }
    if (!ok(rc)) return fail(make_error(SQL_HANDLE_STMT, s.stmt, s.label, Phase::kStatement, "SQLFetch"));
    if (s.block_mode && s.rows_fetched == 0) {
      s.end_of_set = true;
      return false;
    }
  }
  row.resize(s.columns.size());
  if (!s.block_mode) {
    for (size_t i = 0; i < s.columns.size(); ++i) {
      auto v = get_data(s, static_cast<SQLUSMALLINT>(i + 1), s.c_types[i]);
      if (!v) return tl::unexpected(v.error());
      row[i] = std::move(*v);
    }
    return true;
  }
  const size_t r = s.next_in_block++;
  for (size_t i = 0; i < s.bindings.size(); ++i) {
    const Binding& b = s.bindings[i];
    SQLLEN ind = b.indicators[r];
    const char* p = b.buffer.get() + r * static_cast<size_t>(b.width);
    if (ind == SQL_NULL_DATA) {
      row[i] = Value{};
      continue;
    }
    if (b.c_type == SQL_C_SBIGINT) {
      SQLBIGINT v;
      std::memcpy(&v, p, sizeof v);
      row[i] = static_cast<int64_t>(v);
    } else if (b.c_type == SQL_C_DOUBLE) {
      SQLDOUBLE v;
      std::memcpy(&v, p, sizeof v);
      row[i] = static_cast<double>(v);
    } else {
      SQLLEN usable = b.c_type == SQL_C_WCHAR ? b.width - static_cast<SQLLEN>(sizeof(SQLWCHAR)) : b.width;
      if (ind != SQL_NO_TOTAL && ind > usable)
        return fail(ErrorCode::kInternal, s.label + ": value of column '" + s.columns[i].name +
                                              "' is longer than its declared size " + std::to_string(s.columns[i].size));
      if (b.c_type == SQL_C_WCHAR) {
        // Into the string the row's cell already holds: no allocation per cell once it has grown.
        auto* text = std::get_if<std::string>(&row[i]);
        if (!text) text = &row[i].emplace<std::string>();
        text_of(reinterpret_cast<const SQLWCHAR*>(p), ind, b.width, *text);
      } else {
        const char* end = p + (ind == SQL_NO_TOTAL ? b.width : ind);
        if (auto* bytes = std::get_if<Bytes>(&row[i]))
          bytes->assign(p, end);
        else
          row[i] = Bytes(p, end);
      }
    }
  }
  return true;
}

Result<std::vector<Row>> Statement::fetch_all() {
  std::vector<Row> rows;
  while (true) {
    Row row;
    auto more = fetch(row);
    if (!more) return tl::unexpected(more.error());
    if (!*more) break;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace understudy::odbc
