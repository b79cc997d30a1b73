// parser_expr.cc — expressions and SELECT for the executor's parser (see parser_impl.h).
#include "engine/parser_impl.h"

namespace emu {

ExprPtr make_expr(Expr::Kind kind) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  return e;
}

namespace {

ExprPtr binary(std::string op, ExprPtr l, ExprPtr r) {
  auto e = make_expr(Expr::Kind::kBinOp);
  e->op = std::move(op);
  e->begin = l->begin;
  e->end = r->end;
  e->args.push_back(std::move(l));
  e->args.push_back(std::move(r));
  return e;
}

}  // namespace

ExprPtr Parser::parse_expr() {
  if (++depth_ > 200) {
    fail_msg(191, "Some part of your SQL statement is nested too deeply. Rewrite the query or break it up into smaller queries.");
    return nullptr;
  }
  ExprPtr e = parse_or();
  --depth_;
  return e;
}

ExprPtr Parser::parse_or() {
  ExprPtr l = parse_and();
  while (l && accept_kw("OR")) {
    ExprPtr r = parse_and();
    if (!r) return nullptr;
    l = binary("OR", std::move(l), std::move(r));
  }
  return l;
}

ExprPtr Parser::parse_and() {
  ExprPtr l = parse_not();
  while (l && accept_kw("AND")) {
    ExprPtr r = parse_not();
    if (!r) return nullptr;
    l = binary("AND", std::move(l), std::move(r));
  }
  return l;
}

ExprPtr Parser::parse_not() {
  if (cur().is_keyword("NOT")) {
    size_t b = cur().offset;
    ++pos_;
    ExprPtr inner = parse_not();
    if (!inner) return nullptr;
    auto e = make_expr(Expr::Kind::kUnary);
    e->op = "NOT";
    e->begin = b;
    e->end = inner->end;
    e->args.push_back(std::move(inner));
    return e;
  }
  return parse_predicate();
}

ExprPtr Parser::parse_predicate() {
  if (cur().is_keyword("EXISTS")) {
    size_t b = cur().offset;
    ++pos_;
    if (!expect_op("(")) return nullptr;
    auto e = make_expr(Expr::Kind::kExists);
    e->begin = b;
    e->subquery = parse_select();
    if (!e->subquery || !expect_op(")")) return nullptr;
    e->end = t_[pos_ - 1].end;
    return e;
  }
  ExprPtr l = parse_additive();
  if (!l) return nullptr;
  static const char* kCmp[] = {"=", "<>", "!=", "<", "<=", ">", ">=", "!<", "!>"};
  for (const char* op : kCmp) {
    if (cur().is_op(op)) {
      ++pos_;
      ExprPtr r = parse_additive();
      if (!r) return nullptr;
      std::string o = op;
      if (o == "!=") o = "<>";
      if (o == "!<") o = ">=";
      if (o == "!>") o = "<=";
      return binary(o, std::move(l), std::move(r));
    }
  }
  bool negated = false;
  size_t save = pos_;
  if (accept_kw("NOT")) negated = true;
  if (accept_kw("IN")) {
    auto e = make_expr(Expr::Kind::kIn);
    e->negated = negated;
    e->begin = l->begin;
    e->args.push_back(std::move(l));
    if (!expect_op("(")) return nullptr;
    if (at_select_start()) {
      e->subquery = parse_select();
      if (!e->subquery) return nullptr;
    } else {
      do {
        ExprPtr item = parse_expr();
        if (!item) return nullptr;
        e->args.push_back(std::move(item));
      } while (accept_op(","));
    }
    if (!expect_op(")")) return nullptr;
    e->end = t_[pos_ - 1].end;
    return e;
  }
  if (accept_kw("LIKE")) {
    auto e = make_expr(Expr::Kind::kLike);
    e->negated = negated;
    e->begin = l->begin;
    e->args.push_back(std::move(l));
    ExprPtr pat = parse_additive();
    if (!pat) return nullptr;
    e->end = pat->end;
    e->args.push_back(std::move(pat));
    if (accept_kw("ESCAPE")) {
      ExprPtr esc = parse_primary();
      if (!esc) return nullptr;
      e->end = esc->end;
      e->args.push_back(std::move(esc));
    }
    return e;
  }
  if (accept_kw("BETWEEN")) {
    auto e = make_expr(Expr::Kind::kBetween);
    e->negated = negated;
    e->begin = l->begin;
    e->args.push_back(std::move(l));
    ExprPtr lo = parse_additive();
    if (!lo || !expect_kw("AND")) return nullptr;
    ExprPtr hi = parse_additive();
    if (!hi) return nullptr;
    e->end = hi->end;
    e->args.push_back(std::move(lo));
    e->args.push_back(std::move(hi));
    return e;
  }
  if (negated) {
    pos_ = save;
    fail(cur());
    return nullptr;
  }
  if (cur().is_keyword("IS")) {
    ++pos_;
    auto e = make_expr(Expr::Kind::kIsNull);
    if (accept_kw("NOT")) e->negated = true;
    if (!expect_kw("NULL")) return nullptr;
    e->begin = l->begin;
    e->end = t_[pos_ - 1].end;
    e->args.push_back(std::move(l));
    return e;
  }
  return l;
}

