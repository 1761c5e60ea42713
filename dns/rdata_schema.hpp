// dns/rdata_schema.hpp — one field schema per RR type.
//
// Owns: the layout of every known type's RDATA as a list of fields, and the
// operations that need it and nothing else: validation of wire RDATA,
// decompression of embedded names on input (RFC 3597 section 4), canonical
// form (RFC 4034 section 6.2 as amended by RFC 6840 section 5.1) and the
// canonical RDATA order of RFC 4034 section 6.3. Presentation format uses
// the same schema (dns/rdata_text). Unknown types are opaque (RFC 3597).
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "dns/rrtype.hpp"
#include "dns/wire.hpp"

namespace signerd::dns {

enum class Field : uint8_t {
  u8,
  u16,
  u32,
  u48,  // TSIG time
  ipv4,
  ipv6,
  // Names. All are decompressed on input (harmless for an uncompressed name:
  // a pointer's high bits are never a valid label length).
  name,           // plain: never compressed out, case kept in canonical form
  name_compress,  // RFC 1035 types: may be compressed out; lowercased in canonical form
  name_lower,     // lowercased in canonical form (RFC 4034 6.2), never compressed out
  char_string,    // one <character-string>
  char_strings,   // one or more, to the end (TXT, SPF)
  rrtype,         // 16-bit type code shown as a mnemonic
  time,           // 32-bit seconds shown as YYYYMMDDHHmmSS (RRSIG, SIG)
  base64_rest,    // to the end; may be empty only where noted by the type
  hex_rest,       // to the end, may be empty
  hex_u8,         // one length octet, then bytes, shown as hex or "-" (NSEC3 salt)
  base32_u8,      // one length octet, then bytes, shown as base32hex (NSEC3 hash)
  type_bitmap,    // RFC 4034 section 4.1.2 windows, to the end
  text_rest,      // bytes to the end shown as one quoted string (URI target, CAA value)
  tag_u8,         // one length octet, then an unquoted token (CAA tag)
  eui48,
  eui64,   // xx-xx-... (RFC 7043)
  ilnp64,  // 64 bits as four 16-bit hex groups (RFC 6742)
  // Whole-RDATA layouts too irregular for a field list.
  loc,         // RFC 1876
  apl,         // RFC 3123
  ipseckey,    // RFC 4025: gateway depends on the gateway type
  hip,         // RFC 8005
  svc_params,  // RFC 9460 key=value list, to the end
  amtrelay,    // RFC 8777
  wks,         // RFC 1035 3.4.2: address, protocol, port bitmap
  nsap,        // RFC 1706: 0x-prefixed hex
};

struct RdataSchema {
  RRType type;
  std::span<const Field> fields;
};

// The schema of a known type, or nullptr (opaque, RFC 3597).
const RdataSchema* rdata_schema(RRType type) noexcept;

// True when the canonical form of this type's RDATA lowercases names.
bool has_lowercased_names(RRType type) noexcept;
// True when names in this type's RDATA may be compressed on output (RFC 3597 4).
bool has_compressible_names(RRType type) noexcept;

// Checks that uncompressed `rdata` is well formed for `type`. Unknown types
// always pass. The error names the type and the problem.
Result<void> validate_rdata(RRType type, std::span<const uint8_t> rdata);

// Reads `rdlength` octets of RDATA at `reader`'s position in a message,
// expanding compressed names of known types; appends the uncompressed
// RDATA to `out`. The reader ends just after the RDATA.
Result<void> read_rdata(WireReader& reader, RRType type, uint16_t rdlength, std::vector<uint8_t>& out);

// Canonical form (RFC 4034 6.2): `rdata` with the names that the type's
// schema marks lowercased. Precondition: rdata validated.
void append_canonical_rdata(RRType type, std::span<const uint8_t> rdata, std::vector<uint8_t>& out);

// RFC 4034 6.3: compare canonical forms as left-justified octet strings.
std::strong_ordering canonical_rdata_compare(RRType type, std::span<const uint8_t> a,
                                             std::span<const uint8_t> b);

}  // namespace signerd::dns
