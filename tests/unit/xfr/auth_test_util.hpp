// Shared by the authoritative-side tests: a test zone and catalog, request
// building and answer parsing.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "dns/message.hpp"
#include "dns/message_builder.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_file.hpp"
#include "xfr/ixfr_parser.hpp"
#include "xfr/query_answer.hpp"
#include "xfr/tsig.hpp"
#include "xfr/zone_catalog.hpp"

namespace signerd::xfr::auth_test {

using namespace std::chrono_literals;
using dns::RRType;

inline constexpr const char* kSecretB64 = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

inline dns::Name name(std::string_view text) {
  auto n = dns::Name::from_text(text);
  EXPECT_TRUE(n) << text;
  return n ? *n : dns::Name();
}

inline std::vector<uint8_t> secret_bytes() {
  std::vector<uint8_t> s;
  for (uint8_t i = 1; i <= 32; ++i) s.push_back(i);
  return s;
}

inline TsigKey test_key(std::vector<uint8_t> secret = secret_bytes()) {
  return TsigKey(name("xfr-key."), TsigAlgorithm::hmac_sha256, std::move(secret));
}

// A zone with DNSSEC-looking records (the signatures are not checked by
// anyone here): an RRSIG node holding several covered types, as signed
// zones have.
inline std::string zone_text(uint32_t serial, const std::string& extra = "", int bulk = 0) {
  std::string t = "$TTL 3600\n@ SOA ns1 hostmaster " + std::to_string(serial) + " 3600 600 86400 300\n";
  t += "@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\nwww A 192.0.2.80\n";
  t += "@ DNSKEY 257 3 13 "
       "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n";
  t += "@ CDS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n";
  const std::string sig =
      " 13 2 3600 20300101000000 20200101000000 12345 example.test. "
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==\n";
  for (const char* type : {"SOA", "NS", "DNSKEY", "CDS", "NSEC"}) t += std::string("@ RRSIG ") + type + sig;
  t += "@ NSEC ns1 NS SOA RRSIG NSEC DNSKEY CDS\n";
  for (int i = 0; i < bulk; ++i) {
    t += "bulk" + std::to_string(i) + " TXT \"" + std::string(200, 'x') + "\"\n";
  }
  return t + extra;
}

inline std::shared_ptr<const dns::ZoneVersion> version(const std::string& text) {
  dns::ZoneFileOptions o;
  o.origin = name("example.test.");
  auto r = dns::read_zone_text(text, o);
  for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
  return r.zone;
}

// The catalog of a test: one zone, a transfer ACL, a NOTIFY ACL.
class TestCatalog final : public ZoneCatalog {
 public:
  void publish(std::shared_ptr<const ServedZone> z) {
    std::lock_guard lock(mu_);
    zone_ = std::move(z);
  }
  void require_key(bool yes) { require_key_ = yes; }
  void refuse_notify(bool yes) { refuse_notify_ = yes; }
  std::vector<std::optional<uint32_t>> notifies() const {
    std::lock_guard lock(mu_);
    return notifies_;
  }

  std::shared_ptr<const ServedZone> find(dns::NameView zone) const override {
    std::lock_guard lock(mu_);
    if (!zone_ || zone != zone_->signed_version->origin().view()) return nullptr;
    return zone_;
  }
  bool allow_transfer(dns::NameView, const asio::ip::address& from, const TsigKey* key) const override {
    return from.is_loopback() && (!require_key_ || key != nullptr);
  }
  NotifyVerdict on_notify(dns::NameView zone, const asio::ip::address&, const TsigKey*,
                          std::optional<uint32_t> serial) override {
    std::lock_guard lock(mu_);
    if (!zone_ || zone != zone_->signed_version->origin().view()) return NotifyVerdict::not_auth;
    if (refuse_notify_) return NotifyVerdict::refused;
    notifies_.push_back(serial);
    return NotifyVerdict::accepted;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ServedZone> zone_;
  std::atomic<bool> require_key_{false};
  std::atomic<bool> refuse_notify_{false};
  std::vector<std::optional<uint32_t>> notifies_;
};

inline std::shared_ptr<const ServedZone> served(
    std::shared_ptr<const dns::ZoneVersion> v,
    std::vector<std::shared_ptr<const dns::ZoneDiff>> journal = {}) {
  auto z = std::make_shared<ServedZone>();
  z->signed_version = std::move(v);
  z->journal = std::move(journal);
  return z;
}

struct RequestSpec {
  std::string qname = "example.test.";
  RRType qtype = RRType::SOA;
  uint8_t opcode = 0;
  bool edns = false;
  bool dnssec_ok = false;
  uint8_t edns_version = 0;
  std::optional<uint32_t> ixfr_serial = std::nullopt;    // the authority SOA
  std::optional<uint32_t> notify_serial = std::nullopt;  // the answer SOA
};

inline std::vector<uint8_t> request(const RequestSpec& s, TsigClient* tsig = nullptr) {
  dns::Header h;
  h.id = 0x1234;
  h.opcode = s.opcode;
  dns::MessageBuilder b(h, dns::kMaxTcpMessage);
  if (tsig) (void)b.reserve(tsig->tsig_size());
  (void)b.add_question({name(s.qname), s.qtype, dns::RRClass::IN});
  auto soa = [&](uint32_t serial) {
    auto z = version(zone_text(serial));
    auto rd = z->apex().find(RRType::SOA)->rdata(0);
    return dns::Record{name(s.qname), RRType::SOA, dns::RRClass::IN, 3600, dns::Rdata(rd.begin(), rd.end())};
  };
  if (s.notify_serial) (void)b.add_record(dns::Section::answer, soa(*s.notify_serial));
  if (s.ixfr_serial) (void)b.add_record(dns::Section::authority, soa(*s.ixfr_serial));
  if (s.edns) {
    dns::Edns e;
    e.dnssec_ok = s.dnssec_ok;
    e.version = s.edns_version;
    (void)b.set_edns(e);
  }
  auto wire = std::move(b).finish();
  if (tsig) {
    EXPECT_TRUE(tsig->sign_request(wire, base::SystemClock().now()));
  }
  return wire;
}

inline std::vector<dns::Message> parse_all(const std::vector<std::vector<uint8_t>>& wires) {
  std::vector<dns::Message> out;
  for (const auto& w : wires) {
    auto m = dns::Message::parse(w);
    EXPECT_TRUE(m) << m.error().to_string();
    if (m) out.push_back(std::move(*m));
  }
  return out;
}

// Every answer record of a transfer, in order.
inline std::vector<dns::Record> records_of(const std::vector<dns::Message>& ms) {
  std::vector<dns::Record> out;
  for (const auto& m : ms) out.insert(out.end(), m.answer.begin(), m.answer.end());
  return out;
}

inline uint32_t serial_of(const dns::Record& r) { return soa_serial(r.rdata).value_or(0xFFFFFFFF); }

}  // namespace signerd::xfr::auth_test
