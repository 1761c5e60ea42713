#include "store/zone_codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/zone_diff.hpp"
#include "zone_test_zones.hpp"

namespace signerd::store {
namespace {

using test::corner_zone_text;
using test::dump;
using test::zone_from_text;

std::vector<std::vector<uint8_t>> encode_chunks(const dns::ZoneVersion& z, size_t chunk_size) {
  std::vector<std::vector<uint8_t>> chunks;
  auto r = encode_version(
      z,
      [&](std::span<const uint8_t> c) -> Result<void> {
        chunks.emplace_back(c.begin(), c.end());
        return base::ok();
      },
      chunk_size);
  EXPECT_TRUE(r);
  return chunks;
}

ChunkSource from_chunks(const std::vector<std::vector<uint8_t>>& chunks) {
  return [&chunks, i = size_t{0}](std::vector<uint8_t>& out) mutable -> Result<bool> {
    if (i == chunks.size()) return false;
    out = chunks[i++];
    return true;
  };
}

std::vector<uint8_t> join(const std::vector<std::vector<uint8_t>>& chunks) {
  std::vector<uint8_t> all;
  for (const auto& c : chunks) all.insert(all.end(), c.begin(), c.end());
  return all;
}

TEST(ZoneCodec, VersionRoundTripKeepsEveryRecordWhateverTheChunkSize) {
  auto z = zone_from_text(corner_zone_text(7, 0, 2000));
  ASSERT_TRUE(z);
  for (size_t chunk_size : {size_t{1}, size_t{7}, size_t{4096}, kSnapshotChunkSize}) {
    auto chunks = encode_chunks(*z, chunk_size);
    for (size_t i = 0; i + 1 < chunks.size(); ++i) ASSERT_EQ(chunks[i].size(), chunk_size);
    auto back = decode_version("test", from_chunks(chunks));
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(dump(**back), dump(*z)) << "chunk size " << chunk_size;
    EXPECT_EQ((*back)->serial(), 7u);
    EXPECT_TRUE((*back)->find(*dns::Name::from_text("a.b.c.example."))->is_empty_non_terminal());
  }
}

TEST(ZoneCodec, DiffRoundTrip) {
  auto a = zone_from_text(corner_zone_text(1, 0));
  auto b = zone_from_text(corner_zone_text(2, 3));
  ASSERT_TRUE(a && b);
  dns::ZoneDiff d = dns::diff_versions(*a, *b);
  ASSERT_FALSE(d.empty());
  auto bytes = encode_diff(a->origin(), d);
  ASSERT_TRUE(bytes);
  auto back = decode_diff("diff", a->origin(), *bytes);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->from, 1u);
  EXPECT_EQ(back->to, 2u);
  EXPECT_EQ(back->removed, d.removed);
  EXPECT_EQ(back->added, d.added);
}

TEST(ZoneCodec, EncodeDiffRefusesWhatCouldNotBeReadBack) {
  dns::ZoneDiff d{1, 2, {}, {}};
  d.added.emplace_back(*dns::Name::from_text("www.example.net."), dns::RRType::A, dns::RRClass::IN, 300);
  d.added.back().add(std::vector<uint8_t>{192, 0, 2, 1});
  auto outside = encode_diff(*dns::Name::from_text("example."), d);
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().code, base::Errc::invalid_argument);
  d.added.back() = dns::RRset(*dns::Name::from_text("www.example."), dns::RRType::A, dns::RRClass::IN, 300);
  EXPECT_FALSE(encode_diff(*dns::Name::from_text("example."), d));  // an empty RRset
}

