// fuzz_fixture — the emulator's fixture files (tests/emulator/README.md): any JSON document is
// loaded whole or refused with an error, never a crash (State::load_fixture, all or nothing).
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto doc = nlohmann::json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded()) return 0;
  emu::InstanceConfig config;
  std::string error;
  auto state = emu::CatalogState::create(config, "Fuzz-Passw0rd!", &error);
  if (!state) return 0;
  (void)state->load_fixture(doc, &error);
  return 0;
}
