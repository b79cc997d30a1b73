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

namespace understudy::catalog {

namespace {

// The options compared unless a pair lists its own (`[pairs.NAME.include] configuration = […]`):
// settings an application or a job depends on. Memory, affinity and other machine-dependent
// options are left out: they differ between a primary and its DR target on purpose.
constexpr std::string_view kComparedOptions[] = {
    "ad hoc distributed queries",        "backup compression default",    "clr enabled",
    "contained database authentication", "cost threshold for parallelism", "database mail xps",
    "max degree of parallelism",         "optimize for ad hoc workloads",  "remote access",
    "xp_cmdshell",
};

bool compared_by_default(const std::string& name) {
  const std::string folded = fold_name(name);
  for (auto o : kComparedOptions)
    if (folded == o) return true;
  return false;
}

}  // namespace

// sys.configurations: value is the configured value (sp_configure's config_value), value_in_use
// the running one; they differ until RECONFIGURE, or until a restart for an option that is not
// dynamic. https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-configurations-transact-sql
void Assembler::configuration(const Columns& c, const odbc::Row& r) {
  const std::string name = text_or_empty(c.at(r, "name"));
  start(Kind::kConfiguration, name);
  fields_.put("is_advanced", c.at(r, "is_advanced"), As::kFlag);
  fields_.put("is_dynamic", c.at(r, "is_dynamic"), As::kFlag);
  fields_.put("value", c.at(r, "value"), As::kInt);
  fields_.put("value_in_use", c.at(r, "value_in_use"), As::kInt);
  volatile_.put("configuration_id", c.at(r, "configuration_id"), As::kInt);
  emit(!compared_by_default(name));
}

}  // namespace understudy::catalog
