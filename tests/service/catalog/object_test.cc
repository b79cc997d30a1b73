// Object model: kind names, name folding, composite keys, fingerprints.
#include <gtest/gtest.h>

#include "catalog/canonical.h"
#include "catalog/key.h"
#include "catalog/object.h"

namespace understudy::catalog {
namespace {

TEST(KindName, EveryKindRoundTrips) {
  for (Kind k : kAllKinds) {
    auto name = kind_name(k);
    ASSERT_TRUE(kind_from_name(name).has_value()) << name;
    EXPECT_EQ(*kind_from_name(name), k);
  }
  EXPECT_EQ(kind_name(Kind::kServerRoleMember), "server_role_member");
  EXPECT_EQ(kind_name(Kind::kAgentJob), "agent_job");
  EXPECT_FALSE(kind_from_name("logins").has_value());
}

// The one table (kinds.def): display order is the enumerators' order; replay order puts each
// kind after what it depends on; the lists the config and CLI accept come from it.
TEST(KindTable, OrdersAndLists) {
  for (size_t i = 0; i < std::size(kAllKinds); ++i) EXPECT_EQ(kind_order(kAllKinds[i]), i);
  EXPECT_EQ(kind_names_joined(",", false).substr(0, 20), "instance,credential,");
  EXPECT_EQ(kind_names_joined(",", true).find("instance"), std::string::npos);
  const auto& order = replay_order();
  ASSERT_EQ(order.size(), std::size(kAllKinds) - 1);
  auto before = [&](Kind a, Kind b) { return replay_rank(a) < replay_rank(b); };
  EXPECT_TRUE(before(Kind::kLogin, Kind::kServerRole));  // a role's owner exists first
  EXPECT_TRUE(before(Kind::kServerRole, Kind::kServerRoleMember));
  EXPECT_TRUE(before(Kind::kLogin, Kind::kServerPermission));
  EXPECT_TRUE(before(Kind::kCredential, Kind::kAgentProxy));
  EXPECT_TRUE(before(Kind::kAgentSchedule, Kind::kAgentJob));
  EXPECT_TRUE(before(Kind::kLinkedServer, Kind::kLinkedServerLogin));
  for (Kind k : order) EXPECT_LT(replay_rank(k), replay_rank(Kind::kInstance)) << kind_name(k);
  for (size_t i = 1; i < order.size(); ++i) EXPECT_LT(replay_rank(order[i - 1]), replay_rank(order[i]));
}

TEST(FoldName, AsciiLettersOnly) {
  EXPECT_EQ(fold_name("App_Svc"), "app_svc");
  EXPECT_EQ(fold_name("NT SERVICE\\X"), "nt service\\x");
  EXPECT_EQ(fold_name("Ünïcode"), "Ünïcode");  // non-ASCII bytes untouched
}

TEST(Key, PartsWithSeparatorsDoNotCollide) {
  EXPECT_EQ(make_key({"a", "b"}), "a|b");
  EXPECT_EQ(make_key({"a|b", "c"}), "a\\|b|c");
  EXPECT_EQ(make_key({"a", "b|c"}), "a|b\\|c");
  EXPECT_EQ(make_key({"x\\", "y"}), "x\\\\|y");
  EXPECT_NE(make_key({"a|b", "c"}), make_key({"a", "b|c"}));
  EXPECT_EQ(split_key(make_key({"a|b", "c\\d", ""})), (std::vector<std::string>{"a|b", "c\\d", ""}));
}

ServerObject login(std::string name, std::string owner_db = "master") {
  ServerObject o;
  o.kind = Kind::kLogin;
  o.key = std::move(name);
  o.fields = {{"sid", "0x01AB"}, {"default_database_name", owner_db}, {"is_disabled", false}};
  o.password_hash = Secret("0x0200AABB");
  o.seal();
  return o;
}

TEST(Fingerprint, NamesFoldOtherTextDoesNot) {
  EXPECT_EQ(login("App").fingerprint, login("app").fingerprint);
  EXPECT_EQ(login("app", "Master").fingerprint, login("app", "master").fingerprint);
  auto a = login("app");
  auto b = login("app");
  b.fields["sid"] = "0x01AC";
  b.seal();
  EXPECT_NE(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.fingerprint.size(), 64u);
}

TEST(Fingerprint, PasswordHashCountsVolatileFieldsDoNot) {
  auto a = login("app");
  auto b = login("app");
  b.password_hash = Secret("0x0200AABC");
  b.seal();
  EXPECT_NE(a.fingerprint, b.fingerprint);
  auto c = login("app");
  c.volatile_fields["modify_date"] = "2026-01-01";
  c.seal();
  EXPECT_EQ(a.fingerprint, c.fingerprint);
}

// Fields with everything the fast text path must hand to nlohmann: quotes, backslashes, control
// characters, non-ASCII, a folded name inside a nested step, a negative number.
nlohmann::json awkward_fields() {
  return {{"sid", "0x01AB"},
          {"default_database_name", "Pay\"ments\\Db"},
          {"is_disabled", false},
          {"type_desc", "SQL_LOGIN\tx"},
          {"credential_name", nullptr},
          {"steps", nlohmann::json::array({{{"step_name", "\u00c9tape 1"},
                                            {"command", "SELECT N'\u00e9' -- \u0001"},
                                            {"step_id", 1},
                                            {"database_name", "MASTER"}}})},
          {"schedules", {"Nightly ONE", "b"}},
          {"connect_timeout", -5}};
}

TEST(Fingerprint, IsThePinnedValueOfTheDocumentedForm) {
  // Computed independently (Python: sha256 of kind NUL folded key NUL canonical JSON NUL 'H'
  // folded hash). Stored fingerprints must keep matching live ones across releases.
  ServerObject o;
  o.kind = Kind::kLogin;
  o.key = "App]'; Svc";
  o.fields = awkward_fields();
  o.password_hash = Secret("0x0200AABB");
  o.seal();
  EXPECT_EQ(o.fingerprint, "ac9ba285ea67daf4d9e2ee060fad71e7845e258c51902b5a997c4241f78d95a5");
}

TEST(JsonText, SameBytesAsNlohmannDump) {
  const nlohmann::json cases[] = {
      awkward_fields(),
      nlohmann::json("plain"),
      nlohmann::json("tab\there"),
      nlohmann::json("del\x7f"),
      nlohmann::json(std::string("bad utf-8 \xc3(", 13)),
      nlohmann::json(std::string(128, ']')),
      nlohmann::json(18446744073709551615ull),
      nlohmann::json(-9223372036854775807LL - 1),
      nlohmann::json(1.5),
      nlohmann::json::array(),
      nlohmann::json::object(),
  };
  for (const auto& v : cases) {
    std::string out;
    append_json_text(v, out);
    EXPECT_EQ(out, v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

}  // namespace
}  // namespace understudy::catalog
