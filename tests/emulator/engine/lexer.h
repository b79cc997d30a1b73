// lexer.h — T-SQL tokenizer for the emulator's engine.
//
// Turns a batch (UTF-8) into tokens: bracketed identifiers with `]]`, double-quoted identifiers,
// '' and N'' literals with doubled quotes, 0x binary literals, numbers, @variables and @@functions,
// operators, `--` and nested `/* */` comments (skipped). Keywords are plain identifiers: the parser
// compares them case-insensitively with is_keyword(). The parser, not this lexer, decides
// statement boundaries.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace emu {

enum class TokenKind : uint8_t {
  kIdentifier,        // plain word: SELECT, name, sys (text as written)
  kQuotedIdentifier,  // [a]]b] or "a""b" — text is the unquoted name: a]b
  kVariable,          // @x or @@SPID — text includes the @ signs
  kString,            // 'abc' — text unquoted, '' folded
  kNString,           // N'abc' — text unquoted, '' folded
  kBinary,            // 0x0AFF — text is the hex digits without 0x (may be empty)
  kInteger,           // 123
  kNumber,            // 1.5, 1e3
  kOperator,          // = <> != < <= > >= + - * / % , . ( ) ; ::  & | ^ ~
  kEnd,               // end of batch
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  int line = 1;        // 1-based line of the token's first character
  size_t offset = 0;   // byte offset in the batch
  size_t end = 0;      // byte offset just past the token

  bool is(TokenKind k) const { return kind == k; }
  // Case-insensitive keyword match on a plain identifier (never on [quoted] ones).
  bool is_keyword(const char* kw) const;
  bool is_op(const char* op) const { return kind == TokenKind::kOperator && text == op; }
  // Identifier-like: plain or quoted.
  bool is_name() const { return kind == TokenKind::kIdentifier || kind == TokenKind::kQuotedIdentifier; }
};

struct LexError {
  int line = 1;
  std::string message;  // SQL Server style, e.g. "Unclosed quotation mark after the character string 'abc'."
  int32_t number = 105; // 105 unclosed quote, 102 incorrect syntax
};

// Tokenizes `sql`. On success fills `out` (always ending with a kEnd token) and returns true;
// on a lexical error fills `err` and returns false.
bool tokenize(const std::string& sql, std::vector<Token>* out, LexError* err);

// Case-insensitive ASCII comparison (SQL Server's default CI collation for identifiers).
bool iequals(const std::string& a, const std::string& b);
std::string to_upper_ascii(std::string s);
std::string to_lower_ascii(std::string s);

}  // namespace emu
