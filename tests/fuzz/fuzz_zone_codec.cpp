// libFuzzer target: the store's zone codec (store/zone_codec.hpp) on bytes
// as they might come back from a damaged store file. The input is decoded as
// a version, split into chunks at a size taken from the first octet (so
// records cross chunk boundaries), and as a diff. Decoding must fail with
// malformed or succeed; whatever decodes must encode and decode again to the
// same records. Links signerd_store.
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "store/zone_codec.hpp"

namespace {

using signerd::base::Errc;
using signerd::base::Result;
namespace store = signerd::store;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_zone_codec: %s\n", what);
  std::abort();
}

void expect_malformed(const signerd::base::Error& e) {
  if (e.code != Errc::malformed && e.code != Errc::out_of_range) {
    std::fprintf(stderr, "%s\n", e.to_string().c_str());
    fail("decode error is not malformed");
  }
}

store::ChunkSource chunked(std::span<const uint8_t> bytes, size_t chunk) {
  return [bytes, chunk, pos = size_t{0}](std::vector<uint8_t>& out) mutable -> Result<bool> {
    if (pos >= bytes.size()) return false;
    const size_t n = std::min(chunk, bytes.size() - pos);
    out.assign(bytes.begin() + static_cast<std::ptrdiff_t>(pos),
               bytes.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
    return true;
  };
}

void check_version(std::span<const uint8_t> bytes, size_t chunk) {
  auto v = store::decode_version("fuzz", chunked(bytes, chunk));
  if (!v) return expect_malformed(v.error());
  std::vector<uint8_t> again;
  auto enc = store::encode_version(**v, [&](std::span<const uint8_t> c) -> Result<void> {
    again.insert(again.end(), c.begin(), c.end());
    return signerd::base::ok();
  });
  if (!enc) fail("encoding a decoded version failed");
  auto back = store::decode_version("fuzz again", store::single_chunk(again));
  if (!back) fail("re-encoded version does not decode");
  if (!signerd::dns::diff_versions(**v, **back).empty()) fail("version changed through a round trip");
}

void check_diff(std::span<const uint8_t> bytes) {
  static const signerd::dns::Name origin = *signerd::dns::Name::from_text("example.");
  auto d = store::decode_diff("fuzz", origin, bytes);
  if (!d) return expect_malformed(d.error());
  auto enc = store::encode_diff(origin, *d);
  if (!enc) fail("encoding a decoded diff failed");
  auto back = store::decode_diff("fuzz again", origin, *enc);
  if (!back) fail("re-encoded diff does not decode");
  if (back->removed != d->removed || back->added != d->added || back->from != d->from || back->to != d->to) {
    fail("diff changed through a round trip");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  const size_t chunk = size > 0 ? static_cast<size_t>(data[0] % 16) + 1 : 1;
  check_version(bytes, chunk);
  check_version(bytes, bytes.size() + 1);
  check_diff(bytes);
  return 0;
}
