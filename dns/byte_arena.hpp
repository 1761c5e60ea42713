// dns/byte_arena.hpp — append-only byte storage for zone data.
//
// Owns: ByteArena, bytes kept in 2 MiB chunks addressed by a 32-bit offset.
// A growing std::vector would leave up to half its capacity unused and copy
// everything on each growth, doubling peak memory while a large zone loads;
// chunks do neither. An item never straddles two chunks. The chunks start
// at 4 KiB and double up to 2 MiB, so that the many small arenas of an
// incrementally updated zone (one per rebuilt leaf, zone_leaf.hpp) cost
// what they hold, not megabytes each. Full-size chunks are mapped and
// populated at once (populated_pages.hpp); the smaller ones come from new[].
// Not thread-safe while appending; reading a finished arena is.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dns/populated_pages.hpp"

namespace signerd::dns {

class ByteArena {
 public:
  static constexpr unsigned kChunkBits = 21;
  static constexpr size_t kChunkSize = size_t{1} << kChunkBits;
  // Offsets are 32-bit: at most 4 GiB of data.
  static constexpr size_t kMaxBytes = size_t{1} << 32;

  // Appends `bytes` (at most kChunkSize); returns their offset.
  uint32_t append(std::span<const uint8_t> bytes) { return append_parts({}, bytes); }
  // Appends a 16-bit big-endian length, then `bytes` (at most 65535).
  uint32_t append_with_length(std::span<const uint8_t> bytes) {
    const uint8_t len[2] = {static_cast<uint8_t>(bytes.size() >> 8), static_cast<uint8_t>(bytes.size())};
    return append_parts(len, bytes);
  }

  const uint8_t* at(uint32_t offset) const noexcept {
    return chunks_[offset >> kChunkBits].get() + (offset & (kChunkSize - 1));
  }
  // The item that append_with_length() stored at `offset`.
  std::span<const uint8_t> with_length(uint32_t offset) const noexcept {
    const uint8_t* p = at(offset);
    return {p + 2, static_cast<size_t>((p[0] << 8) | p[1])};
  }

  // True when `n` more bytes would still be addressable.
  bool has_room(size_t n) const noexcept { return chunks_.size() * kChunkSize + n + kChunkSize <= kMaxBytes; }
  size_t memory_bytes() const noexcept { return allocated_; }

 private:
  static constexpr size_t kFirstChunk = 4096;

  uint32_t append_parts(std::span<const uint8_t> head, std::span<const uint8_t> body) {
    const size_t n = head.size() + body.size();
    if (chunks_.empty() || used_ + n > capacity_) {
      // The next chunk doubles the last, up to kChunkSize; nothing is
      // copied, so offsets stay valid and a growing leaf writes each byte
      // once. Growing in place instead (copy to a twice larger block)
      // showed in the daemon's per-change profile.
      capacity_ = chunks_.empty() ? kFirstChunk : std::min(capacity_ * 2, kChunkSize);
      while (capacity_ < n) capacity_ *= 2;
      chunks_.reserve(chunks_.size() + 1);  // nothing to leak if this throws
      if (capacity_ == kChunkSize) {
        chunks_.emplace_back(static_cast<uint8_t*>(map_populated(kChunkSize)), FreeChunk{true});
      } else {
        chunks_.emplace_back(new uint8_t[capacity_], FreeChunk{false});
      }
      allocated_ += capacity_;
      used_ = 0;
    }
    uint8_t* dst = chunks_.back().get() + used_;
    std::copy(head.begin(), head.end(), dst);
    std::copy(body.begin(), body.end(), dst + head.size());
    const auto offset = static_cast<uint32_t>(((chunks_.size() - 1) << kChunkBits) + used_);
    used_ += n;
    return offset;
  }

  struct FreeChunk {
    bool mapped = false;
    void operator()(uint8_t* p) const noexcept {
      if (mapped) {
        unmap_populated(p, kChunkSize);
      } else {
        delete[] p;
      }
    }
  };

  std::vector<std::unique_ptr<uint8_t[], FreeChunk>> chunks_;
  size_t used_ = 0;
  size_t capacity_ = 0;   // of the last chunk
  size_t allocated_ = 0;  // of all chunks
};

}  // namespace signerd::dns
