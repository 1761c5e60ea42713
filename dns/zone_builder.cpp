// ZoneBuilder: staging records, then sorting, merging and classifying them
// into a ZoneVersion.
#include <algorithm>
#include <cstring>
#include <string_view>

#include "dns/rdata_schema.hpp"
#include "dns/wire.hpp"
#include "dns/zone_leaf.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dns {

ZoneBuilder::ZoneBuilder(Name origin, RRClass rclass, ZoneLimits limits)
    : origin_(std::move(origin)),
      rclass_(rclass),
      limits_(limits),
      names_(std::make_shared<ByteArena>()),
      rdata_(std::make_shared<ByteArena>()) {}

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
  if (!rdata_->has_room(rdata.size() + 2) || !names_->has_room(owner.wire_size())) {
    return base::make_error(Errc::out_of_range, "zone data exceeds 4 GiB");
  }

  // Master files and transfers group records by owner: reuse the last name.
  bool same_as_last = false;
  if (!name_entries_.empty()) {
    auto [off, len] = name_entries_.back();
    same_as_last = len == owner.wire_size() && std::memcmp(names_->at(off), owner.wire().data(), len) == 0;
  }
  if (!same_as_last) {
    name_entries_.emplace_back(names_->append(owner.wire()), static_cast<uint8_t>(owner.wire_size()));
  }
  const uint64_t name_id = name_entries_.size() - 1;
  // RRSIGs are grouped by the type they cover (RFC 4034 3.1.1), which
  // validate_rdata() guarantees is there.
  const uint16_t covered = type == RRType::RRSIG && rdata.size() >= 2 ? get_u16(rdata.data()) : 0;
  records_.push_back(Staged{(name_id << 32) | (uint64_t{code(type)} << 16) | covered, ttl,
                            rdata_->append_with_length(rdata)});
  return base::ok();
}

Result<void> ZoneBuilder::add(const RRset& rrset) {
  for (const auto& rd : rrset.rdatas())
    SIGNERD_TRY(add(rrset.owner(), rrset.type(), rrset.rclass(), rrset.ttl(), rd));
  return base::ok();
}

