#include "dns/rdata_schema.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace signerd::dns {
namespace {

using F = Field;

// Field lists, one per known type.
constexpr F kA[] = {F::ipv4};
constexpr F kAaaa[] = {F::ipv6};
constexpr F kNameC[] = {F::name_compress};  // NS, MD, MF, CNAME, MB, MG, MR, PTR
constexpr F kSoa[] = {F::name_compress, F::name_compress, F::u32, F::u32, F::u32, F::u32, F::u32};
constexpr F kMinfo[] = {F::name_compress, F::name_compress};
constexpr F kMx[] = {F::u16, F::name_compress};
constexpr F kHinfo[] = {F::char_string, F::char_string};
constexpr F kTxt[] = {F::char_strings};  // TXT, SPF, also AVC, RESINFO
constexpr F kRp[] = {F::name_lower, F::name_lower};
constexpr F kU16NameL[] = {F::u16, F::name_lower};  // AFSDB, RT, KX
constexpr F kX25[] = {F::char_string};
constexpr F kIsdn[] = {F::char_strings};  // address [subaddress]
constexpr F kSig[] = {F::rrtype, F::u8,  F::u8,         F::u32,        F::time,
                      F::time,   F::u16, F::name_lower, F::base64_rest};
constexpr F kKey[] = {F::u16, F::u8, F::u8, F::base64_rest};  // KEY, DNSKEY, CDNSKEY, RKEY
constexpr F kPx[] = {F::u16, F::name_lower, F::name_lower};
constexpr F kGpos[] = {F::char_string, F::char_string, F::char_string};
constexpr F kLoc[] = {F::loc};
constexpr F kNxt[] = {F::name_lower, F::hex_rest};  // RFC 2535 flat bitmap, kept opaque
constexpr F kSrv[] = {F::u16, F::u16, F::u16, F::name_lower};
constexpr F kNaptr[] = {F::u16, F::u16, F::char_string, F::char_string, F::char_string, F::name_lower};
constexpr F kCert[] = {F::u16, F::u16, F::u8, F::base64_rest};
constexpr F kDname[] = {F::name_lower};
constexpr F kApl[] = {F::apl};
constexpr F kDs[] = {F::u16, F::u8, F::u8, F::hex_rest};  // DS, CDS, TA, DLV
constexpr F kSshfp[] = {F::u8, F::u8, F::hex_rest};
constexpr F kIpseckey[] = {F::ipseckey};
constexpr F kNsec[] = {F::name, F::type_bitmap};  // RFC 6840 5.1: next name keeps its case
constexpr F kBase64[] = {F::base64_rest};         // DHCID, OPENPGPKEY
constexpr F kNsec3[] = {F::u8, F::u8, F::u16, F::hex_u8, F::base32_u8, F::type_bitmap};
constexpr F kNsec3param[] = {F::u8, F::u8, F::u16, F::hex_u8};
constexpr F kTlsa[] = {F::u8, F::u8, F::u8, F::hex_rest};  // TLSA, SMIMEA
constexpr F kHip[] = {F::hip};
constexpr F kTalink[] = {F::name, F::name};
constexpr F kCsync[] = {F::u32, F::u16, F::type_bitmap};
constexpr F kZonemd[] = {F::u32, F::u8, F::u8, F::hex_rest};
constexpr F kSvcb[] = {F::u16, F::name, F::svc_params};  // SVCB, HTTPS
constexpr F kDsync[] = {F::rrtype, F::u8, F::u16, F::name};
constexpr F kNid[] = {F::u16, F::ilnp64};  // NID, L64
constexpr F kL32[] = {F::u16, F::ipv4};
constexpr F kLp[] = {F::u16, F::name};
constexpr F kEui48[] = {F::eui48};
constexpr F kEui64[] = {F::eui64};
constexpr F kUri[] = {F::u16, F::u16, F::text_rest};
constexpr F kCaa[] = {F::u8, F::tag_u8, F::text_rest};
constexpr F kDoa[] = {F::u32, F::u32, F::u8, F::char_string, F::base64_rest};
constexpr F kAmtrelay[] = {F::amtrelay};
constexpr F kWks[] = {F::wks};
constexpr F kNsap[] = {F::nsap};
constexpr F kU32[] = {F::u32};  // UID, GID

#define SCHEMA(T, fields) \
  RdataSchema { RRType::T, fields }
// Sorted by type code for binary search.
constexpr std::array kSchemas{
    SCHEMA(A, kA),
    SCHEMA(NS, kNameC),
    SCHEMA(MD, kNameC),
    SCHEMA(MF, kNameC),
    SCHEMA(CNAME, kNameC),
    SCHEMA(SOA, kSoa),
    SCHEMA(MB, kNameC),
    SCHEMA(MG, kNameC),
    SCHEMA(MR, kNameC),
    SCHEMA(WKS, kWks),
    SCHEMA(PTR, kNameC),
    SCHEMA(HINFO, kHinfo),
    SCHEMA(MINFO, kMinfo),
    SCHEMA(MX, kMx),
    SCHEMA(TXT, kTxt),
    SCHEMA(RP, kRp),
    SCHEMA(AFSDB, kU16NameL),
    SCHEMA(X25, kX25),
    SCHEMA(ISDN, kIsdn),
    SCHEMA(RT, kU16NameL),
    SCHEMA(NSAP, kNsap),
    SCHEMA(SIG, kSig),
    SCHEMA(KEY, kKey),
    SCHEMA(PX, kPx),
    SCHEMA(GPOS, kGpos),
    SCHEMA(AAAA, kAaaa),
    SCHEMA(LOC, kLoc),
    SCHEMA(NXT, kNxt),
    SCHEMA(SRV, kSrv),
    SCHEMA(NAPTR, kNaptr),
    SCHEMA(KX, kU16NameL),
    SCHEMA(CERT, kCert),
    SCHEMA(DNAME, kDname),
    SCHEMA(APL, kApl),
    SCHEMA(DS, kDs),
    SCHEMA(SSHFP, kSshfp),
    SCHEMA(IPSECKEY, kIpseckey),
    SCHEMA(RRSIG, kSig),
    SCHEMA(NSEC, kNsec),
    SCHEMA(DNSKEY, kKey),
    SCHEMA(DHCID, kBase64),
    SCHEMA(NSEC3, kNsec3),
    SCHEMA(NSEC3PARAM, kNsec3param),
    SCHEMA(TLSA, kTlsa),
    SCHEMA(SMIMEA, kTlsa),
    SCHEMA(HIP, kHip),
    SCHEMA(RKEY, kKey),
    SCHEMA(TALINK, kTalink),
    SCHEMA(CDS, kDs),
    SCHEMA(CDNSKEY, kKey),
    SCHEMA(OPENPGPKEY, kBase64),
    SCHEMA(CSYNC, kCsync),
    SCHEMA(ZONEMD, kZonemd),
    SCHEMA(SVCB, kSvcb),
    SCHEMA(HTTPS, kSvcb),
    SCHEMA(DSYNC, kDsync),
    SCHEMA(SPF, kTxt),
    SCHEMA(UID, kU32),
    SCHEMA(GID, kU32),
    SCHEMA(NID, kNid),
    SCHEMA(L32, kL32),
    SCHEMA(L64, kNid),
    SCHEMA(LP, kLp),
    SCHEMA(EUI48, kEui48),
    SCHEMA(EUI64, kEui64),
    SCHEMA(URI, kUri),
    SCHEMA(CAA, kCaa),
    SCHEMA(AVC, kTxt),
    SCHEMA(DOA, kDoa),
    SCHEMA(AMTRELAY, kAmtrelay),
    SCHEMA(RESINFO, kTxt),
    SCHEMA(TA, kDs),
    SCHEMA(DLV, kDs),
};
#undef SCHEMA

base::Error bad(RRType type, const std::string& why) {
  return base::make_error(base::Errc::malformed, to_text(type) + " RDATA: " + why);
}

bool is_name_field(Field f) { return f == F::name || f == F::name_compress || f == F::name_lower; }

// Length of an uncompressed name at data[pos..end), or 0 when malformed.
size_t plain_name_length(std::span<const uint8_t> data, size_t pos, size_t end) {
  size_t start = pos;
  while (pos < end) {
    uint8_t len = data[pos];
    if (len == 0) return (pos + 1 - start <= kMaxNameWire) ? pos + 1 - start : 0;
    if (len > kMaxLabel) return 0;
    pos += 1u + len;
  }
  return 0;
}

Result<size_t> type_bitmap_length(RRType type, std::span<const uint8_t> d, size_t pos, size_t end) {
  size_t start = pos;
  int last_window = -1;
  while (pos < end) {
    if (end - pos < 2) return bad(type, "type bitmap window header truncated");
    int window = d[pos];
    unsigned len = d[pos + 1];
    if (window <= last_window) return bad(type, "type bitmap windows out of order");
    if (len < 1 || len > 32) return bad(type, "type bitmap window length not in 1..32");
    if (end - pos - 2 < len) return bad(type, "type bitmap window truncated");
    last_window = window;
    pos += 2u + len;
  }
  return pos - start;
}

// RFC 3123: family(2) prefix(1) n+afdlength(1) afdpart.
Result<void> check_apl(RRType type, std::span<const uint8_t> d, size_t pos, size_t end) {
  while (pos < end) {
    if (end - pos < 4) return bad(type, "APL item truncated");
    uint16_t family = get_u16(&d[pos]);
    uint8_t prefix = d[pos + 2];
    unsigned afdlen = d[pos + 3] & 0x7f;
    if (family == 1 && (prefix > 32 || afdlen > 4)) return bad(type, "APL IPv4 item too long");
    if (family == 2 && (prefix > 128 || afdlen > 16)) return bad(type, "APL IPv6 item too long");
    if (family != 1 && family != 2) return bad(type, "APL address family not 1 or 2");
    if (end - pos - 4 < afdlen) return bad(type, "APL address truncated");
    pos += 4u + afdlen;
  }
  return base::ok();
}

// RFC 4025 section 2.
Result<void> check_ipseckey(RRType type, std::span<const uint8_t> d, size_t pos, size_t end) {
  if (end - pos < 3) return bad(type, "header truncated");
  uint8_t gw_type = d[pos + 1];
  pos += 3;
  switch (gw_type) {
    case 0: break;
    case 1:
      if (end - pos < 4) return bad(type, "IPv4 gateway truncated");
      pos += 4;
      break;
    case 2:
      if (end - pos < 16) return bad(type, "IPv6 gateway truncated");
      pos += 16;
      break;
    case 3: {
      size_t n = plain_name_length(d, pos, end);
      if (n == 0) return bad(type, "gateway name malformed");
      pos += n;
      break;
    }
    default: return bad(type, "gateway type " + std::to_string(gw_type) + " unknown");
  }
  return base::ok();
}

// RFC 8005 section 5: hit_len(1) alg(1) pk_len(2) hit pk rendezvous-names.
Result<void> check_hip(RRType type, std::span<const uint8_t> d, size_t pos, size_t end) {
  if (end - pos < 4) return bad(type, "header truncated");
  size_t hit_len = d[pos];
  size_t pk_len = get_u16(&d[pos + 2]);
  pos += 4;
  if (hit_len == 0 || end - pos < hit_len + pk_len) return bad(type, "HIT or public key truncated");
  pos += hit_len + pk_len;
  while (pos < end) {
    size_t n = plain_name_length(d, pos, end);
    if (n == 0) return bad(type, "rendezvous server name malformed");
    pos += n;
  }
  return base::ok();
}

// RFC 9460 section 2.2: keys strictly increasing, each value bounded.
Result<void> check_svc_params(RRType type, std::span<const uint8_t> d, size_t pos, size_t end) {
  int last_key = -1;
  while (pos < end) {
    if (end - pos < 4) return bad(type, "SvcParam header truncated");
    int key = get_u16(&d[pos]);
    size_t len = get_u16(&d[pos + 2]);
    if (key <= last_key) return bad(type, "SvcParamKeys not in strictly increasing order");
    if (end - pos - 4 < len) return bad(type, "SvcParamValue truncated");
    last_key = key;
    pos += 4 + len;
  }
  return base::ok();
}

// RFC 8777 section 4.2: precedence(1) D|type(1) relay.
Result<void> check_amtrelay(RRType type, std::span<const uint8_t> d, size_t pos, size_t end) {
  if (end - pos < 2) return bad(type, "header truncated");
  uint8_t relay_type = d[pos + 1] & 0x7f;
  pos += 2;
  size_t need = 0;
  switch (relay_type) {
    case 0: need = 0; break;
    case 1: need = 4; break;
    case 2: need = 16; break;
    case 3:
      need = plain_name_length(d, pos, end);
      if (need == 0) return bad(type, "relay name malformed");
      break;
    default: return bad(type, "relay type unknown");
  }
  if (end - pos != need) return bad(type, "relay length does not match its type");
  return base::ok();
}

// Length of the fixed or self-delimited field at pos; names are handled by
// the caller. A "rest" field takes everything to `end`.
Result<size_t> field_length(RRType type, Field f, std::span<const uint8_t> d, size_t pos, size_t end) {
  size_t avail = end - pos;
  auto fixed = [&](size_t n) -> Result<size_t> {
    if (avail < n) return bad(type, "truncated");
    return n;
  };
  switch (f) {
    case F::u8: return fixed(1);
    case F::u16:
    case F::rrtype: return fixed(2);
    case F::u32:
    case F::time:
    case F::ipv4: return fixed(4);
    case F::u48:
    case F::eui48: return fixed(6);
    case F::eui64:
    case F::ilnp64: return fixed(8);
    case F::ipv6: return fixed(16);
    case F::loc:
      if (avail != 16 || d[pos] != 0) return bad(type, "LOC must be 16 octets, version 0");
      return avail;
    case F::char_string:
    case F::hex_u8:
    case F::base32_u8:
    case F::tag_u8: {
      if (avail < 1) return bad(type, "length octet missing");
      size_t n = 1u + d[pos];
      if (avail < n) return bad(type, "string runs past the end");
      if (f == F::base32_u8 && n == 1) return bad(type, "empty hash");
      if (f == F::tag_u8 && n == 1) return bad(type, "empty tag");
      return n;
    }
    case F::char_strings: {
      if (avail < 1) return bad(type, "needs at least one character-string");
      size_t p = pos;
      while (p < end) {
        size_t n = 1u + d[p];
        if (end - p < n) return bad(type, "character-string runs past the end");
        p += n;
      }
      return p - pos;
    }
    case F::type_bitmap: return type_bitmap_length(type, d, pos, end);
    case F::base64_rest:
    case F::hex_rest:
    case F::text_rest:
    case F::nsap: return avail;
    case F::wks:
      if (avail < 5) return bad(type, "WKS shorter than 5 octets");
      return avail;
    case F::apl: SIGNERD_TRY(check_apl(type, d, pos, end)); return avail;
    case F::ipseckey: SIGNERD_TRY(check_ipseckey(type, d, pos, end)); return avail;
    case F::hip: SIGNERD_TRY(check_hip(type, d, pos, end)); return avail;
    case F::svc_params: SIGNERD_TRY(check_svc_params(type, d, pos, end)); return avail;
    case F::amtrelay: SIGNERD_TRY(check_amtrelay(type, d, pos, end)); return avail;
    case F::name:
    case F::name_compress:
    case F::name_lower: break;
  }
  return bad(type, "internal: name field in field_length");
}

}  // namespace

