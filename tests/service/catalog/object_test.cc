// Object model: kind names, name folding, composite keys, fingerprints.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace understudy::catalog
