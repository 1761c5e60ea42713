// dns/zone_leaf.hpp — internal to dns/: how a ZoneVersion stores its nodes.
//
// Owns: ZoneLeaf (a run of consecutive nodes in canonical order with their
// RRsets and RDATA), LeafWriter (cuts a stream of nodes into leaves),
// NodeClassifier (the flags of each node from its ancestors: apex, cut,
// below a cut or a DNAME, empty non-terminal) and ZoneLeafAccess (how the
// builder and apply_diff reach a version's leaves).
//
// Why leaves: a version is a list of shared, immutable leaves, so the next
// version after a small diff shares every leaf the diff does not touch and
// costs O(changed leaves + number of leaves) to make, not O(zone). A leaf
// made by a whole-zone build points into that build's big arenas (no copy,
// no extra peak); a leaf rebuilt by apply_diff has small arenas of its own.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dns/byte_arena.hpp"
#include "dns/name.hpp"
#include "dns/rrtype.hpp"
#include "dns/wire.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dns {

struct ZoneLeaf {
  struct Node {
    uint32_t name_offset;  // into names
    uint8_t name_length;
    uint8_t flags;
    uint16_t rrset_count;
    uint32_t first_rrset;  // into rrsets
  };
  // One RRset, or one RRSIG group (its covered type is that of its first
  // RDATA; see covered()).
  struct RRsetRec {
    uint32_t ttl;
    uint32_t first_rdata;  // into rdata_offsets
    uint16_t type;
    uint16_t rdata_count;  // ZoneLimits keeps RRsets under 65536 RRs
  };

  std::shared_ptr<const ByteArena> names;  // owner names, wire form
  std::shared_ptr<const ByteArena> rdata;  // [u16 length][bytes]
  std::vector<Node> nodes;
  std::vector<RRsetRec> rrsets;
  std::vector<uint32_t> rdata_offsets;

  NameView owner(const Node& n) const noexcept { return NameView({names->at(n.name_offset), n.name_length}); }
  std::span<const uint8_t> rdata_at(uint32_t i) const noexcept {
    return rdata->with_length(rdata_offsets[i]);
  }
  // ZoneBuilder validated the RDATA: an RRSIG has at least 18 octets.
  uint16_t covered(const RRsetRec& r) const noexcept {
    if (r.type != code(RRType::RRSIG) || r.rdata_count == 0) return 0;
    return get_u16(rdata_at(r.first_rdata).data());
  }
  size_t table_bytes() const noexcept {
    return nodes.capacity() * sizeof(Node) + rrsets.capacity() * sizeof(RRsetRec) +
           rdata_offsets.capacity() * sizeof(uint32_t);
  }
};

// Nodes a leaf holds: small enough that rebuilding one after a diff is a
// few tens of microseconds, large enough that the directory of a
// 10M-name zone stays small (20,000 entries).
inline constexpr size_t kLeafNodes = 512;

// Owns a run of consecutive leaves. Versions share whole blocks, so a new
// version takes one reference per block, not one per leaf: at a million
// names, taking 2,000 leaf references (each on its own cold cache line)
// was a third of the daemon's CPU time for a one-record change.
struct LeafBlock {
  std::vector<std::shared_ptr<const ZoneLeaf>> leaves;
};
inline constexpr size_t kBlockLeaves = 64;

// Collects nodes in canonical order and cuts them into leaves of at most
// `leaf_nodes` nodes. Two modes: over shared arenas (a whole-zone build:
// the caller passes offsets into them) or with arenas of the writer's own
// (apply_diff: bytes are copied).
class LeafWriter {
 public:
  LeafWriter(std::shared_ptr<const ByteArena> names, std::shared_ptr<const ByteArena> rdata,
             size_t leaf_nodes = kLeafNodes);
  explicit LeafWriter(size_t leaf_nodes = kLeafNodes);

  void add_node_at(uint32_t name_offset, uint8_t name_length, uint8_t flags);  // shared arenas
  void add_node(NameView owner, uint8_t flags);                                // own arenas
  void begin_rrset(uint16_t type, uint32_t ttl);
  void add_rdata_at(uint32_t offset);           // shared arenas
  void add_rdata(std::span<const uint8_t> rd);  // own arenas
  // Closes the RRset; returns its record count.
  size_t end_rrset();
  // RRsets of the last node so far.
  size_t node_rrsets() const noexcept { return leaf_ ? leaf_->nodes.back().rrset_count : 0; }

  std::vector<std::shared_ptr<const ZoneLeaf>> finish() &&;

 private:
  void start_node();
  void seal();

