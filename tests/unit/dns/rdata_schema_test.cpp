#include "dns/rdata_schema.hpp"

#include <gtest/gtest.h>

#include "dns/rrset.hpp"
#include "zone_test_util.hpp"

namespace signerd::dns {
namespace {

using namespace testing;

Rdata concat(std::initializer_list<Rdata> parts) {
  Rdata out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(CanonicalRdata, LowercasesNamesOfRfc4034ListedTypes) {
  Rdata mx = mx_rdata(10, "MAIL.Example.");
  std::vector<uint8_t> canon;
  append_canonical_rdata(RRType::MX, mx, canon);
  EXPECT_EQ(canon, mx_rdata(10, "mail.example."));
}

TEST(CanonicalRdata, NsecNextNameKeepsItsCase) {
  // RFC 6840 section 5.1 removed NSEC from RFC 4034 6.2's list.
  Rdata nsec = concat({name_rdata("Next.Example."), Rdata{0, 1, 0x40}});
  std::vector<uint8_t> canon;
  append_canonical_rdata(RRType::NSEC, nsec, canon);
  EXPECT_EQ(canon, nsec);
}

TEST(CanonicalRdata, RrsigSignerNameIsLowercased) {
  Rdata rrsig = {0, 1, 13, 2, 0, 0, 0x0e, 0x10, 0x65, 0, 0, 0, 0x64, 0, 0, 0, 0x30, 0x39};
  Rdata signer = name_rdata("EXAMPLE.");
  rrsig.insert(rrsig.end(), signer.begin(), signer.end());
  rrsig.insert(rrsig.end(), {1, 2, 3, 4});
  std::vector<uint8_t> canon;
  append_canonical_rdata(RRType::RRSIG, rrsig, canon);
  ASSERT_EQ(canon.size(), rrsig.size());
  EXPECT_EQ(canon[18 + 1], 'e');
  EXPECT_EQ(canon.back(), 4);
}

TEST(CanonicalRdata, OrderIsOctetOrderOfCanonicalForm) {
  // RFC 4034 6.3: shorter sorts first when it is a prefix.
  EXPECT_TRUE(canonical_rdata_compare(RRType::TXT, txt_rdata("ab"), txt_rdata("abc")) < 0);
  EXPECT_TRUE(canonical_rdata_compare(RRType::A, a_rdata(1, 2, 3, 4), a_rdata(1, 2, 3, 5)) < 0);
  EXPECT_TRUE(canonical_rdata_compare(RRType::NS, name_rdata("A.example."), name_rdata("a.example.")) == 0);
  // Unknown types compare raw: case matters there.
  auto t = static_cast<RRType>(65000);
  EXPECT_TRUE(canonical_rdata_compare(t, name_rdata("A.example."), name_rdata("a.example.")) != 0);
}

TEST(RdataValidation, RejectsWhatDoesNotFitTheSchema) {
  EXPECT_TRUE(validate_rdata(RRType::A, a_rdata(1, 2, 3, 4)));
  EXPECT_FALSE(validate_rdata(RRType::A, Rdata{1, 2, 3}));
  EXPECT_FALSE(validate_rdata(RRType::AAAA, Rdata(15, 0)));
  EXPECT_FALSE(validate_rdata(RRType::MX, Rdata{0, 10, 3, 'a', 'b'}));              // name not terminated
  EXPECT_FALSE(validate_rdata(RRType::MX, concat({mx_rdata(1, "a."), Rdata{9}})));  // trailing octet
  EXPECT_FALSE(validate_rdata(RRType::TXT, Rdata{}));                               // needs one string
  EXPECT_FALSE(validate_rdata(RRType::TXT, Rdata{5, 'a'}));                         // string past the end
  EXPECT_TRUE(validate_rdata(RRType::TXT, Rdata{0}));                               // one empty string
  EXPECT_FALSE(validate_rdata(RRType::NSEC, concat({name_rdata("a."), Rdata{0, 33}})));  // bitmap > 32
  EXPECT_FALSE(validate_rdata(RRType::NSEC,
                              concat({name_rdata("a."), Rdata{1, 1, 1, 0, 1, 1}})));  // windows out of order
  EXPECT_FALSE(validate_rdata(RRType::SOA, name_rdata("a.")));
  EXPECT_FALSE(
      validate_rdata(RRType::SVCB, concat({Rdata{0, 1}, name_rdata("."), Rdata{0, 3, 0, 0, 0, 1, 0, 0}})));
  EXPECT_TRUE(validate_rdata(static_cast<RRType>(65000), Rdata{1, 2, 3}));
  auto err = validate_rdata(RRType::A, Rdata{1});
  EXPECT_NE(err.error().detail.find("A RDATA"), std::string::npos);
}

TEST(ReadRdata, DecompressesNamesOfKnownTypes) {
  // A message fragment: "example." at offset 0, then MX RDATA pointing at it.
  Rdata msg = name_rdata("example.");
  size_t start = msg.size();
  msg.insert(msg.end(), {0, 10, 4, 'm', 'a', 'i', 'l', 0xC0, 0x00});
  WireReader r(msg, start);
  std::vector<uint8_t> out;
  ASSERT_TRUE(read_rdata(r, RRType::MX, static_cast<uint16_t>(msg.size() - start), out));
  EXPECT_EQ(out, mx_rdata(10, "mail.example."));
  EXPECT_TRUE(r.at_end());
}

TEST(ReadRdata, KeepsUnknownTypesOpaque) {
  Rdata msg = name_rdata("example.");
  size_t start = msg.size();
  msg.insert(msg.end(), {0xC0, 0x00});
  WireReader r(msg, start);
  std::vector<uint8_t> out;
  ASSERT_TRUE(read_rdata(r, static_cast<RRType>(65000), 2, out));
  EXPECT_EQ(out, (Rdata{0xC0, 0x00}));
}

TEST(ReadRdata, RdlengthBoundsTheEmbeddedName) {
  Rdata msg = {0, 10, 4, 'm', 'a', 'i', 'l', 0};
  WireReader r(msg, 0);
  std::vector<uint8_t> out;
  EXPECT_FALSE(read_rdata(r, RRType::MX, 5, out));  // name runs past RDLENGTH
  WireReader r2(msg, 0);
  EXPECT_FALSE(read_rdata(r2, RRType::MX, 20, out));  // RDLENGTH past the message
}

TEST(RRset, KeepsRdataSortedAndUnique) {
  RRset s(name("example."), RRType::NS, RRClass::IN, 300);
  EXPECT_TRUE(s.add(name_rdata("b.example.")));
  EXPECT_TRUE(s.add(name_rdata("a.example.")));
  EXPECT_FALSE(s.add(name_rdata("A.EXAMPLE.")));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.rdatas()[0], name_rdata("a.example."));
  EXPECT_TRUE(s.contains(name_rdata("B.example.")));
  EXPECT_TRUE(s.remove(name_rdata("B.EXAMPLE.")));
  EXPECT_FALSE(s.remove(name_rdata("b.example.")));
  EXPECT_EQ(s.size(), 1u);
}

}  // namespace
}  // namespace signerd::dns
