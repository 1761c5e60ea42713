// WireReader::name: the defences of RFC 1035 section 4.1.4 compression
// against hostile messages, and the size limits of section 2.3.4.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/wire.hpp"

namespace signerd::dns {
namespace {

// A message whose first 12 octets stand in for the header.
std::vector<uint8_t> message(std::vector<uint8_t> body = {}) {
  body.insert(body.begin(), 12, 0);
  return body;
}

void append_labels(std::vector<uint8_t>& m, size_t count, uint8_t length) {
  for (size_t i = 0; i < count; ++i) {
    m.push_back(length);
    m.insert(m.end(), length, 'a');
  }
}

Result<Name> read_name_at(const std::vector<uint8_t>& m, size_t pos) {
  WireReader r(m, pos);
  return r.name();
}

void expect_error(const Result<Name>& r, const std::string& words) {
  ASSERT_FALSE(r) << "accepted";
  EXPECT_NE(r.error().detail.find(words), std::string::npos) << r.error().detail;
}

TEST(WireName, ReadsUncompressedNameAndStopsAfterIt) {
  const auto m = message({3, 'w', 'w', 'w', 0, 0xAA});
  WireReader r(m, 12);
  auto n = r.name();
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(n->to_text(), "www.");
  EXPECT_EQ(r.position(), 17u);
}

TEST(WireName, FollowsBackwardPointerAndStopsAfterThePointer) {
  // 12: example.  21: www + pointer to 12
  const auto m = message({7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 3, 'w', 'w', 'w', 0xC0, 12, 0xAA});
  WireReader r(m, 21);
  auto n = r.name();
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(n->to_text(), "www.example.");
  EXPECT_EQ(r.position(), 27u);
}

TEST(WireName, RejectsPointerToItself) {
  expect_error(read_name_at(message({0xC0, 12}), 12), "does not point backwards");
}

TEST(WireName, RejectsPointerIntoItsOwnEarlierLabels) {
  // 12: "a" then a pointer back to 12: backwards in the message, but a loop.
  expect_error(read_name_at(message({1, 'a', 0xC0, 12}), 12), "does not point backwards");
}

TEST(WireName, RejectsPointerToLaterOffset) {
  expect_error(read_name_at(message({0xC0, 14, 0}), 12), "does not point backwards");
}

TEST(WireName, RejectsPointerAfterJumpThatDoesNotGoFurtherBack) {
  // 12: root.  13: pointer to 15.  15: pointer to 13. Reading at 15 jumps to
  // 13, whose pointer to 15 is not below 13.
  expect_error(read_name_at(message({0, 0xC0, 15, 0xC0, 13}), 15), "does not point backwards");
}

// 127 jumps are the most a 255-octet name could need; 128 are refused.
std::vector<uint8_t> pointer_chain(size_t pointers) {
  auto m = message({0});  // 12: the root
  for (size_t i = 0; i < pointers; ++i) {
    const size_t target = i == 0 ? 12 : m.size() - 2;
    m.push_back(static_cast<uint8_t>(0xC0 | (target >> 8)));
    m.push_back(static_cast<uint8_t>(target));
  }
  return m;
}

TEST(WireName, Accepts127ChainedPointers) {
  const auto m = pointer_chain(127);
  auto n = read_name_at(m, m.size() - 2);
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_TRUE(n->is_root());
}

TEST(WireName, Rejects128ChainedPointers) {
  const auto m = pointer_chain(128);
  expect_error(read_name_at(m, m.size() - 2), "too many compression pointers");
}

TEST(WireName, Accepts255OctetName) {
  auto m = message();
  append_labels(m, 3, 63);
  append_labels(m, 1, 61);
  m.push_back(0);
  auto n = read_name_at(m, 12);
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(n->wire_size(), 255u);
}

TEST(WireName, Rejects256OctetName) {
  auto m = message();
  append_labels(m, 3, 63);
  append_labels(m, 1, 62);
  m.push_back(0);
  expect_error(read_name_at(m, 12), "name longer than 255 octets");
}

TEST(WireName, Rejects256OctetNameBuiltFromPointers) {
  // 12: 63 + 63 + root (129 octets); then 63 + 62 + pointer: 127 + 129 = 256.
  auto m = message();
  append_labels(m, 2, 63);
  m.push_back(0);
  const size_t start = m.size();
  append_labels(m, 1, 63);
  append_labels(m, 1, 62);
  m.push_back(0xC0);
  m.push_back(12);
  expect_error(read_name_at(m, start), "name longer than 255 octets");
}

TEST(WireName, Accepts63OctetLabel) {
  auto m = message();
  append_labels(m, 1, 63);
  m.push_back(0);
  auto n = read_name_at(m, 12);
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(n->wire_size(), 65u);
}

TEST(WireName, Rejects64OctetLabel) {
  auto m = message();
  append_labels(m, 1, 64);
  m.push_back(0);
  expect_error(read_name_at(m, 12), "longer than 63 octets");
}

TEST(WireName, RejectsTruncatedLabelAndPointer) {
  expect_error(read_name_at(message({5, 'a', 'b'}), 12), "truncated");
  expect_error(read_name_at(message({3, 'a', 'b', 'c'}), 12), "truncated");
  expect_error(read_name_at(message({0xC0}), 12), "truncated");
}

}  // namespace
}  // namespace signerd::dns
