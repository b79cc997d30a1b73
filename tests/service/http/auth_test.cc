// Bearer tokens: only SHA-256 hashes are configured; the presented token must hash to one.
#include <gtest/gtest.h>

#include <string>

#include "base/sha256.h"
#include "http/auth.h"
#include "http/problem.h"

namespace understudy::http {
namespace {

TEST(Auth, Sha256HexOfAKnownString) {
  EXPECT_EQ(sha256_hex("password"), "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
}

struct AuthCase {
  std::string header;
  AuthOutcome outcome;
  const char* name;
};

TEST(Auth, Table) {
  Authenticator a({{"rb", config::Role::kRunbook, sha256_hex("tok-rb")},
                   {"op", config::Role::kOperator, sha256_hex("tok-op")},
                   {"broken", config::Role::kOperator, "not-hex"}});
  const AuthCase cases[] = {
      {"", AuthOutcome::kNoToken, ""},
      {"Bearer tok-rb", AuthOutcome::kOk, "rb"},
      {"Bearer tok-op", AuthOutcome::kOk, "op"},
      {"Bearer tok-rb ", AuthOutcome::kBadToken, ""},
      {"bearer tok-rb", AuthOutcome::kBadToken, ""},
      {"Basic dG9rLXJi", AuthOutcome::kBadToken, ""},
      {"Bearer ", AuthOutcome::kBadToken, ""},
      {"Bearer not-hex", AuthOutcome::kBadToken, ""},
      {"Bearer " + sha256_hex("tok-rb"), AuthOutcome::kBadToken, ""},  // the hash is not the token
  };
  for (const auto& c : cases) {
    Principal p;
    EXPECT_EQ(a.authenticate(c.header, &p), c.outcome) << c.header;
    EXPECT_EQ(p.name, c.name) << c.header;
  }
}

TEST(Problem, RendersRfc9457Members) {
  auto j = to_json(problem(400, "usage", "pair is not a valid name", "pair", "names are letters"), "/v1/gates/x");
  EXPECT_EQ(j.dump(),
            R"({"detail":"pair is not a valid name","hint":"names are letters","instance":"/v1/gates/x",)"
            R"("parameter":"pair","status":400,"title":"bad command line or request parameter",)"
            R"("type":"urn:understudy:problem:usage"})");
  auto nf = problem_from(Error(ErrorCode::kNotFound, "gate 'x' does not exist"), "gate");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.slug, "not-found");
}

}  // namespace
}  // namespace understudy::http
