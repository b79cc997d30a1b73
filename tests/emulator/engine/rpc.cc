// rpc.cc — SessionImpl::execute_rpc: sp_executesql, the prepared-statement family (sp_prepare,
// sp_prepexec, sp_execute, sp_unprepare; per-session handles) and stored procedures by name.
#include "engine/convert.h"
#include "engine/session.h"
#include "engine/state.h"

namespace emu {

namespace {

std::string describe_value(const Value& v) {
  if (is_null(v)) return "NULL";
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return "N'" + *s + "'";
  return "0x" + hex_upper(std::get<Blob>(v).bytes);
}

std::string canonical_proc(const RpcRequest& req) {
  if (req.proc_id != 0) {
    switch (req.proc_id) {
      case 10: return "sp_executesql";
      case 11: return "sp_prepare";
      case 12: return "sp_execute";
      case 13: return "sp_prepexec";
      case 15: return "sp_unprepare";
      default: return "sp_procid_" + std::to_string(req.proc_id);
    }
  }
  return req.proc_name;
}

// Splits "msdb.dbo.sp_add_job" / "[msdb].[dbo].[sp_add_job]" into parts.
std::vector<std::string> split_name(const std::string& name) {
  std::vector<Token> toks;
  LexError err;
  std::vector<std::string> parts;
  if (tokenize(name, &toks, &err)) {
    for (const auto& t : toks)
      if (t.is_name()) parts.push_back(t.text);
  }
  if (parts.empty()) parts.push_back(name);
  return parts;
}

std::string text_value(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<Blob>(&v)) return b->bytes;
  return {};
}

int32_t int_value(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<int32_t>(*i);
  return 0;
}

}  // namespace

