// Gate files: every way a file can be wrong names the file and the JSON pointer, exactly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gates/check.h"
#include "gates/loader.h"

namespace understudy::gates {
namespace {

const char* kGood = R"({
  "format_version": 1, "name": "g", "description": "d", "pairs": ["payments"],
  "checks": [{"type": "no_drift", "kinds": ["login"]}]
})";

TEST(ParseGate, GoodFileWithDefaults) {
  auto g = parse_gate(kGood, "dir/g.json");
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->name, "g");
  EXPECT_EQ(g->source_file, "dir/g.json");
  EXPECT_FALSE(g->max_snapshot_age_seconds.has_value());
  ASSERT_EQ(g->checks.size(), 1u);
  EXPECT_EQ(g->checks[0]->to_json().dump(),
            R"({"kinds":["login"],"problems":["missing","different","sid_mismatch"],"type":"no_drift"})");
  EXPECT_TRUE(g->applies_to("payments"));
  EXPECT_FALSE(g->applies_to("billing"));
}

TEST(ParseGate, ExceptionsAndRequiredObjects) {
  auto g = parse_gate(R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["*"],
    "max_snapshot_age_seconds": 600,
    "checks": [{"type": "required_objects", "objects": [{"kind": "agent_job", "key": "Nightly settlement"}]}],
    "exceptions": [{"kind": "login", "key": "legacy", "reason": "r", "approved_by": "a", "until": "2027-01-31T00:00:00Z"}]})",
                      "g.json");
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->max_snapshot_age_seconds, 600);
  ASSERT_EQ(g->exceptions.size(), 1u);
  EXPECT_EQ(g->exceptions[0].until_unix, 1801353600);
  EXPECT_TRUE(g->applies_to("anything"));
}

struct BadCase {
  const char* text;
  const char* message;
  const char* hint;
};

// Each row replaces the whole document; the file is always "gates/g.json".
const BadCase kBad[] = {
    {"{", "gates/g.json: invalid JSON at byte 2", ""},
    {"[]", "gates/g.json: /: expected an object, found an array", ""},
    {R"({"name": "g", "description": "d", "pairs": ["*"], "checks": []})",
     "gates/g.json: /format_version: required property missing", ""},
    {R"({"format_version": 2, "name": "g", "description": "d", "pairs": ["*"], "checks": []})",
     "gates/g.json: /format_version: unsupported format version 2 (this build reads 1)", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["*"], "checks": [], "colour": 1})",
     "gates/g.json: /colour: unknown property",
     "allowed here: $schema, format_version, name, description, pairs, max_snapshot_age_seconds, checks, exceptions"},
    {R"({"format_version": 1, "name": "h", "description": "d", "pairs": ["*"], "checks": []})",
     "gates/g.json: /name: gate name \"h\" differs from the file name \"g.json\"", ""},
    {R"({"format_version": 1, "name": "G", "description": "d", "pairs": ["*"], "checks": []})",
     "gates/g.json: /name: gate name \"G\" is not lower-case letters, digits and '-'", ""},
    {R"({"format_version": 1, "name": "g", "description": "", "pairs": ["*"], "checks": []})",
     "gates/g.json: /description: must not be empty", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": [], "checks": []})",
     "gates/g.json: /pairs: must not be empty", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["../x"], "checks": []})",
     "gates/g.json: /pairs/0: pair name \"../x\" is not a valid name or \"*\"", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a", "a"], "checks": []})",
     "gates/g.json: /pairs/1: duplicate pair \"a\"", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"], "max_snapshot_age_seconds": 0, "checks": []})",
     "gates/g.json: /max_snapshot_age_seconds: must be at least 1", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"], "max_snapshot_age_seconds": "1h", "checks": []})",
     "gates/g.json: /max_snapshot_age_seconds: expected an integer, found a string", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"], "checks": []})",
     "gates/g.json: /checks: must not be empty", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"], "checks": [{"kinds": ["login"]}]})",
     "gates/g.json: /checks/0/type: required property missing", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"], "checks": [{"type": "vibes"}]})",
     "gates/g.json: /checks/0/type: unknown check type \"vibes\"", "check types: no_drift, required_objects, replication, landing, orphaned_users, freshness, tsql, jobs_active"},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"],
         "checks": [{"type": "no_drift", "kinds": ["login", "logn"]}]})",
     "gates/g.json: /checks/0/kinds/1: unknown kind \"logn\"",
     "kinds: credential, server_role, login, server_role_member, server_permission, linked_server, "
     "linked_server_login, agent_category, agent_operator, agent_proxy, agent_schedule, agent_job, custom_message, configuration"},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"],
         "checks": [{"type": "no_drift", "kinds": ["instance"]}]})",
     "gates/g.json: /checks/0/kinds/0: unknown kind \"instance\"",
     "kinds: credential, server_role, login, server_role_member, server_permission, linked_server, "
     "linked_server_login, agent_category, agent_operator, agent_proxy, agent_schedule, agent_job, custom_message, configuration"},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"],
         "checks": [{"type": "no_drift", "kinds": ["login"], "problems": ["gone"]}]})",
     "gates/g.json: /checks/0/problems/0: unknown problem \"gone\"",
     "problems: missing, extra, different, sid_mismatch, incompatible"},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"],
         "checks": [{"type": "no_drift", "kinds": ["login", "login"]}]})",
     "gates/g.json: /checks/0/kinds/1: duplicate kind \"login\"", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"],
         "checks": [{"type": "required_objects", "objects": [{"kind": "login"}]}]})",
     "gates/g.json: /checks/0/objects/0/key: required property missing", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"],
         "checks": [{"type": "required_objects", "objects": [{"kind": "login", "key": "A"}, {"kind": "login", "key": "a"}]}]})",
     "gates/g.json: /checks/0/objects/1: duplicate object login \"a\"", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"],
         "checks": [{"type": "required_objects", "objects": [{"kind": "login", "key": "a", "a/b~": 1}]}]})",
     "gates/g.json: /checks/0/objects/0/a~1b~0: unknown property", "allowed here: kind, key"},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"],
         "checks": [{"type": "no_drift", "kinds": ["login"]}],
         "exceptions": [{"kind": "login", "key": "x", "reason": "r", "approved_by": "a"}]})",
     "gates/g.json: /exceptions/0/until: required property missing", ""},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"],
         "checks": [{"type": "no_drift", "kinds": ["login"]}],
         "exceptions": [{"kind": "login", "key": "x", "reason": "r", "approved_by": "a", "until": "2027-02-30T00:00:00Z"}]})",
     "gates/g.json: /exceptions/0/until: \"2027-02-30T00:00:00Z\" is not an RFC 3339 UTC time",
     "write it like 2027-01-31T00:00:00Z"},
    {R"({"format_version": 1, "name": "g", "description": "d", "pairs": ["a"],
         "checks": [{"type": "no_drift", "kinds": ["login"]}],
         "exceptions": [{"kind": "login", "key": "x", "reason": "", "approved_by": "a", "until": "2027-01-01T00:00:00Z"}]})",
     "gates/g.json: /exceptions/0/reason: must not be empty", ""},
};

