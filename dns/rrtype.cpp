#include "dns/rrtype.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "base/text.hpp"

namespace signerd::dns {
namespace {

using base::iequals;

struct TypeName {
  RRType type;
  std::string_view name;
};

// Sorted by code so that to_text can binary-search.
constexpr std::array kTypeNames{
    TypeName{RRType::A, "A"},
    TypeName{RRType::NS, "NS"},
    TypeName{RRType::MD, "MD"},
    TypeName{RRType::MF, "MF"},
    TypeName{RRType::CNAME, "CNAME"},
    TypeName{RRType::SOA, "SOA"},
    TypeName{RRType::MB, "MB"},
    TypeName{RRType::MG, "MG"},
    TypeName{RRType::MR, "MR"},
    TypeName{RRType::NULL_, "NULL"},
    TypeName{RRType::WKS, "WKS"},
    TypeName{RRType::PTR, "PTR"},
    TypeName{RRType::HINFO, "HINFO"},
    TypeName{RRType::MINFO, "MINFO"},
    TypeName{RRType::MX, "MX"},
    TypeName{RRType::TXT, "TXT"},
    TypeName{RRType::RP, "RP"},
    TypeName{RRType::AFSDB, "AFSDB"},
    TypeName{RRType::X25, "X25"},
    TypeName{RRType::ISDN, "ISDN"},
    TypeName{RRType::RT, "RT"},
    TypeName{RRType::NSAP, "NSAP"},
    TypeName{RRType::NSAP_PTR, "NSAP-PTR"},
    TypeName{RRType::SIG, "SIG"},
    TypeName{RRType::KEY, "KEY"},
    TypeName{RRType::PX, "PX"},
    TypeName{RRType::GPOS, "GPOS"},
    TypeName{RRType::AAAA, "AAAA"},
    TypeName{RRType::LOC, "LOC"},
    TypeName{RRType::NXT, "NXT"},
    TypeName{RRType::EID, "EID"},
    TypeName{RRType::NIMLOC, "NIMLOC"},
    TypeName{RRType::SRV, "SRV"},
    TypeName{RRType::ATMA, "ATMA"},
    TypeName{RRType::NAPTR, "NAPTR"},
    TypeName{RRType::KX, "KX"},
    TypeName{RRType::CERT, "CERT"},
    TypeName{RRType::A6, "A6"},
    TypeName{RRType::DNAME, "DNAME"},
    TypeName{RRType::SINK, "SINK"},
    TypeName{RRType::OPT, "OPT"},
    TypeName{RRType::APL, "APL"},
    TypeName{RRType::DS, "DS"},
    TypeName{RRType::SSHFP, "SSHFP"},
    TypeName{RRType::IPSECKEY, "IPSECKEY"},
    TypeName{RRType::RRSIG, "RRSIG"},
    TypeName{RRType::NSEC, "NSEC"},
    TypeName{RRType::DNSKEY, "DNSKEY"},
    TypeName{RRType::DHCID, "DHCID"},
    TypeName{RRType::NSEC3, "NSEC3"},
    TypeName{RRType::NSEC3PARAM, "NSEC3PARAM"},
    TypeName{RRType::TLSA, "TLSA"},
    TypeName{RRType::SMIMEA, "SMIMEA"},
    TypeName{RRType::HIP, "HIP"},
    TypeName{RRType::NINFO, "NINFO"},
    TypeName{RRType::RKEY, "RKEY"},
    TypeName{RRType::TALINK, "TALINK"},
    TypeName{RRType::CDS, "CDS"},
    TypeName{RRType::CDNSKEY, "CDNSKEY"},
    TypeName{RRType::OPENPGPKEY, "OPENPGPKEY"},
    TypeName{RRType::CSYNC, "CSYNC"},
    TypeName{RRType::ZONEMD, "ZONEMD"},
    TypeName{RRType::SVCB, "SVCB"},
    TypeName{RRType::HTTPS, "HTTPS"},
    TypeName{RRType::DSYNC, "DSYNC"},
    TypeName{RRType::SPF, "SPF"},
    TypeName{RRType::UINFO, "UINFO"},
    TypeName{RRType::UID, "UID"},
    TypeName{RRType::GID, "GID"},
    TypeName{RRType::UNSPEC, "UNSPEC"},
    TypeName{RRType::NID, "NID"},
    TypeName{RRType::L32, "L32"},
    TypeName{RRType::L64, "L64"},
    TypeName{RRType::LP, "LP"},
    TypeName{RRType::EUI48, "EUI48"},
    TypeName{RRType::EUI64, "EUI64"},
    TypeName{RRType::TKEY, "TKEY"},
    TypeName{RRType::TSIG, "TSIG"},
    TypeName{RRType::IXFR, "IXFR"},
    TypeName{RRType::AXFR, "AXFR"},
    TypeName{RRType::MAILB, "MAILB"},
    TypeName{RRType::MAILA, "MAILA"},
    TypeName{RRType::ANY, "ANY"},
    TypeName{RRType::URI, "URI"},
    TypeName{RRType::CAA, "CAA"},
    TypeName{RRType::AVC, "AVC"},
    TypeName{RRType::DOA, "DOA"},
    TypeName{RRType::AMTRELAY, "AMTRELAY"},
    TypeName{RRType::RESINFO, "RESINFO"},
    TypeName{RRType::TA, "TA"},
    TypeName{RRType::DLV, "DLV"},
};

// Parses "<prefix><decimal>" into a 16-bit code.
std::optional<uint16_t> parse_generic(std::string_view text, std::string_view prefix) {
  if (text.size() <= prefix.size() || !iequals(text.substr(0, prefix.size()), prefix)) return std::nullopt;
  auto digits = text.substr(prefix.size());
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || value > 0xffff) return std::nullopt;
  return static_cast<uint16_t>(value);
}

}  // namespace

