// Type bitmaps (RFC 4034 4.1.2).
#include "dnssec/type_bitmap.hpp"

#include <gtest/gtest.h>

#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using dns::RRType;
using testing::from_hex;

TEST(TypeBitmap, Rfc4034Section4_3Example) {
  // "A MX RRSIG NSEC TYPE1234": window 0 of 6 octets, window 4 of 27.
  std::vector<RRType> types{static_cast<RRType>(1234), RRType::NSEC, RRType::RRSIG, RRType::MX, RRType::A};
  std::vector<uint8_t> expected = from_hex(
      "00 06 40 01 00 00 00 03"
      "04 1b 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 20");
  EXPECT_EQ(make_type_bitmap(types), expected);
  dns::Rdata nsec = testing::rdata("alfa.example.com. IN NSEC host.example.com. A MX RRSIG NSEC TYPE1234");
  std::vector<uint8_t> tail(
      nsec.begin() + static_cast<std::ptrdiff_t>(testing::name("host.example.com.").wire_size()), nsec.end());
  EXPECT_EQ(tail, expected);
}

TEST(TypeBitmap, DuplicatesAndOrderDoNotMatterAndEmptyIsEmpty) {
  std::vector<RRType> a{RRType::NSEC, RRType::A, RRType::A};
  std::vector<RRType> b{RRType::A, RRType::NSEC};
  EXPECT_EQ(make_type_bitmap(a), make_type_bitmap(b));
  EXPECT_TRUE(make_type_bitmap({}).empty());
}

TEST(TypeBitmap, ParseRoundTripsAcrossWindows) {
  std::vector<RRType> types{RRType::A, RRType::CAA, RRType::TA, static_cast<RRType>(65535)};
  auto parsed = parse_type_bitmap(make_type_bitmap(types));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, types);
}

TEST(TypeBitmap, ParseRejectsBadWindows) {
  EXPECT_FALSE(parse_type_bitmap(from_hex("00 00")));              // empty window
  EXPECT_FALSE(parse_type_bitmap(from_hex("00 21")));              // longer than 32
  EXPECT_FALSE(parse_type_bitmap(from_hex("01 01 40 00 01 40")));  // out of order
  EXPECT_FALSE(parse_type_bitmap(from_hex("00 02 40")));           // truncated
}

}  // namespace
}  // namespace signerd::dnssec
