#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "dns/byte_arena.hpp"
#include "dns/chunked_array.hpp"
#include "dns/populated_pages.hpp"

namespace signerd::dns {
namespace {

TEST(ByteArena, ItemsNeverStraddleChunksAndKeepTheirBytes) {
  ByteArena arena;
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> stored;
  std::mt19937 rng(7);
  for (int i = 0; i < 40000; ++i) {
    std::vector<uint8_t> item(rng() % 300);
    for (auto& b : item) b = static_cast<uint8_t>(rng());
    stored.emplace_back(arena.append_with_length(item), item);
  }
  for (const auto& [off, item] : stored) {
    auto got = arena.with_length(off);
    ASSERT_EQ(std::vector<uint8_t>(got.begin(), got.end()), item);
    EXPECT_LE((off % ByteArena::kChunkSize) + 2 + item.size(), ByteArena::kChunkSize);
  }
  EXPECT_GT(arena.memory_bytes(), ByteArena::kChunkSize);  // several chunks were used
}

// A rebuilt leaf has its own arena (zone_leaf.hpp): a few kilobytes must
// not cost a megabyte, and growing must not move what is stored.
TEST(ByteArena, ASmallArenaCostsWhatItHolds) {
  ByteArena arena;
  std::vector<uint8_t> item(98, 0x5a);
  std::vector<uint32_t> offsets;
  for (int i = 0; i < 100; ++i) {
    item[0] = static_cast<uint8_t>(i);
    offsets.push_back(arena.append_with_length(item));
  }
  EXPECT_LT(arena.memory_bytes(), 4 * 100 * 100);
  EXPECT_GE(arena.memory_bytes(), 100 * 100);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(arena.with_length(offsets[static_cast<size_t>(i)])[0], i);
}

TEST(ChunkedArray, SortsAcrossChunksLikeAVector) {
  ChunkedArray<uint64_t> a;
  std::vector<uint64_t> v;
  std::mt19937_64 rng(11);
  for (size_t i = 0; i < 3 * ChunkedArray<uint64_t>::kPerChunk + 17; ++i) {
    uint64_t x = rng();
    a.push_back(x);
    v.push_back(x);
  }
  std::sort(a.begin(), a.end());
  std::sort(v.begin(), v.end());
  ASSERT_EQ(a.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(a[i], v[i]) << i;
}

TEST(ChunkedArray, ReleaseBeforeKeepsTheRest) {
  ChunkedArray<uint32_t> a;
  const size_t n = 2 * ChunkedArray<uint32_t>::kPerChunk + 5;
  for (uint32_t i = 0; i < n; ++i) a.push_back(i);
  a.release_before(ChunkedArray<uint32_t>::kPerChunk + 3);  // frees the first chunk only
  for (size_t i = ChunkedArray<uint32_t>::kPerChunk; i < n; ++i) ASSERT_EQ(a[i], i);
  a.clear();
  EXPECT_TRUE(a.empty());
}

// The big chunks come zeroed, writable and page aligned.
TEST(PopulatedPages, ZeroedWritableAndPageAligned) {
  for (size_t bytes : {size_t{4096} * 3, size_t{2} << 20, size_t{4} << 20}) {
    auto* p = static_cast<uint8_t*>(map_populated(bytes));
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(std::all_of(p, p + bytes, [](uint8_t b) { return b == 0; }));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 4096, 0u);
    p[0] = 1;
    p[bytes - 1] = 2;
    unmap_populated(p, bytes);
  }
}

}  // namespace
}  // namespace signerd::dns
