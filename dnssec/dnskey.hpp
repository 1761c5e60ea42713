// dnssec/dnskey.hpp — DNSKEY, DS, CDS and CDNSKEY RDATA.
//
// Owns: building DNSKEY RDATA from a public key (RFC 4034 section 2.1),
// DS/CDS RDATA from a DNSKEY (RFC 4034 section 5.1.4 with SHA-256, RFC 4509,
// and SHA-384, RFC 6605), CDNSKEY RDATA (RFC 7344 section 3.1) and the
// RFC 8078 section 4 "delete" forms. Does not own: keys (hsm/), when to
// publish what (policy/).
#pragma once

#include <cstdint>
#include <span>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"

namespace signerd::dnssec {

using base::Result;

// DNSKEY flags (RFC 4034 section 2.1.1, RFC 5011 section 3).
inline constexpr uint16_t kDnskeyZoneKey = 0x0100;  // bit 7
inline constexpr uint16_t kDnskeyRevoke = 0x0080;   // bit 8
inline constexpr uint16_t kDnskeySep = 0x0001;      // bit 15
inline constexpr uint8_t kDnskeyProtocol = 3;       // RFC 4034 section 2.1.2

// DS digest types we produce. SHA-1 (1) is deliberately absent: RFC 8624
// section 3.3 says MUST NOT for DS generation.
enum class DsDigest : uint8_t { sha256 = 2, sha384 = 4 };

// The fields of a DNSKEY RDATA; `public_key` views into the RDATA. The
// algorithm stays a number: any value can arrive on the wire (the supported
// ones are hsm::Algorithm).
struct DnskeyFields {
  uint16_t flags = 0;
  uint8_t protocol = kDnskeyProtocol;
  uint8_t algorithm = 0;
  std::span<const uint8_t> public_key;
};

// flags | protocol 3 | algorithm | public key, in wire form.
dns::Rdata make_dnskey_rdata(uint16_t flags, uint8_t algorithm, std::span<const uint8_t> public_key);

// Errc::malformed when shorter than the 4-octet header or the key is empty.
Result<DnskeyFields> parse_dnskey_rdata(std::span<const uint8_t> rdata);

// DS RDATA for the DNSKEY `dnskey_rdata` owned by `owner`: key tag,
// algorithm, digest type, digest(owner in canonical form | DNSKEY RDATA).
// Errors: Errc::malformed for a DNSKEY RDATA that does not parse;
// Errc::invalid_argument when the zone-key flag is clear (RFC 4034 5.2:
// a DS must point at a zone key); Errc::internal from OpenSSL.
Result<dns::Rdata> make_ds_rdata(dns::NameView owner, std::span<const uint8_t> dnskey_rdata, DsDigest digest);

// CDS has the DS RDATA format (RFC 7344 section 3.1).
inline Result<dns::Rdata> make_cds_rdata(dns::NameView owner, std::span<const uint8_t> dnskey_rdata,
                                         DsDigest digest) {
  return make_ds_rdata(owner, dnskey_rdata, digest);
}

// CDNSKEY has the DNSKEY RDATA format (RFC 7344 section 3.2).
inline dns::Rdata make_cdnskey_rdata(std::span<const uint8_t> dnskey_rdata) {
  return dns::Rdata(dnskey_rdata.begin(), dnskey_rdata.end());
}

// RFC 8078 section 4: the records that ask the parent to remove all DS.
dns::Rdata cds_delete_rdata();      // "0 0 0 00"
dns::Rdata cdnskey_delete_rdata();  // "0 3 0 AA=="

}  // namespace signerd::dnssec