ExprPtr Parser::parse_additive() {
  ExprPtr l = parse_mult();
  while (l) {
    const char* op = nullptr;
    for (const char* o : {"+", "-", "&", "|", "^"}) {
      if (cur().is_op(o)) op = o;
    }
    if (op == nullptr) break;
    ++pos_;
    ExprPtr r = parse_mult();
    if (!r) return nullptr;
    l = binary(op, std::move(l), std::move(r));
  }
  return l;
}

ExprPtr Parser::parse_mult() {
  ExprPtr l = parse_unary();
  while (l) {
    const char* op = nullptr;
    for (const char* o : {"*", "/", "%"}) {
      if (cur().is_op(o)) op = o;
    }
    if (op == nullptr) break;
    ++pos_;
    ExprPtr r = parse_unary();
    if (!r) return nullptr;
    l = binary(op, std::move(l), std::move(r));
  }
  return l;
}

ExprPtr Parser::parse_unary() {
  for (const char* o : {"-", "+", "~"}) {
    if (cur().is_op(o)) {
      size_t b = cur().offset;
      ++pos_;
      ExprPtr inner = parse_unary();
      if (!inner) return nullptr;
      // Fold -<number> into a literal so -2147483648 and ORDER BY stay simple.
      if (std::string(o) == "-" && (inner->kind == Expr::Kind::kInteger || inner->kind == Expr::Kind::kNumber) &&
          inner->text[0] != '-') {
        inner->text = "-" + inner->text;
        inner->begin = b;
        return inner;
      }
      auto e = make_expr(Expr::Kind::kUnary);
      e->op = o;
      e->begin = b;
      e->end = inner->end;
      e->args.push_back(std::move(inner));
      return e;
    }
  }
  return parse_primary();
}

bool Parser::at_select_start() const {
  if (cur().is_keyword("SELECT")) return true;
  // ((SELECT …)) nesting
  size_t k = pos_;
  while (t_[k].is_op("(")) ++k;
  return k != pos_ && t_[k].is_keyword("SELECT");
}

ExprPtr Parser::parse_case() {
  auto e = make_expr(Expr::Kind::kCase);
  e->begin = cur().offset;
  ++pos_;  // CASE
  if (!cur().is_keyword("WHEN")) {
    ExprPtr operand = parse_expr();
    if (!operand) return nullptr;
    e->has_operand = true;
    e->args.push_back(std::move(operand));
  }
  bool any = false;
  while (accept_kw("WHEN")) {
    ExprPtr w = parse_expr();
    if (!w || !expect_kw("THEN")) return nullptr;
    ExprPtr th = parse_expr();
    if (!th) return nullptr;
    e->args.push_back(std::move(w));
    e->args.push_back(std::move(th));
    any = true;
  }
  if (!any) {
    fail(cur());
    return nullptr;
  }
  if (accept_kw("ELSE")) {
    ExprPtr el = parse_expr();
    if (!el) return nullptr;
    e->has_else = true;
    e->args.push_back(std::move(el));
  }
  if (!expect_kw("END")) return nullptr;
  e->end = t_[pos_ - 1].end;
  return e;
}

