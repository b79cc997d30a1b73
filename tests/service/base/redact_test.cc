// redact_fragments: a secret, or any run of it long enough to matter, never survives in text.
#include <gtest/gtest.h>

#include "base/redact.h"

namespace understudy {
namespace {

TEST(Redact, WholeSecretAndEveryLongFragmentGoShortRunsStay) {
  const Secret s("sv=2099&sig=CRED-SECRET-Zq8uY3kP");
  struct Row {
    const char* in;
    const char* out;
  };
  const Row rows[] = {
      {"secret 'CRED-SECRET-Zq8uY3kP' rejected", "secret '[redacted]' rejected"},
      {"bad: sv=2099&sig=CRED-SECRET-Zq8uY3kP.", "bad: [redacted]."},
      {"near 'sig=CRED' and 'Zq8uY3kP'", "near '[redacted]' and '[redacted]'"},
      {"a 'sig=CRE' run of 7 is ordinary text", "a 'sig=CRE' run of 7 is ordinary text"},
      {"nothing here", "nothing here"},
      {"twice: CRED-SECRET CRED-SECRET", "twice: [redacted] [redacted]"},
  };
  for (const auto& r : rows) EXPECT_EQ(redact_fragments(r.in, s), r.out) << r.in;
}

TEST(Redact, ASecretShorterThanTheRunIsRedactedWhole) {
  EXPECT_EQ(redact_fragments("pw 'abc12' and abc1", Secret("abc12")), "pw '[redacted]' and abc1");
  EXPECT_EQ(redact_fragments("anything", Secret("")), "anything");
}

}  // namespace
}  // namespace understudy
