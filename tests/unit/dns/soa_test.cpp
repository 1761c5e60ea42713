#include "dns/soa.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace signerd::dns {
namespace {

// ns.example. admin.example. 2026112301 3600 600 86400 300
std::vector<uint8_t> sample_soa() {
  std::vector<uint8_t> r = {2,   'n', 's', 7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,   5, 'a',
                            'd', 'm', 'i', 'n', 7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
  for (uint32_t v : {2026112301u, 3600u, 600u, 86400u, 300u}) {
    for (int shift = 24; shift >= 0; shift -= 8) r.push_back(static_cast<uint8_t>(v >> shift));
  }
  return r;
}

TEST(Soa, ReadsTimers) {
  auto t = soa_timers(sample_soa());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->serial, 2026112301u);
  EXPECT_EQ(t->refresh, 3600u);
  EXPECT_EQ(t->retry, 600u);
  EXPECT_EQ(t->expire, 86400u);
  EXPECT_EQ(t->minimum, 300u);
}

TEST(Soa, RewritesOnlyTheSerial) {
  auto original = sample_soa();
  auto changed = soa_with_serial(original, 7);
  ASSERT_TRUE(changed);
  ASSERT_EQ(changed->size(), original.size());
  EXPECT_EQ(soa_timers(*changed)->serial, 7u);
  EXPECT_EQ(soa_timers(*changed)->minimum, 300u);
  size_t differing = 0;
  for (size_t i = 0; i < original.size(); ++i) differing += original[i] != (*changed)[i];
  EXPECT_LE(differing, 4u);
}

TEST(Soa, RefusesMalformedRdata) {
  auto r = sample_soa();
  EXPECT_FALSE(soa_timers(std::vector<uint8_t>(r.begin(), r.end() - 1)));
  r.push_back(0);
  EXPECT_FALSE(soa_timers(r));
  EXPECT_FALSE(soa_timers(std::vector<uint8_t>{}));
  EXPECT_FALSE(soa_timers(std::vector<uint8_t>{64, 'a'}));         // label too long
  EXPECT_FALSE(soa_with_serial(std::vector<uint8_t>{3, 'a'}, 1));  // name runs off the end
}

}  // namespace
}  // namespace signerd::dns
