// rpc.cc — see rpc.h.
#include "tds/rpc.h"

#include "tds/bytes.h"
#include "tds/types.h"

namespace emu::tds {

std::string proc_name_for_id(uint16_t id) {
  static const char* const kNames[] = {
      "",           "sp_cursor",     "sp_cursoropen",  "sp_cursorprepare", "sp_cursorexecute", "sp_cursorprepexec",
      "sp_cursorunprepare", "sp_cursorfetch", "sp_cursoroption", "sp_cursorclose", "sp_executesql", "sp_prepare",
      "sp_execute", "sp_prepexec",   "sp_prepexecrpc", "sp_unprepare"};
  return id < std::size(kNames) ? kNames[id] : "";
}

std::vector<RpcRequest> parse_rpc_request(const std::string& payload) {
  ByteReader r(payload);
  if (r.remaining() >= 4) {  // ALL_HEADERS
    ByteReader peek = r;
    const uint32_t total = peek.u32();
    if (total >= 4 && total <= r.remaining()) r.skip(total);
  }
  std::vector<RpcRequest> calls;
  while (!r.at_end()) {
    RpcRequest call;
    const uint16_t name_len = r.u16();
    if (name_len == 0xFFFF) {
      call.proc_id = r.u16();
      call.proc_name = proc_name_for_id(call.proc_id);
      if (call.proc_name.empty()) throw ProtocolError("unknown rpc procedure id " + std::to_string(call.proc_id));
    } else {
      call.proc_name = utf16le_to_utf8(r.bytes(2u * name_len));
    }
    r.u16();  // option flags (recompile, no metadata): nothing to do for an emulator
    while (!r.at_end()) {
      const uint8_t next = r.peek();
      if (next == 0xFF || next == 0xFE) {  // batch separator (7.2+) / NoExec separator
        r.u8();
        break;
      }
      RpcParam p;
      p.name = r.b_varchar();
      p.output = (r.u8() & 0x01) != 0;
      DecodedParam d = read_param(r);
      p.type = d.type;
      p.value = std::move(d.value);
      call.params.push_back(std::move(p));
    }
    calls.push_back(std::move(call));
  }
  return calls;
}

}  // namespace emu::tds
