#include "xfr/ixfr_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/wire.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_file.hpp"

namespace signerd::xfr {
namespace {

using dns::Record;
using dns::RRType;

dns::Name name(std::string_view text) { return *dns::Name::from_text(text); }

dns::Rdata soa(uint32_t serial) {
  dns::Rdata out;
  for (auto n : {name("NS.JAIN.AD.JP."), name("mohta.jain.ad.jp.")})
    out.insert(out.end(), n.wire().begin(), n.wire().end());
  for (uint32_t v : {serial, 600u, 600u, 3600000u, 604800u}) dns::put_u32(out, v);
  return out;
}

dns::Rdata a(uint8_t w, uint8_t x, uint8_t y, uint8_t z) { return {w, x, y, z}; }

Record rec(std::string_view owner, RRType type, dns::Rdata rdata, uint32_t ttl = 3600) {
  return Record{name(owner), type, dns::RRClass::IN, ttl, std::move(rdata)};
}

Record soa_rec(uint32_t serial) { return rec("JAIN.AD.JP.", RRType::SOA, soa(serial)); }

dns::Rdata name_rdata(std::string_view text) {
  auto n = name(text);
  return dns::Rdata(n.wire().begin(), n.wire().end());
}

Record ns_rec() {
  auto n = name("NS.JAIN.AD.JP.");
  return rec("JAIN.AD.JP.", RRType::NS, dns::Rdata(n.wire().begin(), n.wire().end()));
}

Result<void> feed_all(IxfrParser& p, const std::vector<Record>& records) {
  for (const auto& r : records) SIGNERD_TRY(p.feed(r));
  p.end_of_message();
  return base::ok();
}

// RFC 1995 section 7: serial 1 -> 2 removes NEZU, adds JAIN-BB; 2 -> 3
// changes JAIN-BB's address.
std::vector<Record> rfc1995_answer() {
  return {soa_rec(3),
          soa_rec(1),
          rec("NEZU.JAIN.AD.JP.", RRType::A, a(133, 69, 136, 5)),
          soa_rec(2),
          rec("JAIN-BB.JAIN.AD.JP.", RRType::A, a(133, 69, 136, 4)),
          rec("JAIN-BB.JAIN.AD.JP.", RRType::A, a(192, 41, 197, 2)),
          soa_rec(2),
          rec("JAIN-BB.JAIN.AD.JP.", RRType::A, a(133, 69, 136, 4)),
          soa_rec(3),
          rec("JAIN-BB.JAIN.AD.JP.", RRType::A, a(133, 69, 136, 3)),
          soa_rec(3)};
}

TEST(IxfrParser, Rfc1995Section7ExampleGivesTwoDiffsThatApply) {
  IxfrParser p(name("jain.ad.jp."), dns::RRClass::IN, 1, 1000);
  ASSERT_TRUE(feed_all(p, rfc1995_answer()));
  ASSERT_TRUE(p.done());
  auto r = std::move(p).finish();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->kind, TransferResult::Kind::ixfr);
  EXPECT_EQ(r->serial, 3u);
  ASSERT_EQ(r->diffs.size(), 2u);
  EXPECT_EQ(r->diffs[0].from, 1u);
  EXPECT_EQ(r->diffs[0].to, 2u);
  EXPECT_EQ(r->diffs[1].from, 2u);
  EXPECT_EQ(r->diffs[1].to, 3u);

