// procs.cc — CatalogState::call_procedure: procedure name resolution, argument binding with SQL
// Server's errors, one SAVEPOINT per call, return status 0/1, OUTPUT values; and the checks shared
// by the procedures (procs_internal.h).
#include "engine/procs_internal.h"

#include <algorithm>

#include "engine/agent_model.h"
#include "engine/ddl_internal.h"
#include "engine/lexer.h"
#include "engine/state.h"

namespace emu {

using namespace st;

namespace st {

ParamDef p_str(const char* name, int32_t len, bool required, std::optional<Value> def) {
  return ParamDef{name, PType::kStr, SqlType::NVarChar(len), required, std::move(def), false};
}
ParamDef p_int(const char* name, std::optional<int64_t> def, bool required) {
  return ParamDef{name, PType::kInt, SqlType::Int(), required, def ? std::optional<Value>(Value{*def}) : std::nullopt, false};
}
ParamDef p_guid(const char* name, bool output) {
  return ParamDef{name, PType::kGuid, SqlType::Guid(), false, std::nullopt, output};
}
ParamDef p_out_int(const char* name) { return ParamDef{name, PType::kInt, SqlType::Int(), false, std::nullopt, true}; }

const ParamDef* ProcCall::param(const char* name) const {
  for (const auto& p : def_.params) {
    if (iequals(p.name, name)) return &p;
  }
  return nullptr;
}

void ProcCall::bind(const std::vector<ProcArg>& args) {
  bool named_seen = false;
  size_t position = 0;
  std::map<std::string, bool> given;
  for (size_t i = 0; i < args.size(); ++i) {
    const ProcArg& a = args[i];
    const ParamDef* p = nullptr;
    if (a.name.empty()) {
      if (named_seen) {
        throw SqlError{119, "Must pass parameter number " + std::to_string(i + 1) +
                                " and subsequent parameters as '@name = value'. After the form '@name = value' has "
                                "been used, all subsequent parameters must be passed in the form '@name = value'.",
                       15};
      }
      if (position >= def_.params.size()) {
        throw SqlError{8144, "Procedure or function " + std::string(def_.name) + " has too many arguments specified."};
      }
      p = &def_.params[position++];
    } else {
      named_seen = true;
      p = param(a.name.c_str());
      if (!p) throw SqlError{8145, a.name + " is not a parameter for procedure " + def_.name + "."};
    }
    const std::string key = to_lower_ascii(p->name);
    if (given.count(key)) throw SqlError{8143, std::string("Parameter '") + p->name + "' was supplied multiple times."};
    given[key] = !a.is_default;
    if (a.output && !p->output) {
      throw SqlError{8162, std::string("The formal parameter \"") + p->name +
                               "\" was not declared as an OUTPUT parameter, but the actual parameter passed in requested output."};
    }
    arg_params_.push_back(p->name);
    if (!a.is_default) values_[key] = a.value;
  }
  for (const auto& p : def_.params) {
    const std::string key = to_lower_ascii(p.name);
    if (values_.count(key)) continue;
    if (p.required) {
      throw SqlError{201, "Procedure or function '" + std::string(def_.name) + "' expects parameter '" + p.name +
                              "', which was not supplied."};
    }
    values_[key] = p.def.value_or(Value{Null{}});
  }
}

bool ProcCall::is_null(const char* name) const {
  auto it = values_.find(to_lower_ascii(name));
  return it == values_.end() || emu::is_null(it->second);
}

std::optional<std::string> ProcCall::raw_str(const char* name) const {
  auto it = values_.find(to_lower_ascii(name));
  if (it == values_.end() || emu::is_null(it->second)) return std::nullopt;
  return as_text(it->second);
}

std::optional<std::string> ProcCall::str(const char* name) const {
  auto s = raw_str(name);
  if (!s) return s;
  const size_t b = s->find_first_not_of(' ');
  if (b == std::string::npos) return std::string();
  const size_t e = s->find_last_not_of(' ');
  return s->substr(b, e - b + 1);
}

std::optional<int64_t> ProcCall::num(const char* name) const {
  auto it = values_.find(to_lower_ascii(name));
  if (it == values_.end() || emu::is_null(it->second)) return std::nullopt;
  if (auto* t = std::get_if<std::string>(&it->second)) {
    std::string s = *t;
    s.erase(0, s.find_first_not_of(' '));
    auto n = as_int(Value{s});
    if (!n) throw SqlError{8114, "Error converting data type nvarchar to int."};
    return n;
  }
  auto n = as_int(it->second);
  if (!n) throw SqlError{8114, "Error converting data type varbinary to int."};
  return n;
}

std::optional<std::string> ProcCall::guid(const char* name) const {
  auto it = values_.find(to_lower_ascii(name));
  if (it == values_.end() || emu::is_null(it->second)) return std::nullopt;
  if (auto* b = std::get_if<Blob>(&it->second)) {
    // binary(16) → uniqueidentifier: the first three groups are little-endian.
    std::string x = b->bytes;
    x.resize(16, '\0');
    const std::string ordered = std::string{x[3], x[2], x[1], x[0], x[5], x[4], x[7], x[6]} + x.substr(8);
    const std::string h = hex0x(ordered).substr(2);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
  }
  auto g = normalize_guid(as_text(it->second).value_or(""));
  if (!g) throw SqlError{8169, "Conversion failed when converting from a character string to uniqueidentifier."};
  return g;
}

void ProcCall::set_output(const char* name, Value v) { values_[to_lower_ascii(name)] = std::move(v); }

void ProcCall::info(int32_t number, const std::string& text) {
  ctx_.messages.push_back(Message{number, 1, 0, text, 1, proc_name_});
}

std::vector<std::pair<std::string, std::pair<SqlType, Value>>> ProcCall::outputs(const std::vector<ProcArg>& args) const {
  std::vector<std::pair<std::string, std::pair<SqlType, Value>>> out;
  for (size_t i = 0; i < args.size() && i < arg_params_.size(); ++i) {
    if (!args[i].output) continue;
    const ParamDef* p = param(arg_params_[i].c_str());
    auto it = values_.find(to_lower_ascii(p->name));
    out.push_back({p->name, {p->sql_type, it == values_.end() ? Value{Null{}} : it->second}});
  }
  return out;
}

const std::vector<ProcDef>& procedures() {
  static const std::vector<ProcDef> all = [] {
    std::vector<ProcDef> v;
    add_linked_server_procs(&v);
    add_deprecated_security_procs(&v);
    add_agent_job_procs(&v);
    add_agent_step_procs(&v);
    add_agent_schedule_procs(&v);
    add_agent_operator_procs(&v);
    add_agent_proxy_procs(&v);
    add_master_procs(&v);
    return v;
  }();
  return all;
}

void require_sysadmin(ProcCall& c) {
  if (!caller_is_sysadmin(c)) throw SqlError{15003, "Only members of the sysadmin role can execute this stored procedure."};
}

void refuse_in_transaction(ProcCall& c) {
  if (c.ctx().in_user_transaction) {
    throw SqlError{15002, "The procedure '" + c.proc_name() + "' cannot be executed within a transaction."};
  }
}

void raise_does_not_exist(const std::string& param, const std::string& value) {
  throw SqlError{14262, "The specified " + param + " ('" + value + "') does not exist."};
}
void raise_invalid_returned_by(const std::string& param, const std::string& proc) {
  throw SqlError{14234, "The specified '" + param + "' is invalid (valid values are returned by " + proc + ")."};
}
void raise_invalid_values(const std::string& param, const std::string& values) {
  throw SqlError{14266, "The specified '" + param + "' is invalid (valid values are: " + values + ")."};
}
void raise_mi_unsupported(const std::string& feature, uint8_t state) {
  throw SqlError{41914, "SQL Server Agent feature " + feature +
                            " is not supported in SQL Database Managed Instance. Review the documentation for supported options.",
                 16, state};
}

std::string caller_sid(ProcCall& c) {
  if (auto p = caller(c.ctx(), c.db())) return p->sid;
  return std::string(1, '\x01');
}

bool caller_is_sysadmin(ProcCall& c) {
  return c.ctx().login_name.empty() || is_sysadmin(c.db(), caller(c.ctx(), c.db()));
}

std::string resolve_job(ProcCall& c, const char* id_param, const char* name_param) {
  auto id = c.guid(id_param);
  auto name = c.str(name_param);
  if (id.has_value() == name.has_value()) {
    throw SqlError{14294, std::string("Supply either ") + id_param + " or " + name_param + " to identify the job."};
  }
  if (name) {
    auto found = find_job_by_name(c.db(), *name);
    if (!found) raise_does_not_exist(name_param, *name);
    return *found;
  }
  if (!job_exists(c.db(), *id)) raise_does_not_exist(id_param, *id);
  return *id;
}

void require_job_owner(ProcCall& c, const std::string& job_id) {
  if (caller_is_sysadmin(c)) return;
  auto owner = scalar(c.db(), "SELECT owner_sid FROM msdb_sysjobs WHERE job_id = ?1", {text(job_id)});
  if (!owner || std::get<Blob>(*owner).bytes != caller_sid(c)) {
    throw SqlError{14525, "Only members of sysadmin role are allowed to update or delete jobs owned by a different login."};
  }
}

}  // namespace st

ProcOutcome CatalogState::call_procedure(ExecContext& ctx, const std::vector<std::string>& parts,
                                         const std::vector<ProcArg>& args) {
  ProcOutcome out;
  if (parts.empty() || parts.size() > 3) return out;
  if (!ctx.config) ctx.config = &config_;
  const std::string& name = parts.back();
  const std::string schema = parts.size() >= 2 ? parts[parts.size() - 2] : "";
  const std::string db = parts.size() == 3 ? parts[0] : ctx.current_database;
  if (parts.size() == 3 && !database_exists(db)) return out;
  const ProcDef* def = nullptr;
  for (const auto& p : procedures()) {
    if (!iequals(p.name, name)) continue;
    const bool system = std::string(p.home) == "master";
    const bool schema_ok = schema.empty() || iequals(schema, "dbo") || (system && iequals(schema, "sys"));
    // System procedures (sp_ in master) resolve from every database; msdb's only in msdb.
    if (schema_ok && (system || iequals(db, p.home))) def = &p;
  }
  if (!def) return out;
  out.found = true;
  ProcCall call(ctx, db_, *def);
  call.set_proc_name(def->name);
  try {
    call.bind(args);
    Savepoint sp(db_);
    def->handler(call);
    sp.commit();
    ctx.wrote = true;
    out.return_status = 0;
  } catch (const SqlError& e) {
    ctx.messages.push_back(Message{e.number, e.state, e.severity, e.text, 1, def->name});
    out.return_status = 1;
  } catch (const std::exception& e) {
    ctx.messages.push_back(Message{50000, 1, 16, std::string("internal emulator error: ") + e.what(), 1, def->name});
    out.return_status = 1;
  }
  out.outputs = call.outputs(args);
  return out;
}

}  // namespace emu
