// Shared by the TSIG unit tests: the known-answer key, message helpers and
// the fields of a TSIG record taken apart.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "dns/message.hpp"
#include "dns/message_builder.hpp"
#include "dns/wire.hpp"
#include "xfr/tsig.hpp"

namespace signerd::xfr::tsig_test {

using Outcome = TsigRequestCheck::Outcome;

inline constexpr std::string_view kSecret = "signerd-tsig-known-answer-key-32";
inline constexpr std::string_view kSecretBase64 = "c2lnbmVyZC10c2lnLWtub3duLWFuc3dlci1rZXktMzI=";
inline constexpr uint64_t kNow = 1'795'456'238;  // 2026-11-23

inline std::vector<uint8_t> secret() { return {kSecret.begin(), kSecret.end()}; }
inline dns::Name key_name() { return *dns::Name::from_text("tsig-test.example."); }
inline TsigKey test_key(TsigAlgorithm a = TsigAlgorithm::hmac_sha256) {
  return TsigKey(key_name(), a, secret());
}
inline base::TimePoint at(uint64_t seconds) { return base::TimePoint(std::chrono::seconds(seconds)); }

inline std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

inline dns::Message parse(const std::vector<uint8_t>& wire) {
  auto m = dns::Message::parse(wire);
  EXPECT_TRUE(m) << (m ? "" : m.error().detail);
  return m ? std::move(*m) : dns::Message{};
}

// "example. SOA" (or `qtype`), unsigned.
inline std::vector<uint8_t> query(uint16_t id, dns::RRType qtype = dns::RRType::SOA,
                                  const char* qname = "example.") {
  dns::Header h;
  h.id = id;
  dns::MessageBuilder b(h, dns::kMaxTcpMessage);
  EXPECT_EQ(b.add_question({*dns::Name::from_text(qname), qtype, dns::RRClass::IN}), dns::AddResult::added);
  return std::move(b).finish();
}

// The TSIG RDATA fields, read independently of xfr/tsig.cpp.
struct Fields {
  dns::Name algorithm;
  uint64_t time_signed = 0;
  uint16_t fudge = 0;
  std::vector<uint8_t> mac;
  uint16_t original_id = 0;
  uint16_t error = 0;
  std::vector<uint8_t> other;
};

inline Fields fields_of(const dns::Message& m) {
  Fields f;
  const auto& rd = m.tsig->rdata;
  size_t p = 0;
  while (rd.at(p) != 0) p += 1u + rd[p];
  ++p;
  f.algorithm = *dns::Name::from_wire(std::span(rd).first(p));
  f.time_signed = (static_cast<uint64_t>(dns::get_u16(&rd.at(p))) << 32) | dns::get_u32(&rd.at(p + 2));
  f.fudge = dns::get_u16(&rd.at(p + 6));
  const uint16_t mac_size = dns::get_u16(&rd.at(p + 8));
  p += 10;
  f.mac.assign(rd.begin() + static_cast<std::ptrdiff_t>(p),
               rd.begin() + static_cast<std::ptrdiff_t>(p + mac_size));
  p += mac_size;
  f.original_id = dns::get_u16(&rd.at(p));
  f.error = dns::get_u16(&rd.at(p + 2));
  const uint16_t other_size = dns::get_u16(&rd.at(p + 4));
  f.other.assign(rd.begin() + static_cast<std::ptrdiff_t>(p + 6),
                 rd.begin() + static_cast<std::ptrdiff_t>(p + 6 + other_size));
  return f;
}

// `wire` with its TSIG record replaced by one with `rdata` (class, TTL as given).
inline std::vector<uint8_t> with_tsig_rdata(const std::vector<uint8_t>& wire, std::vector<uint8_t> rdata,
                                            dns::RRClass rclass = dns::RRClass::ANY, uint32_t ttl = 0) {
  const auto m = parse(wire);
  std::vector<uint8_t> out(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(m.tsig_offset));
  out[11] = static_cast<uint8_t>(out[11] - 1);
  dns::Record rec{m.tsig->owner, dns::RRType::TSIG, rclass, ttl, std::move(rdata)};
  EXPECT_TRUE(dns::append_tsig(out, rec));
  return out;
}

inline std::vector<uint8_t> encode(const Fields& f) {
  std::vector<uint8_t> rd;
  dns::put_bytes(rd, f.algorithm.wire());
  dns::put_u16(rd, static_cast<uint16_t>(f.time_signed >> 32));
  dns::put_u32(rd, static_cast<uint32_t>(f.time_signed));
  dns::put_u16(rd, f.fudge);
  dns::put_u16(rd, static_cast<uint16_t>(f.mac.size()));
  dns::put_bytes(rd, f.mac);
  dns::put_u16(rd, f.original_id);
  dns::put_u16(rd, f.error);
  dns::put_u16(rd, static_cast<uint16_t>(f.other.size()));
  dns::put_bytes(rd, f.other);
  return rd;
}

}  // namespace signerd::xfr::tsig_test
