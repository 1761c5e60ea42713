#include "dns/message_builder.hpp"

#include <algorithm>

#include "base/assert.hpp"
#include "dns/rdata_schema.hpp"
#include "dns/wire.hpp"

namespace signerd::dns {
namespace {

constexpr size_t kMaxPointerTarget = 0x3FFF;  // 14-bit offset, RFC 1035 4.1.4
constexpr size_t kMaxRdata = 65535;
constexpr size_t kOptFixedSize = 11;  // root owner + type, class, TTL, RDLENGTH

void write_header(const Header& h, std::vector<uint8_t>& buf) {
  uint16_t flags = static_cast<uint16_t>(((h.opcode & 0x0F) << 11) | (h.rcode & 0x0F));
  if (h.qr) flags |= 0x8000;
  if (h.aa) flags |= 0x0400;
  if (h.tc) flags |= 0x0200;
  if (h.rd) flags |= 0x0100;
  if (h.ra) flags |= 0x0080;
  if (h.ad) flags |= 0x0020;
  if (h.cd) flags |= 0x0010;
  buf[0] = static_cast<uint8_t>(h.id >> 8);
  buf[1] = static_cast<uint8_t>(h.id);
  buf[2] = static_cast<uint8_t>(flags >> 8);
  buf[3] = static_cast<uint8_t>(flags);
}

void set_u16_at(std::vector<uint8_t>& buf, size_t at, size_t v) {
  buf[at] = static_cast<uint8_t>(v >> 8);
  buf[at + 1] = static_cast<uint8_t>(v);
}

// Length of the uncompressed name at d[pos..), or 0 when it is malformed.
size_t plain_name_length(std::span<const uint8_t> d, size_t pos) {
  const size_t start = pos;
  while (pos < d.size() && pos - start < kMaxNameWire) {
    const uint8_t len = d[pos];
    if (len == 0) return pos + 1 - start;
    if (len > kMaxLabel) return 0;
    pos += 1u + len;
  }
  return 0;
}

size_t edns_wire_size(const Edns& e) {
  size_t n = kOptFixedSize;
  for (const auto& o : e.options) n += 4 + o.data.size();
  return n;
}

}  // namespace

MessageBuilder::MessageBuilder(const Header& header, size_t max_size)
    : buf_(kHeaderSize, 0), max_size_(std::clamp(max_size, kHeaderSize, kMaxTcpMessage)) {
  write_header(header, buf_);
}

void MessageBuilder::set_header(const Header& header) { write_header(header, buf_); }

AddResult MessageBuilder::add_question(const Question& q) {
  SIGNERD_ASSERT(last_section_ == 0);
  if (counts_[0] == 0xFFFF) return AddResult::no_room;
  const size_t mark = buf_.size();
  const size_t log_mark = suffix_log_.size();
  write_name(q.qname.wire(), true);
  put_u16(buf_, code(q.qtype));
  put_u16(buf_, code(q.qclass));
  if (!fits(0)) {
    rollback(mark, log_mark);
    return AddResult::no_room;
  }
  ++counts_[0];
  return AddResult::added;
}

AddResult MessageBuilder::add_record(Section section, const Record& rec) {
  const size_t sec = 1 + static_cast<size_t>(section);
  SIGNERD_ASSERT(sec >= last_section_);
  SIGNERD_ASSERT(rec.type != RRType::OPT && rec.type != RRType::TSIG);
  if (counts_[sec] == 0xFFFF || rec.rdata.size() > kMaxRdata) return AddResult::no_room;
  const size_t mark = buf_.size();
  const size_t log_mark = suffix_log_.size();
  write_name(rec.owner.wire(), true);
  put_u16(buf_, code(rec.type));
  put_u16(buf_, code(rec.rclass));
  put_u32(buf_, rec.ttl);
  const size_t rdlength_at = buf_.size();
  put_u16(buf_, 0);
  write_rdata(rec);
  const size_t rdlength = buf_.size() - rdlength_at - 2;
  if (rdlength > kMaxRdata || !fits(0)) {
    rollback(mark, log_mark);
    return AddResult::no_room;
  }
  set_u16_at(buf_, rdlength_at, rdlength);
  last_section_ = sec;
  ++counts_[sec];
  return AddResult::added;
}

AddResult MessageBuilder::set_edns(const Edns& edns) {
  const size_t size = edns_wire_size(edns);
  if (size - kOptFixedSize > kMaxRdata || counts_[3] == 0xFFFF) return AddResult::no_room;
  const size_t held = held_back_ - edns_size_ + size;
  if (buf_.size() + held > max_size_) return AddResult::no_room;
  held_back_ = held;
  edns_size_ = size;
  edns_ = edns;
  return AddResult::added;
}

AddResult MessageBuilder::reserve(size_t n) {
  if (n > max_size_ || !fits(n)) return AddResult::no_room;
  held_back_ += n;
  return AddResult::added;
}

std::vector<uint8_t> MessageBuilder::finish() && {
  if (edns_) {
    // RFC 6891 6.1.2-6.1.3: CLASS carries the UDP size, TTL the extended
    // RCODE, version and DO; the other Z bits are sent as zero.
    const Edns& e = *edns_;
    put_u8(buf_, 0);
    put_u16(buf_, code(RRType::OPT));
    put_u16(buf_, e.udp_size);
    put_u32(buf_,
            (uint32_t{e.extended_rcode} << 24) | (uint32_t{e.version} << 16) | (e.dnssec_ok ? 0x8000u : 0u));
    put_u16(buf_, static_cast<uint16_t>(edns_size_ - kOptFixedSize));
    for (const auto& o : e.options) {
      put_u16(buf_, o.code);
      put_u16(buf_, static_cast<uint16_t>(o.data.size()));
      put_bytes(buf_, o.data);
    }
    ++counts_[3];
  }
  for (size_t i = 0; i < counts_.size(); ++i) set_u16_at(buf_, 4 + 2 * i, counts_[i]);
  return std::move(buf_);
}

// RFC 1035 4.1.4: the longest suffix already in the message becomes a
// pointer. Only names written through here (owners, questions, RFC 1035
// RDATA names) become targets, so no pointer lands in opaque RDATA.
void MessageBuilder::write_name(std::span<const uint8_t> wire, bool compress) {
  size_t pos = 0;
  while (pos < wire.size() && wire[pos] != 0) {
    if (compress) {
      std::string key(wire.begin() + static_cast<std::ptrdiff_t>(pos), wire.end());
      if (auto it = suffixes_.find(key); it != suffixes_.end()) {
        put_u16(buf_, static_cast<uint16_t>(0xC000 | it->second));
        return;
      }
      if (buf_.size() <= kMaxPointerTarget) {
        suffixes_.emplace(key, static_cast<uint16_t>(buf_.size()));
        suffix_log_.push_back(std::move(key));
      }
    }
    const size_t label_end = std::min(wire.size(), pos + 1u + wire[pos]);
    put_bytes(buf_, wire.subspan(pos, label_end - pos));
    pos = label_end;
  }
  put_u8(buf_, 0);
}

// Walks the schema of the compressible RFC 1035 types (names, u16, u32);
// anything it does not expect is copied as is.
void MessageBuilder::write_rdata(const Record& rec) {
  std::span<const uint8_t> rd = rec.rdata;
  const RdataSchema* schema = has_compressible_names(rec.type) ? rdata_schema(rec.type) : nullptr;
  size_t pos = 0;
  if (schema != nullptr) {
    for (Field f : schema->fields) {
      size_t n = 0;
      if (f == Field::u16) n = 2;
      if (f == Field::u32) n = 4;
      if (f == Field::name_compress || f == Field::name || f == Field::name_lower) {
        n = plain_name_length(rd, pos);
        if (n == 0) break;
        write_name(rd.subspan(pos, n), f == Field::name_compress);
        pos += n;
        continue;
      }
      if (n == 0 || rd.size() - pos < n) break;
      put_bytes(buf_, rd.subspan(pos, n));
      pos += n;
    }
  }
  put_bytes(buf_, rd.subspan(pos));
}

void MessageBuilder::rollback(size_t size, size_t suffixes) {
  buf_.resize(size);
  while (suffix_log_.size() > suffixes) {
    suffixes_.erase(suffix_log_.back());
    suffix_log_.pop_back();
  }
}

bool append_tsig(std::vector<uint8_t>& message, const Record& tsig) {
  if (message.size() < kHeaderSize) return false;
  const uint16_t arcount = get_u16(&message[10]);
  const size_t size = tsig.owner.wire_size() + 10 + tsig.rdata.size();
  if (arcount == 0xFFFF || tsig.rdata.size() > kMaxRdata || message.size() + size > kMaxTcpMessage) {
    return false;
  }
  put_bytes(message, tsig.owner.wire());
  put_u16(message, code(tsig.type));
  put_u16(message, code(tsig.rclass));
  put_u32(message, tsig.ttl);
  put_u16(message, static_cast<uint16_t>(tsig.rdata.size()));
  put_bytes(message, tsig.rdata);
  set_u16_at(message, 10, arcount + 1u);
  return true;
}

}  // namespace signerd::dns
