// redact.h — removes secrets, and fragments of them, from text that came from elsewhere.
//
// SQL Server quotes parts of a statement in its errors ("secret 'CRED-SECRET-Zq8uY3kP' rejected"
// when the secret was "sv=2099&sig=CRED-SECRET-Zq8uY3kP"), so replacing only the whole secret is
// not enough: redact_fragments() replaces every run of at least kMinSecretRun characters of a
// secret (the whole secret when it is shorter) with Secret::redacted(). Used wherever server
// text is kept or shown (the replay executor's outcomes and aborts: sync_action.error_message,
// runs, POST …/sync, GET /v1/runs/{id}).
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string>

#include "base/secret.h"

namespace understudy {

// Shorter runs are too likely to be ordinary words of the message ("secret", "Passw0rd").
inline constexpr std::size_t kMinSecretRun = 8;

std::string redact_fragments(std::string text, const Secret& secret);

}  // namespace understudy
