// dns/rrtype.hpp — RR types and classes with their mnemonics.
//
// Owns: RRType, RRClass and their presentation forms, including RFC 3597's
// TYPEnnnnn / CLASSnnnnn for codes without a mnemonic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace signerd::dns {

// Any 16-bit value is a valid RRType; the names are the ones in common use.
enum class RRType : uint16_t {
  A = 1,
  NS = 2,
  MD = 3,
  MF = 4,
  CNAME = 5,
  SOA = 6,
  MB = 7,
  MG = 8,
  MR = 9,
  NULL_ = 10,
  WKS = 11,
  PTR = 12,
  HINFO = 13,
  MINFO = 14,
  MX = 15,
  TXT = 16,
  RP = 17,
  AFSDB = 18,
  X25 = 19,
  ISDN = 20,
  RT = 21,
  NSAP = 22,
  NSAP_PTR = 23,
  SIG = 24,
  KEY = 25,
  PX = 26,
  GPOS = 27,
  AAAA = 28,
  LOC = 29,
  NXT = 30,
  EID = 31,
  NIMLOC = 32,
  SRV = 33,
  ATMA = 34,
  NAPTR = 35,
  KX = 36,
  CERT = 37,
  A6 = 38,
  DNAME = 39,
  SINK = 40,
  OPT = 41,
  APL = 42,
  DS = 43,
  SSHFP = 44,
  IPSECKEY = 45,
  RRSIG = 46,
  NSEC = 47,
  DNSKEY = 48,
  DHCID = 49,
  NSEC3 = 50,
  NSEC3PARAM = 51,
  TLSA = 52,
  SMIMEA = 53,
  HIP = 55,
  NINFO = 56,
  RKEY = 57,
  TALINK = 58,
  CDS = 59,
  CDNSKEY = 60,
  OPENPGPKEY = 61,
  CSYNC = 62,
  ZONEMD = 63,
  SVCB = 64,
  HTTPS = 65,
  DSYNC = 66,
  SPF = 99,
  UINFO = 100,
  UID = 101,
  GID = 102,
  UNSPEC = 103,
  NID = 104,
  L32 = 105,
  L64 = 106,
  LP = 107,
  EUI48 = 108,
  EUI64 = 109,
  TKEY = 249,
  TSIG = 250,
  IXFR = 251,
  AXFR = 252,
  MAILB = 253,
  MAILA = 254,
  ANY = 255,
  URI = 256,
  CAA = 257,
  AVC = 258,
  DOA = 259,
  AMTRELAY = 260,
  RESINFO = 261,
  TA = 32768,
  DLV = 32769,
};

enum class RRClass : uint16_t { IN = 1, CH = 3, HS = 4, NONE = 254, ANY = 255 };

// "A", "NSEC3PARAM", or "TYPE65000" for a code with no mnemonic.
std::string to_text(RRType type);
std::string to_text(RRClass rclass);

// Accepts mnemonics case-insensitively and RFC 3597 "TYPEnnn"/"CLASSnnn".
std::optional<RRType> rrtype_from_text(std::string_view text);
std::optional<RRClass> rrclass_from_text(std::string_view text);

// True for the types that exist only in messages (OPT, TSIG, TKEY, IXFR,
// AXFR, MAILA, MAILB, ANY): never zone data.
bool is_meta_type(RRType type) noexcept;

// The DNSSEC types that signerd generates itself and drops from upstream
// (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY); DS is data.
bool is_signer_owned_type(RRType type) noexcept;

constexpr uint16_t code(RRType t) noexcept { return static_cast<uint16_t>(t); }
constexpr uint16_t code(RRClass c) noexcept { return static_cast<uint16_t>(c); }

}  // namespace signerd::dns
