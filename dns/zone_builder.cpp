// ZoneBuilder: staging records, then sorting, merging and classifying them
// into a ZoneVersion.
#include <algorithm>
#include <cstring>
#include <string_view>

#include "dns/rdata_schema.hpp"
#include "dns/wire.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dns {

ZoneBuilder::ZoneBuilder(Name origin, RRClass rclass, ZoneLimits limits)
    : origin_(std::move(origin)), rclass_(rclass), limits_(limits) {}

Result<void> ZoneBuilder::add(NameView owner, RRType type, RRClass rclass, uint32_t ttl,
                              std::span<const uint8_t> rdata) {
  using base::Errc;
  auto where = [&] { return owner.to_text() + " " + to_text(type) + ": "; };
  if (rclass != rclass_) {
    return base::make_error(Errc::malformed, where() + "class " + to_text(rclass) +
                                                 " differs from the zone's " + to_text(rclass_));
  }
  if (is_meta_type(type)) return base::make_error(Errc::malformed, where() + "meta type is not zone data");
  if (!owner.is_subdomain_of(origin_)) {
    return base::make_error(Errc::malformed, where() + "owner is outside the zone " + origin_.to_text());
  }
  if (rdata.size() > 0xffff) return base::make_error(Errc::malformed, where() + "RDATA over 65535 octets");
  if (auto v = validate_rdata(type, rdata); !v)
    return base::make_error(Errc::malformed, where() + v.error().detail);
  if (records_.size() >= limits_.max_records) {
    return base::make_error(Errc::out_of_range,
                            "zone has more than " + std::to_string(limits_.max_records) + " records");
  }
  if (!rdata_.has_room(rdata.size() + 2) || !names_.has_room(owner.wire_size())) {
    return base::make_error(Errc::out_of_range, "zone data exceeds 4 GiB");
  }

  // Master files and transfers group records by owner: reuse the last name.
  bool same_as_last = false;
  if (!name_entries_.empty()) {
    auto [off, len] = name_entries_.back();
    same_as_last = len == owner.wire_size() && std::memcmp(names_.at(off), owner.wire().data(), len) == 0;
  }
  if (!same_as_last) {
    name_entries_.emplace_back(names_.append(owner.wire()), static_cast<uint8_t>(owner.wire_size()));
  }
  const uint64_t name_id = name_entries_.size() - 1;
  // RRSIGs are grouped by the type they cover (RFC 4034 3.1.1), which
  // validate_rdata() guarantees is there.
  const uint16_t covered = type == RRType::RRSIG && rdata.size() >= 2 ? get_u16(rdata.data()) : 0;
  records_.push_back(Staged{(name_id << 32) | (uint64_t{code(type)} << 16) | covered, ttl,
                            rdata_.append_with_length(rdata)});
  return base::ok();
}

Result<void> ZoneBuilder::add(const RRset& rrset) {
  for (const auto& rd : rrset.rdatas())
    SIGNERD_TRY(add(rrset.owner(), rrset.type(), rrset.rclass(), rrset.ttl(), rd));
  return base::ok();
}

namespace {

// Ranks the staged owner names in canonical order; equal names (ignoring
// case) share a rank. Returns rank per name id and, per rank, the id of the
// first-seen spelling. Memory is the peak of a large load, so instead of
// every name's full canonical key this keeps 8 octets of it per name (the
// labels below the shared origin) and compares names in full only on ties.
struct NameRanking {
  std::vector<uint64_t> rank_of_id;
  std::vector<uint32_t> id_of_rank;
};

NameRanking rank_names(const ByteArena& names, const std::vector<std::pair<uint32_t, uint8_t>>& entries,
                       size_t origin_labels) {
  auto name = [&](uint32_t id) { return NameView({names.at(entries[id].first), entries[id].second}); };
  // The first 12 octets of each key, big-endian and zero-padded, in two
  // arrays (8 + 4): their order agrees with the keys', and 12 octets tell
  // most owner names apart, so full comparisons are rare.
  std::vector<uint64_t> prefix(entries.size());
  std::vector<uint32_t> prefix_low(entries.size());
  std::string key;
  for (uint32_t id = 0; id < entries.size(); ++id) {
    key.clear();
    name(id).append_canonical_key(key, origin_labels);
    auto octet = [&](size_t i) -> uint8_t { return i < key.size() ? static_cast<uint8_t>(key[i]) : 0u; };
    uint64_t hi = 0;
    uint32_t lo = 0;
    for (size_t i = 0; i < 8; ++i) hi = (hi << 8) | octet(i);
    for (size_t i = 8; i < 12; ++i) lo = (lo << 8) | octet(i);
    prefix[id] = hi;
    prefix_low[id] = lo;
  }
  auto compare = [&](uint32_t a, uint32_t b) {
    if (prefix[a] != prefix[b]) return prefix[a] <=> prefix[b];
    if (prefix_low[a] != prefix_low[b]) return prefix_low[a] <=> prefix_low[b];
    return canonical_compare(name(a), name(b));
  };
  std::vector<uint32_t> order(entries.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  // Ties broken by id so that the first-seen spelling of a name leads.
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    auto c = compare(a, b);
    return c != 0 ? c < 0 : a < b;
  });

