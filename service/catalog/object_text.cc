#include "catalog/object_text.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "catalog/canonical.h"
#include "catalog/rows.h"

namespace understudy::catalog {

namespace {

void append_int(int64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// as_int_json: an integer, numeric text parsed whole, other text kept, double truncated.
enum class IntKind { kNull, kInt, kText };
IntKind int_of(const odbc::Value& v, int64_t& n, const std::string*& text) {
  if (auto* i = odbc::as_int(v)) {
    n = *i;
    return IntKind::kInt;
  }
  if (auto* s = odbc::as_text(v)) {
    try {
      size_t used = 0;
      long long parsed = std::stoll(*s, &used);
      if (used == s->size()) {
        n = parsed;
        return IntKind::kInt;
      }
    } catch (const std::exception&) {
    }
    text = s;
    return IntKind::kText;
  }
  if (auto* d = odbc::as_double(v)) {
    n = static_cast<int64_t>(*d);
    return IntKind::kInt;
  }
  return IntKind::kNull;
}


}  // namespace

void append_value_json(const odbc::Value& v, As as, bool fold, std::string& out) {
  switch (as) {
    case As::kGuid:
      if (odbc::as_text(v)) return append_json_string(guid_text(v), fold, out);
      [[fallthrough]];
    case As::kText:
      if (auto* s = odbc::as_text(v)) return append_json_string(*s, fold, out);
      if (auto* i = odbc::as_int(v)) return append_json_string(std::to_string(*i), fold, out);
      if (auto* b = odbc::as_bytes(v)) return append_json_string(odbc::to_hex(*b), fold, out);
      if (auto* d = odbc::as_double(v)) return append_json_string(std::to_string(*d), fold, out);
      out += "null";
      return;
    case As::kInt:
    case As::kFlag: {
      int64_t n = 0;
      const std::string* text = nullptr;
      switch (int_of(v, n, text)) {
        case IntKind::kInt:
          if (as == As::kFlag)
            out += n != 0 ? "true" : "false";
          else
            append_int(n, out);
          return;
        case IntKind::kText: return append_json_string(*text, fold, out);
        case IntKind::kNull: out += "null"; return;
      }
      return;
    }
    case As::kHex:
      if (odbc::as_bytes(v) || odbc::as_text(v)) return append_json_string(hex_text(v), fold, out);
      out += "null";
      return;
  }
}

void ObjectText::begin_entry(const char* name) {
  fold_ = canonical_on_ && is_name_field(name);
  if (!entries_.empty()) {
    if (std::strcmp(entries_.back().name, name) >= 0) sorted_ = false;
    text_.push_back(',');
    if (diverged_) canonical_.push_back(',');
  }
  entries_.push_back({name, static_cast<uint32_t>(text_.size()), 0, static_cast<uint32_t>(canonical_.size()), 0});
  size_t n = std::strlen(name);
  text_.push_back('"');
  text_.append(name, n);
  text_.append("\":");
  if (diverged_) {
    canonical_.push_back('"');
    canonical_.append(name, n);
    canonical_.append("\":");
  }
}

void ObjectText::end_entry() {
  auto& e = entries_.back();
  e.size = static_cast<uint32_t>(text_.size()) - e.offset;
  e.canonical_size = static_cast<uint32_t>(canonical_.size()) - e.canonical_offset;
}

void ObjectText::diverge(size_t value_start) {
  // Until now the canonical form was the text itself: copy it, up to the value that differs.
  canonical_.assign(text_, 0, value_start);
  for (auto& e : entries_) {
    e.canonical_offset = e.offset;
    e.canonical_size = e.size;
  }
  diverged_ = true;
}

void ObjectText::canonical_value(size_t start, std::string_view folded) {
  if (diverged_) {
    canonical_.append(folded);
  } else if (std::string_view(text_).substr(start) != folded) {
    diverge(start);
    canonical_.append(folded);
  }
}

void ObjectText::literal(std::string_view json) {
  text_.append(json);
  if (diverged_) canonical_.append(json);
}

void ObjectText::string(std::string_view s, bool fold) {
  size_t start = text_.size();
  append_json_string(s, false, text_);
  if (!fold) {
    if (diverged_) canonical_.append(text_, start, std::string::npos);
    return;
  }
  scratch_.clear();
  append_json_string(s, true, scratch_);
  canonical_value(start, scratch_);
}

void ObjectText::scalar(const odbc::Value& v, As as, bool fold) {
  // Plain text, the common case, without a round through a scratch string.
  if (as == As::kText)
    if (auto* s = odbc::as_text(v)) return string(*s, fold);
  size_t start = text_.size();
  append_value_json(v, as, false, text_);
  if (!fold) {
    if (diverged_) canonical_.append(text_, start, std::string::npos);
    return;
  }
  scratch_.clear();
  append_value_json(v, as, true, scratch_);
  canonical_value(start, scratch_);
}

void ObjectText::put(const char* name, const odbc::Value& v, As as) {
  begin_entry(name);
  scalar(v, as, fold_);
  end_entry();
}

void ObjectText::put_null(const char* name) {
  begin_entry(name);
  literal("null");
  end_entry();
}

void ObjectText::put_bool(const char* name, bool b) {
  begin_entry(name);
  literal(b ? "true" : "false");
  end_entry();
}

void ObjectText::put_text(const char* name, std::string_view s) {
  begin_entry(name);
  string(s, fold_);
  end_entry();
}

void ObjectText::put_name(const char* name, const std::string* s) {
  if (!s) return put_null(name);
  put_text(name, *s);
}

void ObjectText::put_raw(const char* name, std::string_view text, std::string_view canonical) {
  begin_entry(name);
  size_t start = text_.size();
  text_.append(text);
  if (canonical_on_) canonical_value(start, canonical);
  end_entry();
}

void ObjectText::finish(std::string& out, std::string* canonical) {
  if (sorted_) {  // put in name order, as the reader does: the buffers are the text already
    out.reserve(out.size() + text_.size() + 2);  // exact: job steps wait in memory for their job
    out.push_back('{');
    out.append(text_);
    out.push_back('}');
    if (diverged_ && canonical) {
      canonical->reserve(canonical->size() + canonical_.size() + 2);
      canonical->push_back('{');
      canonical->append(canonical_);
      canonical->push_back('}');
    }
  } else {
    auto by_name = [](const Entry& a, const Entry& b) { return std::strcmp(a.name, b.name) < 0; };
    std::sort(entries_.begin(), entries_.end(), by_name);
    for (size_t i = 1; i < entries_.size(); ++i)
      if (std::strcmp(entries_[i - 1].name, entries_[i].name) == 0)  // a reader bug, never data
        throw std::logic_error(std::string("catalog: field ") + entries_[i].name + " written twice");
    auto write = [&](std::string& dst, const std::string& src, bool canon) {
      dst.push_back('{');
      for (size_t i = 0; i < entries_.size(); ++i) {
        const auto& e = entries_[i];
        if (i) dst.push_back(',');
        dst.append(src, canon ? e.canonical_offset : e.offset, canon ? e.canonical_size : e.size);
      }
      dst.push_back('}');
    };
    write(out, text_, false);
    if (diverged_ && canonical) write(*canonical, canonical_, true);
  }
  entries_.clear();
  text_.clear();
  canonical_.clear();
  sorted_ = true;
  diverged_ = false;
}

}  // namespace understudy::catalog
