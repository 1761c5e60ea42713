// dnssec/rrsig.hpp — RRSIG RDATA fields (RFC 4034 section 3.1).
//
// Owns: RrsigFields (everything in an RRSIG but the signature), the Labels
// count of an owner name, and RRSIG RDATA built from fields and signature
// bytes or parsed back into them. Does not own: the bytes that are signed
// (signing_input.hpp) or the signature itself (hsm/).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "dns/rrtype.hpp"

namespace signerd::dnssec {

using base::Result;

struct RrsigFields {
  dns::RRType type_covered = dns::RRType::A;
  uint8_t algorithm = 0;
  uint8_t labels = 0;  // rrsig_labels(owner)
  uint32_t original_ttl = 0;
  uint32_t expiration = 0;  // seconds since the epoch, modulo 2^32 (RFC 4034 3.1.5)
  uint32_t inception = 0;
  uint16_t key_tag = 0;
  dns::Name signer;  // the zone apex

  friend bool operator==(const RrsigFields&, const RrsigFields&) = default;
};

struct ParsedRrsig {
  RrsigFields fields;
  std::vector<uint8_t> signature;
};

// RFC 4034 3.1.3: labels of `owner` not counting the root, nor a leftmost "*".
uint8_t rrsig_labels(dns::NameView owner) noexcept;

// The RRSIG RDATA up to the signature: the fields in wire order with the
// signer name lowercased (RFC 4034 3.1.7 and 3.1.8.1; RFC 6840 5.1).
void append_rrsig_header(const RrsigFields& fields, std::vector<uint8_t>& out);

// The whole RRSIG RDATA: header and signature.
dns::Rdata make_rrsig_rdata(const RrsigFields& fields, std::span<const uint8_t> signature);

// Errc::malformed when `rdata` is not a valid RRSIG RDATA (short, a bad or
// compressed signer name, an empty signature).
Result<ParsedRrsig> parse_rrsig_rdata(std::span<const uint8_t> rdata);

// True when the RRSIG whose RDATA this is expires before `when` (RRSIG wire
// time, RFC 4034 3.1.5 serial arithmetic). RDATA too short to hold an
// expiration counts as expired: it is never kept.
bool rrsig_expires_before(std::span<const uint8_t> rdata, uint32_t when) noexcept;

}  // namespace signerd::dnssec
