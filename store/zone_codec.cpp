#include "store/zone_codec.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "dns/rdata_schema.hpp"

namespace signerd::store {

using base::Errc;
using base::make_error;

namespace {

constexpr std::string_view kVersionMagic = "SGV1";
constexpr std::string_view kDiffMagic = "SGD1";

// Appends to a buffer and hands it to the sink each time it reaches
// chunk_size, so memory stays at one chunk whatever the zone's size.
class ChunkWriter {
 public:
  ChunkWriter(const ChunkSink* sink, size_t chunk_size) : sink_(sink), chunk_size_(chunk_size) {
    buf_.reserve(sink ? chunk_size : 0);
  }

  void bytes(std::span<const uint8_t> data) {
    while (!data.empty() && status_) {
      const size_t room = sink_ ? chunk_size_ - buf_.size() : data.size();
      const size_t n = std::min(room, data.size());
      buf_.insert(buf_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
      data = data.subspan(n);
      if (sink_ && buf_.size() == chunk_size_) flush();
    }
  }
  void u16(uint16_t v) {
    const uint8_t b[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    bytes(b);
  }
  void u32(uint32_t v) {
    u16(static_cast<uint16_t>(v >> 16));
    u16(static_cast<uint16_t>(v));
  }
  void u64(uint64_t v) {
    u32(static_cast<uint32_t>(v >> 32));
    u32(static_cast<uint32_t>(v));
  }
  void magic(std::string_view m) { bytes({reinterpret_cast<const uint8_t*>(m.data()), m.size()}); }

  void rrset_header(dns::NameView owner, dns::RRType type, dns::RRClass rclass, uint32_t ttl, size_t count) {
    bytes(owner.wire());
    u16(dns::code(type));
    u16(dns::code(rclass));
    u32(ttl);
    u16(static_cast<uint16_t>(count));
  }
  void rdata(std::span<const uint8_t> rd) {
    u16(static_cast<uint16_t>(rd.size()));
    bytes(rd);
  }

  Result<void> finish() {
    if (sink_ && !buf_.empty() && status_) flush();
    return status_;
  }
  std::vector<uint8_t> take() { return std::move(buf_); }

 private:
  void flush() {
    status_ = (*sink_)(buf_);
    buf_.clear();
  }

  const ChunkSink* sink_;  // null: accumulate everything (diffs)
  size_t chunk_size_;
  std::vector<uint8_t> buf_;
  Result<void> status_;
};

// Reads across chunk boundaries; every read is bounds-checked and a short
// read is an error naming the offset where it happened.
class ChunkReader {
 public:
  ChunkReader(std::string_view what, const ChunkSource& source) : what_(what), source_(source) {}

  base::Error malformed(const std::string& detail) const {
    return make_error(Errc::malformed,
                      std::string(what_) + ": offset " + std::to_string(offset_) + ": " + detail);
  }

  Result<void> read(uint8_t* out, size_t n) {
    while (n > 0) {
      if (pos_ == chunk_.size()) {
        auto more = next_chunk();
        if (!more) return std::move(more).error();
        if (!*more) return malformed("truncated: " + std::to_string(n) + " more octets expected");
        continue;
      }
      const size_t take = std::min(n, chunk_.size() - pos_);
      std::memcpy(out, chunk_.data() + pos_, take);
      out += take;
      n -= take;
      pos_ += take;
      offset_ += take;
    }
    return base::ok();
  }

  template <class T>
  Result<T> uint() {
    uint8_t b[sizeof(T)];
    SIGNERD_TRY(read(b, sizeof(T)));
    T v = 0;
    for (uint8_t x : b) v = static_cast<T>((v << 8) | x);
    return v;
  }

  // An uncompressed wire name, validated label by label into `wire`.
  Result<void> name(std::vector<uint8_t>& wire) {
    wire.clear();
    for (;;) {
      auto len = uint<uint8_t>();
      if (!len) return std::move(len).error();
      if (*len > dns::kMaxLabel) return malformed("bad label length " + std::to_string(*len) + " in a name");
      if (wire.size() + 1 + *len > dns::kMaxNameWire) return malformed("name longer than 255 octets");
      wire.push_back(*len);
      if (*len == 0) return base::ok();
      const size_t at = wire.size();
      wire.resize(at + *len);
      SIGNERD_TRY(read(wire.data() + at, *len));
    }
  }

  Result<void> magic(std::string_view expected) {
    uint8_t b[4];
    SIGNERD_TRY(read(b, sizeof b));
    if (std::memcmp(b, expected.data(), sizeof b) != 0)
      return malformed("bad magic, not a signerd record blob");
    return base::ok();
  }

  // True when every chunk has been consumed.
  Result<bool> at_end() {
    while (pos_ == chunk_.size()) {
      auto more = next_chunk();
      if (!more) return std::move(more).error();
      if (!*more) return true;
    }
    return false;
  }

  uint64_t offset() const noexcept { return offset_; }

 private:
  Result<bool> next_chunk() {
    if (done_) return false;
    chunk_.clear();
    pos_ = 0;
    auto more = source_(chunk_);
    if (!more) return std::move(more).error();
    if (!*more) done_ = true;
    return *more;
  }

  std::string_view what_;
  const ChunkSource& source_;
  std::vector<uint8_t> chunk_;
  size_t pos_ = 0;
  uint64_t offset_ = 0;
  bool done_ = false;
};

// Reads one RRSET into `out`, whose views point into `name_buf` and `rd_buf`.
class RRsetReader {
 public:
  explicit RRsetReader(ChunkReader& in) : in_(in) {}

  Result<void> read(DecodedRRset& out) {
    SIGNERD_TRY(in_.name(name_buf_));
    auto type = in_.uint<uint16_t>();
    if (!type) return std::move(type).error();
    auto rclass = in_.uint<uint16_t>();
    if (!rclass) return std::move(rclass).error();
    auto ttl = in_.uint<uint32_t>();
    if (!ttl) return std::move(ttl).error();
    auto count = in_.uint<uint16_t>();
    if (!count) return std::move(count).error();
    if (*count == 0) return in_.malformed("empty RRset");
    // Offsets first: rd_buf_ may move while it grows.
    rd_buf_.clear();
    offsets_.clear();
    for (uint16_t i = 0; i < *count; ++i) {
      auto len = in_.uint<uint16_t>();
      if (!len) return std::move(len).error();
      const size_t at = rd_buf_.size();
      rd_buf_.resize(at + *len);
      SIGNERD_TRY(in_.read(rd_buf_.data() + at, *len));
      offsets_.emplace_back(at, *len);
    }
    out.owner = dns::NameView(name_buf_);
    out.type = static_cast<dns::RRType>(*type);
    out.rclass = static_cast<dns::RRClass>(*rclass);
    out.ttl = *ttl;
    out.rdatas.clear();
    for (auto [at, len] : offsets_) out.rdatas.emplace_back(rd_buf_.data() + at, len);
    return base::ok();
  }

 private:
  ChunkReader& in_;
  std::vector<uint8_t> name_buf_;
  std::vector<uint8_t> rd_buf_;
  std::vector<std::pair<size_t, size_t>> offsets_;
};

void write_rrset(ChunkWriter& w, const dns::RRset& set) {
  w.rrset_header(set.owner(), set.type(), set.rclass(), set.ttl(), set.size());
  for (const auto& rd : set.rdatas()) w.rdata(rd);
}

Result<void> check_section(dns::NameView origin, const std::vector<dns::RRset>& section) {
  for (const auto& set : section) {
    if (set.empty() || set.size() > 0xffff) {
      return make_error(Errc::invalid_argument, "diff RRset " + set.owner().to_text() + " " +
                                                    dns::to_text(set.type()) + " has no or too many RRs");
    }
    if (!set.owner().is_subdomain_of(origin)) {
      return make_error(Errc::invalid_argument, "diff RRset owner " + set.owner().to_text() +
                                                    " is outside the zone " + origin.to_text());
    }
  }
  return base::ok();
}

Result<void> read_section(ChunkReader& in, RRsetReader& reader, dns::NameView origin,
                          std::vector<dns::RRset>& out) {
  auto count = in.uint<uint32_t>();
  if (!count) return std::move(count).error();
  DecodedRRset set;
  for (uint32_t i = 0; i < *count; ++i) {
    const uint64_t at = in.offset();
    SIGNERD_TRY(reader.read(set));
    auto where = [&] { return set.owner.to_text() + " " + dns::to_text(set.type) + ": "; };
    if (!set.owner.is_subdomain_of(origin)) return in.malformed(where() + "owner outside the zone");
    if (dns::is_meta_type(set.type)) return in.malformed(where() + "meta type");
    for (const auto& rd : set.rdatas) {
      if (auto v = dns::validate_rdata(set.type, rd); !v) return in.malformed(where() + v.error().detail);
    }
    dns::RRset rrset(dns::Name(set.owner), set.type, set.rclass, set.ttl);
    for (const auto& rd : set.rdatas) {
      if (!rrset.add(rd))
        return in.malformed(where() + "duplicate RR in the RRset at offset " + std::to_string(at));
    }
    out.push_back(std::move(rrset));
  }
  return base::ok();
}

}  // namespace

dns::RRset DecodedRRset::to_rrset() const {
  dns::RRset set(dns::Name(owner), type, rclass, ttl);
  for (const auto& rd : rdatas) set.add(rd);
  return set;
}

ChunkSource single_chunk(std::span<const uint8_t> bytes) {
  return [bytes, given = false](std::vector<uint8_t>& out) mutable -> Result<bool> {
    if (given) return false;
    given = true;
    out.assign(bytes.begin(), bytes.end());
    return true;
  };
}

Result<void> encode_version(const dns::ZoneVersion& version, const ChunkSink& sink, size_t chunk_size) {
  ChunkWriter w(&sink, std::max<size_t>(chunk_size, 1));
  w.magic(kVersionMagic);
  w.bytes(version.origin().wire());
  w.u16(dns::code(version.rclass()));
  w.u32(version.serial());
  w.u64(version.rrset_count());
  w.u64(version.record_count());
  version.for_each_rrset([&](const dns::NodeView& node, const dns::RRsetView& set) {
    w.rrset_header(node.owner(), set.type(), version.rclass(), set.ttl(), set.size());
    for (size_t i = 0; i < set.size(); ++i) w.rdata(set.rdata(i));
  });
  return w.finish();
}

Result<std::vector<uint8_t>> encode_diff(const dns::NameView origin, const dns::ZoneDiff& diff) {
  SIGNERD_TRY(check_section(origin, diff.removed));
  SIGNERD_TRY(check_section(origin, diff.added));
  ChunkWriter w(nullptr, 0);
  w.magic(kDiffMagic);
  w.u32(diff.from);
  w.u32(diff.to);
  w.u32(static_cast<uint32_t>(diff.removed.size()));
  for (const auto& set : diff.removed) write_rrset(w, set);
  w.u32(static_cast<uint32_t>(diff.added.size()));
  for (const auto& set : diff.added) write_rrset(w, set);
  return w.take();
}

Result<void> decode_version(std::string_view what, const ChunkSource& source, const HeaderVisitor& on_header,
                            const RRsetVisitor& on_rrset) {
  ChunkReader in(what, source);
  SIGNERD_TRY(in.magic(kVersionMagic));
  VersionHeader h;
  std::vector<uint8_t> origin;
  SIGNERD_TRY(in.name(origin));
  h.origin = dns::Name(dns::NameView(origin));
  auto rclass = in.uint<uint16_t>();
  if (!rclass) return std::move(rclass).error();
  auto serial = in.uint<uint32_t>();
  if (!serial) return std::move(serial).error();
  auto rrsets = in.uint<uint64_t>();
  if (!rrsets) return std::move(rrsets).error();
  auto records = in.uint<uint64_t>();
  if (!records) return std::move(records).error();
  h.rclass = static_cast<dns::RRClass>(*rclass);
  h.serial = *serial;
  h.rrset_count = *rrsets;
  h.record_count = *records;
  SIGNERD_TRY(on_header(h));

  RRsetReader reader(in);
  DecodedRRset set;
  uint64_t seen_records = 0;
  for (uint64_t i = 0; i < h.rrset_count; ++i) {
    SIGNERD_TRY(reader.read(set));
    seen_records += set.rdatas.size();
    if (seen_records > h.record_count)
      return in.malformed("more records than the header's " + std::to_string(h.record_count));
    SIGNERD_TRY(on_rrset(set));
  }
  if (seen_records != h.record_count) {
    return in.malformed(std::to_string(seen_records) + " records, header says " +
                        std::to_string(h.record_count));
  }
  auto end = in.at_end();
  if (!end) return std::move(end).error();
  if (!*end) return in.malformed("trailing octets after the last RRset");
  return base::ok();
}

Result<std::shared_ptr<const dns::ZoneVersion>> decode_version(std::string_view what,
                                                               const ChunkSource& source) {
  std::optional<dns::ZoneBuilder> builder;
  auto wrap = [&](const base::Error& e) {
    return make_error(Errc::malformed, std::string(what) + ": " + e.detail);
  };
  SIGNERD_TRY(decode_version(
      what, source,
      [&](const VersionHeader& h) -> Result<void> {
        builder.emplace(h.origin, h.rclass);
        return base::ok();
      },
      [&](const DecodedRRset& set) -> Result<void> {
        for (const auto& rd : set.rdatas) {
          if (auto r = builder->add(set.owner, set.type, set.rclass, set.ttl, rd); !r) return wrap(r.error());
        }
        return base::ok();
      }));
  auto version = std::move(*builder).finish();
  if (!version) return wrap(version.error());
  return version;
}

Result<dns::ZoneDiff> decode_diff(std::string_view what, dns::NameView origin,
                                  std::span<const uint8_t> bytes) {
  const ChunkSource source = single_chunk(bytes);
  ChunkReader in(what, source);
  SIGNERD_TRY(in.magic(kDiffMagic));
  dns::ZoneDiff diff;
  auto from = in.uint<uint32_t>();
  if (!from) return std::move(from).error();
  auto to = in.uint<uint32_t>();
  if (!to) return std::move(to).error();
  diff.from = *from;
  diff.to = *to;
  RRsetReader reader(in);
  SIGNERD_TRY(read_section(in, reader, origin, diff.removed));
  SIGNERD_TRY(read_section(in, reader, origin, diff.added));
  auto end = in.at_end();
  if (!end) return std::move(end).error();
  if (!*end) return in.malformed("trailing octets after the diff");
  return diff;
}

}  // namespace signerd::store
