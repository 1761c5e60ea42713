// Presentation format of every type in dns/rdata_schema. Each expected text
// was checked to read back to the same octets in BIND 9.18
// (named-checkzone) and ldns 1.8 (ldns-read-zone -U); the cases that fall
// back to RFC 3597 are those where one of them would not.
#include "dns/rdata_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace signerd::dns {
namespace {

// Hex digits, spaces ignored (they separate fields for the reader).
std::vector<uint8_t> hex(std::string_view s) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : s) {
    if (c == ' ') continue;
    const int v = (c >= '0' && c <= '9') ? c - '0' : (c | 0x20) - 'a' + 10;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

std::string text(RRType type, std::string_view rdata_hex) { return rdata_to_text(type, hex(rdata_hex)); }

// ---- RFC 3597 generic form

TEST(RdataText, UnknownTypeIsGeneric) {
  EXPECT_EQ(text(static_cast<RRType>(65000), "0102"), "\\# 2 0102");
  EXPECT_EQ(text(RRType::NULL_, "ff"), "\\# 1 FF");
}

TEST(RdataText, EmptyUnknownIsGenericZero) { EXPECT_EQ(text(static_cast<RRType>(65000), ""), "\\# 0"); }

TEST(RdataText, MalformedKnownTypeIsGeneric) {
  EXPECT_EQ(text(RRType::A, "0102"), "\\# 2 0102");              // short
  EXPECT_EQ(text(RRType::A, "c000020101"), "\\# 5 C000020101");  // trailing octet
  EXPECT_EQ(text(RRType::NS, "03616263"), "\\# 4 03616263");     // name without root
  EXPECT_EQ(text(RRType::TXT, ""), "\\# 0");                     // needs one string
  EXPECT_EQ(text(RRType::LOC, "01" + std::string(30, '0')), "\\# 16 01000000000000000000000000000000");
}

// ---- addresses and names

TEST(RdataText, AddressesDottedAndInetNtop) {
  EXPECT_EQ(text(RRType::A, "c0000201"), "192.0.2.1");
  EXPECT_EQ(text(RRType::AAAA, "20010db8000000000000000000000001"), "2001:db8::1");
  EXPECT_EQ(text(RRType::L32, "000a 0a010200"), "10 10.1.2.0");
}

TEST(RdataText, SingleNameTypesPrintAbsoluteNames) {
  for (RRType t : {RRType::NS, RRType::MD, RRType::MF, RRType::CNAME, RRType::MB, RRType::MG, RRType::MR,
                   RRType::PTR, RRType::DNAME}) {
    EXPECT_EQ(text(t, "036e7331 076578616d706c65 00"), "ns1.example.") << to_text(t);
  }
  EXPECT_EQ(text(RRType::NS, "00"), ".");
}

TEST(RdataText, NamesEscapeSpecialAndNonPrintableOctets) {
  EXPECT_EQ(text(RRType::NS, "03612062 026578 00"), "a\\032b.ex.");
  EXPECT_EQ(text(RRType::NS, "0461222829 023b40 035c242e 00"), "a\\\"\\(\\).\\;\\@.\\\\\\$\\..");
  EXPECT_EQ(text(RRType::NS, "03610062 01ff 00"), "a\\000b.\\255.");
}

TEST(RdataText, NameCaseIsKept) {
  EXPECT_EQ(text(RRType::NSEC, "044e657874 026578 00 000140"), "Next.ex. A");
}

TEST(RdataText, SoaNamesAndFiveCounters) {
  EXPECT_EQ(
      text(RRType::SOA, "026e73026578 00 04686f7374026578 00 000007e8 00001c20 00000e10 00127500 0000012c"),
      "ns.ex. host.ex. 2024 7200 3600 1209600 300");
}

TEST(RdataText, PreferenceAndNameTypes) {
  EXPECT_EQ(text(RRType::MX, "000a 026d78026578 00"), "10 mx.ex.");
  EXPECT_EQ(text(RRType::AFSDB, "0001 03616673026578 00"), "1 afs.ex.");
  EXPECT_EQ(text(RRType::RT, "0000 027274026578 00"), "0 rt.ex.");
  EXPECT_EQ(text(RRType::KX, "0005 026b78026578 00"), "5 kx.ex.");
  EXPECT_EQ(text(RRType::LP, "000a 036c3634026578 00"), "10 l64.ex.");
  EXPECT_EQ(text(RRType::PX, "000a 0161 00 0162 00"), "10 a. b.");
}

TEST(RdataText, TwoNameTypes) {
  EXPECT_EQ(text(RRType::MINFO, "0161 00 0162 00"), "a. b.");
  EXPECT_EQ(text(RRType::RP, "016d026578 00 00"), "m.ex. .");
  EXPECT_EQ(text(RRType::TALINK, "0161026578 00 0162026578 00"), "a.ex. b.ex.");
}

TEST(RdataText, SrvPriorityWeightPortTarget) {
  EXPECT_EQ(text(RRType::SRV, "0001 0002 01bb 03737276026578 00"), "1 2 443 srv.ex.");
}

// ---- character-strings

TEST(RdataText, TxtEscapesQuoteAndBackslash) {
  EXPECT_EQ(text(RRType::TXT, "05 6122625c63"), R"("a\"b\\c")");
}

TEST(RdataText, TxtControlAndHighOctetsAsDecimalEscapes) {
  EXPECT_EQ(text(RRType::TXT, "04 007fff09"), R"("\000\127\255\009")");
  EXPECT_EQ(text(RRType::TXT, "02 c3a9"), R"("\195\169")");
}

TEST(RdataText, TxtKeepsZoneFileSpecialsInsideQuotes) {
  EXPECT_EQ(text(RRType::TXT, "0d 613b6228632964406524662767"), R"("a;b(c)d@e$f'g")");
}

TEST(RdataText, TxtStringsSpaceSeparatedEmptyKept) {
  EXPECT_EQ(text(RRType::TXT, "02 6869 00 01 20"), R"("hi" "" " ")");
  EXPECT_EQ(text(RRType::SPF, "0b 763d73706631202d616c6c"), R"("v=spf1 -all")");
  EXPECT_EQ(text(RRType::AVC, "03 613a62"), R"("a:b")");
  EXPECT_EQ(text(RRType::RESINFO, "08 716e616d656d696e 0c 6578746572723d31352d3137"),
            R"("qnamemin" "exterr=15-17")");
}

TEST(RdataText, TxtMaximumStringLength) {
  const std::string s = text(RRType::TXT, "ff" + std::string(510, '6'));
  EXPECT_EQ(s, "\"" + std::string(255, 'f') + "\"");
}

TEST(RdataText, HinfoX25GposQuoted) {
  EXPECT_EQ(text(RRType::HINFO, "02 5043 07 4c696e75782078"), R"("PC" "Linux x")");
  EXPECT_EQ(text(RRType::HINFO, "00 00"), R"("" "")");
  EXPECT_EQ(text(RRType::X25, "0c 333131303631373030393536"), R"("311061700956")");
  EXPECT_EQ(text(RRType::GPOS, "08 2d33322e36383832 08 3131362e38363532 04 31302e30"),
            R"("-32.6882" "116.8652" "10.0")");
}

TEST(RdataText, IsdnAddressAndOptionalSubaddress) {
  EXPECT_EQ(text(RRType::ISDN, "0f 313530383632303238303033323137 03 303034"), R"("150862028003217" "004")");
  EXPECT_EQ(text(RRType::ISDN, "0f 313530383632303238303033323137"), R"("150862028003217")");
}

TEST(RdataText, IsdnWithThreeStringsIsGeneric) {
  EXPECT_EQ(text(RRType::ISDN, "0131 0132 0133"), "\\# 6 013101320133");
}

TEST(RdataText, NaptrOrderPreferenceFlagsServiceRegexpReplacement) {
  EXPECT_EQ(text(RRType::NAPTR, "0064 000a 0153 075349502b443255 00 045f736970045f756470026578 00"),
            R"(100 10 "S" "SIP+D2U" "" _sip._udp.ex.)");
}

// ---- DNSSEC

TEST(RdataText, RrsigTimesAreUtcDates) {
  EXPECT_EQ(text(RRType::RRSIG, "0001 08 02 00000e10 6553f100 64bb5a80 3039 026578 00 01020304"),
            "A 8 2 3600 20231114221320 20230722042640 12345 ex. AQIDBA==");
  EXPECT_EQ(text(RRType::SIG, "0001 08 02 00000e10 6553f100 64bb5a80 3039 026578 00 01020304"),
            "A 8 2 3600 20231114221320 20230722042640 12345 ex. AQIDBA==");
}

TEST(RdataText, RrsigTimeUsesWholeU32WithoutSerialArithmetic) {
  EXPECT_EQ(text(RRType::RRSIG, "0001 08 02 00000e10 ffffffff 00000000 3039 026578 00 01"),
            "A 8 2 3600 21060207062815 19700101000000 12345 ex. AQ==");
}

TEST(RdataText, TypeMnemonicsUnknownToLdnsAreTypeNnn) {
  EXPECT_EQ(text(RRType::RRSIG, "0102 08 02 00000e10 ffffffff 00000000 3039 026578 00 01"),
            "TYPE258 8 2 3600 21060207062815 19700101000000 12345 ex. AQ==");
}

TEST(RdataText, RrsigWithoutSignatureIsGeneric) {
  EXPECT_EQ(text(RRType::RRSIG, "0001 08 02 00000e10 6553f100 64bb5a80 3039 026578 00"),
            "\\# 22 0001080200000E106553F10064BB5A80303902657800");
}

TEST(RdataText, KeyFlagsProtocolAlgorithmBase64) {
  EXPECT_EQ(text(RRType::DNSKEY, "0101 03 08 03010001ab"), "257 3 8 AwEAAas=");
  EXPECT_EQ(text(RRType::KEY, "0100 03 08 010203"), "256 3 8 AQID");
  EXPECT_EQ(text(RRType::RKEY, "0000 03 08 010203"), "0 3 8 AQID");
  EXPECT_EQ(text(RRType::CDNSKEY, "0000 03 00 00"), "0 3 0 AA==");  // RFC 8078 section 4 delete
}

TEST(RdataText, KeyWithoutKeyIsGeneric) {
  EXPECT_EQ(text(RRType::DNSKEY, "0101 03 08"), "\\# 4 01010308");
  EXPECT_EQ(text(RRType::CDNSKEY, "0000 03 00"), "\\# 4 00000300");
}

TEST(RdataText, DsFamilyHexDigest) {
  const char* ds = "ec45 05 01 2bb183af5f22588179a53b0a98631fad1a292118";
  for (RRType t : {RRType::DS, RRType::CDS, RRType::TA, RRType::DLV}) {
    EXPECT_EQ(text(t, ds), "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118") << to_text(t);
  }
  EXPECT_EQ(text(RRType::CDS, "0000 00 00 00"), "0 0 0 00");  // RFC 8078 section 4 delete
}

TEST(RdataText, DsWithEmptyDigestIsGeneric) {
  EXPECT_EQ(text(RRType::DS, "0001 05 01"), "\\# 4 00010501");
  EXPECT_EQ(text(RRType::TA, "0001 05 01"), "\\# 4 00010501");
}

TEST(RdataText, NsecTypeBitmapWindows) {
  // Windows 0, 1 and 4: A NS SOA RRSIG NSEC DNSKEY, 258, 1234.
  EXPECT_EQ(text(RRType::NSEC,
                 "044e657874026578 00 0007 62000000000380 0101 20 041b" + std::string(52, '0') + "20"),
            "Next.ex. A NS SOA RRSIG NSEC DNSKEY TYPE258 TYPE1234");
}

TEST(RdataText, NsecBitmapEdgesTypeZeroAndTypeMax) {
  EXPECT_EQ(text(RRType::NSEC, "0161026578 00 0020 c0" + std::string(60, '0') + "01 0101 80 ff20" +
                                   std::string(62, '0') + "01"),
            "a.ex. TYPE0 A ANY URI TYPE65535");
}

TEST(RdataText, NsecBitmapOutOfOrderIsGeneric) {
  EXPECT_EQ(text(RRType::NSEC, "00 0101 80 000140"), "\\# 7 00010180000140");
}

TEST(RdataText, Nsec3SaltHexHashBase32Hex) {
  EXPECT_EQ(text(RRType::NSEC3, "01 01 000c 04aabbccdd 14 000102030405060708090a0b0c0d0e0f10111213 000160"),
            "1 1 12 AABBCCDD 000G40O40K30E209185GO38E1S8124GJ A NS");
}

TEST(RdataText, Nsec3EmptySaltIsDashAndEmptyBitmapIsNothing) {
  EXPECT_EQ(text(RRType::NSEC3, "01 00 0000 00 14 000102030405060708090a0b0c0d0e0f10111213"),
            "1 0 0 - 000G40O40K30E209185GO38E1S8124GJ");
}

TEST(RdataText, Nsec3HashNeedingBase32PaddingIsGeneric) {
  EXPECT_EQ(text(RRType::NSEC3, "01 00 0000 00 01 01"), "\\# 7 01000000000101");
}

TEST(RdataText, Nsec3paramSalt) {
  EXPECT_EQ(text(RRType::NSEC3PARAM, "01 00 0000 00"), "1 0 0 -");
  EXPECT_EQ(text(RRType::NSEC3PARAM, "01 00 000a 02abcd"), "1 0 10 ABCD");
}

TEST(RdataText, NxtIsAlwaysGeneric) {
  // RFC 2535 flat bitmap, which ldns does not read as text.
  EXPECT_EQ(text(RRType::NXT, "0161 00 0001 40"), "\\# 6 016100000140");
}

// ---- hashes, certificates, keys

TEST(RdataText, HexDigestTypes) {
  EXPECT_EQ(text(RRType::SSHFP, "01 01 dd465c09cfa51fb45020cc83316fff21b9ec74ac"),
            "1 1 DD465C09CFA51FB45020CC83316FFF21B9EC74AC");
  const std::string tlsa = "03 01 01 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  EXPECT_EQ(text(RRType::TLSA, tlsa),
            "3 1 1 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
  EXPECT_EQ(text(RRType::SMIMEA, tlsa),
            "3 1 1 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
  EXPECT_EQ(text(RRType::ZONEMD, "000007e8 01 01 00010203040506070809"), "2024 1 1 00010203040506070809");
}

TEST(RdataText, EmptyHexIsGeneric) {
  EXPECT_EQ(text(RRType::TLSA, "030101"), "\\# 3 030101");
  EXPECT_EQ(text(RRType::SSHFP, "0101"), "\\# 2 0101");
  EXPECT_EQ(text(RRType::ZONEMD, "00000001 01 01"), "\\# 6 000000010101");
}

TEST(RdataText, Base64Types) {
  EXPECT_EQ(text(RRType::CERT, "0001 0002 03 aabbccdd"), "1 2 3 qrvM3Q==");
  EXPECT_EQ(text(RRType::DHCID, "0001010203"), "AAEBAgM=");
  EXPECT_EQ(text(RRType::OPENPGPKEY, "01020304"), "AQIDBA==");
  EXPECT_EQ(text(RRType::OPENPGPKEY, "010203"), "AQID");
}

TEST(RdataText, EmptyBase64IsGeneric) {
  EXPECT_EQ(text(RRType::CERT, "0001 0002 03"), "\\# 5 0001000203");
  EXPECT_EQ(text(RRType::DHCID, ""), "\\# 0");
  EXPECT_EQ(text(RRType::OPENPGPKEY, ""), "\\# 0");
}

TEST(RdataText, IpseckeyGatewayPerType) {
  EXPECT_EQ(text(RRType::IPSECKEY, "0a 00 02 010203"), "10 0 2 . AQID");
  EXPECT_EQ(text(RRType::IPSECKEY, "0a 01 02 c0000226 010203"), "10 1 2 192.0.2.38 AQID");
  EXPECT_EQ(text(RRType::IPSECKEY, "0a 02 02 20010db8000000000000000000000001 010203"),
            "10 2 2 2001:db8::1 AQID");
  EXPECT_EQ(text(RRType::IPSECKEY, "0a 03 02 02677702657800 010203"), "10 3 2 gw.ex. AQID");
}

TEST(RdataText, IpseckeyWithoutKeyIsGeneric) {
  EXPECT_EQ(text(RRType::IPSECKEY, "0a 00 00"), "\\# 3 0A0000");
}

TEST(RdataText, HipAlgorithmHitKeyAndRendezvousServers) {
  EXPECT_EQ(text(RRType::HIP, "04 02 0003 00010203 010203 0472767331026578 00 0472767332026578 00"),
            "2 00010203 AQID rvs1.ex. rvs2.ex.");
  EXPECT_EQ(text(RRType::HIP, "04 02 0003 00010203 010203"), "2 00010203 AQID");
}

TEST(RdataText, HipWithoutPublicKeyIsGeneric) {
  EXPECT_EQ(text(RRType::HIP, "04 02 0000 00010203"), "\\# 8 0402000000010203");
}

// ---- other types

TEST(RdataText, NsapIsHexWithPrefix) {
  EXPECT_EQ(text(RRType::NSAP, "47000580005a0000000001e133ffffff00016100"),
            "0x47000580005A0000000001E133FFFFFF00016100");
  EXPECT_EQ(text(RRType::NSAP, ""), "\\# 0");
}

TEST(RdataText, LocRfc1876Form) {
  EXPECT_EQ(text(RRType::LOC, "00 12 16 13 8b3cf018 810cbce0 009895b8"),
            "52 22 23.000 N 4 53 32.000 E -2.00m 1.00m 10000.00m 10.00m");
  EXPECT_EQ(text(RRType::LOC, "00 12 16 13 80000001 7fffffff 00989681"),
            "0 0 0.001 N 0 0 0.001 W 0.01m 1.00m 10000.00m 10.00m");
}

TEST(RdataText, LocExtremes) {
  EXPECT_EQ(text(RRType::LOC, "00 99 00 99 934fd900 59604e00 00000000"),
            "90 0 0.000 N 180 0 0.000 W -100000.00m 90000000.00m 0.00m 90000000.00m");
  EXPECT_EQ(text(RRType::LOC, "00 00 00 00 6cb02700 a69fb200 ffffffff"),
            "90 0 0.000 S 180 0 0.000 E 42849672.95m 0.00m 0.00m 0.00m");
}

TEST(RdataText, LocUnnormalisedSizeOrOutOfRangeAngleIsGeneric) {
  EXPECT_EQ(text(RRType::LOC, "00 01 16 13 80000000 80000000 00989680"),
            "\\# 16 00011613800000008000000000989680");  // 0e1: readers write 00
  EXPECT_EQ(text(RRType::LOC, "00 1a 16 13 80000000 80000000 00989680"),
            "\\# 16 001A1613800000008000000000989680");  // exponent 10
  EXPECT_EQ(text(RRType::LOC, "00 12 16 13 934fd901 80000000 00989680"),
            "\\# 16 00121613934FD9018000000000989680");  // 90 degrees + 1 ms
}

TEST(RdataText, AplItemsWithNegationAndFullAddress) {
  EXPECT_EQ(text(RRType::APL, "0001 15 03 c0a820 0001 1c 84 c0a82610 0002 40 04 20010db8"),
            "1:192.168.32.0/21 !1:192.168.38.16/28 2:2001:db8::/64");
  EXPECT_EQ(text(RRType::APL, "0001 00 00"), "1:0.0.0.0/0");
  EXPECT_EQ(text(RRType::APL, "0002 00 80"), "!2:::/0");
  EXPECT_EQ(text(RRType::APL, ""), "");
}

TEST(RdataText, AplWithTrailingZeroOctetIsGeneric) {
  // RFC 3123 section 4: readers drop trailing zero octets.
  EXPECT_EQ(text(RRType::APL, "0001 18 04 0a010200"), "\\# 8 000118040A010200");
}

TEST(RdataText, CsyncSerialFlagsTypes) {
  EXPECT_EQ(text(RRType::CSYNC, "00000042 0003 000460000008"), "66 3 A NS AAAA");
  EXPECT_EQ(text(RRType::CSYNC, "00000001 0000"), "\\# 6 000000010000");
}

TEST(RdataText, DsyncTypeSchemePortTarget) {
  EXPECT_EQ(text(RRType::DSYNC, "003b 01 14ef 02647302657800"), "CDS 1 5359 ds.ex.");
}

TEST(RdataText, IlnpLocatorsAndNodeIds) {
  EXPECT_EQ(text(RRType::NID, "000a 0014ffff00010002"), "10 0014:ffff:0001:0002");
  EXPECT_EQ(text(RRType::L64, "000a 2001000000000000"), "10 2001:0000:0000:0000");
}

TEST(RdataText, EuiLowercaseHexPairsWithDashes) {
  EXPECT_EQ(text(RRType::EUI48, "00005e0053ff"), "00-00-5e-00-53-ff");
  EXPECT_EQ(text(RRType::EUI64, "00005e0100004ff0"), "00-00-5e-01-00-00-4f-f0");
}

TEST(RdataText, UidGidAreGenericBecauseBindHasNoTextForm) {
  EXPECT_EQ(text(RRType::UID, "0000002a"), "\\# 4 0000002A");
  EXPECT_EQ(text(RRType::GID, "0000002b"), "\\# 4 0000002B");
}

TEST(RdataText, UriTargetQuotedAndEscaped) {
  EXPECT_EQ(text(RRType::URI, "000a 0001 6674703a2f2f667470312e6578616d706c652e636f6d2f7075626c6963"),
            R"(10 1 "ftp://ftp1.example.com/public")");
  EXPECT_EQ(text(RRType::URI, "0001 0001 6122625c63206400ff"), R"(1 1 "a\"b\\c d\000\255")");
  EXPECT_EQ(text(RRType::URI, "0001 0001"), "\\# 4 00010001");
}

TEST(RdataText, CaaFlagsTagValue) {
  EXPECT_EQ(
      text(RRType::CAA, "00 05 6973737565 63612e6578616d706c652e6e65743b206163636f756e743d323330313233"),
      R"(0 issue "ca.example.net; account=230123")");
  EXPECT_EQ(text(RRType::CAA, "80 05 4953535545 6122625c63206400ff3b2829"),
            R"x(128 ISSUE "a\"b\\c d\000\255;()")x");
}

TEST(RdataText, CaaTagNotAlphanumericOrEmptyValueIsGeneric) {
  EXPECT_EQ(text(RRType::CAA, "00 06 69732d737565 78"), "\\# 9 000669732D73756578");
  EXPECT_EQ(text(RRType::CAA, "80 03 746273"), "\\# 5 8003746273");
}

TEST(RdataText, DoaEmptyDataIsDash) {
  EXPECT_EQ(text(RRType::DOA, "00000000 00000001 02 09 696d6167652f676966 010203"),
            R"(0 1 2 "image/gif" AQID)");
  EXPECT_EQ(text(RRType::DOA, "00000000 00000001 02 00"), R"(0 1 2 "" -)");
}

TEST(RdataText, AmtrelayPrecedenceDiscoveryTypeRelay) {
  EXPECT_EQ(text(RRType::AMTRELAY, "0a 80"), "10 1 0 .");
  EXPECT_EQ(text(RRType::AMTRELAY, "0a 01 cb00710f"), "10 0 1 203.0.113.15");
  EXPECT_EQ(text(RRType::AMTRELAY, "0a 82 20010db8000000000000000000000015"), "10 1 2 2001:db8::15");
  EXPECT_EQ(text(RRType::AMTRELAY, "0a 03 09616d7472656c617973076578616d706c6503636f6d00"),
            "10 0 3 amtrelays.example.com.");
  EXPECT_EQ(text(RRType::AMTRELAY, "0a 80 01020304"), "\\# 6 0A8001020304");  // type 0 with a relay
}

TEST(RdataText, WksNumericProtocolAndPorts) {
  EXPECT_EQ(text(RRType::WKS, "0a000001 06 000000000000c0"), "10.0.0.1 6 48 49");
  EXPECT_EQ(text(RRType::WKS, "0a000001 11 4000000000000000000000000000000000000001"), "10.0.0.1 17 1 159");
}

TEST(RdataText, WksTrailingZeroOctetOrNoPortIsGeneric) {
  EXPECT_EQ(text(RRType::WKS, "0a000001 06 4000"), "\\# 7 0A000001064000");
  EXPECT_EQ(text(RRType::WKS, "0a000001 06"), "\\# 5 0A00000106");
}

// ---- SVCB and HTTPS (RFC 9460)

TEST(RdataText, SvcbAliasMode) {
  EXPECT_EQ(text(RRType::SVCB, "0000 05616c696173026578 00"), "0 alias.ex.");
  EXPECT_EQ(text(RRType::SVCB, "0000 00"), "0 .");
}

TEST(RdataText, HttpsAlpnPortIpv4hint) {
  EXPECT_EQ(text(RRType::HTTPS, "0001 00 0001 0006 026832 026833 0003 0002 01bb 0004 0008 c0000201c0000202"),
            R"(1 . alpn="h2,h3" port=443 ipv4hint=192.0.2.1,192.0.2.2)");
}

TEST(RdataText, SvcbEveryKnownKey) {
  EXPECT_EQ(text(RRType::HTTPS,
                 "0001 00 0000 0004 00010003 0001 0003 026832 0002 0000 0003 0002 01bb 0005 0003 616263"
                 " 0006 0010 20010db8000000000000000000000001 0007 000b 2f717b3f646e737d616263"
                 " fde8 0003 612262"),
            R"(1 . mandatory=alpn,port alpn="h2" no-default-alpn port=443 ech=YWJj ipv6hint=2001:db8::1 )"
            R"(dohpath="/q{?dns}abc" key65000="a\"b")");
}

TEST(RdataText, SvcbUnknownKeysAsKeyNnnnn) {
  EXPECT_EQ(text(RRType::SVCB, "0001 0173026578 00 0009 0000 ffff 0002 00ff"),
            R"(1 s.ex. key9 key65535="\000\255")");
  EXPECT_EQ(text(RRType::HTTPS, "0001 00 0008 0002 6162"), R"(1 . key8="ab")");
  EXPECT_EQ(text(RRType::HTTPS, "0001 00 0000 0002 fde8 fde8 0000"), "1 . mandatory=key65000 key65000");
}

TEST(RdataText, SvcbAlpnWithCommaOrBackslashIsGeneric) {
  // RFC 9460 appendix A.1 double escaping, which ldns 1.8 does not undo.
  EXPECT_EQ(text(RRType::HTTPS, "0001 00 0001 0008 03612c62 03635c64"),
            "\\# 15 0001000001000803612C6203635C64");
}

TEST(RdataText, SvcbValueNotFittingItsKeyIsGeneric) {
  EXPECT_EQ(text(RRType::SVCB, "0001 00 0003 0003 616263"), "\\# 10 00010000030003616263");  // port
  EXPECT_EQ(text(RRType::SVCB, "0001 00 0005 0000"), "\\# 7 00010000050000");                // ech
  EXPECT_EQ(text(RRType::SVCB, "0001 00 0004 0000"), "\\# 7 00010000040000");                // ipv4hint
  EXPECT_EQ(text(RRType::SVCB, "0001 00 0000 0000"), "\\# 7 00010000000000");                // mandatory
  EXPECT_EQ(text(RRType::SVCB, "0001 00 0002 0001 78"), "\\# 8 0001000002000178");  // no-default-alpn
}

TEST(RdataText, SvcbKeysOutOfOrderIsGeneric) {
  EXPECT_EQ(text(RRType::SVCB, "0001 00 0003 0002 01bb 0001 0003 026832"),
            "\\# 16 0001000003000201BB00010003026832");
}

// ---- records

TEST(RdataText, RecordOwnerTtlClassTypeRdata) {
  const auto owner = Name::from_text("www.example.");
  ASSERT_TRUE(owner);
  std::string out;
  append_record_text(*owner, 3600, RRClass::IN, RRType::A, hex("c0000201"), out);
  EXPECT_EQ(out, "www.example. 3600 IN A 192.0.2.1");
}

TEST(RdataText, RecordOfTypeUnknownToLdnsIsTypeNnnGeneric) {
  // RFC 3597 section 5: ldns 1.8 takes "AVC" for TYPE0; both read TYPE258.
  std::string out;
  append_record_text(Name::root(), 60, RRClass::IN, RRType::AVC, hex("03613a62"), out);
  EXPECT_EQ(out, ". 60 IN TYPE258 \\# 4 03613A62");
  EXPECT_EQ(text(RRType::AVC, "03613a62"), R"("a:b")");
}

TEST(RdataText, RecordOfUnknownTypeAndClass) {
  std::string out;
  append_record_text(Name::root(), 0, static_cast<RRClass>(42), static_cast<RRType>(65280), {}, out);
  EXPECT_EQ(out, ". 0 CLASS42 TYPE65280 \\# 0");
}

}  // namespace
}  // namespace signerd::dns