// Every truncation is malformed with an offset; every one-octet corruption
// is either still a valid zone or malformed, never a crash or another error.
TEST(ZoneCodec, CorruptedVersionBlobIsMalformedNotACrash) {
  auto z = zone_from_text(corner_zone_text(3, 0, 2));
  ASSERT_TRUE(z);
  const auto all = join(encode_chunks(*z, kSnapshotChunkSize));
  for (size_t n = 0; n < all.size(); ++n) {
    std::vector<uint8_t> cut(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = decode_version("zone example. signed snapshot", single_chunk(cut));
    ASSERT_FALSE(r) << "prefix " << n;
    ASSERT_EQ(r.error().code, base::Errc::malformed) << r.error().to_string();
    ASSERT_NE(r.error().detail.find("zone example. signed snapshot"), std::string::npos);
  }
  for (size_t i = 0; i < all.size(); ++i) {
    for (uint8_t x : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      auto bad = all;
      bad[i] ^= x;
      auto r = decode_version("zone example.", single_chunk(bad));
      if (!r) {
        ASSERT_EQ(r.error().code, base::Errc::malformed) << r.error().to_string();
      }
    }
  }
  auto trailing = all;
  trailing.push_back(0);
  auto r = decode_version("zone example.", single_chunk(trailing));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("offset " + std::to_string(all.size()) + ": trailing"), std::string::npos)
      << r.error().detail;
}

TEST(ZoneCodec, SpecificCorruptionsNameTheProblem) {
  auto z = zone_from_text(corner_zone_text(3, 0, 2));
  ASSERT_TRUE(z);
  const auto all = join(encode_chunks(*z, kSnapshotChunkSize));
  auto expect = [](std::vector<uint8_t> bytes, const std::string& words) {
    auto r = decode_version("zone example.", single_chunk(bytes));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, base::Errc::malformed);
    EXPECT_NE(r.error().detail.find(words), std::string::npos) << r.error().detail;
  };
  auto bad = all;
  bad[0] = 'X';
  expect(bad, "offset 4: bad magic");
  bad = all;
  bad[4] = 64;  // first label length of the origin
  expect(bad, "offset 5: bad label length 64");
  bad = all;
  bad[4] = 0xc0;  // a compression pointer has no place here
  expect(bad, "bad label length 192");
  // The header's record count (last 8 octets of the header) one too high.
  const size_t header = 4 + z->origin().wire_size() + 2 + 4 + 8 + 8;
  bad = all;
  ++bad[header - 1];
  expect(bad, "header says");
  // The header's RRset count one too high: runs out of bytes.
  bad = all;
  ++bad[header - 9];
  expect(bad, "truncated");
}

TEST(ZoneCodec, CorruptedDiffBlobIsMalformed) {
  auto a = zone_from_text(corner_zone_text(1, 0, 2));
  auto b = zone_from_text(corner_zone_text(2, 3, 2));
  ASSERT_TRUE(a && b);
  auto bytes = encode_diff(a->origin(), dns::diff_versions(*a, *b));
  ASSERT_TRUE(bytes);
  for (size_t n = 0; n < bytes->size(); ++n) {
    std::vector<uint8_t> cut(bytes->begin(), bytes->begin() + static_cast<std::ptrdiff_t>(n));
    auto r = decode_diff("journal entry 1", a->origin(), cut);
    ASSERT_FALSE(r) << "prefix " << n;
    ASSERT_EQ(r.error().code, base::Errc::malformed);
  }
  for (size_t i = 0; i < bytes->size(); ++i) {
    auto bad = *bytes;
    bad[i] ^= 0x5a;
    auto r = decode_diff("journal entry 1", a->origin(), bad);
    if (!r) {
      ASSERT_EQ(r.error().code, base::Errc::malformed) << r.error().to_string();
    }
  }
  // Read back under another origin: every owner is outside it.
  auto r = decode_diff("journal entry 1", *dns::Name::from_text("other."), *bytes);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("owner outside the zone"), std::string::npos) << r.error().detail;
}

TEST(ZoneCodec, SourceErrorsPassThrough) {
  ChunkSource failing = [](std::vector<uint8_t>&) -> Result<bool> {
    return base::make_error(base::Errc::io, "disk on fire");
  };
  auto r = decode_version("zone example.", failing);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::io);
}

}  // namespace
}  // namespace signerd::store
