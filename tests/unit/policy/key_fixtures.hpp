// tests/unit/policy/key_fixtures.hpp — compact key sets for the state machine tests.
//
// A key is written as its role, algorithm and a state vector in the order
// (DNSKEY, KRRSIG, ZRRSIG, DS) with H R O U for the states and '-' for a
// record the role lacks, as BIND's rollover tests list them.
#pragma once

#include <string_view>
#include <vector>

#include "policy/key_state.hpp"

namespace signerd::policy::testing {

inline RecordState state_letter(char c) {
  switch (c) {
    case 'R': return RecordState::rumoured;
    case 'O': return RecordState::omnipresent;
    case 'U': return RecordState::unretentive;
    default: return RecordState::hidden;
  }
}

inline ZoneKey make_key(int64_t id, Role role, std::string_view dkzs, Goal goal = Goal::omnipresent,
                        uint8_t algorithm = 13, TimePoint changed = TimePoint{}) {
  ZoneKey k;
  k.id = id;
  k.tag = static_cast<uint16_t>(10000 + id);
  k.algorithm = algorithm;
  k.role = role;
  k.life.goal = goal;
  for (size_t i = 0; i < kRecords && i < dkzs.size(); ++i) {
    if (has_record(role, kAllRecords[i])) k.life.set(kAllRecords[i], state_letter(dkzs[i]), changed);
  }
  return k;
}

// pred -> succ, by id both ways.
inline void link(ZoneKey& pred, ZoneKey& succ) {
  pred.life.successor = succ.id;
  succ.life.predecessor = pred.id;
}

inline size_t index_of(const std::vector<ZoneKey>& keys, int64_t id) {
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].id == id) return i;
  }
  return keys.size();
}

}  // namespace signerd::policy::testing