const RdataSchema* rdata_schema(RRType type) noexcept {
  auto it = std::lower_bound(kSchemas.begin(), kSchemas.end(), type,
                             [](const RdataSchema& s, RRType t) { return code(s.type) < code(t); });
  if (it != kSchemas.end() && it->type == type) return &*it;
  return nullptr;
}

bool has_lowercased_names(RRType type) noexcept {
  const RdataSchema* s = rdata_schema(type);
  if (s == nullptr) return false;
  return std::any_of(s->fields.begin(), s->fields.end(),
                     [](Field f) { return f == F::name_compress || f == F::name_lower; });
}

bool has_compressible_names(RRType type) noexcept {
  const RdataSchema* s = rdata_schema(type);
  if (s == nullptr) return false;
  return std::any_of(s->fields.begin(), s->fields.end(), [](Field f) { return f == F::name_compress; });
}

Result<void> validate_rdata(RRType type, std::span<const uint8_t> rdata) {
  const RdataSchema* s = rdata_schema(type);
  if (s == nullptr) return base::ok();
  size_t pos = 0;
  const size_t end = rdata.size();
  for (Field f : s->fields) {
    if (is_name_field(f)) {
      size_t n = plain_name_length(rdata, pos, end);
      if (n == 0) return bad(type, "embedded name malformed or truncated");
      pos += n;
      continue;
    }
    auto n = field_length(type, f, rdata, pos, end);
    if (!n) return std::move(n).error();
    pos += *n;
  }
  if (pos != end) return bad(type, std::to_string(end - pos) + " trailing octets");
  return base::ok();
}

