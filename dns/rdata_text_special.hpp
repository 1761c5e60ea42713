// dns/rdata_text_special.hpp — internal to dns/rdata_text*.cpp.
//
// Owns: the text encoders shared by the field printers (hex, base64,
// quoted strings, addresses, portable type mnemonics) and the printers of
// the whole-RDATA layouts that a field list cannot describe (Field::loc,
// apl, ipseckey, hip, svc_params, amtrelay, wks, nsap). Not a public API.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "dns/rrtype.hpp"

namespace signerd::dns::text_detail {

using Bytes = std::span<const uint8_t>;

// Encoders: append to `out`, never fail.
void append_hex(Bytes b, std::string& out);     // uppercase, as BIND prints
void append_base64(Bytes b, std::string& out);  // RFC 4648 section 4, padded, no breaks
void append_quoted(Bytes b, std::string& out);  // "..." with \" \\ and \DDD escapes
void append_ipv4(const uint8_t* p, std::string& out);
void append_ipv6(const uint8_t* p, std::string& out);

// A type's mnemonic when BIND 9.18, ldns 1.8 and libzscanner 3.2 all know
// it, else RFC 3597 TYPEnnn (which all of them read).
std::string portable_type_text(RRType type);
// True when BIND 9.18, ldns 1.8 and libzscanner 3.2 all read this type's
// mnemonic and RDATA text; records of other types are written generically.
bool readers_know(RRType type) noexcept;

// Length of the uncompressed name at d[pos..], or 0 when malformed.
size_t name_length(Bytes d, size_t pos) noexcept;

// Printers of a whole-RDATA layout, given the RDATA already checked by
// validate_rdata(). Each returns false when its text would not read back to
// the same octets in BIND 9.18 and ldns 1.8; the caller then prints RFC 3597.
bool append_loc(Bytes d, std::string& out);
bool append_apl(Bytes d, std::string& out);
bool append_ipseckey(Bytes d, std::string& out);
bool append_hip(Bytes d, std::string& out);
bool append_svc_params(Bytes d, std::string& out);
bool append_amtrelay(Bytes d, std::string& out);
bool append_wks(Bytes d, std::string& out);
bool append_nsap(Bytes d, std::string& out);

}  // namespace signerd::dns::text_detail