bool Parser::parse_over(Expr* e) {
  if (!accept_kw("OVER")) return true;
  e->has_over = true;
  if (!expect_op("(")) return false;
  if (accept_kw("PARTITION")) {
    if (!expect_kw("BY")) return false;
    do {
      ExprPtr p = parse_expr();
      if (!p) return false;
      e->partition_by.push_back(std::move(p));
    } while (accept_op(","));
  }
  if (accept_kw("ORDER")) {
    if (!expect_kw("BY")) return false;
    do {
      ExprPtr o = parse_expr();
      if (!o) return false;
      bool desc = false;
      if (accept_kw("DESC")) desc = true;
      else accept_kw("ASC");
      e->over_order_by.emplace_back(std::move(o), desc);
    } while (accept_op(","));
  }
  return expect_op(")");
}

ExprPtr Parser::parse_function(std::vector<std::string> name_parts, size_t begin) {
  auto e = make_expr(Expr::Kind::kFunc);
  e->begin = begin;
  e->text = to_upper_ascii(name_parts.back());
  e->parts = std::move(name_parts);
  ++pos_;  // (
  if (e->text == "CAST" || e->text == "TRY_CAST") {
    e->kind = Expr::Kind::kCast;
    ExprPtr v = parse_expr();
    if (!v || !expect_kw("AS")) return nullptr;
    if (!parse_type(&e->cast_type)) return nullptr;
    e->args.push_back(std::move(v));
  } else if (e->text == "CONVERT" || e->text == "TRY_CONVERT") {
    e->kind = Expr::Kind::kCast;
    e->is_convert = true;
    if (!parse_type(&e->cast_type) || !expect_op(",")) return nullptr;
    ExprPtr v = parse_expr();
    if (!v) return nullptr;
    e->args.push_back(std::move(v));
    if (accept_op(",")) {
      ExprPtr style = parse_expr();
      if (!style) return nullptr;
      e->args.push_back(std::move(style));
    }
  } else if (e->text == "DATEADD" || e->text == "DATEDIFF" || e->text == "DATEPART" || e->text == "DATENAME" ||
             e->text == "DATEDIFF_BIG") {
    // first argument is a date part keyword: keep it as a string literal
    if (!cur().is_name()) {
      fail(cur());
      return nullptr;
    }
    auto part = make_expr(Expr::Kind::kString);
    part->text = to_lower_ascii(cur().text);
    part->begin = cur().offset;
    part->end = cur().end;
    ++pos_;
    e->args.push_back(std::move(part));
    while (accept_op(",")) {
      ExprPtr a = parse_expr();
      if (!a) return nullptr;
      e->args.push_back(std::move(a));
    }
  } else if (!cur().is_op(")")) {
    if (accept_kw("DISTINCT")) e->distinct = true;
    else accept_kw("ALL");
    do {
      if (cur().is_op("*")) {
        auto star = make_expr(Expr::Kind::kStar);
        star->begin = cur().offset;
        star->end = cur().end;
        ++pos_;
        e->args.push_back(std::move(star));
        continue;
      }
      ExprPtr a = parse_expr();
      if (!a) return nullptr;
      e->args.push_back(std::move(a));
    } while (accept_op(","));
  }
  if (!expect_op(")")) return nullptr;
  e->end = t_[pos_ - 1].end;
  if (cur().is_keyword("WITHIN")) {  // STRING_AGG … WITHIN GROUP (ORDER BY …): not supported
    fail(cur());
    return nullptr;
  }
  if (!parse_over(e.get())) return nullptr;
  if (e->has_over) e->end = t_[pos_ - 1].end;
  return e;
}

