#include "dnssec/rrsig.hpp"

#include "dns/rdata_schema.hpp"
#include "dns/wire.hpp"

namespace signerd::dnssec {

namespace {
constexpr size_t kFixedPart = 18;  // type covered .. key tag (RFC 4034 3.1)
}

uint8_t rrsig_labels(dns::NameView owner) noexcept {
  size_t n = owner.label_count();
  if (owner.is_wildcard()) --n;
  return static_cast<uint8_t>(n);  // at most 127 labels fit in 255 octets
}

void append_rrsig_header(const RrsigFields& f, std::vector<uint8_t>& out) {
  dns::put_u16(out, dns::code(f.type_covered));
  dns::put_u8(out, f.algorithm);
  dns::put_u8(out, f.labels);
  dns::put_u32(out, f.original_ttl);
  dns::put_u32(out, f.expiration);
  dns::put_u32(out, f.inception);
  dns::put_u16(out, f.key_tag);
  dns::put_bytes(out, f.signer.lowercased().wire());
}

dns::Rdata make_rrsig_rdata(const RrsigFields& fields, std::span<const uint8_t> signature) {
  dns::Rdata out;
  out.reserve(kFixedPart + fields.signer.wire_size() + signature.size());
  append_rrsig_header(fields, out);
  dns::put_bytes(out, signature);
  return out;
}

Result<ParsedRrsig> parse_rrsig_rdata(std::span<const uint8_t> rdata) {
  auto bad = [](const std::string& why) {
    return base::make_error(base::Errc::malformed, "RRSIG RDATA: " + why);
  };
  if (auto v = dns::validate_rdata(dns::RRType::RRSIG, rdata); !v) return bad(v.error().detail);
  if (rdata.size() <= kFixedPart) return bad("too short");
  // validate_rdata checked the signer name; find where it ends.
  size_t end = kFixedPart;
  while (end < rdata.size() && rdata[end] != 0) end += 1u + rdata[end];
  if (end >= rdata.size()) return bad("signer name runs past the end");
  auto signer = dns::Name::from_wire(rdata.subspan(kFixedPart, end + 1 - kFixedPart));
  if (!signer) return bad(signer.error().detail);
  if (end + 1 == rdata.size()) return bad("empty signature");

  const uint8_t* p = rdata.data();
  ParsedRrsig out;
  out.fields.type_covered = static_cast<dns::RRType>(dns::get_u16(p));
  out.fields.algorithm = p[2];
  out.fields.labels = p[3];
  out.fields.original_ttl = dns::get_u32(p + 4);
  out.fields.expiration = dns::get_u32(p + 8);
  out.fields.inception = dns::get_u32(p + 12);
  out.fields.key_tag = dns::get_u16(p + 16);
  out.fields.signer = std::move(*signer);
  out.signature.assign(rdata.begin() + static_cast<std::ptrdiff_t>(end + 1), rdata.end());
  return out;
}

bool rrsig_expires_before(std::span<const uint8_t> rdata, uint32_t when) noexcept {
  if (rdata.size() < 12) return true;
  return static_cast<int32_t>(dns::get_u32(rdata.data() + 8) - when) < 0;
}

}  // namespace signerd::dnssec
