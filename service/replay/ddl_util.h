// ddl_util.h — small helpers shared by the ddl_*.cc builders (internal to service/replay).
#pragma once

#include "replay/ddl.h"
#include "tsql/quote.h"

// Binds `var` to the value of a Result expression or returns its error.
#define RP_ASSIGN(var, expr)                                        \
  auto var##_result_ = (expr);                                      \
  if (!var##_result_) return ::tl::unexpected(var##_result_.error()); \
  auto var = std::move(*var##_result_)

namespace understudy::replay::ddl {

using Statements = std::vector<Statement>;

// [name] of a field that must hold a name.
[[nodiscard]] Result<tsql::Sql> ident_field(const nlohmann::json& f, const char* name);
// Appends a statement built from a Result<Sql>, or returns the error.
[[nodiscard]] Status push(Statements& out, Result<tsql::Sql> sql);
// Appends `EXEC @rc = …` with its return code checked.
[[nodiscard]] Status push_proc(Statements& out, tsql::Exec& e);

}  // namespace understudy::replay::ddl
