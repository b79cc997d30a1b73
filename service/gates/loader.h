// loader.h — reads gate files (docs/gates.md, gates/schema.json) and keeps the current set.
//
// parse_gate() validates one document and names the file and the JSON pointer of the first error
// ("gates/logins.json: /checks/0/kinds/1: unknown kind \"logn\""), kDataErr. load_gate_dirs()
// reads every *.json of each directory in order (the shipped `gates/` first, then the configured
// gates_dir); a gate of the same name in a later directory replaces the earlier one, two files
// of one directory with the same gate name are an error.
//
// GateRegistry holds the set in force. load() at startup fails on any bad file (the service does
// not start); reload() keeps the last good set when the new files are bad and returns (and
// remembers, for /readyz and logs) why.
// Thread-safety: GateRegistry is thread-safe; the sets it hands out are immutable snapshots.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "gates/gate.h"

namespace understudy::gates {

using GateSet = std::map<std::string, std::shared_ptr<const Gate>>;

// `file_name` is used in messages and must end in "<gate name>.json".
[[nodiscard]] Result<Gate> parse_gate(const std::string& text, const std::string& file_name);
[[nodiscard]] Result<Gate> load_gate_file(const std::string& path);
[[nodiscard]] Result<GateSet> load_gate_dirs(const std::vector<std::string>& dirs);

class GateRegistry {
 public:
  explicit GateRegistry(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {}
  // Startup: loads every directory; any error is returned and nothing is installed.
  [[nodiscard]] Status load();
  // Reload: installs the new set only when every file is good; else keeps the last good set,
  // remembers the error (last_error()) and returns it.
  [[nodiscard]] Status reload();
  std::shared_ptr<const GateSet> current() const;
  std::shared_ptr<const Gate> find(const std::string& name) const;
  // Empty when the last load/reload succeeded.
  std::string last_error() const;
  const std::vector<std::string>& dirs() const { return dirs_; }

 private:
  std::vector<std::string> dirs_;
  mutable std::mutex mu_;
  std::shared_ptr<const GateSet> set_ = std::make_shared<const GateSet>();
  std::string last_error_;
};

}  // namespace understudy::gates
