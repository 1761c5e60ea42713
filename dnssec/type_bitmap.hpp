// dnssec/type_bitmap.hpp — the Type Bit Maps field of NSEC and NSEC3.
//
// Owns: encoding a set of RR types as RFC 4034 section 4.1.2 windows (also
// RFC 5155 section 3.2.1) and decoding them back. Does not own: which types
// a name's bitmap lists (denial_types.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "dns/rrtype.hpp"

namespace signerd::dnssec {

using base::Result;

// Appends the bitmap of `types` to `out`. Order and duplicates in `types`
// do not matter. Windows without types are left out and each window's
// bitmap stops at its last non-zero octet; no types, no octets.
void append_type_bitmap(std::span<const dns::RRType> types, std::vector<uint8_t>& out);
std::vector<uint8_t> make_type_bitmap(std::span<const dns::RRType> types);

// The types in a bitmap, ascending. Errc::malformed for windows out of
// order or repeated, a bitmap length outside 1..32, or truncation.
Result<std::vector<dns::RRType>> parse_type_bitmap(std::span<const uint8_t> bitmap);

}  // namespace signerd::dnssec
