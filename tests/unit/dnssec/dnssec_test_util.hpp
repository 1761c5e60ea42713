// Helpers for the dnssec unit tests: records from presentation text, hex.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "dns/zone_file.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dnssec::testing {

// True when an external tool (a verifier or a peer signer) is on PATH.
inline bool have(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

struct TextRecord {
  dns::Name owner;
  dns::RRType type;
  uint32_t ttl;
  dns::Rdata rdata;
};

// Every record of master-file text (absolute names, or relative to `origin`).
inline std::vector<TextRecord> records(std::string_view text, std::string_view origin = ".") {
  std::vector<TextRecord> out;
  auto o = dns::Name::from_text(origin);
  EXPECT_TRUE(o);
  auto r = dns::parse_zone_text(text, *o, 3600, [&](const dns::ParsedRecord& p) {
    out.push_back({dns::Name(p.owner), p.type, p.ttl, dns::Rdata(p.rdata.begin(), p.rdata.end())});
  });
  EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
  return out;
}

// The RDATA of the one record in `line`.
inline dns::Rdata rdata(std::string_view line) {
  auto rs = records(line);
  EXPECT_EQ(rs.size(), 1u) << line;
  return rs.empty() ? dns::Rdata{} : rs[0].rdata;
}

inline dns::Name name(std::string_view text) {
  auto n = dns::Name::from_text(text);
  EXPECT_TRUE(n) << text;
  return n ? *n : dns::Name();
}

inline std::shared_ptr<const dns::ZoneVersion> zone(std::string_view text, std::string_view origin) {
  dns::ZoneFileOptions options;
  options.origin = name(origin);
  auto r = dns::read_zone_text(text, options);
  for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
  return r.zone;
}

inline std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int high = -1;
  for (char c : hex) {
    int v = nibble(c);
    if (v < 0) continue;  // spaces and separators for readability
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  EXPECT_EQ(high, -1) << "odd number of hex digits";
  return out;
}

inline std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

// A zone with every kind of name the chains care about: apex, ordinary
// names, a wildcard, empty non-terminals (c, b.c), a secure delegation
// (sec, with DS), insecure ones (sub with glue and occluded data below it,
// del.insec whose parent insec is an ENT only because of it), and a DNAME
// with occluded data.
inline constexpr std::string_view kCornerZone = R"(
$ORIGIN example.
$TTL 3600
@ IN SOA ns1.example. hostmaster.example. 1 3600 600 86400 300
@ NS ns1.example.
ns1 A 192.0.2.1
sub NS ns.sub.example.
ns.sub A 192.0.2.2
deep.below.sub A 192.0.2.3
sec NS ns.sec.example.
sec DS 12345 8 2 0000000000000000000000000000000000000000000000000000000000000000
dn DNAME other.test.
x.dn A 192.0.2.4
a.b.c A 192.0.2.5
* MX 10 mail.example.
del.insec NS ns.example.net.
)";

}  // namespace signerd::dnssec::testing
