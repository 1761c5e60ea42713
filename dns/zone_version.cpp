#include "dns/zone_version.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

#include "dns/rdata_schema.hpp"
#include "dns/wire.hpp"
#include "dns/zone_leaf.hpp"

namespace signerd::dns {

// ---- views -----------------------------------------------------------------

RRType RRsetView::type() const noexcept { return static_cast<RRType>(leaf_->rrsets[index_].type); }
RRType RRsetView::covered() const noexcept {
  return static_cast<RRType>(leaf_->covered(leaf_->rrsets[index_]));
}
uint32_t RRsetView::ttl() const noexcept { return leaf_->rrsets[index_].ttl; }
size_t RRsetView::size() const noexcept { return leaf_->rrsets[index_].rdata_count; }

std::span<const uint8_t> RRsetView::rdata(size_t i) const noexcept {
  return leaf_->rdata_at(leaf_->rrsets[index_].first_rdata + static_cast<uint32_t>(i));
}

RRset RRsetView::to_rrset(NameView owner, RRClass rclass) const {
  RRset out(Name(owner), type(), rclass, ttl());
  for (size_t i = 0; i < size(); ++i) out.add(rdata(i));
  return out;
}

NameView NodeView::owner() const noexcept { return leaf_->owner(leaf_->nodes[index_]); }
uint8_t NodeView::flags() const noexcept { return leaf_->nodes[index_].flags; }
size_t NodeView::rrset_count() const noexcept { return leaf_->nodes[index_].rrset_count; }
RRsetView NodeView::rrset(size_t i) const noexcept {
  return RRsetView(leaf_, leaf_->nodes[index_].first_rrset + static_cast<uint32_t>(i));
}

std::optional<RRsetView> NodeView::find(RRType type) const noexcept {
  const auto& n = leaf_->nodes[index_];
  const auto* first = leaf_->rrsets.data() + n.first_rrset;
  const auto* last = first + n.rrset_count;
  const auto* it = std::lower_bound(first, last, code(type),
                                    [](const ZoneLeaf::RRsetRec& r, uint16_t t) { return r.type < t; });
  if (it == last || it->type != code(type)) return std::nullopt;
  return RRsetView(leaf_, static_cast<uint32_t>(it - leaf_->rrsets.data()));
}

std::optional<RRsetView> NodeView::find_rrsig(RRType covered) const noexcept {
  const auto& n = leaf_->nodes[index_];
  const auto* first = leaf_->rrsets.data() + n.first_rrset;
  const auto* last = first + n.rrset_count;
  const uint16_t rrsig = code(RRType::RRSIG);
  first = std::lower_bound(first, last, rrsig,
                           [](const ZoneLeaf::RRsetRec& r, uint16_t t) { return r.type < t; });
  last = std::upper_bound(first, last, rrsig,
                          [](uint16_t t, const ZoneLeaf::RRsetRec& r) { return t < r.type; });
  const auto* it =
      std::lower_bound(first, last, code(covered),
                       [this](const ZoneLeaf::RRsetRec& r, uint16_t c) { return leaf_->covered(r) < c; });
  if (it == last || leaf_->covered(*it) != code(covered)) return std::nullopt;
  return RRsetView(leaf_, static_cast<uint32_t>(it - leaf_->rrsets.data()));
}

// ---- ZoneVersion -----------------------------------------------------------

uint32_t ZoneVersion::leaf_size(const ZoneLeaf& leaf) noexcept {
  return static_cast<uint32_t>(leaf.nodes.size());
}

std::pair<size_t, uint32_t> ZoneVersion::locate(size_t i) const noexcept {
  const size_t leaf =
      static_cast<size_t>(std::upper_bound(leaf_end_.begin(), leaf_end_.end(), i) - leaf_end_.begin());
  const size_t start = leaf == 0 ? 0 : leaf_end_[leaf - 1];
  return {leaf, static_cast<uint32_t>(i - start)};
}

NodeView ZoneVersion::node(size_t i) const noexcept {
  auto [leaf, local] = locate(i);
  return NodeView(leaves_[leaf], local);
}

size_t ZoneVersion::memory_bytes() const noexcept {
  size_t total =
      leaves_.capacity() * sizeof(leaves_[0]) + leaf_end_.capacity() * sizeof(size_t) +
      blocks_.capacity() * sizeof(blocks_[0]) +
      blocks_.size() * (sizeof(LeafBlock) + kBlockLeaves * sizeof(std::shared_ptr<const ZoneLeaf>));
  // Leaves of one build share its arenas, and they are neighbours.
  const ByteArena* last_names = nullptr;
  const ByteArena* last_rdata = nullptr;
  for (const ZoneLeaf* leaf : leaves_) {
    total += sizeof(ZoneLeaf) + leaf->table_bytes();
    if (leaf->names.get() != last_names) total += leaf->names->memory_bytes();
    if (leaf->rdata.get() != last_rdata) total += leaf->rdata->memory_bytes();
    last_names = leaf->names.get();
    last_rdata = leaf->rdata.get();
  }
  return total;
}

size_t ZoneVersion::lower_bound(NameView name) const noexcept {
  // The first leaf whose last node is not less than `name`, then within it.
  size_t lo = 0;
  size_t hi = leaves_.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const ZoneLeaf& leaf = *leaves_[mid];
    if (leaf.owner(leaf.nodes.back()) < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == leaves_.size()) return node_count();
  const ZoneLeaf& leaf = *leaves_[lo];
  auto it = std::lower_bound(leaf.nodes.begin(), leaf.nodes.end(), name,
                             [&](const ZoneLeaf::Node& n, NameView v) { return leaf.owner(n) < v; });
  return ZoneLeafAccess::leaf_start(*this, lo) + static_cast<size_t>(it - leaf.nodes.begin());
}

std::optional<NodeView> ZoneVersion::find(NameView name) const noexcept {
  size_t i = lower_bound(name);
  if (i < node_count() && node(i).owner() == name) return node(i);
  return std::nullopt;
}

std::optional<RRsetView> ZoneVersion::find(NameView name, RRType type) const noexcept {
  auto n = find(name);
  if (!n) return std::nullopt;
  return n->find(type);
}

// ---- leaves ----------------------------------------------------------------

std::shared_ptr<ZoneVersion> ZoneLeafAccess::make(Name origin, RRClass rclass,
                                                  std::vector<std::shared_ptr<const ZoneLeaf>> leaves,
                                                  size_t block_leaves) {
  block_leaves = std::max<size_t>(block_leaves, 1);
  auto z = std::make_shared<ZoneVersion>();
  z->origin_ = std::move(origin);
  z->rclass_ = rclass;
  z->leaves_.reserve(leaves.size());
  z->leaf_end_.reserve(leaves.size());
  z->blocks_.reserve((leaves.size() + block_leaves - 1) / block_leaves);
  size_t nodes = 0;
  for (size_t i = 0; i < leaves.size(); i += block_leaves) {
    auto block = std::make_shared<LeafBlock>();
    const size_t end = std::min(i + block_leaves, leaves.size());
    block->leaves.reserve(end - i);
    for (size_t k = i; k < end; ++k) {
      const ZoneLeaf& leaf = *leaves[k];
      nodes += leaf.nodes.size();
      z->leaves_.push_back(&leaf);
      z->leaf_end_.push_back(nodes);
      z->rrset_count_ += leaf.rrsets.size();
      z->record_count_ += leaf.rdata_offsets.size();
      block->leaves.push_back(std::move(leaves[k]));
    }
    z->blocks_.push_back(std::move(block));
  }
  return z;
}

std::shared_ptr<const ZoneVersion> ZoneLeafAccess::reblock(const ZoneVersion& z, size_t block_leaves) {
  std::vector<std::shared_ptr<const ZoneLeaf>> leaves;
  for (const auto& block : z.blocks_) leaves.insert(leaves.end(), block->leaves.begin(), block->leaves.end());
  auto out = make(z.origin_, z.rclass_, std::move(leaves), block_leaves);
  out->serial_ = z.serial_;
  return out;
}

std::shared_ptr<ZoneVersion> ZoneLeafAccess::patch(const ZoneVersion& base, std::vector<Span> spans) {
  auto z = std::make_shared<ZoneVersion>();
  z->origin_ = base.origin_;
  z->rclass_ = base.rclass_;
  z->rrset_count_ = base.rrset_count_;
  z->record_count_ = base.record_count_;
  z->leaves_.reserve(base.leaves_.size() + spans.size());
  z->leaf_end_.reserve(base.leaves_.size() + spans.size());
  z->blocks_.reserve(base.blocks_.size() + spans.size());
  size_t nodes = 0;
  auto add_leaf = [&](const ZoneLeaf* leaf, size_t node_count) {
    nodes += node_count;
    z->leaves_.push_back(leaf);
    z->leaf_end_.push_back(nodes);
  };
  auto base_nodes = [&](size_t k) { return leaf_start(base, k + 1) - leaf_start(base, k); };
  std::vector<std::shared_ptr<const ZoneLeaf>> rebuilt;  // the block being rebuilt
  size_t s = 0;                                          // next span
  std::optional<size_t> skip_until;                      // last base leaf a span replaced
  size_t g = 0;                                          // base index of the block's first leaf
  for (const auto& block : base.blocks_) {
    const size_t end = g + block->leaves.size();
    const bool touched = (s < spans.size() && spans[s].first < end) || (skip_until && *skip_until >= g);
    if (!touched) {
      z->blocks_.push_back(block);
      for (size_t k = g; k < end; ++k) add_leaf(base.leaves_[k], base_nodes(k));
      g = end;
      continue;
    }
    for (size_t k = g; k < end; ++k) {
      if (s < spans.size() && spans[s].first == k) {
        Span& span = spans[s++];
        for (size_t old = span.first; old <= span.last; ++old) {
          z->rrset_count_ -= base.leaves_[old]->rrsets.size();
          z->record_count_ -= base.leaves_[old]->rdata_offsets.size();
        }
        for (auto& leaf : span.fresh) {
          z->rrset_count_ += leaf->rrsets.size();
          z->record_count_ += leaf->rdata_offsets.size();
          add_leaf(leaf.get(), leaf->nodes.size());
          rebuilt.push_back(std::move(leaf));
        }
        skip_until = span.last;
      } else if (!skip_until || k > *skip_until) {
        add_leaf(base.leaves_[k], base_nodes(k));
        rebuilt.push_back(block->leaves[k - g]);
      }
    }
    for (size_t i = 0; i < rebuilt.size(); i += kBlockLeaves) {
      auto fresh = std::make_shared<LeafBlock>();
      fresh->leaves.assign(
          rebuilt.begin() + static_cast<std::ptrdiff_t>(i),
          rebuilt.begin() + static_cast<std::ptrdiff_t>(std::min(i + kBlockLeaves, rebuilt.size())));
      z->blocks_.push_back(std::move(fresh));
    }
    rebuilt.clear();
    g = end;
  }
  return z;
}

LeafWriter::LeafWriter(std::shared_ptr<const ByteArena> names, std::shared_ptr<const ByteArena> rdata,
                       size_t leaf_nodes)
    : shared_names_(std::move(names)),
      shared_rdata_(std::move(rdata)),
      leaf_nodes_(std::max<size_t>(leaf_nodes, 1)) {}

LeafWriter::LeafWriter(size_t leaf_nodes) : leaf_nodes_(std::max<size_t>(leaf_nodes, 1)) {}

void LeafWriter::seal() {
  if (!leaf_) return;
  leaf_->nodes.shrink_to_fit();
  leaf_->rrsets.shrink_to_fit();
  leaf_->rdata_offsets.shrink_to_fit();
  done_.push_back(std::shared_ptr<const ZoneLeaf>(std::move(leaf_)));
  own_names_ = nullptr;
  own_rdata_ = nullptr;
}

void LeafWriter::start_node() {
  if (leaf_ && leaf_->nodes.size() >= leaf_nodes_) seal();
  if (!leaf_) {
    leaf_ = std::make_unique<ZoneLeaf>();
    if (shared_names_) {
      leaf_->names = shared_names_;
      leaf_->rdata = shared_rdata_;
    } else {
      auto names = std::make_shared<ByteArena>();
      auto rdata = std::make_shared<ByteArena>();
      own_names_ = names.get();
      own_rdata_ = rdata.get();
      leaf_->names = std::move(names);
      leaf_->rdata = std::move(rdata);
    }
    leaf_->nodes.reserve(leaf_nodes_);
  }
}

void LeafWriter::add_node_at(uint32_t name_offset, uint8_t name_length, uint8_t flags) {
  start_node();
  leaf_->nodes.push_back(
      ZoneLeaf::Node{name_offset, name_length, flags, 0, static_cast<uint32_t>(leaf_->rrsets.size())});
}

void LeafWriter::add_node(NameView owner, uint8_t flags) {
  start_node();
  const uint32_t offset = own_names_->append(owner.wire());
  leaf_->nodes.push_back(ZoneLeaf::Node{offset, static_cast<uint8_t>(owner.wire_size()), flags, 0,
                                        static_cast<uint32_t>(leaf_->rrsets.size())});
}

void LeafWriter::begin_rrset(uint16_t type, uint32_t ttl) {
  leaf_->rrsets.push_back(
      ZoneLeaf::RRsetRec{ttl, static_cast<uint32_t>(leaf_->rdata_offsets.size()), type, 0});
  ++leaf_->nodes.back().rrset_count;
}

void LeafWriter::add_rdata_at(uint32_t offset) { leaf_->rdata_offsets.push_back(offset); }

void LeafWriter::add_rdata(std::span<const uint8_t> rd) {
  leaf_->rdata_offsets.push_back(own_rdata_->append_with_length(rd));
}

size_t LeafWriter::end_rrset() {
  auto& set = leaf_->rrsets.back();
  const size_t count = leaf_->rdata_offsets.size() - set.first_rdata;
  set.rdata_count = static_cast<uint16_t>(std::min<size_t>(count, UINT16_MAX));
  return count;
}

std::vector<std::shared_ptr<const ZoneLeaf>> LeafWriter::finish() && {
  seal();
  return std::move(done_);
}

uint8_t NodeClassifier::push(NameView owner, size_t labels, uint8_t flags, bool is_cut, bool has_dname) {
  const bool below_cut = !stack_.empty() && stack_.back().cut;
  const bool below_dname = !stack_.empty() && stack_.back().dname;
  if (below_cut) flags |= kNodeBelowDelegation;
  if (below_dname) flags |= kNodeBelowDname;
  // Empty non-terminals can be wildcards too ("*.x" above "a.*.x").
  if (owner.is_wildcard()) flags |= kNodeWildcard;
  stack_.push_back(Ancestor{owner, labels, below_cut || is_cut, below_dname || has_dname});
  return flags;
}

void NodeClassifier::seed(NameView owner, bool cut, bool dname) {
  stack_.push_back(Ancestor{owner, owner.label_count(), cut, dname});
}

// ---- checks ----------------------------------------------------------------

namespace {

size_t skip_name(std::span<const uint8_t> d, size_t pos) {
  while (pos < d.size() && d[pos] != 0) pos += 1u + d[pos];
  return pos + 1;
}

}  // namespace

Result<void> check_node_types(const NodeView& node) {
  auto fail = [&](const std::string& why) {
    return base::make_error(base::Errc::malformed, node.owner().to_text() + ": " + why);
  };
  bool cname = false;
  bool dname = false;
  bool other = false;
  for (size_t i = 0; i < node.rrset_count(); ++i) {
    RRsetView set = node.rrset(i);
    switch (set.type()) {
      case RRType::CNAME:
        cname = true;
        if (set.size() > 1) return fail("more than one CNAME record");
        break;
      case RRType::DNAME:
        dname = true;
        if (set.size() > 1) return fail("more than one DNAME record");
        break;
      case RRType::RRSIG:
      case RRType::NSEC: break;
      case RRType::SOA:
        if (!node.is_apex()) return fail("SOA record below the zone apex");
        other = true;
        break;
      default: other = true;
    }
  }
  if (cname && other) return fail("CNAME and other data");
  if (cname && dname) return fail("CNAME and DNAME at the same name");
  return base::ok();
}

Result<void> check_apex(ZoneVersion& z) {
  using base::Errc;
  const Name& origin = z.origin();
  if (z.node_count() == 0 || !(z.apex().owner() == origin)) {
    return base::make_error(Errc::malformed, origin.to_text() + ": no SOA record at the zone apex");
  }
  NodeView apex = z.apex();
  auto soa = apex.find(RRType::SOA);
  if (!soa) return base::make_error(Errc::malformed, origin.to_text() + ": no SOA record at the zone apex");
  if (soa->size() != 1)
    return base::make_error(Errc::malformed, origin.to_text() + ": more than one SOA record");
  if (!apex.find(RRType::NS))
    return base::make_error(Errc::malformed, origin.to_text() + ": no NS records at the zone apex");
  auto rdata = soa->rdata(0);
  size_t pos = skip_name(rdata, skip_name(rdata, 0));
  ZoneLeafAccess::set_serial(z, get_u32(rdata.data() + pos));
  return base::ok();
}

}  // namespace signerd::dns
