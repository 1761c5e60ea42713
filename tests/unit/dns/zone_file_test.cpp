// dns/zone_file: master files in (libzscanner) and out (dns/rdata_text).
#include "dns/zone_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "dns/rdata_schema.hpp"
#include "dns/rdata_text.hpp"

namespace signerd::dns {
namespace {

namespace fs = std::filesystem;

Name origin(std::string_view text = "example.") { return *Name::from_text(text); }

struct Rec {
  std::string owner;
  RRType type;
  RRClass rclass;
  uint32_t ttl;
  std::vector<uint8_t> rdata;
  uint64_t line;
};

Result<std::vector<Rec>> parse(std::string_view text, uint32_t default_ttl = 3600) {
  std::vector<Rec> out;
  auto r = parse_zone_text(text, origin(), default_ttl, [&](const ParsedRecord& p) {
    out.push_back(Rec{p.owner.to_text(), p.type, p.rclass, p.ttl, {p.rdata.begin(), p.rdata.end()}, p.line});
  });
  if (!r) return std::move(r).error();
  return out;
}

ZoneFileOptions options(std::string_view zone = "example.") {
  ZoneFileOptions o;
  o.origin = origin(zone);
  return o;
}

constexpr const char* kHead =
    "$ORIGIN example.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.1\n";

// One sample per type of dns/rdata_schema. `printed`, where given, is the
// expected text of our printer; libzscanner 3.2 has no parser for those
// mnemonics, so their input is RFC 3597 generic (wire taken from ldns -U or
// built by hand from the RFC layout).
struct Sample {
  const char* type;
  const char* text;
  const char* printed = nullptr;
};

const Sample kSamples[] = {
    {"A", "192.0.2.1"},
    {"NS", "ns1.Example."},
    {"TYPE3", "\\# 12 026d64076578616d706c6500", "md.example."},
    {"TYPE4", "\\# 12 026d66076578616d706c6500", "mf.example."},
    {"CNAME", "target.example."},
    {"SOA", "ns1.example. hostmaster.example. 2024010101 7200 3600 1209600 300"},
    {"TYPE7", "\\# 12 026d62076578616d706c6500", "mb.example."},
    {"TYPE8", "\\# 12 026d67076578616d706c6500", "mg.example."},
    {"TYPE9", "\\# 12 026d72076578616d706c6500", "mr.example."},
    {"TYPE11", "\\# 16 c0000201060000004000000000000080", "192.0.2.1 6 25 80"},
    {"PTR", "ptr.example."},
    {"HINFO", "\"PC-Intel\" \"Linux 6\""},
    {"MINFO", "rmail.example. email.example."},
    {"MX", "10 mail.example."},
    {"TXT", "\"hello world\" \"a\\\"b\" \"c\\\\d\" \"\\010\" \"\" \"\\255\""},
    {"RP", "admin.example. txt.example."},
    {"AFSDB", "1 afs.example."},
    {"TYPE19", "\\# 13 0c333131303631373030393536", "\"311061700956\""},
    {"TYPE20", "\\# 20 0f31353038363230323830303332313703303034", "\"150862028003217\" \"004\""},
    {"RT", "10 relay.example."},
    {"TYPE22", "\\# 20 47000580005a0000000001e133ffffff00016100",
     "0x47000580005A0000000001E133FFFFFF00016100"},
    {"TYPE24", "\\# 34 0001080200000e1067748580659200803039076578616d706c650003010001cdd585",
     "A 8 2 3600 20250101000000 20240101000000 12345 example. AwEAAc3VhQ=="},
    {"KEY", "256 3 8 AwEAAc3VhQ=="},
    {"TYPE26", "\\# 35 000a066d6170383232076578616d706c6500076d617078343030076578616d706c6500",
     "10 map822.example. mapx400.example."},
    {"TYPE27", "\\# 23 082d33322e36383832083131362e383635320431302e30", "\"-32.6882\" \"116.8652\" \"10.0\""},
    {"AAAA", "2001:db8::1"},
    {"LOC", "52 22 23.000 N 4 53 32.000 E -2.00m 1.00m 10000.00m 10.00m"},
    {"TYPE30", "\\# 15 046e657874076578616d706c650062", "\\# 15 046E657874076578616D706C650062"},
    {"SRV", "0 5 5060 sip.example."},
    {"NAPTR", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example."},
    {"KX", "10 kx.example."},
    {"CERT", "PKIX 12345 RSASHA256 AwEAAc3VhQ=="},
    {"DNAME", "target.example."},
    {"APL", "1:192.168.32.0/21 !1:192.168.38.0/28 2:2001:db8::/32"},
    {"DS", "12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE18B9E6A3F4D5A6C8B7E9F0A1"},
    {"SSHFP", "4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789"},
    {"IPSECKEY", "10 3 2 gw.example. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=="},
    {"RRSIG", "A 8 2 3600 20250101000000 20240101000000 12345 example. AwEAAc3VhQ=="},
    {"NSEC", "Next.example. A NS SOA RRSIG NSEC DNSKEY TYPE65000"},
    {"DNSKEY", "257 3 8 AwEAAc3VhQ=="},
    {"DHCID", "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="},
    {"NSEC3", "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG"},
    {"NSEC3PARAM", "1 0 0 -"},
    {"TLSA", "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"},
    {"SMIMEA", "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"},
    {"TYPE55", "\\# 37 10020004200100107b1a74df365639cc39f1d578c0a8010103727673076578616d706c6500",
     "2 200100107B1A74DF365639CC39F1D578 wKgBAQ== rvs.example."},
    {"TYPE57", "\\# 11 000003fd03010001cdd585", "0 3 253 AwEAAc3VhQ=="},
    {"TYPE58", "\\# 28 0470726576076578616d706c6500046e657874076578616d706c6500",
     "prev.example. next.example."},
    {"CDS", "12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE18B9E6A3F4D5A6C8B7E9F0A1"},
    {"CDNSKEY", "257 3 8 AwEAAc3VhQ=="},
    {"OPENPGPKEY", "AwEAAc3VhQ=="},
    {"CSYNC", "66 3 A NS AAAA"},
    {"ZONEMD",
     "2024010101 1 1 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
     "00112233445566778899AABBCCDDEEFF"},
    {"SVCB", "1 svc.example. alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1"},
    {"HTTPS", "1 . mandatory=alpn,port alpn=h2 port=443 ech=AEX+DQBBAQAgACDo"},
    {"TYPE66",
     "\\# 17 003b0114ef02647307"
     "6578616d706c6500",
     "CDS 1 5359 ds.example."},
    {"SPF", "\"v=spf1 -all\""},
    {"TYPE101", "\\# 4 000003e8", "\\# 4 000003E8"},
    {"TYPE102", "\\# 4 000003e8", "\\# 4 000003E8"},
    {"NID", "10 0014:4fff:ff20:ee64"},
    {"L32", "10 10.1.2.3"},
    {"L64", "10 2001:0db8:1140:1000"},
    {"LP", "10 l64.example."},
    {"EUI48", "00-00-5e-00-53-2a"},
    {"EUI64", "00-00-5e-ef-10-00-00-2a"},
    {"URI", "10 1 \"https://www.example/\""},
    {"CAA", "0 issue \"ca.example.net\""},
    {"TYPE258", "\\# 32 1f6170702d6e616d653a574f4c4647414e477c6170702d636c6173733a4f414d",
     "\"app-name:WOLFGANG|app-class:OAM\""},
    {"TYPE259",
     "\\# 30 000000000000000102"
     "00"
     "68747470733a2f2f7777772e6973632e6f72672f",
     "0 1 2 \"\" aHR0cHM6Ly93d3cuaXNjLm9yZy8="},
    {"TYPE260", "\\# 6 0a01cb00710f", "10 0 1 203.0.113.15"},
    {"TYPE261", "\\# 25 08716e616d656d696e0f6578746572723d31352c31362c3137",
     "\"qnamemin\" \"exterr=15,16,17\""},
    {"TYPE32768", "\\# 36 3039080249fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de18b9e6a3f4d5a6c8b7e9f0a1",
     "12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE18B9E6A3F4D5A6C8B7E9F0A1"},
    {"TYPE32769", "\\# 36 3039080249fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de18b9e6a3f4d5a6c8b7e9f0a1",
     "12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE18B9E6A3F4D5A6C8B7E9F0A1"},
};

TEST(ZoneFileRoundTrip, EverySchemaTypeHasASample) {
  std::set<uint16_t> sampled;
  for (const auto& s : kSamples) sampled.insert(code(*rrtype_from_text(s.type)));
  for (uint32_t c = 0; c <= 0xffff; ++c) {
    auto t = static_cast<RRType>(c);
    if (rdata_schema(t) != nullptr) {
      EXPECT_TRUE(sampled.count(static_cast<uint16_t>(c))) << to_text(t);
    }
  }
}

// text -> wire (zscanner) -> text (our printer) -> wire (zscanner): equal.
TEST(ZoneFileRoundTrip, TextWireTextWireForEveryType) {
  for (const auto& s : kSamples) {
    SCOPED_TRACE(s.type);
    auto first = parse(std::string("r.example. 300 IN ") + s.type + " " + s.text + "\n");
    ASSERT_TRUE(first) << first.error().detail;
    ASSERT_EQ(first->size(), 1u);
    const Rec& r = first->front();
    EXPECT_TRUE(validate_rdata(r.type, r.rdata));
    if (s.printed != nullptr) {
      EXPECT_EQ(rdata_to_text(r.type, r.rdata), s.printed);
    }

    std::string line;
    append_record_text(*Name::from_text(r.owner), r.ttl, r.rclass, r.type, r.rdata, line);
    auto again = parse(line + "\n");
    ASSERT_TRUE(again) << line << ": " << again.error().detail;
    ASSERT_EQ(again->size(), 1u) << line;
    EXPECT_EQ(again->front().type, r.type) << line;
    EXPECT_EQ(again->front().rdata, r.rdata) << line;
    EXPECT_EQ(again->front().ttl, 300u);
  }
}

TEST(ZoneFileRoundTrip, EscapedOwnersAndStrings) {
  const char* text =
      "esc\\.dot TXT \"dot\"\n"
      "back\\\\slash TXT \"\\\\\"\n"
      "q\\\"uote TXT a\\\"b\n"
      "sp\\032ace TXT \"x\\032y\" \"tab\\009\"\n"
      "bin\\000ary\\255 TXT \"\\000\\001\\255\"\n"
      "\\065bc TXT unquoted\\ word\n";
  auto first = parse(text);
  ASSERT_TRUE(first) << first.error().detail;
  ASSERT_EQ(first->size(), 6u);
  EXPECT_EQ((*first)[0].owner, "esc\\.dot.example.");
  EXPECT_EQ((*first)[5].owner, "Abc.example.");
  for (const Rec& r : *first) {
    std::string line;
    append_record_text(*Name::from_text(r.owner), r.ttl, r.rclass, r.type, r.rdata, line);
    auto again = parse(line + "\n");
    ASSERT_TRUE(again) << line << ": " << again.error().detail;
    EXPECT_EQ(again->front().owner, r.owner);
    EXPECT_EQ(again->front().rdata, r.rdata) << line;
  }
}

TEST(ZoneFileText, RelativeNamesAndAt) {
  auto recs = parse("www CNAME @\n@ MX 10 mail\nmail.sub A 192.0.2.1\nabs.other. A 192.0.2.2\n");
  ASSERT_TRUE(recs) << recs.error().detail;
  ASSERT_EQ(recs->size(), 4u);
  EXPECT_EQ((*recs)[0].owner, "www.example.");
  const Name apex = origin();
  EXPECT_EQ((*recs)[0].rdata, std::vector<uint8_t>(apex.wire().begin(), apex.wire().end()));
  EXPECT_EQ((*recs)[1].owner, "example.");
  EXPECT_EQ(rdata_to_text(RRType::MX, (*recs)[1].rdata), "10 mail.example.");
  EXPECT_EQ((*recs)[2].owner, "mail.sub.example.");
  EXPECT_EQ((*recs)[3].owner, "abs.other.");
}

TEST(ZoneFileText, TtlAndClassInEitherOrder) {
  auto recs = parse("a 300 IN A 192.0.2.1\nb IN 301 A 192.0.2.2\nc IN A 192.0.2.3\nd 302 A 192.0.2.4\n");
  ASSERT_TRUE(recs) << recs.error().detail;
  ASSERT_EQ(recs->size(), 4u);
  EXPECT_EQ((*recs)[0].ttl, 300u);
  EXPECT_EQ((*recs)[1].ttl, 301u);
  EXPECT_EQ((*recs)[2].ttl, 301u);  // BIND: the last explicit TTL, no $TTL yet
  EXPECT_EQ((*recs)[3].ttl, 302u);
  for (const Rec& r : *recs) EXPECT_EQ(r.rclass, RRClass::IN);
}

TEST(ZoneFileText, BlankOwnerParenthesesAndComments) {
  auto recs = parse("host A 192.0.2.1 ; one\n  AAAA 2001:db8::1\n\n; alone\n  TXT ( \"a\" ; c\n \"b\" )\n");
  ASSERT_TRUE(recs) << recs.error().detail;
  ASSERT_EQ(recs->size(), 3u);
  for (const Rec& r : *recs) EXPECT_EQ(r.owner, "host.example.");
  EXPECT_EQ(rdata_to_text(RRType::TXT, (*recs)[2].rdata), "\"a\" \"b\"");
  EXPECT_EQ((*recs)[2].line, 6u);  // a multi-line record is reported at its last line
}

// BIND 9's rules for a record without a TTL (see zone_file.cpp); each
// expectation was checked with named-checkzone 9.18 -D.
std::vector<uint32_t> ttls_of(const ZoneFileResult& res, std::initializer_list<const char*> names) {
  std::vector<uint32_t> out;
  for (const char* n : names) {
    auto node = res.zone->find(*Name::from_text(n));
    out.push_back(node ? node->rrset(0).ttl() : 0);
  }
  return out;
}

TEST(ZoneFileTtl, SoaWithoutTtlTakesMinimumWhichBecomesTheDefault) {
  auto res = read_zone_text(
      "@ SOA ns1 hm 1 2 3 4 555\n@ NS ns1\nns1 A 192.0.2.1\na 120 A 192.0.2.1\nb A 192.0.2.2\n", options());
  ASSERT_TRUE(res.zone);
  EXPECT_EQ(ttls_of(res, {"example.", "ns1.example.", "a.example.", "b.example."}),
            (std::vector<uint32_t>{555, 555, 120, 555}));
  ASSERT_FALSE(res.warnings.empty());
  EXPECT_NE(res.warnings[0].find("SOA MINIMUM"), std::string::npos);
}

TEST(ZoneFileTtl, LastExplicitTtlWithoutDollarTtl) {
  auto res = read_zone_text(
      "ns1 120 A 192.0.2.1\n@ SOA ns1 hm 1 2 3 4 555\n@ NS ns1\nb A 192.0.2.2\n"
      "c 77 A 192.0.2.3\nd A 192.0.2.4\n$TTL 99\ne A 192.0.2.5\n",
      options());
  ASSERT_TRUE(res.zone);
  EXPECT_EQ(ttls_of(res, {"example.", "b.example.", "c.example.", "d.example.", "e.example."}),
            (std::vector<uint32_t>{120, 120, 77, 77, 99}));
}

TEST(ZoneFileTtl, NoTtlKnownIsAnErrorUnlessTheCallerGivesOne) {
  auto res = read_zone_text("ns1 A 192.0.2.1\n@ SOA ns1 hm 1 2 3 4 555\n@ NS ns1\n", options());
  ASSERT_EQ(res.errors.size(), 1u);
  EXPECT_EQ(res.errors[0].line, 1u);
  EXPECT_NE(res.errors[0].message.find("no TTL"), std::string::npos);

  auto given = parse("a A 192.0.2.1\n", 1234);
  ASSERT_TRUE(given);
  EXPECT_EQ(given->front().ttl, 1234u);
}

TEST(ZoneFileTtl, AboveTwoToThe31IsZero) {  // RFC 2181 section 8, as BIND
  auto huge = parse("a 2147483648 A 192.0.2.1\n");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->front().ttl, 0u);
}

TEST(ZoneFileErrors, CarryFileAndLine) {
  std::string text = std::string(kHead) + "ok A 192.0.2.2\nbad A 192.0.2.300\n";
  auto res = read_zone_text(text, options());
  EXPECT_FALSE(res.zone);
  ASSERT_EQ(res.errors.size(), 1u);
  EXPECT_EQ(res.errors[0].file, "<string>");
  EXPECT_EQ(res.errors[0].line, 7u);
  EXPECT_EQ(res.errors[0].to_string(), "<string>:7: invalid IPv4 address");
}

TEST(ZoneFileErrors, ContinueAfterAnErrorUpToMaxErrors) {
  std::string text = std::string(kHead) + "a A 1.2.3\nb A 192.0.2.2\nc AAAA zz\nd MX x\ne A 1\n";
  auto all = read_zone_text(text, options());
  ASSERT_EQ(all.errors.size(), 4u);
  EXPECT_EQ(all.errors[0].line, 6u);
  EXPECT_EQ(all.errors[1].line, 8u);
  EXPECT_EQ(all.errors[3].line, 10u);

  auto o = options();
  o.max_errors = 2;
  auto capped = read_zone_text(text, o);
  EXPECT_EQ(capped.errors.size(), 2u);
  EXPECT_FALSE(capped.warnings.empty());
}

TEST(ZoneFileErrors, BuilderErrorsGetTheLine) {
  std::string text = std::string(kHead) + "www.elsewhere. A 192.0.2.2\n";
  auto res = read_zone_text(text, options());
  ASSERT_EQ(res.errors.size(), 1u);
  EXPECT_EQ(res.errors[0].line, 6u);
  EXPECT_NE(res.errors[0].message.find("www.elsewhere."), std::string::npos);
  EXPECT_NE(res.errors[0].message.find("outside the zone"), std::string::npos);
}

TEST(ZoneFileErrors, OtherClassIsRejectedAtItsLine) {
  std::string text = std::string(kHead) + "txt CH TXT \"x\"\n";
  auto res = read_zone_text(text, options());
  ASSERT_EQ(res.errors.size(), 1u);
  EXPECT_EQ(res.errors[0].line, 6u);
}

TEST(ZoneFileErrors, ZoneLevelErrorsHaveNoLine) {
  auto res = read_zone_text("$ORIGIN example.\n@ 60 NS ns1\nns1 A 192.0.2.1\n", options());
  ASSERT_EQ(res.errors.size(), 1u);
  EXPECT_EQ(res.errors[0].line, 0u);
  EXPECT_EQ(res.errors[0].to_string(), "<string>: example.: no SOA record at the zone apex");
}

class ZoneFileOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("zone_file_test." + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

TEST_F(ZoneFileOnDisk, IncludeWithOriginAndErrorsInTheIncludedFile) {
  write("sub.inc", "@ A 192.0.2.9\nhost TXT \"in sub\"\n");
  write("bad.inc", "ok A 192.0.2.1\nbad A 192.0.2.x\n");
  std::string zone =
      write("z.zone", std::string(kHead) + "$INCLUDE sub.inc sub.example.\nafter A 192.0.2.10\n");
  auto res = read_zone_file(zone, options());
  ASSERT_TRUE(res.zone) << (res.errors.empty() ? "" : res.errors[0].to_string());
  EXPECT_TRUE(res.zone->find(*Name::from_text("sub.example."), RRType::A));
  EXPECT_TRUE(res.zone->find(*Name::from_text("host.sub.example."), RRType::TXT));
  EXPECT_TRUE(res.zone->find(*Name::from_text("after.example."), RRType::A));  // origin reverts

  std::string broken = write("b.zone", std::string(kHead) + "$INCLUDE bad.inc\n");
  auto bad = read_zone_file(broken, options());
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(fs::path(bad.errors[0].file).filename(), "bad.inc");
  EXPECT_EQ(bad.errors[0].line, 2u);
}

TEST_F(ZoneFileOnDisk, IncludeLoopAndRefusal) {
  std::string loop = write("loop.zone", std::string(kHead) + "$INCLUDE loop.zone\n");
  auto res = read_zone_file(loop, options());
  ASSERT_FALSE(res.errors.empty());
  EXPECT_NE(res.errors[0].message.find("nested"), std::string::npos);

  auto o = options();
  o.allow_include = false;
  write("x.inc", "x A 192.0.2.1\n");
  auto refused = read_zone_file(write("r.zone", std::string(kHead) + "$INCLUDE x.inc\n"), o);
  ASSERT_EQ(refused.errors.size(), 1u);
  EXPECT_EQ(refused.errors[0].line, 6u);
  EXPECT_FALSE(parse("$INCLUDE /etc/hostname\n"));
}

TEST_F(ZoneFileOnDisk, MissingFileIsAnError) {
  auto res = read_zone_file((dir_ / "absent.zone").string(), options());
  ASSERT_EQ(res.errors.size(), 1u);
  EXPECT_NE(res.errors[0].to_string().find("absent.zone"), std::string::npos);
}

TEST(ZoneFileWrite, SoaFirstThenCanonicalOrderAbsoluteNames) {
  std::string text = std::string(kHead) + "b A 192.0.2.3\nA.b TXT x\n*.b A 192.0.2.4\nZ A 192.0.2.5\n";
  auto res = read_zone_text(text, options());
  ASSERT_TRUE(res.zone);
  std::string out;
  write_zone(*res.zone, out);
  EXPECT_EQ(out,
            "example. 3600 IN SOA ns1.example. hostmaster.example. 1 7200 3600 1209600 300\n"
            "example. 3600 IN NS ns1.example.\n"
            "b.example. 3600 IN A 192.0.2.3\n"
            "*.b.example. 3600 IN A 192.0.2.4\n"
            "A.b.example. 3600 IN TXT \"x\"\n"
            "ns1.example. 3600 IN A 192.0.2.1\n"
            "Z.example. 3600 IN A 192.0.2.5\n");
}

TEST_F(ZoneFileOnDisk, WriteZoneFileIsAtomicAndReadsBack) {
  auto res = read_zone_text(std::string(kHead) + "www A 192.0.2.80\n", options());
  ASSERT_TRUE(res.zone);
  std::string path = (dir_ / "out.zone").string();
  write("out.zone", "old contents\n");
  ASSERT_TRUE(write_zone_file(*res.zone, path));
  std::stringstream got;
  got << std::ifstream(path).rdbuf();
  std::string expected;
  write_zone(*res.zone, expected);
  EXPECT_EQ(got.str(), expected);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);  // no temporary left

  auto again = read_zone_file(path, options());
  ASSERT_TRUE(again.zone);
  std::string twice;
  write_zone(*again.zone, twice);
  EXPECT_EQ(twice, expected);

  auto failed = write_zone_file(*res.zone, (dir_ / "no-such-dir" / "x.zone").string());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, base::Errc::io);
}

}  // namespace
}  // namespace signerd::dns
