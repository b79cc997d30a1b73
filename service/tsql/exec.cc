// exec.cc — see exec.h.
#include "tsql/exec.h"

#include "tsql/quote.h"

namespace understudy::tsql {

Result<Sql> ident(std::string_view name) {
  auto q = quote_name(name);
  if (!q) return fail(q.error());
  return Sql().quoted(std::move(*q));
}

Sql literal(std::string_view text) { return Sql().quoted(quote_string(text)); }

Exec::Exec(Keyword proc) : proc_(proc) {}

Exec& Exec::returning(Keyword rc) {
  rc_ = rc;
  return *this;
}

Exec& Exec::add(Keyword param, Sql value) {
  if (!first_) args_.raw(",");
  first_ = false;
  args_.raw(" ").raw(param).raw(" = ").append(value);
  return *this;
}

Exec& Exec::str(Keyword param, std::string_view value) { return add(param, literal(value)); }

Exec& Exec::opt_str(Keyword param, const std::optional<std::string>& v) {
  return v ? str(param, *v) : null(param);
}

Exec& Exec::num(Keyword param, int64_t value) { return add(param, Sql().quoted(int_literal(value))); }

Exec& Exec::ascii(Keyword param, Keyword constant) { return add(param, Sql(constant)); }

Exec& Exec::var(Keyword param, Keyword variable, bool output) {
  Sql v(variable);
  if (output) v.raw(" OUTPUT");
  return add(param, v);
}

Exec& Exec::guid(Keyword param, std::string_view g) {
  auto lit = guid_literal(g);
  if (!lit) {
    if (!error_) error_ = lit.error();
    return *this;
  }
  return add(param, Sql().quoted(std::move(*lit)));
}

Exec& Exec::null(Keyword param) { return add(param, Sql("NULL")); }

Exec& Exec::secret(Keyword param, SecretRef ref) {
  return add(param, Sql().secret(std::move(ref), SecretForm::kString));
}

Result<Sql> Exec::build() const {
  if (error_) return fail(*error_);
  Sql out("EXEC ");
  if (rc_) out.raw(*rc_).raw(" = ");
  out.raw(proc_).append(args_).raw(";");
  return out;
}

}  // namespace understudy::tsql
