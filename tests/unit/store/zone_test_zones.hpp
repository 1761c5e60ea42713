// Zones for the zone codec and zone store tests, from master-file text.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dns/zone_file.hpp"
#include "dns/zone_version.hpp"

namespace signerd::store::test {

inline std::shared_ptr<const dns::ZoneVersion> zone_from_text(const std::string& text,
                                                              const std::string& origin = "example.") {
  dns::ZoneFileOptions options;
  options.origin = *dns::Name::from_text(origin);
  auto res = dns::read_zone_text(text, options);
  EXPECT_TRUE(res.errors.empty()) << res.errors.front().to_string();
  return res.zone;
}

// A zone with the corners a byte form can get wrong: unknown and unusual
// types, RFC 3597 RDATA, an implied empty non-terminal, a large RRset,
// mixed-case owners, a delegation with glue, a wildcard, RRSIG groups with
// different TTLs at one node. `serial` and `variant` change the content.
inline std::string corner_zone_text(uint32_t serial, int variant = 0, size_t big_rrset = 300) {
  std::string t = "$TTL 3600\n@ SOA ns1 hostmaster " + std::to_string(serial) + " 3600 600 86400 300\n";
  t += "@ NS ns1\nns1 A 192.0.2.1\nns1 AAAA 2001:db8::1\n";
  t += "WwW.MiXeD 300 A 192.0.2.10\n";
  t += "deep.a.b.c TXT \"an empty non-terminal above\"\n";
  t += "*.wild MX 10 mail\n";
  t += "sub NS ns.sub\nns.sub A 192.0.2.53\n";
  t += "odd TYPE65280 \\# 4 deadbeef\nodd TYPE65281 \\# 0\n";
  t += "odd CAA 0 issue \"ca.example\"\n";
  t += "odd NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.net!\" .\n";
  t += "odd SSHFP 1 1 0123456789abcdef0123456789abcdef01234567\n";
  t += "www 300 A 192.0.2.80\n";
  t += "www 300 RRSIG A 13 2 300 20300101000000 20200101000000 12345 example. AAECAwQ=\n";
  t += "www 7200 TXT \"hello\"\n";
  t += "www 7200 RRSIG TXT 13 2 7200 20300101000000 20200101000000 12345 example. BQYHCAk=\n";
  for (size_t i = 0; i < big_rrset; ++i) t += "big TXT \"record " + std::to_string(i) + "\"\n";
  if (variant >= 1)
    t += "new" + std::to_string(variant) + " A 192.0.2." + std::to_string(100 + variant) + "\n";
  if (variant >= 2)
    t += "www 7200 RRSIG TXT 13 2 7200 20310101000000 20210101000000 12345 example. CgsMDQ4=\n";
  if (variant < 3) t += "gone A 192.0.2.99\n";
  if (variant >= 3) t += "WwW.MiXeD 60 A 192.0.2.11\n";  // TTL change of an RRset
  return t;
}

// Every record as one line, owner spelling kept: equal dumps, equal zones.
inline std::vector<std::string> dump(const dns::ZoneVersion& z) {
  std::vector<std::string> out;
  z.for_each_rrset([&](const dns::NodeView& node, const dns::RRsetView& set) {
    for (size_t i = 0; i < set.size(); ++i) {
      std::string line =
          node.owner().to_text() + " " + std::to_string(set.ttl()) + " " + dns::to_text(set.type()) + " ";
      for (uint8_t b : set.rdata(i)) line += std::to_string(b) + ",";
      out.push_back(std::move(line));
    }
  });
  return out;
}

}  // namespace signerd::store::test
