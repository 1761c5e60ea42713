// signerd/key_command.hpp — the operator's word on a zone's keys.
//
// Owns: KeyCommand, what `signerctl checkds`, `rollover` and `step` ask of
// a zone (KASP.md section 4.6: the manual fallbacks). Does not own: parsing
// them (control_verbs.cpp) or carrying them out (the zone's next key event,
// zone_keys.cpp).
#pragma once

#include <cstdint>
#include <optional>

#include "base/clock.hpp"
#include "policy/key_state.hpp"

namespace signerd {

struct KeyCommand {
  enum class Kind : uint8_t {
    ds_published,  // checkds published: the parent holds the DS (no parental agent needed)
    ds_withdrawn,  // checkds withdrawn: the parent no longer holds it
    rollover,      // start the rollover of the `role` key now or `at`
    step,          // manual-mode: let the blocked transitions through once
  };
  Kind kind = Kind::step;
  std::optional<uint16_t> tag;            // checkds: only this key (default: every key waiting)
  policy::Role role = policy::Role::zsk;  // rollover
  std::optional<base::TimePoint> at;      // rollover: when the successor is published (default: now)
};

}  // namespace signerd
