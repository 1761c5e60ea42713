// policy/key_selection.hpp — which of a zone's keys fill a policy's key list.
//
// Owns: matching stored keys to the entries of Kasp::keys (BIND's
// dns_kasp_key_match: role and algorithm, and the size where the policy
// fixes one). Does not own: creating the keys that are missing (the caller,
// through hsm/), retiring the ones that match nothing (the state machine).
// Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "policy/kasp.hpp"
#include "policy/key_state.hpp"

namespace signerd::policy {

// Whether `key` is of the kind `entry` asks for.
bool matches(const KeyPolicy& entry, const ZoneKey& key) noexcept;

// For each entry of `kasp.keys`, in order, the index into `keys` of the
// first key that matches it, wants to be in use (goal omnipresent) and no
// earlier entry took; nullopt where no key does.
std::vector<std::optional<size_t>> select_policy_keys(const Kasp& kasp, std::span<const ZoneKey> keys);

}  // namespace signerd::policy
