// Helpers for unit tests that build zones from hand-made RDATA.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/wire.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dns::testing {

inline Name name(std::string_view text) {
  auto n = Name::from_text(text);
  EXPECT_TRUE(n) << text;
  return n ? *n : Name();
}

inline Rdata name_rdata(std::string_view text) {
  Name n = name(text);
  return Rdata(n.wire().begin(), n.wire().end());
}

inline Rdata a_rdata(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return Rdata{a, b, c, d}; }

inline Rdata soa_rdata(uint32_t serial) {
  Rdata out = name_rdata("ns1.example.");
  Rdata rname = name_rdata("hostmaster.example.");
  out.insert(out.end(), rname.begin(), rname.end());
  for (uint32_t v : {serial, 3600u, 600u, 86400u, 300u}) put_u32(out, v);
  return out;
}

inline Rdata mx_rdata(uint16_t pref, std::string_view host) {
  Rdata out;
  put_u16(out, pref);
  Rdata n = name_rdata(host);
  out.insert(out.end(), n.begin(), n.end());
  return out;
}

inline Rdata txt_rdata(std::string_view text) {
  Rdata out(text.size() + 1);
  out[0] = static_cast<uint8_t>(text.size());
  std::copy(text.begin(), text.end(), out.begin() + 1);
  return out;
}

// RRSIG RDATA (RFC 4034 3.1) over `covered` with key tag `tag`; the
// signature is filler: ZoneVersion and diffs do not verify.
inline Rdata rrsig_rdata(RRType covered, uint32_t original_ttl, uint16_t tag = 1) {
  Rdata out;
  put_u16(out, code(covered));
  out.push_back(13);  // algorithm
  out.push_back(2);   // labels
  for (uint32_t v : {original_ttl, 2000000000u, 1900000000u}) put_u32(out, v);
  put_u16(out, tag);
  Rdata signer = name_rdata("example.");
  out.insert(out.end(), signer.begin(), signer.end());
  for (uint8_t b : {uint8_t{1}, uint8_t{2}, uint8_t{3}, uint8_t{4}}) out.push_back(b);
  return out;
}

inline void add(ZoneBuilder& b, std::string_view owner, RRType type, const Rdata& rd, uint32_t ttl = 3600) {
  auto r = b.add(name(owner), type, RRClass::IN, ttl, rd);
  ASSERT_TRUE(r) << owner << ": " << r.error().to_string();
}

inline std::shared_ptr<const ZoneVersion> build_zone(ZoneBuilder b) {
  auto z = std::move(b).finish();
  EXPECT_TRUE(z) << z.error().to_string();
  return z ? *z : nullptr;
}

// A zone with an apex, a delegation with glue, a DNAME with data below it,
// an empty non-terminal and a wildcard.
inline ZoneBuilder corner_zone_builder(uint32_t serial = 1) {
  ZoneBuilder b(name("example."));
  add(b, "example.", RRType::SOA, soa_rdata(serial));
  add(b, "example.", RRType::NS, name_rdata("ns1.example."));
  add(b, "ns1.example.", RRType::A, a_rdata(192, 0, 2, 1));
  add(b, "sub.example.", RRType::NS, name_rdata("ns.sub.example."));
  add(b, "ns.sub.example.", RRType::A, a_rdata(192, 0, 2, 2));          // glue
  add(b, "deep.below.sub.example.", RRType::A, a_rdata(192, 0, 2, 3));  // occluded
  add(b, "dn.example.", RRType::DNAME, name_rdata("other.test."));
  add(b, "x.dn.example.", RRType::A, a_rdata(192, 0, 2, 4));   // occluded by DNAME
  add(b, "a.b.c.example.", RRType::A, a_rdata(192, 0, 2, 5));  // b.c and c are ENTs
  add(b, "*.example.", RRType::MX, mx_rdata(10, "mail.example."));
  return b;
}

}  // namespace signerd::dns::testing