  // One pass turns the sorted ids into ranks. The prefix array is reused
  // for the ranks and `order` for the first-seen id of each rank (written
  // at or before the position it is read from), to keep the peak low.
  uint64_t rank = 0;
  size_t ranks = 0;
  uint32_t prev = 0;
  uint64_t prev_hi = 0;
  uint32_t prev_lo = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const uint32_t id = order[i];
    const uint64_t hi = prefix[id];
    const uint32_t lo = prefix_low[id];
    if (i == 0 || hi != prev_hi || lo != prev_lo || canonical_compare(name(prev), name(id)) != 0) {
      rank = ranks;
      order[ranks++] = id;
    }
    prefix[id] = rank;
    prev = id;
    prev_hi = hi;
    prev_lo = lo;
  }
  order.resize(ranks);
  NameRanking r;
  r.id_of_rank = std::move(order);
  r.rank_of_id = std::move(prefix);
  return r;
}

// One node under construction, as kept on the ancestor stack.
struct Ancestor {
  uint32_t node;
  size_t labels;
  bool cut;    // a delegation, or below one
  bool dname;  // owns a DNAME, or below one
};

}  // namespace

// The zone-building state that finish() threads through its steps.
struct ZoneAssembly {
  ZoneVersion& z;
  std::vector<Ancestor> stack;

  // Appends a node for `owner` (bytes already in z.names_ at `offset`),
  // after the empty non-terminals between it and its closest ancestor.
  void open_node(uint32_t offset, uint8_t length, bool has_ns, bool has_dname) {
    NameView owner({z.names_.at(offset), length});
    size_t labels = owner.label_count();
    while (!stack.empty() &&
           !(stack.back().labels < labels &&
             owner.strip_left(labels - stack.back().labels) == node_owner(stack.back().node))) {
      stack.pop_back();
    }
    if (!stack.empty()) {
      for (size_t k = stack.back().labels + 1; k < labels; ++k) {
        NameView ent = owner.strip_left(labels - k);
        push(static_cast<uint32_t>(offset + (length - ent.wire_size())),
             static_cast<uint8_t>(ent.wire_size()), k, kNodeEmptyNonTerminal, false, false);
      }
    }
    uint8_t flags = stack.empty() ? kNodeApex : 0;
    if (has_ns && !stack.empty()) flags |= kNodeDelegation;
    push(offset, length, labels, flags, has_ns && !stack.empty(), has_dname);
  }

 private:
  NameView node_owner(uint32_t i) const {
    const auto& n = z.nodes_[i];
    return NameView({z.names_.at(n.name_offset), n.name_length});
  }

  void push(uint32_t offset, uint8_t length, size_t labels, uint8_t flags, bool is_cut, bool has_dname) {
    bool below_cut = !stack.empty() && stack.back().cut;
    bool below_dname = !stack.empty() && stack.back().dname;
    if (below_cut) flags |= kNodeBelowDelegation;
    if (below_dname) flags |= kNodeBelowDname;
    // Empty non-terminals can be wildcards too ("*.x" above "a.*.x").
    if (NameView({z.names_.at(offset), length}).is_wildcard()) flags |= kNodeWildcard;
    z.nodes_.push_back(ZoneVersion::Node{offset, length, flags, 0, static_cast<uint32_t>(z.rrsets_.size())});
    stack.push_back(Ancestor{static_cast<uint32_t>(z.nodes_.size() - 1), labels, below_cut || is_cut,
                             below_dname || has_dname});
  }
};

