// rpc.h — decoding of an RPC request message (MS-TDS 2.2.6.6 RPC Request, 2.2.5.3 ALL_HEADERS):
// ALL_HEADERS, then one or more calls (proc name or ProcID, option flags, parameters) separated by
// 0xFF / 0xFE.
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <vector>

#include "engine/api.h"

namespace emu::tds {

// Throws ProtocolError on truncated input or an unsupported parameter type.
std::vector<RpcRequest> parse_rpc_request(const std::string& payload);
// "sp_executesql" for 10, …; "" for unknown ids.
std::string proc_name_for_id(uint16_t id);

}  // namespace emu::tds
