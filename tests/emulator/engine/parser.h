// parser.h — T-SQL batch parser of the emulator's executor: tokens → statements (ast.h).
//
// The whole batch is parsed before anything runs, as SQL Server compiles a batch first: a syntax
// error (102 "Incorrect syntax near 'x'.", 156 "… near the keyword 'x'.") or a statement the
// emulator refuses (INSERT into the catalog, CREATE TABLE, …) aborts the batch before any
// statement executes. Statement boundaries come from the grammar; `;` is optional.
// DDL handled by the state layer (CatalogState::is_ddl_start) keeps its token range; its end is
// found by skipping to the next statement start.
// Thread-safety: pure functions over their inputs.
#pragma once

#include <string>
#include <vector>

#include "engine/ast.h"
#include "engine/lexer.h"

namespace emu {

struct ParseError {
  int32_t number = 102;
  int line = 1;
  std::string message;
};

// Parses a batch. Returns false with *err on a syntax error or refused statement.
bool parse_batch(const std::string& sql, const std::vector<Token>& tokens, std::vector<StmtPtr>* out,
                 ParseError* err);

// Parses a data type at tokens[*pos] ("nvarchar(128)", "sysname", "varbinary(max)", …).
bool parse_type_name(const std::vector<Token>& tokens, size_t* pos, SqlType* out, ParseError* err);

// Parses an sp_executesql parameter declaration list ("@a int, @b nvarchar(10) OUTPUT").
struct ParamDecl {
  std::string name;
  SqlType type;
  bool output = false;
};
bool parse_param_decls(const std::string& text, std::vector<ParamDecl>* out, ParseError* err);

// True for words SQL Server reserves (cannot be an alias without brackets).
bool is_reserved_word(const std::string& word);

}  // namespace emu