namespace {

size_t skip_name(std::span<const uint8_t> d, size_t pos) {
  while (pos < d.size() && d[pos] != 0) pos += 1u + d[pos];
  return pos + 1;
}

// RFC 1034 3.6.2 and RFC 4035 2.5: a CNAME owner holds nothing but the
// CNAME, its RRSIGs and its NSEC. RFC 6672 2.4: no CNAME beside a DNAME.
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

}  // namespace

// Replaces each record's name id by its name's canonical rank and sorts the
// records in place by (rank, type, covered type, canonical RDATA, input order).
void ZoneBuilder::sort_records(const std::vector<uint64_t>& rank_of_id) {
  for (auto& r : records_) r.key = (rank_of_id[r.key >> 32] << 32) | (r.key & 0xffffffff);
  std::sort(records_.begin(), records_.end(), [this](const Staged& a, const Staged& b) {
    if (a.key != b.key) return a.key < b.key;
    auto c = canonical_rdata_compare(staged_type(a), rdata_.with_length(a.rdata_offset),
                                     rdata_.with_length(b.rdata_offset));
    // RDATA offsets grow in input order: ties keep the first-seen record first.
    return c != 0 ? c < 0 : a.rdata_offset < b.rdata_offset;
  });
}

// Appends the RRset of records_[begin, end) (one owner and type, and for
// RRSIG one covered type; sorted) to `z`, dropping duplicates. The TTL is
// the first-seen record's (as BIND).
Result<void> ZoneBuilder::emit_rrset(ZoneVersion& z, NameView owner, size_t begin, size_t end,
                                     size_t& ttl_warnings) {
  const RRType rrtype = staged_type(records_[begin]);
  const uint16_t type = code(rrtype);
  // Built only for a message: this runs once per RRset of a large load.
  auto what = [&] {
    return owner.to_text() + " " + to_text(rrtype) +
           (rrtype == RRType::RRSIG
                ? " covering " + to_text(static_cast<RRType>(records_[begin].key & 0xffff))
                : std::string());
  };
  const Staged* first_seen = &records_[begin];
  for (size_t k = begin; k < end; ++k) {
    if (records_[k].rdata_offset < first_seen->rdata_offset) first_seen = &records_[k];
  }
  ZoneVersion::RRsetRec set{first_seen->ttl, static_cast<uint32_t>(z.rdata_offsets_.size()), type, 0};
  size_t count = 0;
  for (size_t k = begin; k < end; ++k) {
    const Staged& rec = records_[k];
    if (rec.ttl != set.ttl && ttl_warnings++ < 100) {
      warnings_.push_back(what() + ": TTL " + std::to_string(rec.ttl) + " differs from the RRset's " +
                          std::to_string(set.ttl) + "; using " + std::to_string(set.ttl));
    }
    if (k > begin && canonical_rdata_compare(rrtype, rdata_.with_length(rec.rdata_offset),
                                             rdata_.with_length(records_[k - 1].rdata_offset)) == 0) {
      continue;
    }
    z.rdata_offsets_.push_back(rec.rdata_offset);
    ++count;
  }
  if (count > std::min<size_t>(limits_.max_rrset_size, UINT16_MAX)) {
    return base::make_error(
        base::Errc::out_of_range,
        what() + ": more than " + std::to_string(limits_.max_rrset_size) + " records in one RRset");
  }
  set.rdata_count = static_cast<uint16_t>(count);
  z.rrsets_.push_back(set);
  return base::ok();
}

