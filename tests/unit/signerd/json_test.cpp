#include "signerd/json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace signerd {
namespace {

TEST(JsonEscape, PlainAsciiUnchanged) { EXPECT_EQ(json_escape("example.com. 2024"), "example.com. 2024"); }

TEST(JsonEscape, QuoteAndBackslash) { EXPECT_EQ(json_escape(R"(a"b\c)"), R"(a\"b\\c)"); }

TEST(JsonEscape, ShortControlEscapes) { EXPECT_EQ(json_escape("\n\r\t\b\f"), R"(\n\r\t\b\f)"); }

TEST(JsonEscape, OtherControlCharsAsU00XX) {
  EXPECT_EQ(json_escape(std::string("\x00\x01\x1f", 3)), R"(\u0000\u0001\u001f)");
  EXPECT_EQ(json_escape("\x7f"), "\x7f");  // DEL is allowed in JSON strings
}

TEST(JsonEscape, ValidUtf8KeptAsIs) {
  const std::string s = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91 \xEF\xBF\xBF \xF4\x8F\xBF\xBF";
  EXPECT_EQ(json_escape(s), s);
}

constexpr const char* kFffd = "\xEF\xBF\xBD";

TEST(JsonEscape, InvalidUtf8Replaced) {
  const std::string r = kFffd;
  EXPECT_EQ(json_escape("a\xFF"
                        "b"),
            "a" + r + "b");                                   // never a lead byte
  EXPECT_EQ(json_escape("\x80"), r);                          // lone continuation
  EXPECT_EQ(json_escape("\xC3"), r);                          // truncated at the end
  EXPECT_EQ(json_escape("\xC3x"), r + "x");                   // truncated mid-string
  EXPECT_EQ(json_escape("\xC0\xAF"), r + r);                  // overlong '/'
  EXPECT_EQ(json_escape("\xE0\x80\xAF"), r + r + r);          // overlong, 3 bytes
  EXPECT_EQ(json_escape("\xED\xA0\x80"), r + r + r);          // UTF-16 surrogate
  EXPECT_EQ(json_escape("\xF4\x90\x80\x80"), r + r + r + r);  // above U+10FFFF
  EXPECT_EQ(json_escape("\xF0\x9F\x94"), r + r + r);          // truncated 4-byte
  EXPECT_EQ(json_escape("\xE2\x82\xAC\xE2\x82"), "\xE2\x82\xAC" + r + r);
}

TEST(JsonEscape, ReplacementKeepsFollowingCharacter) {
  // A bad lead byte must not eat the quote after it (that would break out of
  // the JSON string).
  EXPECT_EQ(json_escape("\xE2\""), std::string(kFffd) + "\\\"");
}

TEST(JsonEscape, OutputHasNoRawControlOrInvalidBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  const std::string out = json_escape(all);
  for (char c : out) EXPECT_GE(static_cast<unsigned char>(c), 0x20);
  EXPECT_EQ(out.find("\x80\x81"), std::string::npos);
}

}  // namespace
}  // namespace signerd