  dns::ZoneBuilder b(name("JAIN.AD.JP."));
  for (const auto& rr : {soa_rec(1), ns_rec(), rec("NS.JAIN.AD.JP.", RRType::A, a(133, 69, 136, 1)),
                         rec("NEZU.JAIN.AD.JP.", RRType::A, a(133, 69, 136, 5))}) {
    ASSERT_TRUE(b.add(rr.owner, rr.type, rr.rclass, rr.ttl, rr.rdata));
  }
  auto v = std::move(b).finish();
  ASSERT_TRUE(v);
  std::shared_ptr<const dns::ZoneVersion> cur = *v;
  for (const auto& d : r->diffs) {
    auto next = dns::apply_diff(*cur, d);
    ASSERT_TRUE(next) << next.error().to_string();
    cur = *next;
  }
  EXPECT_EQ(cur->serial(), 3u);
  EXPECT_FALSE(cur->find(name("NEZU.JAIN.AD.JP.")));
  auto bb = cur->find(name("JAIN-BB.JAIN.AD.JP."), RRType::A);
  ASSERT_TRUE(bb);
  ASSERT_EQ(bb->size(), 2u);
}

TEST(IxfrParser, AxfrStreamBuildsTheZoneAndDropsUpstreamDnssecButKeepsDs) {
  IxfrParser p(name("jain.ad.jp."), dns::RRClass::IN, std::nullopt, 1000);
  std::vector<Record> stream{soa_rec(7),
                             ns_rec(),
                             rec("JAIN.AD.JP.", RRType::DNSKEY, {1, 1, 3, 13, 0xaa}),
                             rec("JAIN.AD.JP.", RRType::NSEC3PARAM, {1, 0, 0, 0}),
                             rec("sub.JAIN.AD.JP.", RRType::NS, name_rdata("ns.sub.jain.ad.jp.")),
                             rec("sub.JAIN.AD.JP.", RRType::DS, {0, 1, 13, 2, 1, 2, 3, 4}),
                             rec("x.JAIN.AD.JP.", RRType::A, a(10, 0, 0, 1)),
                             soa_rec(7)};
  auto fed = feed_all(p, stream);
  ASSERT_TRUE(fed) << fed.error().to_string();
  ASSERT_TRUE(p.done());
  auto r = std::move(p).finish();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->kind, TransferResult::Kind::axfr);
  EXPECT_EQ(r->dropped_dnssec, 2u);
  EXPECT_EQ(r->records, stream.size());
  ASSERT_TRUE(r->full);
  EXPECT_EQ(r->full->serial(), 7u);
  EXPECT_TRUE(r->full->find(name("sub.jain.ad.jp."), RRType::DS));
  EXPECT_FALSE(r->full->find(name("jain.ad.jp."), RRType::DNSKEY));
  EXPECT_EQ(r->full->record_count(), 5u);
}

TEST(IxfrParser, AxfrShapedAnswerToIxfrIsAFullZone) {
  IxfrParser p(name("jain.ad.jp."), dns::RRClass::IN, 1, 1000);
  ASSERT_TRUE(feed_all(p, {soa_rec(3), ns_rec(), soa_rec(3)}));
  auto r = std::move(p).finish();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->kind, TransferResult::Kind::axfr);
  ASSERT_TRUE(r->full);
}

TEST(IxfrParser, SingleSoaNotNewerIsUpToDate) {
  IxfrParser p(name("jain.ad.jp."), dns::RRClass::IN, 3, 1000);
  ASSERT_TRUE(feed_all(p, {soa_rec(3)}));
  ASSERT_TRUE(p.done());
  auto r = std::move(p).finish();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, TransferResult::Kind::up_to_date);
  EXPECT_EQ(r->serial, 3u);
}

TEST(IxfrParser, SingleNewerSoaWaitsForMoreAndFailsWithoutThem) {
  IxfrParser p(name("jain.ad.jp."), dns::RRClass::IN, 1, 1000);
  ASSERT_TRUE(feed_all(p, {soa_rec(3)}));
  EXPECT_FALSE(p.done());
  auto r = std::move(p).finish();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("closing SOA"), std::string::npos) << r.error().detail;
}

