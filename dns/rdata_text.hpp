// dns/rdata_text.hpp — RDATA and records in presentation format.
//
// Owns: the text form of every type in dns/rdata_schema, driven by the same
// field schema; unknown types, and RDATA that does not fit its schema, in
// RFC 3597 generic form ("\# 4 0a000001"). Reading text is dns/zone_file's.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "dns/name.hpp"
#include "dns/rrtype.hpp"

namespace signerd::dns {

// Appends the presentation form of `rdata` (uncompressed wire) to `out`.
// Never fails: what cannot be shown by its type's rules is shown generically.
void append_rdata_text(RRType type, std::span<const uint8_t> rdata, std::string& out);
std::string rdata_to_text(RRType type, std::span<const uint8_t> rdata);

// "<owner> <ttl> <class> <type> <rdata>" with an absolute owner, no newline.
// Types whose mnemonic ldns 1.8 does not read (AVC, DOA, AMTRELAY, ...) are
// written as TYPEnnn with generic RDATA (RFC 3597 section 5), so that BIND
// 9.18 and ldns both read the line back to the same octets.
void append_record_text(NameView owner, uint32_t ttl, RRClass rclass, RRType type,
                        std::span<const uint8_t> rdata, std::string& out);

}  // namespace signerd::dns