ExprPtr Parser::parse_primary() {
  const Token& tok = cur();
  size_t b = tok.offset;
  auto literal = [&](Expr::Kind k) {
    auto e = make_expr(k);
    e->text = tok.text;
    e->begin = b;
    e->end = tok.end;
    ++pos_;
    return e;
  };
  switch (tok.kind) {
    case TokenKind::kInteger: return literal(Expr::Kind::kInteger);
    case TokenKind::kNumber: return literal(Expr::Kind::kNumber);
    case TokenKind::kString: return literal(Expr::Kind::kString);
    case TokenKind::kNString: return literal(Expr::Kind::kNString);
    case TokenKind::kBinary: return literal(Expr::Kind::kBinary);
    case TokenKind::kVariable: return literal(Expr::Kind::kVariable);
    case TokenKind::kOperator:
      if (tok.is_op("(")) {
        if (at_select_start()) {
          ++pos_;
          auto e = make_expr(Expr::Kind::kSubquery);
          e->begin = b;
          e->subquery = parse_select();
          if (!e->subquery || !expect_op(")")) return nullptr;
          e->end = t_[pos_ - 1].end;
          return e;
        }
        ++pos_;
        ExprPtr inner = parse_expr();
        if (!inner || !expect_op(")")) return nullptr;
        inner->begin = b;
        inner->end = t_[pos_ - 1].end;
        return inner;
      }
      fail(tok);
      return nullptr;
    case TokenKind::kEnd:
      fail(tok);
      return nullptr;
    default: break;
  }
  if (tok.is_keyword("NULL")) return literal(Expr::Kind::kNull);
  if (tok.is_keyword("CASE")) return parse_case();
  for (const char* niladic : {"CURRENT_TIMESTAMP", "SYSTEM_USER", "CURRENT_USER", "SESSION_USER", "USER"}) {
    if (tok.is_keyword(niladic) && !peek().is_op("(")) {
      auto e = make_expr(Expr::Kind::kFunc);
      e->text = niladic;
      e->begin = b;
      e->end = tok.end;
      ++pos_;
      return e;
    }
  }
  if (tok.is(TokenKind::kIdentifier) && is_reserved_word(tok.text) && !tok.is_keyword("CONVERT") &&
      !tok.is_keyword("NULLIF") && !tok.is_keyword("LEFT") && !tok.is_keyword("RIGHT")) {
    fail(tok);
    return nullptr;
  }
  // name, dotted name, function call, alias.*
  std::vector<std::string> parts;
  parts.push_back(tok.text);
  ++pos_;
  while (cur().is_op(".")) {
    ++pos_;
    if (cur().is_op("*")) {
      auto e = make_expr(Expr::Kind::kStar);
      e->parts = std::move(parts);
      e->begin = b;
      e->end = cur().end;
      ++pos_;
      return e;
    }
    if (cur().is_op(".")) {
      parts.push_back("");
      continue;
    }
    if (!cur().is_name()) {
      fail(cur());
      return nullptr;
    }
    parts.push_back(cur().text);
    ++pos_;
  }
  if (cur().is_op("(") && (parts.size() > 1 || tok.is(TokenKind::kIdentifier))) {
    return parse_function(std::move(parts), b);
  }
  auto e = make_expr(Expr::Kind::kColumn);
  e->parts = std::move(parts);
  e->begin = b;
  e->end = t_[pos_ - 1].end;
  return e;
}

// ---- SELECT ----

bool Parser::is_alias_candidate() const {
  const Token& tok = cur();
  if (tok.is(TokenKind::kQuotedIdentifier) || tok.is(TokenKind::kString)) return true;
  if (tok.is(TokenKind::kIdentifier)) {
    if (is_reserved_word(tok.text)) return false;
    // A word followed by ':' is a label, not an alias; GO is not an alias either.
    if (peek().is_op(":") && !peek().is_op("::")) return false;
    for (const char* kw : {"GO", "RAISERROR", "THROW", "WAITFOR", "OPTION", "FOR", "CROSS", "OUTER", "APPLY"}) {
      if (tok.is_keyword(kw)) return false;
    }
    return true;
  }
  return false;
}