Result<void> read_rdata(WireReader& reader, RRType type, uint16_t rdlength, std::vector<uint8_t>& out) {
  const size_t start = reader.position();
  if (reader.remaining() < rdlength) return bad(type, "RDLENGTH runs past the end of the message");
  const size_t end = start + rdlength;
  const RdataSchema* s = rdata_schema(type);
  if (s == nullptr) {
    auto b = reader.bytes(rdlength);
    put_bytes(out, *b);
    return base::ok();
  }
  const size_t out_start = out.size();
  auto msg = reader.data();
  for (Field f : s->fields) {
    if (is_name_field(f)) {
      // Bound the name's own octets in the message by RDLENGTH.
      WireReader bounded(msg.first(end), reader.position());
      auto r = bounded.name(out);
      if (!r) return bad(type, "embedded name: " + r.error().detail);
      (void)reader.bytes(bounded.position() - reader.position());
      continue;
    }
    auto n = field_length(type, f, msg, reader.position(), end);
    if (!n) return std::move(n).error();
    put_bytes(out, *reader.bytes(*n));
  }
  if (reader.position() != end)
    return bad(type, std::to_string(end - reader.position()) + " trailing octets");
  // Specials were checked on the message bytes; fixed fields need no more.
  (void)out_start;
  return base::ok();
}

