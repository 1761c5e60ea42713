// Shared by the DS check tests: hand-built answers to "child.test. DS" and
// DS RDATA computed from a DNSKEY with OpenSSL, independently of dnssec/.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/wire.hpp"
#include "xfr/ds_check.hpp"

namespace signerd::xfr::ds_test {

inline dns::Name name(std::string_view text) {
  auto n = dns::Name::from_text(text);
  EXPECT_TRUE(n) << text;
  return n ? *n : dns::Name();
}

inline dns::Name zone() { return name("child.test."); }

// DS RDATA with a made-up digest: `fill` repeated `size` times.
inline dns::Rdata ds(uint16_t tag, uint8_t algorithm, uint8_t digest_type, uint8_t fill, size_t size = 32) {
  dns::Rdata rd;
  dns::put_u16(rd, tag);
  rd.push_back(algorithm);
  rd.push_back(digest_type);
  rd.insert(rd.end(), size, fill);
  return rd;
}

inline DsExpectation expectation(std::vector<dns::Rdata> rdatas) {
  auto e = DsExpectation::create(zone(), std::move(rdatas));
  EXPECT_TRUE(e) << (e ? "" : e.error().detail);
  return std::move(*e);
}

// Key 12345 (ECDSAP256SHA256) with SHA-256 and SHA-384 digests.
inline DsExpectation key_12345() { return expectation({ds(12345, 13, 2, 0xAB), ds(12345, 13, 4, 0xCD, 48)}); }

inline dns::Record record(const dns::Name& owner, dns::RRType type, uint32_t ttl, dns::Rdata rd) {
  return dns::Record{owner, type, dns::RRClass::IN, ttl, std::move(rd)};
}

// An RRSIG over the zone's DS with `original_ttl` (the signature is filler).
inline dns::Record ds_rrsig(uint32_t ttl, uint32_t original_ttl) {
  dns::Rdata rd;
  dns::put_u16(rd, static_cast<uint16_t>(dns::RRType::DS));
  rd.push_back(13);  // algorithm
  rd.push_back(2);   // labels
  dns::put_u32(rd, original_ttl);
  dns::put_u32(rd, 2'000'000'000);  // expiration
  dns::put_u32(rd, 1'700'000'000);  // inception
  dns::put_u16(rd, 4242);           // the parent's key tag
  dns::put_bytes(rd, name("test.").wire());
  rd.insert(rd.end(), 64, 0x5A);
  return record(zone(), dns::RRType::RRSIG, ttl, std::move(rd));
}

inline dns::Record soa(const dns::Name& owner) {
  dns::Rdata rd;
  dns::put_bytes(rd, name("ns.test.").wire());
  dns::put_bytes(rd, name("admin.test.").wire());
  for (uint32_t v : {2026120301u, 3600u, 900u, 604800u, 300u}) dns::put_u32(rd, v);
  return record(owner, dns::RRType::SOA, 300, std::move(rd));
}

// An authoritative NOERROR answer to "child.test. DS IN", empty.
inline dns::Message answer(uint8_t rcode = 0, bool aa = true) {
  dns::Message m;
  m.header.id = 0x4242;
  m.header.qr = true;
  m.header.aa = aa;
  m.header.rcode = rcode;
  m.questions.push_back({zone(), dns::RRType::DS, dns::RRClass::IN});
  return m;
}

inline dns::Message with_ds(std::vector<dns::Rdata> rdatas, uint32_t ttl = 3600) {
  dns::Message m = answer();
  for (auto& rd : rdatas) m.answer.push_back(record(zone(), dns::RRType::DS, ttl, std::move(rd)));
  return m;
}

inline const DsTsigCheck kVerified{DsTsigCheck::Outcome::verified, ""};

// RFC 4034 appendix B: the key tag of DNSKEY RDATA (algorithm 1 excepted).
inline uint16_t key_tag(const dns::Rdata& dnskey) {
  uint32_t ac = 0;
  for (size_t i = 0; i < dnskey.size(); ++i)
    ac += (i & 1) ? dnskey[i] : static_cast<uint32_t>(dnskey[i]) << 8;
  ac += (ac >> 16) & 0xFFFF;
  return static_cast<uint16_t>(ac & 0xFFFF);
}

// RFC 4034 section 5.1.4: digest = hash(owner name in canonical form | DNSKEY RDATA).
inline dns::Rdata ds_from_dnskey(const dns::Name& owner, const dns::Rdata& dnskey, uint8_t digest_type) {
  const EVP_MD* md = digest_type == 2 ? EVP_sha256() : EVP_sha384();
  const dns::Name lower = owner.lowercased();
  std::vector<uint8_t> input(lower.wire().begin(), lower.wire().end());
  input.insert(input.end(), dnskey.begin(), dnskey.end());
  std::vector<uint8_t> digest(EVP_MAX_MD_SIZE);
  unsigned size = 0;
  EXPECT_EQ(EVP_Digest(input.data(), input.size(), digest.data(), &size, md, nullptr), 1);
  digest.resize(size);
  dns::Rdata rd;
  dns::put_u16(rd, key_tag(dnskey));
  rd.push_back(dnskey.at(3));
  rd.push_back(digest_type);
  dns::put_bytes(rd, digest);
  return rd;
}

}  // namespace signerd::xfr::ds_test