std::string to_text(RRType type) {
  auto it = std::lower_bound(kTypeNames.begin(), kTypeNames.end(), type,
                             [](const TypeName& e, RRType t) { return code(e.type) < code(t); });
  if (it != kTypeNames.end() && it->type == type) return std::string(it->name);
  return "TYPE" + std::to_string(code(type));
}

std::string to_text(RRClass rclass) {
  switch (rclass) {
    case RRClass::IN: return "IN";
    case RRClass::CH: return "CH";
    case RRClass::HS: return "HS";
    case RRClass::NONE: return "NONE";
    case RRClass::ANY: return "ANY";
  }
  return "CLASS" + std::to_string(code(rclass));
}

std::optional<RRType> rrtype_from_text(std::string_view text) {
  for (const auto& e : kTypeNames) {
    if (iequals(e.name, text)) return e.type;
  }
  if (auto c = parse_generic(text, "TYPE")) return static_cast<RRType>(*c);
  return std::nullopt;
}

std::optional<RRClass> rrclass_from_text(std::string_view text) {
  static constexpr std::pair<std::string_view, RRClass> kClasses[] = {
      {"IN", RRClass::IN}, {"CH", RRClass::CH},     {"CHAOS", RRClass::CH},
      {"HS", RRClass::HS}, {"NONE", RRClass::NONE}, {"ANY", RRClass::ANY}};
  for (const auto& [name, c] : kClasses) {
    if (iequals(name, text)) return c;
  }
  if (auto c = parse_generic(text, "CLASS")) return static_cast<RRClass>(*c);
  return std::nullopt;
}

bool is_meta_type(RRType type) noexcept {
  switch (type) {
    case RRType::OPT:
    case RRType::TSIG:
    case RRType::TKEY:
    case RRType::IXFR:
    case RRType::AXFR:
    case RRType::MAILA:
    case RRType::MAILB:
    case RRType::ANY: return true;
    default: return false;
  }
}

bool is_signer_owned_type(RRType type) noexcept {
  switch (type) {
    case RRType::RRSIG:
    case RRType::NSEC:
    case RRType::NSEC3:
    case RRType::NSEC3PARAM:
    case RRType::DNSKEY:
    case RRType::CDS:
    case RRType::CDNSKEY: return true;
    default: return false;
  }
}

}  // namespace signerd::dns