void append_canonical_rdata(RRType type, std::span<const uint8_t> rdata, std::vector<uint8_t>& out) {
  const RdataSchema* s = rdata_schema(type);
  if (s == nullptr || !has_lowercased_names(type)) {
    put_bytes(out, rdata);
    return;
  }
  size_t pos = 0;
  for (Field f : s->fields) {
    if (pos >= rdata.size()) break;
    if (is_name_field(f)) {
      size_t n = plain_name_length(rdata, pos, rdata.size());
      if (n == 0) break;  // precondition violated; copy the rest unchanged
      for (size_t i = 0; i < n; ++i) {
        out.push_back(f == F::name ? rdata[pos + i] : to_lower_octet(rdata[pos + i]));
      }
      pos += n;
      continue;
    }
    auto n = field_length(type, f, rdata, pos, rdata.size());
    if (!n) break;
    put_bytes(out, rdata.subspan(pos, *n));
    pos += *n;
  }
  put_bytes(out, rdata.subspan(pos));
}

std::strong_ordering canonical_rdata_compare(RRType type, std::span<const uint8_t> a,
                                             std::span<const uint8_t> b) {
  auto lexical = [](std::span<const uint8_t> x, std::span<const uint8_t> y) {
    size_t n = std::min(x.size(), y.size());
    int c = n == 0 ? 0 : std::memcmp(x.data(), y.data(), n);
    if (c != 0) return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    return x.size() <=> y.size();
  };
  if (!has_lowercased_names(type)) return lexical(a, b);
  std::vector<uint8_t> ca;
  std::vector<uint8_t> cb;
  append_canonical_rdata(type, a, ca);
  append_canonical_rdata(type, b, cb);
  return lexical(ca, cb);
}

}  // namespace signerd::dns