std::unique_ptr<SelectStmt> Parser::parse_select() {
  if (cur().is_op("(")) {  // (SELECT …) [UNION …]
    ++pos_;
    auto inner = parse_select();
    if (!inner || !expect_op(")")) return nullptr;
    return inner;
  }
  auto first = parse_select_core();
  if (!first) return nullptr;
  SelectStmt* last = first.get();
  while (true) {
    std::string op;
    if (cur().is_keyword("UNION")) {
      ++pos_;
      op = accept_kw("ALL") ? "UNION ALL" : "UNION";
    } else if (cur().is_keyword("EXCEPT")) {
      ++pos_;
      op = "EXCEPT";
    } else if (cur().is_keyword("INTERSECT")) {
      ++pos_;
      op = "INTERSECT";
    } else {
      break;
    }
    std::unique_ptr<SelectStmt> next;
    if (cur().is_op("(")) {
      ++pos_;
      next = parse_select_core();
      if (!next || !expect_op(")")) return nullptr;
    } else {
      next = parse_select_core();
    }
    if (!next) return nullptr;
    last->set_op = op;
    last->next = std::move(next);
    last = last->next.get();
  }
  if (accept_kw("ORDER")) {
    if (!expect_kw("BY")) return nullptr;
    do {
      OrderItem item;
      item.expr = parse_expr();
      if (!item.expr) return nullptr;
      if (accept_kw("DESC")) item.desc = true;
      else accept_kw("ASC");
      first->order_by.push_back(std::move(item));
    } while (accept_op(","));
    if (accept_kw("OFFSET")) {
      first->offset = parse_expr();
      if (!first->offset) return nullptr;
      if (!accept_kw("ROW") && !expect_kw("ROWS")) return nullptr;
      if (accept_kw("FETCH")) {
        if (!accept_kw("NEXT") && !expect_kw("FIRST")) return nullptr;
        first->fetch = parse_expr();
        if (!first->fetch) return nullptr;
        if (!accept_kw("ROW") && !expect_kw("ROWS")) return nullptr;
        if (!expect_kw("ONLY")) return nullptr;
      }
    }
  }
  return first;
}

std::unique_ptr<SelectStmt> Parser::parse_select_core() {
  if (!expect_kw("SELECT")) return nullptr;
  auto s = std::make_unique<SelectStmt>();
  if (accept_kw("DISTINCT")) s->distinct = true;
  else accept_kw("ALL");
  if (accept_kw("TOP")) {
    if (accept_op("(")) {
      s->top = parse_expr();
      if (!s->top || !expect_op(")")) return nullptr;
    } else if (cur().is(TokenKind::kInteger) || cur().is(TokenKind::kVariable)) {
      s->top = parse_primary();
    } else {
      fail(cur());
      return nullptr;
    }
    if (cur().is_keyword("PERCENT") || cur().is_keyword("WITH")) {
      fail(cur());
      return nullptr;
    }
  }
  do {
    SelectItem item;
    // @v = expr (assignment) and alias = expr forms
    if (cur().is(TokenKind::kVariable) && peek().kind == TokenKind::kOperator &&
        (peek().text == "=" || peek().text == "+=" || peek().text == "-=")) {
      item.assign_var = cur().text;
      pos_ += 2;
    } else if ((cur().is(TokenKind::kQuotedIdentifier) || cur().is(TokenKind::kString) ||
                (cur().is(TokenKind::kIdentifier) && !is_reserved_word(cur().text))) &&
               peek().is_op("=")) {
      item.alias = cur().text;
      item.has_alias = true;
      pos_ += 2;
    }
    if (cur().is_op("*")) {
      item.expr = make_expr(Expr::Kind::kStar);
      item.expr->begin = cur().offset;
      item.expr->end = cur().end;
      ++pos_;
    } else {
      item.expr = parse_expr();
      if (!item.expr) return nullptr;
    }
    if (!item.has_alias && item.expr->kind != Expr::Kind::kStar) {
      if (accept_kw("AS")) {
        if (!cur().is_name() && !cur().is(TokenKind::kString)) {
          fail(cur());
          return nullptr;
        }
        item.alias = cur().text;
        item.has_alias = true;
        ++pos_;
      } else if (is_alias_candidate()) {
        item.alias = cur().text;
        item.has_alias = true;
        ++pos_;
      }
    }
    s->items.push_back(std::move(item));
  } while (accept_op(","));
  if (cur().is_keyword("INTO")) {
    fail_msg(40517, "Keyword or statement option 'SELECT INTO' is not supported in this version of SQL Server.");
    return nullptr;
  }
  if (accept_kw("FROM")) {
    s->from = parse_from();
    if (!s->from) return nullptr;
  }
  if (accept_kw("WHERE")) {
    s->where = parse_expr();
    if (!s->where) return nullptr;
  }
  if (accept_kw("GROUP")) {
    if (!expect_kw("BY")) return nullptr;
    do {
      ExprPtr g = parse_expr();
      if (!g) return nullptr;
      s->group_by.push_back(std::move(g));
    } while (accept_op(","));
  }
  if (accept_kw("HAVING")) {
    s->having = parse_expr();
    if (!s->having) return nullptr;
  }
  return s;
}

