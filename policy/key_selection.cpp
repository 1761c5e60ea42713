#include "policy/key_selection.hpp"

namespace signerd::policy {

bool matches(const KeyPolicy& entry, const ZoneKey& key) noexcept {
  if (entry.role != key.role || entry.algorithm != key.algorithm) return false;
  // A key whose size is unknown (0) is taken for the policy's.
  return entry.bits == 0 || key.bits == 0 || entry.bits == key.bits;
}

std::vector<std::optional<size_t>> select_policy_keys(const Kasp& kasp, std::span<const ZoneKey> keys) {
  std::vector<std::optional<size_t>> chosen(kasp.keys.size());
  std::vector<bool> taken(keys.size(), false);
  for (size_t e = 0; e < kasp.keys.size(); ++e) {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (taken[i] || keys[i].life.goal != Goal::omnipresent || !matches(kasp.keys[e], keys[i])) continue;
      taken[i] = true;
      chosen[e] = i;
      break;
    }
  }
  return chosen;
}

}  // namespace signerd::policy
