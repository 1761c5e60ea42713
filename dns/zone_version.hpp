// dns/zone_version.hpp — an immutable snapshot of a zone, and its builder.
//
// Owns: ZoneVersion (every node of the zone in RFC 4034 canonical order,
// with its role: apex, delegation, below a delegation (glue) or below a
// DNAME (occluded), empty non-terminal, wildcard) and ZoneBuilder.
//
// RRSIG records are kept in one group per (owner, type covered), each with
// its own TTL: RFC 4034 section 3 wants an RRSIG's TTL to be the TTL of the
// RRset it covers, and one owner's RRsets may have different TTLs. A group
// is an RRset entry of type RRSIG like any other; the covered type is read
// from its first RDATA, so it costs no memory.
//
// Memory: no heap object per record. Owner names, RRset headers and RDATA
// live in a few flat arrays, so a multi-million-record zone costs about the
// size of its wire form plus 16 octets per node and per RRset and 4 per RR.
// Thread-safety: a ZoneVersion is immutable and safe to share (hold it as
// shared_ptr<const ZoneVersion>); a ZoneBuilder is single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "dns/byte_arena.hpp"
#include "dns/chunked_array.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "dns/rrtype.hpp"

namespace signerd::dns {

enum NodeFlag : uint8_t {
  kNodeApex = 1u << 0,
  kNodeDelegation = 1u << 1,        // NS below the apex: a zone cut
  kNodeBelowDelegation = 1u << 2,   // strictly below a zone cut: glue or occluded data
  kNodeBelowDname = 1u << 3,        // strictly below a DNAME: occluded (RFC 6672 2.3)
  kNodeEmptyNonTerminal = 1u << 4,  // no RRsets, but names below it
  kNodeWildcard = 1u << 5,          // leftmost label "*"
};

class ZoneVersion;

// Views into a ZoneVersion; valid while the version lives.
class RRsetView {
 public:
  RRType type() const noexcept;
  // For an RRSIG group, the type its records cover (the first two octets
  // of every RDATA, RFC 4034 3.1.1); RRType{0} for every other type.
  RRType covered() const noexcept;
  uint32_t ttl() const noexcept;
  size_t size() const noexcept;
  // The i-th RDATA in canonical order (uncompressed wire).
  std::span<const uint8_t> rdata(size_t i) const noexcept;
  // An owning copy, for diffs and messages.
  RRset to_rrset(NameView owner, RRClass rclass) const;

 private:
  friend class ZoneVersion;
  friend class NodeView;
  RRsetView(const ZoneVersion* z, uint32_t index) : zone_(z), index_(index) {}
  const ZoneVersion* zone_;
  uint32_t index_;
};

class NodeView {
 public:
  NameView owner() const noexcept;
  uint8_t flags() const noexcept;
  bool is_apex() const noexcept { return (flags() & kNodeApex) != 0; }
  bool is_delegation() const noexcept { return (flags() & kNodeDelegation) != 0; }
  // Below a zone cut or a DNAME: not authoritative data.
  bool is_occluded() const noexcept { return (flags() & (kNodeBelowDelegation | kNodeBelowDname)) != 0; }
  bool is_empty_non_terminal() const noexcept { return (flags() & kNodeEmptyNonTerminal) != 0; }
  bool is_wildcard() const noexcept { return (flags() & kNodeWildcard) != 0; }
  size_t rrset_count() const noexcept;
  // Sorted by type code, then (RRSIG groups) by covered type code.
  RRsetView rrset(size_t i) const noexcept;
  // The RRset of `type`. For RRType::RRSIG, the first RRSIG group (lowest
  // covered type): callers that need every RRSIG iterate rrset(i) or use
  // find_rrsig().
  std::optional<RRsetView> find(RRType type) const noexcept;
  // The RRSIG group that covers `covered`, if any.
  std::optional<RRsetView> find_rrsig(RRType covered) const noexcept;

 private:
  friend class ZoneVersion;
  NodeView(const ZoneVersion* z, uint32_t index) : zone_(z), index_(index) {}
  const ZoneVersion* zone_;
  uint32_t index_;
};

class ZoneVersion {
 public:
  const Name& origin() const noexcept { return origin_; }
  RRClass rclass() const noexcept { return rclass_; }
  uint32_t serial() const noexcept { return serial_; }

  size_t node_count() const noexcept { return nodes_.size(); }
  size_t rrset_count() const noexcept { return rrsets_.size(); }
  size_t record_count() const noexcept { return rdata_offsets_.size(); }
  // Bytes held by this version's arrays (for status and benchmarks).
  size_t memory_bytes() const noexcept;

