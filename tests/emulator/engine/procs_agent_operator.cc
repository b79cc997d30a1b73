// procs_agent_operator.cc — msdb's sp_update_operator: a NULL argument leaves the stored value as
// it is; an empty (or all-blank) string clears a nullable text column (e-mail, pager, net send
// address; category back to "[Uncategorized]"). Page followed:
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-update-operator-transact-sql
// (arguments default to NULL, sysadmin only); the "empty string clears" rule is the procedure's own
// ("Turn [nullable] empty string parameters into NULLs"), the same rule the sp_update_jobstep page
// documents for @output_file_name.
// Internal to the state layer. Thread-safety: caller holds the instance lock.
#include "engine/agent_model.h"
#include "engine/procs_internal.h"
#include "engine/state_util.h"

namespace emu::st {

namespace {

constexpr int64_t kUncategorizedOperators = 99;

void sp_update_operator(ProcCall& c) {
  const std::string name = *c.str("@name");
  const auto netsend = c.str("@netsend_address");
  if (netsend && !netsend->empty() && c.managed_instance()) raise_mi_unsupported("NetSend", 13);
  require_sysadmin(c);
  auto id = find_operator(c.db(), name);
  if (!id) raise_does_not_exist("@name", name);
  auto rows = query(c.db(),
                    "SELECT enabled, email_address, pager_address, weekday_pager_start_time, weekday_pager_end_time, "
                    "saturday_pager_start_time, saturday_pager_end_time, sunday_pager_start_time, sunday_pager_end_time, "
                    "pager_days, netsend_address, category_id FROM msdb_sysoperators WHERE id = ?1",
                    {integer(*id)});
  const Row& r = rows.at(0);
  OperatorSpec s;
  s.name = name;
  if (auto n = c.str("@new_name"); n && !n->empty()) {
    check_identifier_length(*n);
    if (auto other = find_operator(c.db(), *n); other && *other != *id) {
      throw SqlError{14261, "The specified @name ('" + *n + "') already exists."};
    }
    s.name = *n;
  }
  // NULL keeps the stored value; '' (after trimming) clears it.
  auto text_arg = [&](const char* param, const Value& stored) -> std::optional<std::string> {
    auto v = c.str(param);
    if (!v) return as_text(stored);
    if (v->empty()) return std::nullopt;
    return v;
  };
  s.enabled = c.num("@enabled").value_or(*as_int(r[0]));
  s.email_address = text_arg("@email_address", r[1]);
  s.pager_address = text_arg("@pager_address", r[2]);
  s.weekday_pager_start_time = c.num("@weekday_pager_start_time").value_or(*as_int(r[3]));
  s.weekday_pager_end_time = c.num("@weekday_pager_end_time").value_or(*as_int(r[4]));
  s.saturday_pager_start_time = c.num("@saturday_pager_start_time").value_or(*as_int(r[5]));
  s.saturday_pager_end_time = c.num("@saturday_pager_end_time").value_or(*as_int(r[6]));
  s.sunday_pager_start_time = c.num("@sunday_pager_start_time").value_or(*as_int(r[7]));
  s.sunday_pager_end_time = c.num("@sunday_pager_end_time").value_or(*as_int(r[8]));
  s.pager_days = c.num("@pager_days").value_or(*as_int(r[9]));
  s.netsend_address = text_arg("@netsend_address", r[10]);
  s.category_id = *as_int(r[11]);
  if (auto cat = c.str("@category_name")) {
    if (cat->empty()) {
      s.category_id = kUncategorizedOperators;
    } else {
      auto cid = find_category(c.db(), 3, *cat);
      if (!cid) raise_invalid_returned_by("@category_name", "sp_help_category");
      s.category_id = *cid;
    }
  }
  if (s.enabled != 0 && s.enabled != 1) raise_invalid_values("@enabled", "0, 1");
  if (s.pager_days < 0 || s.pager_days > 127) raise_invalid_values("@pager_days", "0..127");
  update_operator(c.db(), *id, s);
}

}  // namespace

void add_agent_operator_procs(std::vector<ProcDef>* out) {
  out->push_back({"sp_update_operator", "msdb",
                  {p_str("@name", 128, true), p_str("@new_name", 128), p_int("@enabled"), p_str("@email_address", 100),
                   p_str("@pager_address", 100), p_int("@weekday_pager_start_time"), p_int("@weekday_pager_end_time"),
                   p_int("@saturday_pager_start_time"), p_int("@saturday_pager_end_time"),
                   p_int("@sunday_pager_start_time"), p_int("@sunday_pager_end_time"), p_int("@pager_days"),
                   p_str("@netsend_address", 100), p_str("@category_name", 128)},
                  sp_update_operator});
}

}  // namespace emu::st