RpcResult SessionImpl::execute_rpc(const RpcRequest& req, ReplySink& sink) {
  const std::string name = canonical_proc(req);
  {
    std::string entry = "RPC " + name + "(";
    for (size_t i = 0; i < req.params.size(); ++i) {
      entry += (i ? ", " : "") + (req.params[i].name.empty() ? std::string("?") : req.params[i].name) + "=" +
               describe_value(req.params[i].value);
    }
    inst_.log_request(entry + ")");
  }
  RpcResult result;
  struct Unlock {
    SessionImpl* s;
    ~Unlock() { s->unlock_after_request(); }
  } unlock{this};

  std::vector<std::string> parts = split_name(name);
  const std::string proc = to_lower_ascii(parts.back());
  const auto& params = req.params;
  // Finds a parameter by name, else by position.
  auto param = [&](const char* pname, size_t position, const char* alt = nullptr) -> const RpcParam* {
    for (const auto& p : params) {
      if (iequals(p.name, pname) || (alt != nullptr && iequals(p.name, alt))) return &p;
    }
    if (position < params.size() && params[position].name.empty()) return &params[position];
    return nullptr;
  };
  auto values_from = [&](size_t first) {
    std::vector<CallArg> args;
    for (size_t i = first; i < params.size(); ++i) {
      CallArg c;
      c.name = params[i].name;
      c.type = params[i].type;
      c.value = params[i].value;
      c.output = params[i].output;
      args.push_back(std::move(c));
    }
    return args;
  };
  auto outputs_from = [&](const std::vector<CallArg>& args, size_t first) {
    for (size_t i = 0; i < args.size(); ++i) {
      if (!args[i].output) continue;
      Value v;
      Message ignored;
      if (!convert_value(args[i].value, args[i].type, params[first + i].type, 0, &v, &ignored)) v = Null{};
      result.outputs.push_back(OutputParam{static_cast<uint16_t>(first + i), params[first + i].name,
                                           params[first + i].type, v});
    }
  };
  auto fail = [&](Message m) {
    sink.message(m);
    last_error_ = m.number;
    result.error = true;
    return result;
  };
  auto handle_output = [&](int32_t handle) {
    const RpcParam* h = param("@handle", 0);
    uint16_t ordinal = 0;
    for (size_t i = 0; i < params.size(); ++i)
      if (&params[i] == h) ordinal = static_cast<uint16_t>(i);
    result.outputs.insert(result.outputs.begin(),
                          OutputParam{ordinal, h != nullptr ? h->name : std::string(), SqlType::Int(), int64_t{handle}});
  };
  // Index of the first value parameter after the named/positional leading ones.
  auto first_value_index = [&](size_t leading, std::initializer_list<const char*> names) {
    size_t i = 0;
    while (i < params.size() && i < leading) {
      bool known = params[i].name.empty();
      for (const char* n : names) known = known || iequals(params[i].name, n);
      if (!known) break;
      ++i;
    }
    return i;
  };

  if (proc == "sp_executesql") {
    const RpcParam* stmt = param("@stmt", 0, "@statement");
    if (stmt == nullptr) {
      return fail(Message{201, 4, 16, "Procedure or function 'sp_executesql' expects parameter '@stmt', which was not supplied.", 1, {}});
    }
    size_t first = 1;
    std::string decls;
    if (params.size() > 1 && (iequals(params[1].name, "@params") || (params[1].name.empty() && is_string_type(params[1].type)))) {
      decls = text_value(params[1].value);
      first = 2;
    }
    auto args = values_from(first);
    bool had_error = false;
    run_executesql(text_value(stmt->value), decls, args, sink, false, &had_error);
    outputs_from(args, first);
    result.error = had_error;
    return result;
  }
  if (proc == "sp_prepare" || proc == "sp_prepexec") {
    const RpcParam* decl = param("@params", 1);
    const RpcParam* stmt = param("@stmt", 2);
    if (stmt == nullptr) {
      return fail(Message{201, 4, 16, "Procedure or function '" + proc + "' expects parameter '@stmt', which was not supplied.", 1, {}});
    }
    Prepared p{decl != nullptr ? text_value(decl->value) : std::string(), text_value(stmt->value)};
    int32_t handle = next_handle_++;
    prepared_[handle] = p;
    bool had_error = false;
    if (proc == "sp_prepare") {
      const RpcParam* options = param("@options", 3);
      bool metadata = options != nullptr && (int_value(options->value) & 1) != 0;
      if (metadata) {
        std::vector<CallArg> none;
        run_executesql(p.stmt, p.decls, none, sink, true, &had_error);
      }
      handle_output(handle);
      result.error = had_error;
      return result;
    }
    size_t first = first_value_index(3, {"@handle", "@params", "@stmt"});
    auto args = values_from(first);
    run_executesql(p.stmt, p.decls, args, sink, false, &had_error);
    outputs_from(args, first);
    handle_output(handle);
    result.error = had_error;
    return result;
  }
  if (proc == "sp_execute") {
    const RpcParam* h = param("@handle", 0);
    int32_t handle = h != nullptr ? int_value(h->value) : 0;
    auto it = prepared_.find(handle);
    if (it == prepared_.end()) {
      return fail(Message{8179, 1, 16, "Could not find prepared statement with handle " + std::to_string(handle) + ".", 1, {}});
    }
    Prepared p = it->second;
    size_t first = first_value_index(1, {"@handle"});
    auto args = values_from(first);
    bool had_error = false;
    run_executesql(p.stmt, p.decls, args, sink, false, &had_error);
    outputs_from(args, first);
    result.error = had_error;
    return result;
  }
  if (proc == "sp_unprepare") {
    const RpcParam* h = param("@handle", 0);
    int32_t handle = h != nullptr ? int_value(h->value) : 0;
    if (prepared_.erase(handle) == 0) {
      return fail(Message{8179, 1, 16, "Could not find prepared statement with handle " + std::to_string(handle) + ".", 1, {}});
    }
    return result;
  }

  // A stored procedure by name.
  inst_.stats().statements++;
  Message lock_err;
  if (!ensure_lock(&lock_err)) return fail(lock_err);
  std::lock_guard<std::recursive_mutex> db_guard(inst_.sqlite_mutex());
  Message fault;
  if (inst_.fault_before_statement("EXEC " + name, &fault)) {
    inst_.fault_after_statement();
    return fail(fault);
  }
  std::vector<ProcArg> args;
  for (const auto& p : params) {
    ProcArg a;
    a.name = p.name;
    a.value = p.value;
    a.output = p.output;
    a.type = p.type;
    args.push_back(std::move(a));
  }
  ExecContext ctx = make_context();
  ProcOutcome outcome = inst_.state().call_procedure(ctx, parts, args);
  if (ctx.wrote) inst_.stats().writes++;
  if (!outcome.found) {
    inst_.fault_after_statement();
    return fail(Message{2812, 62, 16, "Could not find stored procedure '" + name + "'.", 1, {}});
  }
  for (Message m : ctx.messages) {
    if (m.proc.empty()) m.proc = parts.back();
    sink.message(m);
    if (m.severity > 10) {
      result.error = true;
      last_error_ = m.number;
    }
  }
  result.return_status = outcome.return_status;
  size_t positional_out = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    if (!params[i].output) continue;
    const std::pair<SqlType, Value>* found = nullptr;
    if (!params[i].name.empty()) {
      for (const auto& [pname, tv] : outcome.outputs)
        if (iequals(pname, params[i].name)) found = &tv;
    } else if (positional_out < outcome.outputs.size()) {
      found = &outcome.outputs[positional_out++].second;
    }
    Value v = Null{};
    if (found != nullptr) {
      Message ignored;
      if (!convert_value(found->second, found->first, params[i].type, 0, &v, &ignored)) v = found->second;
    }
    result.outputs.push_back(OutputParam{static_cast<uint16_t>(i), params[i].name, params[i].type, v});
  }
  inst_.fault_after_statement();
  return result;
}

}  // namespace emu
