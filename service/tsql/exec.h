// exec.h — builders for statements made of quoted values: EXEC with named arguments, and the
// small helpers ident()/literal() that turn one value into a Sql fragment.
//
//   Exec e("msdb.dbo.sp_add_category");
//   e.ascii("@class", "'JOB'").str("@name", category);
//   US_TRY(e.build());  // EXEC msdb.dbo.sp_add_category @class = 'JOB', @name = N'…';
//
// Named arguments only: with @name = value the order of a procedure's parameters does not matter
// (https://learn.microsoft.com/sql/t-sql/language-elements/execute-transact-sql); values are
// constants, variables or DEFAULT, never expressions. Errors from quoting (a GUID that is not
// one, a 129-character name) are kept and returned by build(), so a chain stays readable.
// Thread-safety: plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "tsql/sql.h"

namespace understudy::tsql {

// [name] as a fragment.
[[nodiscard]] Result<Sql> ident(std::string_view name);
// N'text' as a fragment.
Sql literal(std::string_view text);

class Exec {
 public:
  explicit Exec(Keyword proc);
  // EXEC @rc = proc … (rc: a declared variable, e.g. "@rc").
  Exec& returning(Keyword rc);

  Exec& str(Keyword param, std::string_view value);                   // @p = N'…'
  Exec& opt_str(Keyword param, const std::optional<std::string>& v);  // @p = N'…' | NULL
  Exec& num(Keyword param, int64_t value);                            // @p = 42
  Exec& ascii(Keyword param, Keyword constant);                       // @p = 'JOB' (written by us)
  Exec& var(Keyword param, Keyword variable, bool output = false);    // @p = @v [OUTPUT]
  Exec& guid(Keyword param, std::string_view guid);                   // @p = N'8-4-4-4-12'
  Exec& null(Keyword param);                                          // @p = NULL
  Exec& secret(Keyword param, SecretRef ref);                         // @p = N'<slot>'

  // "EXEC [@rc = ]proc @a = …, @b = …;"
  [[nodiscard]] Result<Sql> build() const;

 private:
  Exec& add(Keyword param, Sql value);
  Keyword proc_;
  std::optional<Keyword> rc_;
  Sql args_;
  bool first_ = true;
  std::optional<Error> error_;
};

}  // namespace understudy::tsql
