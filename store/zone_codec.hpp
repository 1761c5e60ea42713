// store/zone_codec.hpp — the byte form of zone versions and diffs in the store.
//
// Owns: encoding a ZoneVersion (streamed, in chunks) and a ZoneDiff (one
// blob), and decoding both with bounds checks. Does not own: SQL (the rows
// that hold these bytes are store/zone_store.cpp's) or zone semantics (the
// ZoneBuilder that receives decoded records checks RDATA, class and owners).
//
// Layout, all integers big-endian:
//   version: "SGV1" origin-wire class:u16 serial:u32 rrsets:u64 records:u64 RRSET*
//   diff:    "SGD1" from:u32 to:u32 removed:u32 RRSET* added:u32 RRSET*
//   RRSET:   owner-wire type:u16 class:u16 ttl:u32 count:u16 (rdlength:u16 rdata)*count
// Names are uncompressed wire form. RRsets follow the version's canonical
// order, so a decoder can hand them to a ZoneBuilder as they come. The
// bytes are read back from disk: a decoder treats them as untrusted and
// reports any inconsistency as Errc::malformed naming `what` and the offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"

namespace signerd::store {

using base::Result;

// Snapshot rows hold at most this much: a 1M-name signed zone (300-400 MB)
// never needs one allocation of its full size on either side.
inline constexpr size_t kSnapshotChunkSize = size_t{4} << 20;

// Receives consecutive chunks of at most the chunk size; an error stops the
// encoding and is returned.
using ChunkSink = std::function<Result<void>(std::span<const uint8_t>)>;
// Fills `out` with the next chunk and returns true, or returns false at the end.
using ChunkSource = std::function<Result<bool>(std::vector<uint8_t>& out)>;

// Streams `version` to `sink`. Errors: only those of the sink.
Result<void> encode_version(const dns::ZoneVersion& version, const ChunkSink& sink,
                            size_t chunk_size = kSnapshotChunkSize);

// Errors: invalid_argument when an owner is not at or below `origin` or an
// RRset is empty (such a diff could not be read back).
Result<std::vector<uint8_t>> encode_diff(const dns::NameView origin, const dns::ZoneDiff& diff);

struct VersionHeader {
  dns::Name origin;
  dns::RRClass rclass = dns::RRClass::IN;
  uint32_t serial = 0;
  uint64_t rrset_count = 0;
  uint64_t record_count = 0;
};

// One decoded RRset. The views point into the decoder's buffer and are
// valid only during the visitor call.
struct DecodedRRset {
  dns::NameView owner;
  dns::RRType type{};
  dns::RRClass rclass{};
  uint32_t ttl = 0;
  std::vector<std::span<const uint8_t>> rdatas;

  dns::RRset to_rrset() const;
};

using HeaderVisitor = std::function<Result<void>(const VersionHeader&)>;
using RRsetVisitor = std::function<Result<void>(const DecodedRRset&)>;

// Decodes a version streamed from `source`: the header first, then every
// RRset in stored order. Errors: malformed ("<what>: offset N: ...") for a
// bad magic, a bad name, truncation, counts that disagree with the header,
// or trailing bytes; errors from the source or a visitor pass through.
Result<void> decode_version(std::string_view what, const ChunkSource& source, const HeaderVisitor& on_header,
                            const RRsetVisitor& on_rrset);

// Decodes and builds the version in one ZoneBuilder pass; errors the
// builder finds (bad RDATA, no SOA, ...) become malformed naming `what`.
Result<std::shared_ptr<const dns::ZoneVersion>> decode_version(std::string_view what,
                                                               const ChunkSource& source);

// Decodes a diff whose owners must lie at or below `origin`; RDATA is
// validated per type. Errors: malformed naming `what` and the offset.
Result<dns::ZoneDiff> decode_diff(std::string_view what, dns::NameView origin,
                                  std::span<const uint8_t> bytes);

// A source that yields `bytes` as one chunk (diffs, tests).
ChunkSource single_chunk(std::span<const uint8_t> bytes);

}  // namespace signerd::store
