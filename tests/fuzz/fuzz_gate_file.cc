// fuzz_gate_file — gate files (gates::parse_gate, docs/gates.md): any text is a gate or a
// kDataErr naming the file and the place, never a crash or an exception.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gates/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto g = understudy::gates::parse_gate(text, "fuzz.json");
  if (!g && g.error().message.find("fuzz.json") == std::string::npos) {
    std::fprintf(stderr, "fuzz_gate_file: an error that does not name the file: %s\n", g.error().message.c_str());
    std::abort();
  }
  return 0;
}
