// object_text.h — writes one object's fields as JSON text straight from catalog values
// (internal to service/catalog; record.h says why).
//
// Fields are put in any order and written sorted by name (put in name order, the text is written
// as it goes and finish() only closes it), the order nlohmann's std::map keeps, so
// the text is byte for byte append_json_text (and, with the canonical form on, append_canonical)
// of the tree the same values would make. Each value is converted the way the object model types
// its column (As), with the same rules as the JSON getters in rows.h.
// Thread-safety: one thread. Reused object after object: no allocation once its buffers have grown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "odbc/value.h"

namespace understudy::catalog {

// How a column is typed in the object model (rows.h: as_text_json, as_int_json …).
enum class As { kText, kInt, kFlag, kHex, kGuid };

class ObjectText {
 public:
  // `canonical`: also write the canonical form (name fields folded); off for volatile fields.
  explicit ObjectText(bool canonical) : canonical_on_(canonical) {}

  // `name` must outlive finish(): the reader passes string literals.
  void put(const char* name, const odbc::Value& v, As as);
  void put_null(const char* name);
  void put_bool(const char* name, bool b);
  void put_text(const char* name, std::string_view s);
  // A name that may be missing (nullptr: JSON null), e.g. an id resolved through a map.
  void put_name(const char* name, const std::string* s);
  // Text already rendered as JSON (arrays, nested objects), with its canonical form.
  void put_raw(const char* name, std::string_view text, std::string_view canonical);

  // Appends `{…}` to `out`, and the canonical form to `*canonical` when it is on and differs from
  // the text (nothing when they are the same: most objects have no capital in a name), and
  // starts over.
  void finish(std::string& out, std::string* canonical = nullptr);

 private:
  // One field: `"name":value` at [offset, offset + size) of text_ (and of canonical_).
  struct Entry {
    const char* name;
    uint32_t offset, size, canonical_offset, canonical_size;
  };
  void begin_entry(const char* name);
  void end_entry();
  // The value's JSON in text_ (and canonical_), `fold` for a name field.
  void scalar(const odbc::Value& v, As as, bool fold);
  void string(std::string_view s, bool fold);
  void literal(std::string_view json);
  // The canonical form of the value written at text_[start…]: kept only once it differs.
  void canonical_value(size_t start, std::string_view folded);
  void diverge(size_t value_start);

  bool canonical_on_;
  bool fold_ = false;
  bool sorted_ = true;     // every name so far greater than the one before
  bool diverged_ = false;  // canonical_ holds the canonical form (it differs from text_)
  std::vector<Entry> entries_;
  std::string text_, canonical_, scratch_;
};

// The JSON of one value as put() would write it, for values kept before their object is built
// (a step's fields, a login's policy flags). `fold`: the canonical form of a name field.
void append_value_json(const odbc::Value& v, As as, bool fold, std::string& out);

}  // namespace understudy::catalog
