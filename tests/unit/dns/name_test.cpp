#include "dns/name.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace signerd::dns {
namespace {

Name N(std::string_view text) {
  auto n = Name::from_text(text);
  EXPECT_TRUE(n) << text << ": " << n.error().to_string();
  return *n;
}

TEST(CanonicalOrder, Rfc4034Section6_1Example) {
  // RFC 4034 section 6.1 lists these names in canonical order.
  std::vector<Name> expected = {N("example."),         N("a.example."),      N("yljkjljk.a.example."),
                                N("Z.a.example."),     N("zABC.a.EXAMPLE."), N("z.example."),
                                N("\\001.z.example."), N("*.z.example."),    N("\\200.z.example.")};
  auto shuffled = expected;
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    std::sort(shuffled.begin(), shuffled.end());
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(shuffled[i].to_text(), expected[i].to_text());
  }
}

TEST(CanonicalOrder, KeyBytesSortLikeTheNames) {
  // Labels holding 0x00 and 0x01 are where a naive key encoding goes wrong.
  std::vector<Name> names = {
      N("a.example."),        N("\\000.a.example."),      N("\\001.a.example."), N("\\000\\000.a.example."),
      N("\\000a.a.example."), N("\\001\\000.a.example."), N("b.a.example."),     N("A.example."),
      N("ab.example."),       N("a\\000.example."),       N("example."),         N("\\255.example.")};
  for (const auto& x : names) {
    for (const auto& y : names) {
      std::string kx;
      std::string ky;
      x.view().append_canonical_key(kx);
      y.view().append_canonical_key(ky);
      int by_key = kx.compare(ky);
      auto by_name = canonical_compare(x, y);
      EXPECT_EQ(by_key < 0, by_name < 0) << x.to_text() << " vs " << y.to_text();
      EXPECT_EQ(by_key == 0, by_name == 0) << x.to_text() << " vs " << y.to_text();
    }
  }
}

TEST(Name, EqualityIgnoresAsciiCaseOnly) {
  EXPECT_EQ(N("WWW.Example.COM."), N("www.example.com."));
  EXPECT_NE(N("\\200.example."), N("\\224.example."));
  EXPECT_EQ(N("WWW.Example.COM.").to_text(), "WWW.Example.COM.");  // case kept
  EXPECT_EQ(N("WWW.Example.COM.").lowercased().to_text(), "www.example.com.");
}

TEST(Name, PresentationEscapesRoundTrip) {
  for (std::string_view text : {"a\\.b.example.", "back\\\\slash.example.", "sp\\032ace.example.",
                                "\\000\\255.example.", "semi\\;colon.example.", "quo\\\"te.example.",
                                "paren\\(\\).example.", "at\\@.example.", "dollar\\$.example."}) {
    Name n = N(text);
    EXPECT_EQ(n.to_text(), text);
    EXPECT_EQ(N(n.to_text()), n);
  }
  EXPECT_EQ(N("a\\.b.example.").label_count(), 2u);
  EXPECT_EQ(N("\\065.example.").to_text(), "A.example.");
}

TEST(Name, RelativeNamesTakeTheOrigin) {
  Name origin = N("example.com.");
  EXPECT_EQ(Name::from_text("www", &origin)->to_text(), "www.example.com.");
  EXPECT_EQ(Name::from_text("@", &origin)->to_text(), "example.com.");
  EXPECT_EQ(Name::from_text("www.other.", &origin)->to_text(), "www.other.");
  EXPECT_FALSE(Name::from_text("www"));
  EXPECT_FALSE(Name::from_text("@"));
}

TEST(Name, RejectsLabelsOver63AndNamesOver255) {
  std::string l63(63, 'a');
  std::string l64(64, 'a');
  EXPECT_TRUE(Name::from_text(l63 + "."));
  auto too_long_label = Name::from_text(l64 + ".");
  ASSERT_FALSE(too_long_label);
  EXPECT_NE(too_long_label.error().detail.find("63"), std::string::npos);
  // 4 labels of 63 = 256 octets with length bytes, +1 root = 257 > 255.
  std::string longest = l63 + "." + l63 + "." + l63 + "." + std::string(61, 'a') + ".";  // 255 octets
  ASSERT_TRUE(Name::from_text(longest));
  EXPECT_EQ(Name::from_text(longest)->wire_size(), 255u);
  auto over = Name::from_text("a." + longest);
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().detail.find("255"), std::string::npos);
}

TEST(Name, RejectsMalformedText) {
  for (std::string_view bad : {"", "a..b.", ".a.", "a\\", "a\\25", "a\\256.", "a\\2x5."}) {
    EXPECT_FALSE(Name::from_text(bad)) << bad;
  }
}

TEST(Name, WireValidation) {
  const uint8_t good[] = {3, 'w', 'w', 'w', 0};
  EXPECT_TRUE(Name::from_wire(good));
  const uint8_t no_root[] = {3, 'w', 'w', 'w'};
  EXPECT_FALSE(Name::from_wire(no_root));
  const uint8_t pointer[] = {0xC0, 0x0C};
  EXPECT_FALSE(Name::from_wire(pointer));
  const uint8_t trailing[] = {0, 1};
  EXPECT_FALSE(Name::from_wire(trailing));
}

TEST(Name, SubdomainsAndWildcards) {
  EXPECT_TRUE(N("a.b.example.").is_subdomain_of(N("EXAMPLE.")));
  EXPECT_TRUE(N("example.").is_subdomain_of(N("example.")));
  EXPECT_FALSE(N("example.").is_subdomain_of(N("a.example.")));
  EXPECT_FALSE(N("aexample.").is_subdomain_of(N("example.")));
  EXPECT_TRUE(N("*.example.").is_wildcard());
  EXPECT_FALSE(N("a.*.example.").is_wildcard());
  EXPECT_EQ(Name(N("a.b.example.").view().parent()).to_text(), "b.example.");
  EXPECT_EQ(N("a.b.example.").replace_suffix(N("example."), N("test."))->to_text(), "a.b.test.");
}

}  // namespace
}  // namespace signerd::dns
