// translate_func.cc — T-SQL built-in functions → SQLite (built-ins or emu_* functions of
// functions.h), each with the result type SQL Server documents.
#include "engine/convert.h"
#include "engine/lexer.h"
#include "engine/translate_impl.h"

namespace emu {

namespace {

std::string join_sql(const std::vector<TExpr>& a, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < a.size(); ++i) out += (i > from ? ", " : "") + a[i].sql;
  return out;
}

}  // namespace

bool Translator::function(const Expr& e, const Scope& scope, TExpr* out) {
  const std::string& f = e.text;
  if (e.parts.size() > 1) {
    // dbo.fn(…) / sys.fn_…: user and system table functions are not emulated
    std::string shown;
    for (size_t i = 0; i < e.parts.size(); ++i) shown += (i ? "." : "") + e.parts[i];
    return fail(4121, "Cannot find either column \"" + e.parts[0] + "\" or the user-defined function or aggregate \"" +
                          shown + "\", or the name is ambiguous.");
  }
  // COUNT(*) and window functions first: their arguments are special.
  if (f == "COUNT" || f == "COUNT_BIG") {
    out->type = f == "COUNT" ? SqlType::Int() : SqlType::BigInt();
    out->nullable = false;
    out->aggregate = true;
    std::string arg = "*";
    if (e.args.size() != 1) return fail(174, "The " + to_lower_ascii(f) + " function requires 1 argument(s).");
    if (e.args[0]->kind != Expr::Kind::kStar) {
      TExpr a;
      if (!expr(*e.args[0], scope, &a)) return false;
      arg = (e.distinct ? "DISTINCT " : "") + a.sql;
    }
    out->sql = "count(" + arg + ")";
    if (e.has_over) goto window;
    return true;
  }
  {
    std::vector<TExpr> a(e.args.size());
    for (size_t i = 0; i < e.args.size(); ++i) {
      if (e.args[i]->kind == Expr::Kind::kStar) return fail(102, "Incorrect syntax near '*'.");
      if (!expr(*e.args[i], scope, &a[i])) return false;
    }
    auto argc = [&](size_t lo, size_t hi) {
      if (a.size() < lo || a.size() > hi) {
        fail(174, "The " + to_lower_ascii(f) + " function requires " + std::to_string(lo) + " argument(s).");
        return false;
      }
      return true;
    };
    auto set = [&](std::string sql, SqlType t, bool nullable = true) {
      out->sql = std::move(sql);
      out->type = t;
      out->nullable = nullable;
      return true;
    };
    auto any_nullable = [&]() {
      for (const auto& x : a)
        if (x.nullable) return true;
      return false;
    };
    auto string_result = [&](const TExpr& x) { return is_string_type(x.type) ? x.type : SqlType::VarChar(8000); };
    if (f == "SUM" || f == "AVG" || f == "MIN" || f == "MAX" || f == "STRING_AGG") {
      if (f == "STRING_AGG" ? !argc(2, 2) : !argc(1, 1)) return false;
      out->aggregate = true;
      std::string d = e.distinct ? "DISTINCT " : "";
      SqlType t = a[0].type;
      if (f == "STRING_AGG") {
        set("group_concat(" + a[0].sql + ", " + a[1].sql + ")",
            is_unicode_type(t) ? SqlType::NVarChar(-1) : SqlType::VarChar(-1));
      } else if (f == "SUM") {
        if (is_integer_type(t) && t.id != SqlTypeId::kBigInt) t = SqlType::Int();
        if (t.id == SqlTypeId::kDecimal || t.id == SqlTypeId::kNumeric) t.precision = 38;
        set("sum(" + d + a[0].sql + ")", t);
      } else if (f == "AVG") {
        if (is_integer_type(t)) {
          if (t.id != SqlTypeId::kBigInt) t = SqlType::Int();
          set("CAST(avg(" + d + a[0].sql + ") AS INTEGER)", t);
        } else {
          set("avg(" + d + a[0].sql + ")", t);
        }
      } else {
        std::string coll = is_string_type(t) ? " COLLATE EMU_CI" : "";
        set(to_lower_ascii(f) + "(" + d + a[0].sql + coll + ")", t);
      }
      if (e.has_over) goto window;
      return true;
    }
    if (f == "ROW_NUMBER" || f == "RANK" || f == "DENSE_RANK" || f == "NTILE") {
      if (!e.has_over) return fail(10753, "The function '" + to_lower_ascii(f) + "' must have an OVER clause.");
      set(to_lower_ascii(f) + "(" + join_sql(a) + ")", SqlType::BigInt(), false);
      goto window;
    }
    if (e.has_over) return fail(4113, "The function '" + to_lower_ascii(f) + "' is not a valid windowing function, and cannot be used with the OVER clause.");
    for (const auto& x : a) out->aggregate = out->aggregate || x.aggregate;

    if (f == "ISNULL") {
      if (!argc(2, 2)) return false;
      SqlType t = a[0].null_literal ? a[1].type : a[0].type;
      return set("ifnull(" + a[0].sql + ", " + a[1].sql + ")", t, a[0].nullable && a[1].nullable);
    }
    if (f == "COALESCE") {
      if (a.size() < 2) return fail(189, "The coalesce function requires 2 to n arguments.");
      SqlType t = a[0].type;
      bool found = false;
      bool nullable = true;
      for (const auto& x : a) {
        if (!found && !x.null_literal) {
          t = x.type;
          found = true;
        } else if (found && is_string_type(t) && is_string_type(x.type)) {
          t = wider_string(t, x.type, false);
        }
        nullable = nullable && x.nullable;
      }
      return set("coalesce(" + join_sql(a) + ")", t, nullable);
    }
    if (f == "NULLIF") {
      if (!argc(2, 2)) return false;
      std::string rhs = a[1].sql;
      return set("nullif(" + a[0].sql + ", " + rhs + ")", a[0].type);
    }
    if (f == "IIF") {
      if (!argc(3, 3)) return false;
      return set("CASE WHEN " + a[0].sql + " THEN " + a[1].sql + " ELSE " + a[2].sql + " END",
                 a[1].null_literal ? a[2].type : a[1].type, a[1].nullable || a[2].nullable);
    }
    if (f == "LEN") {
      if (!argc(1, 1)) return false;
      return set("emu_len(" + a[0].sql + ")", a[0].type.length < 0 ? SqlType::BigInt() : SqlType::Int(), a[0].nullable);
    }
    if (f == "DATALENGTH") {
      if (!argc(1, 1)) return false;
      return set("emu_datalength(" + a[0].sql + ", " + (is_unicode_type(a[0].type) ? "1" : "0") + ")",
                 SqlType::Int(), a[0].nullable);
    }
    if (f == "UPPER" || f == "LOWER") {
      if (!argc(1, 1)) return false;
      return set("emu_" + to_lower_ascii(f) + "(" + a[0].sql + ")", string_result(a[0]), a[0].nullable);
    }
    if (f == "LTRIM" || f == "RTRIM" || f == "TRIM") {
      if (!argc(1, 1)) return false;
      return set(to_lower_ascii(f) + "(" + a[0].sql + ", ' ')", string_result(a[0]), a[0].nullable);
    }
    if (f == "SUBSTRING") {
      if (!argc(3, 3)) return false;
      SqlType t = is_binary_type(a[0].type) ? a[0].type : string_result(a[0]);
      return set("emu_substring(" + join_sql(a) + ")", t, any_nullable());
    }
    if (f == "LEFT" || f == "RIGHT") {
      if (!argc(2, 2)) return false;
      return set("emu_" + to_lower_ascii(f) + "(" + join_sql(a) + ")", string_result(a[0]), any_nullable());
    }
    if (f == "CHARINDEX") {
      if (!argc(2, 3)) return false;
      return set("emu_charindex(" + join_sql(a) + ")", SqlType::Int(), any_nullable());
    }
    if (f == "PATINDEX") {
      if (!argc(2, 2)) return false;
      return set("emu_patindex(" + join_sql(a) + ")", SqlType::Int(), any_nullable());
    }
    if (f == "REPLACE") {
      if (!argc(3, 3)) return false;
      SqlType t = wider_string(string_result(a[0]), string_result(a[2]), false);
      t.length = is_unicode_type(t) ? 4000 : 8000;
      if (a[0].type.length < 0) t.length = -1;
      return set("emu_replace(" + join_sql(a) + ")", t, any_nullable());
    }
    if (f == "REPLICATE") {
      if (!argc(2, 2)) return false;
      SqlType t = string_result(a[0]);
      t.length = is_unicode_type(t) ? 4000 : 8000;
      return set("emu_replicate(" + join_sql(a) + ")", t, any_nullable());
    }
    if (f == "SPACE") {
      if (!argc(1, 1)) return false;
      return set("emu_replicate(' ', " + a[0].sql + ")", SqlType::VarChar(8000), a[0].nullable);
    }
    if (f == "REVERSE") {
      if (!argc(1, 1)) return false;
      return set("emu_reverse(" + a[0].sql + ")", string_result(a[0]), a[0].nullable);
    }
    if (f == "STUFF") {
      if (!argc(4, 4)) return false;
      return set("emu_stuff(" + join_sql(a) + ")", wider_string(string_result(a[0]), string_result(a[3]), true),
                 any_nullable());
    }
    if (f == "CONCAT" || f == "CONCAT_WS") {
      if (a.size() < 2) return fail(189, "The " + to_lower_ascii(f) + " function requires 2 to 254 arguments.");
      SqlType t = SqlType::VarChar(1);
      for (const auto& x : a) t = wider_string(t, string_result(x), true);
      return set("emu_" + to_lower_ascii(f) + "(" + join_sql(a) + ")", t, false);
    }
    if (f == "QUOTENAME") {
      if (!argc(1, 2)) return false;
      return set("emu_quotename(" + a[0].sql + ", " + (a.size() > 1 ? a[1].sql : "'['") + ")", SqlType::NVarChar(258));
    }
    if (f == "ASCII" || f == "UNICODE") {
      if (!argc(1, 1)) return false;
      return set("unicode(" + a[0].sql + ")", SqlType::Int(), a[0].nullable);
    }
    if (f == "CHAR" || f == "NCHAR") {
      if (!argc(1, 1)) return false;
      return set("char(" + a[0].sql + ")", f == "CHAR" ? SqlType::Char(1) : SqlType::NChar(1), a[0].nullable);
    }
    if (f == "ABS" || f == "SIGN") {
      if (!argc(1, 1)) return false;
      return set(to_lower_ascii(f) + "(" + a[0].sql + ")", a[0].type, a[0].nullable);
    }
    if (f == "ROUND") {
      if (!argc(2, 3)) return false;
      return set("round(" + a[0].sql + ", " + a[1].sql + ")", a[0].type, a[0].nullable);
    }
    if (f == "FLOOR" || f == "CEILING") {
      if (!argc(1, 1)) return false;
      return set("emu_" + to_lower_ascii(f) + "(" + a[0].sql + ")", a[0].type, a[0].nullable);
    }
    if (f == "ISNUMERIC") {
      if (!argc(1, 1)) return false;
      return set("emu_isnumeric(" + a[0].sql + ")", SqlType::Int(), false);
    }
    if (f == "NEWID") {
      if (!argc(0, 0)) return false;
      return set("emu_newid()", SqlType::Guid(), false);
    }
    if (f == "GETDATE" || f == "CURRENT_TIMESTAMP" || f == "GETUTCDATE") {
      if (!argc(0, 0)) return false;
      return set(std::string("emu_now(3, ") + (f == "GETUTCDATE" ? "1" : "0") + ")", SqlType::DateTime(), false);
    }
    if (f == "SYSDATETIME" || f == "SYSUTCDATETIME") {
      if (!argc(0, 0)) return false;
      return set("emu_now(7, 0)", SqlType{SqlTypeId::kDateTime2, 0, 0, 7}, false);
    }
    if (f == "SYSDATETIMEOFFSET") {
      if (!argc(0, 0)) return false;
      return set("(emu_now(7, 1) || ' +00:00')", SqlType{SqlTypeId::kDateTimeOffset, 0, 0, 7}, false);
    }
    if (f == "DATEADD") {
      if (!argc(3, 3)) return false;
      SqlType t = a[2].type.id == SqlTypeId::kDateTime2 ? a[2].type : SqlType::DateTime();
      return set("emu_dateadd(" + join_sql(a) + ", " + std::to_string(t.id == SqlTypeId::kDateTime ? 3 : t.scale) + ")",
                 t, any_nullable());
    }
    if (f == "DATEDIFF" || f == "DATEDIFF_BIG") {
      if (!argc(3, 3)) return false;
      return set("emu_datediff(" + join_sql(a) + ")", f == "DATEDIFF" ? SqlType::Int() : SqlType::BigInt(), any_nullable());
    }
    if (f == "DATEPART") {
      if (!argc(2, 2)) return false;
      return set("emu_datepart(" + join_sql(a) + ")", SqlType::Int(), any_nullable());
    }
    if (f == "YEAR" || f == "MONTH" || f == "DAY") {
      if (!argc(1, 1)) return false;
      return set("emu_datepart('" + to_lower_ascii(f) + "', " + a[0].sql + ")", SqlType::Int(), a[0].nullable);
    }
    // ---- security and instance functions (state-backed) ----
    auto pseudo = [&](const char* var, SqlType t, bool nullable) {
      TExpr p;
      if (!param(var, &p)) return false;
      return set(p.sql, t, nullable);
    };
    if (f == "LOGINPROPERTY") {
      if (!argc(2, 2)) return false;
      return set("emu_loginproperty(" + join_sql(a) + ")", SqlType{SqlTypeId::kSqlVariant});
    }
    if (f == "SUSER_SNAME" || f == "SUSER_NAME") {
      if (!argc(0, 1)) return false;
      if (a.empty()) return pseudo("@@emu_login", SqlType::Sysname(), false);
      return set("emu_suser_sname(" + a[0].sql + ")", SqlType::Sysname());
    }
    if (f == "SYSTEM_USER" || f == "ORIGINAL_LOGIN") {
      return pseudo("@@emu_login", SqlType::Sysname(), false);
    }
    if (f == "SUSER_SID" || f == "SUSER_ID") {
      if (!argc(0, 1)) return false;
      if (a.empty()) return pseudo("@@emu_login_sid", SqlType::VarBinary(85), false);
      return set("emu_suser_sid(" + a[0].sql + ")", SqlType::VarBinary(85));
    }
    if (f == "CURRENT_USER" || f == "USER" || f == "USER_NAME" || f == "SESSION_USER") {
      return pseudo("@@emu_user", SqlType::Sysname(), false);
    }
    if (f == "HOST_NAME") return pseudo("@@emu_host", SqlType::NVarChar(128), true);
    if (f == "APP_NAME") return pseudo("@@emu_app", SqlType::NVarChar(128), true);
    if (f == "XACT_STATE") return pseudo("@@emu_xact_state", SqlType::SmallInt(), false);
    if (f == "SERVERPROPERTY") {
      if (!argc(1, 1)) return false;
      return set("emu_serverproperty(" + a[0].sql + ")", SqlType{SqlTypeId::kSqlVariant});
    }
    if (f == "DATABASEPROPERTYEX") {
      if (!argc(2, 2)) return false;
      return set("emu_dbpropex(" + join_sql(a) + ")", SqlType{SqlTypeId::kSqlVariant});
    }
    if (f == "DB_NAME") {
      if (!argc(0, 1)) return false;
      if (a.empty()) return pseudo("@@emu_db", SqlType::Sysname(), false);
      return set("emu_db_name(" + a[0].sql + ")", SqlType::Sysname());
    }
    if (f == "DB_ID") {
      if (!argc(0, 1)) return false;
      if (a.empty()) {
        TExpr p;
        if (!param("@@emu_db", &p)) return false;
        return set("emu_db_id(" + p.sql + ")", SqlType::SmallInt());
      }
      return set("emu_db_id(" + a[0].sql + ")", SqlType::SmallInt());
    }
    if (f == "IS_SRVROLEMEMBER") {
      if (!argc(1, 2)) return false;
      std::string login;
      if (a.size() == 2) {
        login = a[1].sql;
      } else {
        TExpr p;
        if (!param("@@emu_login", &p)) return false;
        login = p.sql;
      }
      return set("emu_is_srvrolemember(" + a[0].sql + ", " + login + ")", SqlType::Int());
    }
    if (f == "HAS_PERMS_BY_NAME" && a.size() == 3 && a[0].null_literal && a[1].null_literal) {
      // Server scope (securable and class NULL): the caller's effective server permission.
      // https://learn.microsoft.com/sql/t-sql/functions/has-perms-by-name-transact-sql
      TExpr p;
      if (!param("@@emu_login", &p)) return false;
      return set("emu_has_server_perm(" + p.sql + ", " + a[2].sql + ")", SqlType::Int());
    }
    if (f == "HAS_PERMS_BY_NAME" || f == "IS_MEMBER") return set("1", SqlType::Int());
    if (f == "SCHEMA_NAME") return set("'dbo'", SqlType::Sysname());
    if (f == "OBJECT_ID") return set("NULL", SqlType::Int());
    if (f == "SCOPE_IDENTITY" || f == "IDENT_CURRENT") return set("NULL", SqlType::Decimal(38, 0));
    // ERROR_*(): the error of the CATCH block in scope, NULL outside one (exec_errors.cc).
    if (f == "ERROR_NUMBER" || f == "ERROR_SEVERITY" || f == "ERROR_STATE" || f == "ERROR_LINE") {
      if (!argc(0, 0)) return false;
      return pseudo(f == "ERROR_NUMBER" ? "@@emu_error_number" : f == "ERROR_SEVERITY" ? "@@emu_error_severity"
                    : f == "ERROR_STATE" ? "@@emu_error_state" : "@@emu_error_line", SqlType::Int(), true);
    }
    if (f == "ERROR_MESSAGE") {
      if (!argc(0, 0)) return false;
      return pseudo("@@emu_error_message", SqlType::NVarChar(4000), true);
    }
    if (f == "ERROR_PROCEDURE") {
      if (!argc(0, 0)) return false;
      return pseudo("@@emu_error_procedure", SqlType::NVarChar(128), true);
    }
    return fail(195, "'" + e.parts.back() + "' is not a recognized built-in function name.");
  }
window: {
  std::string over = " OVER (";
  if (!e.partition_by.empty()) {
    over += "PARTITION BY ";
    for (size_t i = 0; i < e.partition_by.size(); ++i) {
      TExpr p;
      if (!expr(*e.partition_by[i], scope, &p)) return false;
      over += (i ? ", " : "") + p.sql;
    }
  }
  if (!e.over_order_by.empty()) {
    over += (e.partition_by.empty() ? "" : " ") + std::string("ORDER BY ");
    for (size_t i = 0; i < e.over_order_by.size(); ++i) {
      TExpr o;
      if (!expr(*e.over_order_by[i].first, scope, &o)) return false;
      over += (i ? ", " : "") + o.sql + (e.over_order_by[i].second ? " DESC" : "");
    }
  }
  out->sql += over + ")";
  out->aggregate = false;
  return true;
}
}

}  // namespace emu
