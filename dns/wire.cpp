#include "dns/wire.hpp"

#include <string>

namespace signerd::dns {
namespace {

base::Error truncated(size_t pos, size_t want) {
  return base::make_error(base::Errc::malformed, "truncated at offset " + std::to_string(pos) + ": need " +
                                                     std::to_string(want) + " more octets");
}

}  // namespace

Result<uint8_t> WireReader::u8() {
  if (remaining() < 1) return truncated(pos_, 1);
  return data_[pos_++];
}

Result<uint16_t> WireReader::u16() {
  if (remaining() < 2) return truncated(pos_, 2);
  uint16_t v = get_u16(&data_[pos_]);
  pos_ += 2;
  return v;
}

Result<uint32_t> WireReader::u32() {
  if (remaining() < 4) return truncated(pos_, 4);
  uint32_t v = get_u32(&data_[pos_]);
  pos_ += 4;
  return v;
}

Result<std::span<const uint8_t>> WireReader::bytes(size_t n) {
  if (remaining() < n) return truncated(pos_, n);
  auto s = data_.subspan(pos_, n);
  pos_ += n;
  return s;
}

Result<void> WireReader::name(std::vector<uint8_t>& out) {
  using base::Errc;
  size_t start_out = out.size();
  size_t pos = pos_;
  size_t lowest_target = pos_;  // pointers must go strictly below this
  bool jumped = false;
  size_t total = 0;
  // Each pointer moves strictly backwards, so the loop ends; the bound on
  // jumps is a second guard against pathological chains.
  for (int jumps = 0;;) {
    if (pos >= data_.size()) return truncated(pos, 1);
    uint8_t len = data_[pos];
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= data_.size()) return truncated(pos, 2);
      size_t target = static_cast<size_t>(((len & 0x3F) << 8) | data_[pos + 1]);
      if (target >= lowest_target) {
        return base::make_error(Errc::malformed, "compression pointer at offset " + std::to_string(pos) +
                                                     " does not point backwards (loop or forward pointer)");
      }
      if (++jumps > 127) return base::make_error(Errc::malformed, "too many compression pointers");
      if (!jumped) pos_ = pos + 2;
      jumped = true;
      lowest_target = target;
      pos = target;
      continue;
    }
    if ((len & 0xC0) != 0) {
      // 0x40 and 0x80 are the extended label types RFC 6891 section 5 retired.
      return base::make_error(Errc::malformed, "label at offset " + std::to_string(pos) +
                                                   " longer than 63 octets (length octet " +
                                                   std::to_string(len) + ", not a supported label type)");
    }
    if (pos + 1u + len > data_.size()) return truncated(pos, 1u + len);
    total += 1u + len;
    if (total > kMaxNameWire) {
      out.resize(start_out);
      return base::make_error(Errc::malformed, "name longer than 255 octets");
    }
    out.insert(out.end(), data_.begin() + static_cast<std::ptrdiff_t>(pos),
               data_.begin() + static_cast<std::ptrdiff_t>(pos + 1u + len));
    if (len == 0) {
      if (!jumped) pos_ = pos + 1;
      return base::ok();
    }
    pos += 1u + len;
  }
}

Result<Name> WireReader::name() {
  std::vector<uint8_t> buf;
  SIGNERD_TRY(name(buf));
  return Name::from_wire(buf);
}

}  // namespace signerd::dns