namespace {

// Sorts [first, last) by `less`. Snapshots, transfers and signed zone files
// mostly arrive in canonical order already, at most with a short unordered
// tail (a replayed journal's RRsets come last). std::sort gains nothing from
// that order, and with the tail's smallest keys at the very end libstdc++'s
// introsort degrades to heap sort: a 1M-name signed snapshot took 1.2 s in
// the sort alone. Here the sorted head costs one pass, and a short tail is
// sorted alone and merged in (a buffer of the tail's size, not the zone's).
template <class It, class Less>
void sort_mostly_sorted(It first, It last, Less less) {
  const It head_end = std::is_sorted_until(first, last, less);
  if (head_end == last) return;
  if (last - head_end > (last - first) / 8) {
    std::sort(first, last, less);
    return;
  }
  std::sort(head_end, last, less);
  std::inplace_merge(first, head_end, last, less);
}

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
  sort_mostly_sorted(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
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

}  // namespace

// Replaces each record's name id by its name's canonical rank and sorts the
// records in place by (rank, type, covered type, canonical RDATA, input order).
void ZoneBuilder::sort_records(const std::vector<uint64_t>& rank_of_id) {
  for (auto& r : records_) r.key = (rank_of_id[r.key >> 32] << 32) | (r.key & 0xffffffff);
  sort_mostly_sorted(records_.begin(), records_.end(), [this](const Staged& a, const Staged& b) {
    if (a.key != b.key) return a.key < b.key;
    auto c = canonical_rdata_compare(staged_type(a), rdata_->with_length(a.rdata_offset),
                                     rdata_->with_length(b.rdata_offset));
    // RDATA offsets grow in input order: ties keep the first-seen record first.
    return c != 0 ? c < 0 : a.rdata_offset < b.rdata_offset;
  });
}

// Appends the RRset of records_[begin, end) (one owner and type, and for
// RRSIG one covered type; sorted) to `z`, dropping duplicates. The TTL is
// the first-seen record's (as BIND).
Result<void> ZoneBuilder::emit_rrset(LeafWriter& out, NameView owner, size_t begin, size_t end,
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
  const uint32_t ttl = first_seen->ttl;
  out.begin_rrset(type, ttl);
  for (size_t k = begin; k < end; ++k) {
    const Staged& rec = records_[k];
    if (rec.ttl != ttl && ttl_warnings++ < 100) {
      warnings_.push_back(what() + ": TTL " + std::to_string(rec.ttl) + " differs from the RRset's " +
                          std::to_string(ttl) + "; using " + std::to_string(ttl));
    }
    if (k > begin && canonical_rdata_compare(rrtype, rdata_->with_length(rec.rdata_offset),
                                             rdata_->with_length(records_[k - 1].rdata_offset)) == 0) {
      continue;
    }
    out.add_rdata_at(rec.rdata_offset);
  }
  if (out.end_rrset() > std::min<size_t>(limits_.max_rrset_size, UINT16_MAX)) {
    return base::make_error(
        base::Errc::out_of_range,
        what() + ": more than " + std::to_string(limits_.max_rrset_size) + " records in one RRset");
  }
  return base::ok();
}

Result<std::shared_ptr<const ZoneVersion>> ZoneBuilder::finish() && {
  using base::Errc;
  if (records_.empty()) return base::make_error(Errc::malformed, origin_.to_text() + ": zone has no records");

  // The name index grew by doubling while staging; trim it before the peak.
  name_entries_.shrink_to_fit();
  NameRanking ranking = rank_names(*names_, name_entries_, origin_.label_count());
  sort_records(ranking.rank_of_id);
  std::vector<uint64_t>().swap(ranking.rank_of_id);
  // One name per rank from here on; the staging index goes before the
  // tables are built, which is when memory peaks.
  std::vector<std::pair<uint32_t, uint8_t>> name_of_rank(ranking.id_of_rank.size());
  for (size_t rank = 0; rank < name_of_rank.size(); ++rank)
    name_of_rank[rank] = name_entries_[ranking.id_of_rank[rank]];
  std::vector<uint32_t>().swap(ranking.id_of_rank);
  std::vector<std::pair<uint32_t, uint8_t>>().swap(name_entries_);

  // The leaves point into the staging arenas: no copy of names or RDATA.
  std::shared_ptr<const ByteArena> names = std::move(names_);
  std::shared_ptr<const ByteArena> rdata = rdata_;
  LeafWriter out(names, rdata);
  NodeClassifier classifier;
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
    // Plain variables: clang 14 cannot capture structured bindings.
    const uint32_t name_off = name_of_rank[rank].first;
    const uint8_t name_len = name_of_rank[rank].second;
    const NameView owner({names->at(name_off), name_len});
    if (types > UINT16_MAX) {
      return base::make_error(Errc::out_of_range, owner.to_text() + ": more than 65535 RRsets at one name");
    }
    classifier.open(owner, has_ns, has_dname, false, [&](NameView, size_t suffix, uint8_t flags) {
      out.add_node_at(static_cast<uint32_t>(name_off + suffix), static_cast<uint8_t>(name_len - suffix),
                      flags);
    });
    for (size_t j = i; j < node_end;) {
      size_t set_end = j;
      while (set_end < node_end && records_[set_end].key == records_[j].key) ++set_end;
      SIGNERD_TRY(emit_rrset(out, owner, j, set_end, ttl_warnings));
      j = set_end;
    }
    i = node_end;
  }
  if (ttl_warnings > 100) warnings_.push_back(std::to_string(ttl_warnings - 100) + " more TTL warnings");
  rdata_.reset();
  records_.clear();

  std::shared_ptr<ZoneVersion> zone = ZoneLeafAccess::make(origin_, rclass_, std::move(out).finish());
  SIGNERD_TRY(check_apex(*zone));
  for (size_t i = 0; i < zone->node_count(); ++i) {
    NodeView node = zone->node(i);
    if (node.is_occluded()) continue;  // not authoritative data
    SIGNERD_TRY(check_node_types(node));
  }
  return std::shared_ptr<const ZoneVersion>(std::move(zone));
}

}  // namespace signerd::dns