std::unique_ptr<TableRef> Parser::parse_table_primary() {
  auto ref = std::make_unique<TableRef>();
  if (cur().is_op("(")) {
    if (at_select_start()) {
      ++pos_;
      ref->kind = TableRef::Kind::kDerived;
      ref->derived = parse_select();
      if (!ref->derived || !expect_op(")")) return nullptr;
    } else {
      ++pos_;
      auto inner = parse_from();
      if (!inner || !expect_op(")")) return nullptr;
      return inner;
    }
  } else {
    ref->kind = TableRef::Kind::kNamed;
    size_t b = cur().offset;
    if (cur().is(TokenKind::kVariable)) {  // a table variable
      ref->parts.push_back(cur().text);
      ++pos_;
    } else if (!parse_multipart(&ref->parts)) {
      return nullptr;
    }
    ref->display_name = sql_.substr(b, t_[pos_ - 1].end - b);
    if (cur().is_op("(")) {  // table-valued function: not supported
      fail_msg(208, "Invalid object name '" + ref->display_name + "'.");
      return nullptr;
    }
  }
  if (accept_kw("AS")) {
    if (!parse_name(&ref->alias)) return nullptr;
  } else if (cur().is_name() && is_alias_candidate()) {
    ref->alias = cur().text;
    ++pos_;
  }
  if (ref->kind == TableRef::Kind::kDerived && ref->alias.empty()) {
    fail(cur());
    return nullptr;
  }
  if (cur().is_keyword("WITH") && peek().is_op("(")) {  // table hints: WITH (NOLOCK)
    pos_ += 2;
    while (!cur().is_op(")") && !cur().is(TokenKind::kEnd)) ++pos_;
    if (!expect_op(")")) return nullptr;
  }
  return ref;
}

std::unique_ptr<TableRef> Parser::parse_from() {
  auto left = parse_table_primary();
  if (!left) return nullptr;
  while (true) {
    std::string type;
    if (accept_op(",")) {
      type = "CROSS";
    } else if (accept_kw("JOIN")) {
      type = "INNER";
    } else if (cur().is_keyword("INNER") && peek().is_keyword("JOIN")) {
      pos_ += 2;
      type = "INNER";
    } else if (cur().is_keyword("CROSS") && peek().is_keyword("JOIN")) {
      pos_ += 2;
      type = "CROSS";
    } else if (cur().is_keyword("LEFT") || cur().is_keyword("RIGHT") || cur().is_keyword("FULL")) {
      type = to_upper_ascii(cur().text);
      ++pos_;
      accept_kw("OUTER");
      if (!expect_kw("JOIN")) return nullptr;
    } else if (cur().is_keyword("CROSS") || cur().is_keyword("OUTER")) {
      fail(cur());  // APPLY: not supported
      return nullptr;
    } else {
      break;
    }
    auto join = std::make_unique<TableRef>();
    join->kind = TableRef::Kind::kJoin;
    join->join_type = type;
    join->left = std::move(left);
    join->right = parse_table_primary();
    if (!join->right) return nullptr;
    if (type != "CROSS") {
      if (!expect_kw("ON")) return nullptr;
      join->on = parse_expr();
      if (!join->on) return nullptr;
    }
    left = std::move(join);
  }
  return left;
}

}  // namespace emu