  // Nodes in canonical order; node(0) is the apex.
  NodeView node(size_t i) const noexcept { return NodeView(this, static_cast<uint32_t>(i)); }
  NodeView apex() const noexcept { return node(0); }
  // Exact match (case-insensitive), by binary search.
  std::optional<NodeView> find(NameView name) const noexcept;
  std::optional<RRsetView> find(NameView name, RRType type) const noexcept;
  // Index of the first node not less than `name` in canonical order.
  size_t lower_bound(NameView name) const noexcept;

  // Calls f(NodeView, RRsetView) for every RRset in canonical order.
  template <class F>
  void for_each_rrset(F&& f) const {
    for (size_t i = 0; i < node_count(); ++i) {
      NodeView n = node(i);
      for (size_t j = 0; j < n.rrset_count(); ++j) f(n, n.rrset(j));
    }
  }

 private:
  friend class ZoneBuilder;
  friend struct ZoneAssembly;
  friend class NodeView;
  friend class RRsetView;

  struct Node {
    uint32_t name_offset;  // into names_
    uint8_t name_length;
    uint8_t flags;
    uint16_t rrset_count;
    uint32_t first_rrset;  // into rrsets_
  };
  // One RRset, or one RRSIG group (its covered type is that of its first
  // RDATA; see covered_of()).
  struct RRsetRec {
    uint32_t ttl;
    uint32_t first_rdata;  // into rdata_offsets_
    uint16_t type;
    uint16_t rdata_count;  // ZoneLimits keeps RRsets under 65536 RRs
  };
  uint16_t covered_of(const RRsetRec& r) const noexcept;

  Name origin_;
  RRClass rclass_ = RRClass::IN;
  uint32_t serial_ = 0;
  ByteArena names_;  // owner names, wire form
  std::vector<Node> nodes_;
  std::vector<RRsetRec> rrsets_;
  std::vector<uint32_t> rdata_offsets_;  // into rdata_: [u16 length][bytes]
  ByteArena rdata_;
};

struct ZoneLimits {
  size_t max_records = 50'000'000;
  size_t max_rrset_size = 65'535;  // RRs in one RRset; at most 65535
};

// Collects records in any order, then sorts, merges, classifies and checks
// them. finish() rejects: no SOA or more than one at the apex, data outside
// the origin, a class other than the zone's, CNAME beside other data
// (RFC 1034 3.6.2; RFC 4035 allows the DNSSEC types), DNAME beside CNAME,
// malformed RDATA. Duplicate RRs are merged; differing TTLs in one RRset
// (for RRSIG: among the RRSIGs covering one type) take the first TTL seen
// (as BIND does) and are reported in warnings().
class ZoneBuilder {
 public:
  explicit ZoneBuilder(Name origin, RRClass rclass = RRClass::IN, ZoneLimits limits = {});

  // Rejects out-of-zone owners, the wrong class, meta types and bad RDATA.
  Result<void> add(NameView owner, RRType type, RRClass rclass, uint32_t ttl, std::span<const uint8_t> rdata);
  Result<void> add(const RRset& rrset);

  // Consumes the builder's records; warnings() stays readable afterwards.
  Result<std::shared_ptr<const ZoneVersion>> finish() &&;

  const std::vector<std::string>& warnings() const noexcept { return warnings_; }
  size_t record_count() const noexcept { return records_.size(); }

 private:
  // 16 octets per record. `key` is name id << 32 | type << 16 | covered
  // while staging (covered: the type an RRSIG covers, 0 for other types),
  // and finish() replaces the name id by its canonical rank and sorts in
  // place. Ids and ranks fit in 32 bits: every record takes at least two
  // octets of the 4 GiB RDATA arena.
  struct Staged {
    uint64_t key;
    uint32_t ttl;
    uint32_t rdata_offset;  // into rdata_: [u16 length][bytes]; grows in input order
  };

  static RRType staged_type(const Staged& r) noexcept { return static_cast<RRType>((r.key >> 16) & 0xffff); }
  void sort_records(const std::vector<uint64_t>& rank_of_id);
  Result<void> emit_rrset(ZoneVersion& z, NameView owner, size_t begin, size_t end, size_t& ttl_warnings);
  Result<void> check_apex(ZoneVersion& z) const;

  Name origin_;
  RRClass rclass_;
  ZoneLimits limits_;
  ByteArena names_;                                         // wire names
  std::vector<std::pair<uint32_t, uint8_t>> name_entries_;  // offset, length
  ChunkedArray<Staged> records_;
  ByteArena rdata_;
  std::vector<std::string> warnings_;
};

}  // namespace signerd::dns
