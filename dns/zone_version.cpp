#include "dns/zone_version.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "dns/rdata_schema.hpp"
#include "dns/wire.hpp"

namespace signerd::dns {

// ---- views -----------------------------------------------------------------

RRType RRsetView::type() const noexcept { return static_cast<RRType>(zone_->rrsets_[index_].type); }
RRType RRsetView::covered() const noexcept {
  return static_cast<RRType>(zone_->covered_of(zone_->rrsets_[index_]));
}
uint32_t RRsetView::ttl() const noexcept { return zone_->rrsets_[index_].ttl; }
size_t RRsetView::size() const noexcept { return zone_->rrsets_[index_].rdata_count; }

std::span<const uint8_t> RRsetView::rdata(size_t i) const noexcept {
  return zone_->rdata_.with_length(zone_->rdata_offsets_[zone_->rrsets_[index_].first_rdata + i]);
}

RRset RRsetView::to_rrset(NameView owner, RRClass rclass) const {
  RRset out(Name(owner), type(), rclass, ttl());
  for (size_t i = 0; i < size(); ++i) out.add(rdata(i));
  return out;
}

NameView NodeView::owner() const noexcept {
  const auto& n = zone_->nodes_[index_];
  return NameView({zone_->names_.at(n.name_offset), n.name_length});
}
uint8_t NodeView::flags() const noexcept { return zone_->nodes_[index_].flags; }
size_t NodeView::rrset_count() const noexcept { return zone_->nodes_[index_].rrset_count; }
RRsetView NodeView::rrset(size_t i) const noexcept {
  return RRsetView(zone_, zone_->nodes_[index_].first_rrset + static_cast<uint32_t>(i));
}

std::optional<RRsetView> NodeView::find(RRType type) const noexcept {
  const auto& n = zone_->nodes_[index_];
  const auto* first = zone_->rrsets_.data() + n.first_rrset;
  const auto* last = first + n.rrset_count;
  const auto* it = std::lower_bound(first, last, code(type),
                                    [](const ZoneVersion::RRsetRec& r, uint16_t t) { return r.type < t; });
  if (it == last || it->type != code(type)) return std::nullopt;
  return RRsetView(zone_, static_cast<uint32_t>(it - zone_->rrsets_.data()));
}

std::optional<RRsetView> NodeView::find_rrsig(RRType covered) const noexcept {
  const auto& n = zone_->nodes_[index_];
  const auto* first = zone_->rrsets_.data() + n.first_rrset;
  const auto* last = first + n.rrset_count;
  const uint16_t rrsig = code(RRType::RRSIG);
  first = std::lower_bound(first, last, rrsig,
                           [](const ZoneVersion::RRsetRec& r, uint16_t t) { return r.type < t; });
  last = std::upper_bound(first, last, rrsig,
                          [](uint16_t t, const ZoneVersion::RRsetRec& r) { return t < r.type; });
  const auto* it = std::lower_bound(
      first, last, code(covered),
      [this](const ZoneVersion::RRsetRec& r, uint16_t c) { return zone_->covered_of(r) < c; });
  if (it == last || zone_->covered_of(*it) != code(covered)) return std::nullopt;
  return RRsetView(zone_, static_cast<uint32_t>(it - zone_->rrsets_.data()));
}

// ---- ZoneVersion -----------------------------------------------------------

uint16_t ZoneVersion::covered_of(const RRsetRec& r) const noexcept {
  if (r.type != code(RRType::RRSIG) || r.rdata_count == 0) return 0;
  // ZoneBuilder validated the RDATA: an RRSIG has at least 18 octets.
  return get_u16(rdata_.with_length(rdata_offsets_[r.first_rdata]).data());
}

size_t ZoneVersion::memory_bytes() const noexcept {
  return names_.memory_bytes() + nodes_.capacity() * sizeof(Node) + rrsets_.capacity() * sizeof(RRsetRec) +
         rdata_offsets_.capacity() * sizeof(uint32_t) + rdata_.memory_bytes();
}

size_t ZoneVersion::lower_bound(NameView name) const noexcept {
  size_t lo = 0;
  size_t hi = nodes_.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (node(mid).owner() < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

std::optional<NodeView> ZoneVersion::find(NameView name) const noexcept {
  size_t i = lower_bound(name);
  if (i < nodes_.size() && node(i).owner() == name) return node(i);
  return std::nullopt;
}

std::optional<RRsetView> ZoneVersion::find(NameView name, RRType type) const noexcept {
  auto n = find(name);
  if (!n) return std::nullopt;
  return n->find(type);
}

}  // namespace signerd::dns