TEST(IxfrParser, DropsDnssecRecordsInDiffs) {
  IxfrParser p(name("jain.ad.jp."), dns::RRClass::IN, 1, 1000);
  ASSERT_TRUE(feed_all(p, {soa_rec(2), soa_rec(1), rec("JAIN.AD.JP.", RRType::RRSIG, {0, 6, 13, 2}),
                           soa_rec(2), rec("x.JAIN.AD.JP.", RRType::NSEC, {0, 0, 6, 0x40, 0, 0, 0, 0, 3}),
                           rec("x.JAIN.AD.JP.", RRType::A, a(1, 2, 3, 4)), soa_rec(2)}));
  auto r = std::move(p).finish();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->dropped_dnssec, 2u);
  ASSERT_EQ(r->diffs.size(), 1u);
  EXPECT_EQ(r->diffs[0].removed.size(), 1u);  // the old SOA only
  EXPECT_EQ(r->diffs[0].added.size(), 2u);    // new SOA and the A
}

// Each hostile stream, with a word its error must contain.
struct BadStream {
  const char* what;
  std::optional<uint32_t> ixfr_from;
  std::vector<Record> records;
  const char* expect;
};

TEST(IxfrParser, RejectsHostileStreams) {
  Record other_class = rec("x.JAIN.AD.JP.", RRType::A, a(1, 1, 1, 1));
  other_class.rclass = dns::RRClass::CH;
  std::vector<BadStream> cases{
      {"first record not SOA", std::nullopt, {ns_rec()}, "not the zone's SOA"},
      {"closing SOA differs", std::nullopt, {soa_rec(5), ns_rec(), soa_rec(6)}, "differs"},
      {"out of zone",
       std::nullopt,
       {soa_rec(5), rec("example.com.", RRType::A, a(1, 1, 1, 1))},
       "outside the zone"},
      {"wrong class", std::nullopt, {soa_rec(5), other_class}, "class CH"},
      {"SOA below apex",
       std::nullopt,
       {soa_rec(5), rec("x.JAIN.AD.JP.", RRType::SOA, soa(5))},
       "below the apex"},
      {"record after the end",
       std::nullopt,
       {soa_rec(5), ns_rec(), soa_rec(5), ns_rec()},
       "after the closing SOA"},
      {"IXFR from the wrong serial", 1, {soa_rec(3), soa_rec(2), soa_rec(3), soa_rec(3)}, "expected 1"},
      {"IXFR steps do not chain",
       1,
       {soa_rec(4), soa_rec(1), soa_rec(2), soa_rec(3), soa_rec(4), soa_rec(4)},
       "expected 2"},
      {"truncated SOA", std::nullopt, {rec("JAIN.AD.JP.", RRType::SOA, {0, 0, 1})}, "truncated SOA"},
  };
  for (const auto& c : cases) {
    IxfrParser p(name("jain.ad.jp."), dns::RRClass::IN, c.ixfr_from, 1000);
    auto fed = feed_all(p, c.records);
    std::string detail;
    if (!fed) {
      detail = fed.error().detail;
    } else {
      auto r = std::move(p).finish();
      ASSERT_FALSE(r) << c.what;
      detail = r.error().detail;
    }
    EXPECT_NE(detail.find(c.expect), std::string::npos) << c.what << ": " << detail;
  }
}

TEST(IxfrParser, StopsAtMaxRecords) {
  IxfrParser p(name("jain.ad.jp."), dns::RRClass::IN, std::nullopt, 3);
  auto fed = feed_all(p, {soa_rec(5), ns_rec(), rec("x.JAIN.AD.JP.", RRType::A, a(1, 1, 1, 1)), soa_rec(5)});
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().code, base::Errc::out_of_range);
  EXPECT_NE(fed.error().detail.find("more than 3 records"), std::string::npos);
}

TEST(SoaSerial, ReadsTheSerialAndRejectsTruncation) {
  EXPECT_EQ(soa_serial(soa(0xdeadbeef)), 0xdeadbeefu);
  auto cut = soa(1);
  cut.resize(cut.size() - 18);
  EXPECT_FALSE(soa_serial(cut));
  EXPECT_FALSE(soa_serial(dns::Rdata{}));
  EXPECT_FALSE(soa_serial(dns::Rdata{5, 'a'}));
}

}  // namespace
}  // namespace signerd::xfr