  std::shared_ptr<const ByteArena> shared_names_;
  std::shared_ptr<const ByteArena> shared_rdata_;
  size_t leaf_nodes_;
  std::unique_ptr<ZoneLeaf> leaf_;
  ByteArena* own_names_ = nullptr;  // the current leaf's, in own-arena mode
  ByteArena* own_rdata_ = nullptr;
  std::vector<std::shared_ptr<const ZoneLeaf>> done_;
};

// Assigns each node's flags as nodes arrive in canonical order, from the
// stack of its ancestors, and names the empty non-terminals to insert.
class NodeClassifier {
 public:
  // Seeds an ancestor that precedes the nodes to come (outermost first):
  // apply_diff rebuilds a range of a zone whose ancestors lie before it.
  // `owner` must outlive the classifier.
  void seed(NameView owner, bool cut, bool dname);

  // Calls emit(NameView name, size_t suffix_offset, uint8_t flags) for each
  // empty non-terminal between `owner` and its closest ancestor on the
  // stack (`name` is `owner` without its first suffix_offset octets), then
  // for `owner` itself unless `ents_only`. Views are into `owner`, which
  // must outlive the classifier.
  template <class Emit>
  void open(NameView owner, bool has_ns, bool has_dname, bool ents_only, Emit&& emit) {
    const size_t labels = owner.label_count();
    while (!stack_.empty() && !(stack_.back().labels < labels &&
                                owner.strip_left(labels - stack_.back().labels) == stack_.back().owner)) {
      stack_.pop_back();
    }
    if (!stack_.empty()) {
      for (size_t k = stack_.back().labels + 1; k < labels; ++k) {
        NameView ent = owner.strip_left(labels - k);
        emit(ent, owner.wire_size() - ent.wire_size(), push(ent, k, kNodeEmptyNonTerminal, false, false));
      }
    }
    if (ents_only) return;
    const bool cut = has_ns && !stack_.empty();
    uint8_t flags = stack_.empty() ? kNodeApex : 0;
    if (cut) flags |= kNodeDelegation;
    emit(owner, size_t{0}, push(owner, labels, flags, cut, has_dname));
  }

 private:
  struct Ancestor {
    NameView owner;
    size_t labels;
    bool cut;    // a delegation, or below one
    bool dname;  // owns a DNAME, or below one
  };
  uint8_t push(NameView owner, size_t labels, uint8_t flags, bool is_cut, bool has_dname);

  std::vector<Ancestor> stack_;
};

// The builder's and apply_diff's access to a version's storage.
struct ZoneLeafAccess {
  // Every leaf of `z` in order (owned by its blocks).
  static const std::vector<const ZoneLeaf*>& leaves(const ZoneVersion& z) { return z.leaves_; }
  static const std::vector<std::shared_ptr<const LeafBlock>>& blocks(const ZoneVersion& z) {
    return z.blocks_;
  }
  // A version of whole-zone `leaves` (in order), in blocks of `block_leaves`.
  static std::shared_ptr<ZoneVersion> make(Name origin, RRClass rclass,
                                           std::vector<std::shared_ptr<const ZoneLeaf>> leaves,
                                           size_t block_leaves = kBlockLeaves);
  // `z` with the same leaves in blocks of `block_leaves` (tests: blocks
  // that hold a few leaves make spans cross block boundaries).
  static std::shared_ptr<const ZoneVersion> reblock(const ZoneVersion& z, size_t block_leaves);
  // Base leaves [first, last] give way to `fresh` (possibly none).
  struct Span {
    size_t first = 0;
    size_t last = 0;
    std::vector<std::shared_ptr<const ZoneLeaf>> fresh;
  };
  // `base` with `spans` (in order, disjoint) applied. Blocks no span
  // touches are shared, and the counts come from the base's and the leaves
  // that change: the leaves that stay are not read.
  static std::shared_ptr<ZoneVersion> patch(const ZoneVersion& base, std::vector<Span> spans);
  static void set_serial(ZoneVersion& z, uint32_t serial) { z.serial_ = serial; }
  // Index of the leaf holding node `i`, and i's index within it.
  static std::pair<size_t, uint32_t> locate(const ZoneVersion& z, size_t i) noexcept { return z.locate(i); }
  static size_t leaf_start(const ZoneVersion& z, size_t leaf) noexcept {
    return leaf == 0 ? 0 : z.leaf_end_[leaf - 1];
  }
  static NodeView view(const ZoneLeaf* leaf, uint32_t i) noexcept { return NodeView(leaf, i); }
};

}  // namespace signerd::dns