Result<std::shared_ptr<const ZoneVersion>> ZoneBuilder::finish() && {
  using base::Errc;
  if (records_.empty()) return base::make_error(Errc::malformed, origin_.to_text() + ": zone has no records");

  // The name index grew by doubling while staging; trim it before the peak.
  name_entries_.shrink_to_fit();
  NameRanking ranking = rank_names(names_, name_entries_, origin_.label_count());
  sort_records(ranking.rank_of_id);
  std::vector<uint64_t>().swap(ranking.rank_of_id);
  // One name per rank from here on; the staging index goes before the
  // tables are built, which is when memory peaks.
  std::vector<std::pair<uint32_t, uint8_t>> name_of_rank(ranking.id_of_rank.size());
  for (size_t rank = 0; rank < name_of_rank.size(); ++rank)
    name_of_rank[rank] = name_entries_[ranking.id_of_rank[rank]];
  std::vector<uint32_t>().swap(ranking.id_of_rank);
  std::vector<std::pair<uint32_t, uint8_t>>().swap(name_entries_);

  auto zone = std::make_shared<ZoneVersion>();
  ZoneVersion& z = *zone;
  z.origin_ = origin_;
  z.rclass_ = rclass_;
  z.names_ = std::move(names_);
  // Exact sizes where they are cheap to count: growth by doubling would
  // hold the old and the new array at once, at the peak of the load.
  size_t rrset_total = 0;
  for (size_t i = 0; i < records_.size(); ++i)
    rrset_total += i == 0 || records_[i].key != records_[i - 1].key;
  z.rrsets_.reserve(rrset_total);
  z.nodes_.reserve(name_of_rank.size() + name_of_rank.size() / 8);
  z.rdata_offsets_.reserve(records_.size());
  ZoneAssembly assembly{z, {}};
  size_t ttl_warnings = 0;

  for (size_t i = 0; i < records_.size();) {
    records_.release_before(i);  // the tables grow as the staged records go
    const uint64_t rank = records_[i].key >> 32;
    size_t node_end = i;
    bool has_ns = false;
    bool has_dname = false;
    size_t types = 0;  // RRsets and RRSIG groups
    for (; node_end < records_.size() && (records_[node_end].key >> 32) == rank; ++node_end) {
      const RRType type = staged_type(records_[node_end]);
      has_ns = has_ns || type == RRType::NS;
      has_dname = has_dname || type == RRType::DNAME;
      types += node_end == i || records_[node_end].key != records_[node_end - 1].key;
    }
    auto [name_off, name_len] = name_of_rank[rank];
    const NameView owner({z.names_.at(name_off), name_len});
    if (types > UINT16_MAX) {
      return base::make_error(Errc::out_of_range, owner.to_text() + ": more than 65535 RRsets at one name");
    }
    assembly.open_node(name_off, name_len, has_ns, has_dname);
    z.nodes_.back().rrset_count = static_cast<uint16_t>(types);
    for (size_t j = i; j < node_end;) {
      size_t set_end = j;
      while (set_end < node_end && records_[set_end].key == records_[j].key) ++set_end;
      SIGNERD_TRY(emit_rrset(z, owner, j, set_end, ttl_warnings));
      j = set_end;
    }
    i = node_end;
  }
  if (ttl_warnings > 100) warnings_.push_back(std::to_string(ttl_warnings - 100) + " more TTL warnings");
  z.rdata_ = std::move(rdata_);
  records_.clear();

  SIGNERD_TRY(check_apex(z));
  for (size_t i = 0; i < z.node_count(); ++i) {
    NodeView node = z.node(i);
    if (node.is_occluded()) continue;  // not authoritative data
    SIGNERD_TRY(check_node_types(node));
  }
  return std::shared_ptr<const ZoneVersion>(std::move(zone));
}

Result<void> ZoneBuilder::check_apex(ZoneVersion& z) const {
  using base::Errc;
  NodeView apex = z.apex();
  if (!(apex.owner() == origin_)) {
    return base::make_error(Errc::malformed, origin_.to_text() + ": no SOA record at the zone apex");
  }
  auto soa = apex.find(RRType::SOA);
  if (!soa) return base::make_error(Errc::malformed, origin_.to_text() + ": no SOA record at the zone apex");
  if (soa->size() != 1)
    return base::make_error(Errc::malformed, origin_.to_text() + ": more than one SOA record");
  if (!apex.find(RRType::NS))
    return base::make_error(Errc::malformed, origin_.to_text() + ": no NS records at the zone apex");
  auto rdata = soa->rdata(0);
  size_t pos = skip_name(rdata, skip_name(rdata, 0));
  z.serial_ = get_u32(rdata.data() + pos);
  return base::ok();
}

}  // namespace signerd::dns
