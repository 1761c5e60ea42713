#include "xfr/xfr_out_source.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "dns/soa.hpp"

namespace signerd::xfr {
namespace {

dns::Record apex_soa(const dns::ZoneVersion& zone) {
  auto soa = zone.apex().find(dns::RRType::SOA);
  dns::Record r{zone.origin(), dns::RRType::SOA, zone.rclass(), 0, {}};
  if (soa && soa->size() > 0) {
    r.ttl = soa->ttl();
    auto rd = soa->rdata(0);
    r.rdata.assign(rd.begin(), rd.end());
  }
  return r;
}

class AxfrSource final : public RecordSource {
 public:
  explicit AxfrSource(const dns::ZoneVersion& zone) : zone_(zone), soa_(apex_soa(zone)) {}

  std::optional<dns::Record> next() override {
    if (state_ == State::first) {
      state_ = State::body;
      return soa_;
    }
    if (state_ == State::done) return std::nullopt;
    while (node_ < zone_.node_count()) {
      dns::NodeView node = zone_.node(node_);
      if (set_ < node.rrset_count()) {
        dns::RRsetView set = node.rrset(set_);
        if (set.type() == dns::RRType::SOA && node.is_apex()) {
          ++set_;
          continue;
        }
        if (rr_ < set.size()) {
          auto rd = set.rdata(rr_++);
          return dns::Record{dns::Name(node.owner()), set.type(), zone_.rclass(), set.ttl(),
                             dns::Rdata(rd.begin(), rd.end())};
        }
        ++set_;
        rr_ = 0;
        continue;
      }
      ++node_;
      set_ = 0;
      rr_ = 0;
    }
    state_ = State::done;
    return soa_;
  }

 private:
  enum class State : uint8_t { first, body, done };
  const dns::ZoneVersion& zone_;
  dns::Record soa_;
  State state_ = State::first;
  size_t node_ = 0;
  size_t set_ = 0;
  size_t rr_ = 0;
};

class IxfrSource final : public RecordSource {
 public:
  IxfrSource(const dns::ZoneVersion& zone, std::vector<std::shared_ptr<const dns::ZoneDiff>> diffs)
      : soa_(apex_soa(zone)), diffs_(std::move(diffs)) {}

  std::optional<dns::Record> next() override {
    while (true) {
      switch (phase_) {
        case Phase::start: phase_ = diffs_.empty() ? Phase::end : Phase::old_soa; return soa_;
        case Phase::old_soa: phase_ = Phase::removed; return section_soa(diff().removed, diff().from);
        case Phase::removed:
          if (auto r = next_in(diff().removed)) return r;
          phase_ = Phase::new_soa;
          break;
        case Phase::new_soa: phase_ = Phase::added; return section_soa(diff().added, diff().to);
        case Phase::added:
          if (auto r = next_in(diff().added)) return r;
          ++diff_;
          phase_ = diff_ < diffs_.size() ? Phase::old_soa : Phase::end;
          break;
        case Phase::end: phase_ = Phase::done; return soa_;
        case Phase::done: return std::nullopt;
      }
    }
  }

 private:
  enum class Phase : uint8_t { start, old_soa, removed, new_soa, added, end, done };
  const dns::ZoneDiff& diff() const { return *diffs_[diff_]; }

  dns::Record section_soa(const std::vector<dns::RRset>& section, uint32_t serial) const {
    for (const auto& set : section) {
      if (set.type() == dns::RRType::SOA && !set.empty()) {
        return dns::Record{set.owner(), dns::RRType::SOA, set.rclass(), set.ttl(), set.rdatas().front()};
      }
    }
    dns::Record r = soa_;
    r.rdata = with_serial(r.rdata, serial);
    return r;
  }

  // The records of a section other than its SOA, which section_soa placed.
  std::optional<dns::Record> next_in(const std::vector<dns::RRset>& section) {
    while (set_ < section.size()) {
      const dns::RRset& set = section[set_];
      if (set.type() != dns::RRType::SOA && rr_ < set.size()) {
        return dns::Record{set.owner(), set.type(), set.rclass(), set.ttl(), set.rdatas()[rr_++]};
      }
      ++set_;
      rr_ = 0;
    }
    set_ = 0;
    rr_ = 0;
    return std::nullopt;
  }

