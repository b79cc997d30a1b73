// redact.cc — see redact.h.
#include "base/redact.h"

#include <algorithm>

namespace understudy {

std::string redact_fragments(std::string text, const Secret& secret) {
  const std::string& s = secret.reveal();
  if (s.empty() || text.empty()) return text;
  const std::size_t need = std::min(kMinSecretRun, s.size());
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // The longest run of the secret that starts at text[i].
    std::size_t best = 0;
    for (std::size_t j = 0; j + need <= s.size() && best < s.size() - j; ++j) {
      std::size_t n = 0;
      while (i + n < text.size() && j + n < s.size() && text[i + n] == s[j + n]) ++n;
      best = std::max(best, n);
    }
    if (best >= need) {
      out += Secret::redacted();
      i += best;
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace understudy