TEST(ParseGate, BadFilesNameFileAndPointer) {
  for (const auto& c : kBad) {
    auto g = parse_gate(c.text, "gates/g.json");
    ASSERT_FALSE(g) << c.text;
    EXPECT_EQ(g.error().code, ErrorCode::kDataErr) << c.text;
    EXPECT_EQ(g.error().message, c.message) << c.text;
    EXPECT_EQ(g.error().hint, c.hint) << c.text;
  }
}

class GateDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gates-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "a");
    std::filesystem::create_directories(dir_ / "b");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  std::string path(const std::string& rel) const { return (dir_ / rel).string(); }
  static std::string gate(const std::string& name, const std::string& desc) {
    return R"({"format_version": 1, "name": ")" + name + R"(", "description": ")" + desc +
           R"(", "pairs": ["*"], "checks": [{"type": "no_drift", "kinds": ["login"]}]})";
  }
  std::filesystem::path dir_;
};

TEST_F(GateDir, LaterDirectoryReplacesGateOfSameName) {
  write("a/x.json", gate("x", "shipped"));
  write("a/y.json", gate("y", "shipped"));
  write("a/schema.json", "{\"not\": \"a gate\"}");
  write("a/notes.txt", "ignored");
  write("b/x.json", gate("x", "site"));
  auto set = load_gate_dirs({path("a"), path("b")});
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->size(), 2u);
  EXPECT_EQ(set->at("x")->description, "site");
  EXPECT_EQ(set->at("y")->description, "shipped");
}

TEST_F(GateDir, MissingDirectoryIsConfigError) {
  auto set = load_gate_dirs({path("nope")});
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, ErrorCode::kConfig);
  EXPECT_EQ(set.error().message, path("nope") + ": gates directory does not exist or is not a directory");
}

TEST_F(GateDir, StartupFailsOnBadFileReloadKeepsLastGoodSet) {
  write("a/x.json", gate("x", "one"));
  GateRegistry reg({path("a")});
  ASSERT_TRUE(reg.load());
  EXPECT_EQ(reg.last_error(), "");

  write("a/y.json", R"({"format_version": 1})");
  auto st = reg.reload();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, path("a/y.json") + ": /name: required property missing");
  EXPECT_EQ(st.error().hint, "kept the last good set of 1 gate(s)");
  EXPECT_EQ(reg.last_error(), path("a/y.json") + ": /name: required property missing");
  ASSERT_NE(reg.find("x"), nullptr);
  EXPECT_EQ(reg.find("y"), nullptr);

  GateRegistry fresh({path("a")});
  auto st2 = fresh.load();
  ASSERT_FALSE(st2);
  EXPECT_EQ(st2.error().message, path("a/y.json") + ": /name: required property missing");
  EXPECT_TRUE(fresh.current()->empty());

  write("a/y.json", gate("y", "two"));
  ASSERT_TRUE(reg.reload());
  EXPECT_EQ(reg.last_error(), "");
  EXPECT_NE(reg.find("y"), nullptr);
}

}  // namespace
}  // namespace understudy::gates
