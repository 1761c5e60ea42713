#include "dnssec/dnskey.hpp"

#include "dns/wire.hpp"
#include "dnssec/digest.hpp"
#include "dnssec/key_tag.hpp"

namespace signerd::dnssec {

dns::Rdata make_dnskey_rdata(uint16_t flags, uint8_t algorithm, std::span<const uint8_t> public_key) {
  dns::Rdata out;
  out.reserve(4 + public_key.size());
  dns::put_u16(out, flags);
  dns::put_u8(out, kDnskeyProtocol);
  dns::put_u8(out, algorithm);
  dns::put_bytes(out, public_key);
  return out;
}

Result<DnskeyFields> parse_dnskey_rdata(std::span<const uint8_t> rdata) {
  if (rdata.size() <= 4) {
    return base::make_error(base::Errc::malformed,
                            "DNSKEY RDATA of " + std::to_string(rdata.size()) + " octets has no public key");
  }
  return DnskeyFields{dns::get_u16(rdata.data()), rdata[2], rdata[3], rdata.subspan(4)};
}

Result<dns::Rdata> make_ds_rdata(dns::NameView owner, std::span<const uint8_t> dnskey_rdata,
                                 DsDigest digest_type) {
  auto key = parse_dnskey_rdata(dnskey_rdata);
  if (!key) return std::move(key).error();
  if ((key->flags & kDnskeyZoneKey) == 0) {
    return base::make_error(base::Errc::invalid_argument,
                            owner.to_text() + ": DS for a DNSKEY without the zone-key flag (RFC 4034 5.2)");
  }
  // RFC 4034 5.1.4: the owner name in canonical (lowercased) wire form.
  dns::Name canonical_owner = dns::Name(owner).lowercased();
  auto algorithm = digest_type == DsDigest::sha256 ? DigestAlgorithm::sha256 : DigestAlgorithm::sha384;
  auto d = digest(algorithm, {canonical_owner.wire(), dnskey_rdata});
  if (!d) return std::move(d).error();

  dns::Rdata out;
  out.reserve(4 + d->size());
  dns::put_u16(out, key_tag(dnskey_rdata));
  dns::put_u8(out, key->algorithm);
  dns::put_u8(out, static_cast<uint8_t>(digest_type));
  dns::put_bytes(out, *d);
  return out;
}

dns::Rdata cds_delete_rdata() { return dns::Rdata{0, 0, 0, 0, 0x00}; }

dns::Rdata cdnskey_delete_rdata() { return dns::Rdata{0, 0, kDnskeyProtocol, 0, 0x00}; }

}  // namespace signerd::dnssec
