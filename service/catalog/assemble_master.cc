// assemble_master.cc — the Assembler's rows for what master holds besides principals (see
// assemble.h): custom error messages.
//
// sys.messages' language_id is the language's msglangid; sp_addmessage takes a language by name,
// so the name comes from sys.syslanguages (read just before). Several languages may share one
// msglangid (British and us_english: 1033); the one with the lowest langid names it.
// https://learn.microsoft.com/sql/relational-databases/system-catalog-views/messages-for-errors-catalog-views-sys-messages
// https://learn.microsoft.com/sql/relational-databases/system-compatibility-views/sys-syslanguages-transact-sql
#include "catalog/assemble.h"
#include "catalog/key.h"

namespace understudy::catalog {

namespace {

int64_t master_id_of(const odbc::Value& v) {
  auto j = as_int_json(v);
  return j.is_number_integer() ? j.get<int64_t>() : -1;
}

}  // namespace

void Assembler::language(const Columns& c, const odbc::Row& r) {
  const int64_t langid = master_id_of(c.at(r, "langid"));
  const int64_t msglangid = master_id_of(c.at(r, "msglangid"));
  auto it = message_languages_.find(msglangid);
  if (it != message_languages_.end() && it->second.first <= langid) return;
  message_languages_[msglangid] = {langid, text_or_empty(c.at(r, "name"))};
}

void Assembler::message(const Columns& c, const odbc::Row& r) {
  const auto& id = c.at(r, "message_id");
  const int64_t language_id = master_id_of(c.at(r, "language_id"));
  auto lang = message_languages_.find(language_id);
  // A language the instance does not list is keyed by its id (its replay then fails on the name).
  const std::string language = lang != message_languages_.end() ? lang->second.second : "#" + std::to_string(language_id);
  append_key({std::to_string(master_id_of(id)), language}, start(Kind::kCustomMessage, "").key);
  fields_.put("is_event_logged", c.at(r, "is_event_logged"), As::kFlag);
  fields_.put_name("language", &language);
  fields_.put("message_id", id, As::kInt);
  fields_.put("severity", c.at(r, "severity"), As::kInt);
  fields_.put("text", c.at(r, "text"), As::kText);
  volatile_.put("language_id", c.at(r, "language_id"), As::kInt);
  emit();
}

}  // namespace understudy::catalog
