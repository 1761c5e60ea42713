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
// live in flat arrays, so a multi-million-record zone costs about the size
// of its wire form plus 16 octets per node and per RRset and 4 per RR. The
// arrays are cut into shared, immutable leaves of consecutive nodes
// (zone_leaf.hpp): apply_diff makes the next version by rebuilding only the
// leaves a diff touches, so two versions of a large zone cost little more
// than one, and node(i) is a binary search over the leaves.
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
struct ZoneLeaf;
struct LeafBlock;

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
  friend struct ZoneLeafAccess;
  RRsetView(const ZoneLeaf* leaf, uint32_t index) : leaf_(leaf), index_(index) {}
  const ZoneLeaf* leaf_;
  uint32_t index_;  // within the leaf
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
  friend struct ZoneLeafAccess;
  NodeView(const ZoneLeaf* leaf, uint32_t index) : leaf_(leaf), index_(index) {}
  const ZoneLeaf* leaf_;
  uint32_t index_;  // within the leaf
};

class ZoneVersion {
 public:
  const Name& origin() const noexcept { return origin_; }
  RRClass rclass() const noexcept { return rclass_; }
  uint32_t serial() const noexcept { return serial_; }

  size_t node_count() const noexcept { return leaf_end_.empty() ? 0 : leaf_end_.back(); }
  size_t rrset_count() const noexcept { return rrset_count_; }
  size_t record_count() const noexcept { return record_count_; }
  // Bytes held by this version's arrays, shared ones included (for status
  // and benchmarks).
  size_t memory_bytes() const noexcept;

  // Nodes in canonical order; node(0) is the apex. O(log leaves).
  NodeView node(size_t i) const noexcept;
  NodeView apex() const noexcept { return node(0); }
  // Exact match (case-insensitive), by binary search.
  std::optional<NodeView> find(NameView name) const noexcept;
  std::optional<RRsetView> find(NameView name, RRType type) const noexcept;
  // Index of the first node not less than `name` in canonical order.
  size_t lower_bound(NameView name) const noexcept;

  // Calls f(NodeView, RRsetView) for every RRset in canonical order.
  template <class F>
  void for_each_rrset(F&& f) const {
    for (const ZoneLeaf* leaf : leaves_) {
      for (uint32_t i = 0; i < leaf_size(*leaf); ++i) {
        NodeView n(leaf, i);
        for (size_t j = 0; j < n.rrset_count(); ++j) f(n, n.rrset(j));
      }
    }
  }

 private:
  friend struct ZoneLeafAccess;

  static uint32_t leaf_size(const ZoneLeaf& leaf) noexcept;
  std::pair<size_t, uint32_t> locate(size_t i) const noexcept;

  Name origin_;
  RRClass rclass_ = RRClass::IN;
  uint32_t serial_ = 0;
  std::vector<std::shared_ptr<const LeafBlock>> blocks_;  // own the leaves
  std::vector<const ZoneLeaf*> leaves_;                   // every leaf, in order
  std::vector<size_t> leaf_end_;                          // nodes in leaves_[0..i]
  size_t rrset_count_ = 0;
  size_t record_count_ = 0;
};

struct ZoneLimits {
  size_t max_records = 50'000'000;
  size_t max_rrset_size = 65'535;  // RRs in one RRset; at most 65535
};

// The checks every new version passes (ZoneBuilder::finish, apply_diff):
// one SOA and some NS at the apex; sets the serial. Errc::malformed.
Result<void> check_apex(ZoneVersion& z);
// RFC 1034 3.6.2 and RFC 4035 2.5: a CNAME owner holds nothing but the
// CNAME, its RRSIGs and its NSEC. RFC 6672 2.4: no CNAME beside a DNAME.
// SOA only at the apex. Errc::malformed, naming the owner.
Result<void> check_node_types(const NodeView& node);

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
  Result<void> emit_rrset(class LeafWriter& out, NameView owner, size_t begin, size_t end,
                          size_t& ttl_warnings);

  Name origin_;
  RRClass rclass_;
  ZoneLimits limits_;
  std::shared_ptr<ByteArena> names_;                        // wire names
  std::vector<std::pair<uint32_t, uint8_t>> name_entries_;  // offset, length
  ChunkedArray<Staged> records_;
  std::shared_ptr<ByteArena> rdata_;  // shared with the finished version's leaves
  std::vector<std::string> warnings_;
};

}  // namespace signerd::dns