  dns::Record soa_;
  std::vector<std::shared_ptr<const dns::ZoneDiff>> diffs_;
  Phase phase_ = Phase::start;
  size_t diff_ = 0;
  size_t set_ = 0;
  size_t rr_ = 0;
};

}  // namespace

dns::Rdata with_serial(std::span<const uint8_t> soa_rdata, uint32_t serial) {
  auto out = dns::soa_with_serial(soa_rdata, serial);
  return out ? std::move(*out) : dns::Rdata(soa_rdata.begin(), soa_rdata.end());
}

std::unique_ptr<RecordSource> make_axfr_source(const dns::ZoneVersion& zone) {
  return std::make_unique<AxfrSource>(zone);
}

std::unique_ptr<RecordSource> make_ixfr_source(const dns::ZoneVersion& zone,
                                               std::span<const std::shared_ptr<const dns::ZoneDiff>> diffs) {
  std::vector<std::shared_ptr<const dns::ZoneDiff>> own;
  if (diffs.size() > 1) {
    own.push_back(std::make_shared<const dns::ZoneDiff>(condense_diffs(diffs)));
  } else {
    own.assign(diffs.begin(), diffs.end());
  }
  return std::make_unique<IxfrSource>(zone, std::move(own));
}

dns::ZoneDiff condense_diffs(std::span<const std::shared_ptr<const dns::ZoneDiff>> diffs) {
  dns::ZoneDiff out;
  if (diffs.empty()) return out;
  out.from = diffs.front()->from;
  out.to = diffs.back()->to;
  // One entry per RR, TTL included: a TTL change stays a removal and an
  // addition, while an RR added and later removed (or the reverse) cancels.
  using Key = std::tuple<std::string, uint16_t, uint32_t, dns::Rdata>;
  struct Entry {
    dns::Name owner;
    dns::RRClass rclass;
  };
  std::map<Key, Entry> removed;
  std::map<Key, Entry> added;
  auto walk = [](const std::vector<dns::RRset>& section, auto&& f) {
    for (const auto& set : section) {
      if (set.type() == dns::RRType::SOA) continue;
      std::string owner;
      set.owner().view().append_canonical_key(owner);
      for (const auto& rd : set.rdatas()) f(Key{owner, dns::code(set.type()), set.ttl(), rd}, set);
    }
  };
  for (const auto& d : diffs) {
    walk(d->removed, [&](Key k, const dns::RRset& set) {
      if (added.erase(k) == 0) removed.emplace(std::move(k), Entry{set.owner(), set.rclass()});
    });
    walk(d->added, [&](Key k, const dns::RRset& set) {
      if (removed.erase(k) == 0) added.emplace(std::move(k), Entry{set.owner(), set.rclass()});
    });
  }
  auto soa_of = [](const std::vector<dns::RRset>& section, std::vector<dns::RRset>& to) {
    for (const auto& set : section) {
      if (set.type() == dns::RRType::SOA) to.push_back(set);
    }
  };
  soa_of(diffs.front()->removed, out.removed);
  soa_of(diffs.back()->added, out.added);
  auto emit = [](const std::map<Key, Entry>& from, std::vector<dns::RRset>& to) {
    for (const auto& [k, e] : from) {
      dns::RRset set(e.owner, static_cast<dns::RRType>(std::get<1>(k)), e.rclass, std::get<2>(k));
      set.add(std::get<3>(k));
      to.push_back(std::move(set));
    }
  };
  emit(removed, out.removed);
  emit(added, out.added);
  return out;
}

std::optional<size_t> find_ixfr_start(std::span<const std::shared_ptr<const dns::ZoneDiff>> journal,
                                      uint32_t client_serial, uint32_t current_serial) noexcept {
  for (size_t i = 0; i < journal.size(); ++i) {
    if (!journal[i] || journal[i]->from != client_serial) continue;
    uint32_t at = client_serial;
    for (size_t j = i; j < journal.size(); ++j) {
      if (!journal[j] || journal[j]->from != at) return std::nullopt;
      at = journal[j]->to;
    }
    if (at == current_serial) return i;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace signerd::xfr
