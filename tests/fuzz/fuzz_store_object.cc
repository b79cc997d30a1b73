// fuzz_store_object — the store's decoding of stored objects (store.h load_objects,
// load_versions): a row of object_version whose kind, key, fields or volatile fields hold any
// bytes (a damaged or hand-edited store) is read back as an object or refused with kDataErr,
// never a crash or an exception. Input: kind, key, fields, volatile fields separated by NUL.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "catalog/object.h"
#include "store/sql.h"
#include "store/store.h"

namespace {

struct Fixture {
  std::unique_ptr<understudy::store::Store> store;
  int64_t snapshot = 0, version = 0;
};

Fixture& fixture() {
  static Fixture f = [] {
    Fixture x;
    auto dir = std::filesystem::temp_directory_path() / ("understudy-fuzz-store-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto s = understudy::store::Store::open((dir / "s.db").string());
    if (!s) std::abort();
    x.store = std::move(*s);
    // Thousands of updates a second: durability is not what is fuzzed here.
    if (!understudy::store::exec(x.store->db(), "PRAGMA synchronous = OFF")) std::abort();
    understudy::catalog::ServerObject o;
    o.kind = understudy::catalog::Kind::kLogin;
    o.key = "seed";
    o.fields = {{"name", "seed"}};
    o.volatile_fields = nlohmann::json::object();
    o.fingerprint = o.compute_fingerprint();
    auto info = x.store->save_snapshot({.instance = "fuzz"}, std::vector<understudy::catalog::ServerObject>{o});
    if (!info) std::abort();
    x.snapshot = info->id;
    auto q = understudy::store::Stmt::prepare(x.store->db(), "SELECT id FROM object_version");
    if (!q || !q->step().value_or(false)) std::abort();
    x.version = q->int64(0);
    return x;
  }();
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 3; ++i) {
    size_t nul = input.find('\0', start);
    if (nul == std::string::npos) break;
    parts.push_back(input.substr(start, nul - start));
    start = nul + 1;
  }
  parts.push_back(input.substr(start));
  while (parts.size() < 4) parts.push_back("{}");
  auto& f = fixture();
  auto up = understudy::store::Stmt::prepare(
      f.store->db(), "UPDATE object_version SET kind = ?, key = ?, fields = ?, volatile_fields = ? WHERE id = ?");
  if (!up) std::abort();
  up->bind(1, parts[0]).bind(2, parts[1]).bind(3, parts[2]).bind(4, parts[3]).bind(5, f.version);
  if (!up->run()) return 0;  // a value the schema refuses (CHECK constraints)
  (void)f.store->load_objects(f.snapshot);
  std::vector<int64_t> ids = {f.version};
  (void)f.store->load_versions(ids, false);
  (void)f.store->load_digests(f.snapshot);
  return 0;
}
