#include "store/zone_replay.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace signerd::store {

using base::Errc;
using base::make_error;

namespace {

// Label length octets are at most 63, below 'A', so lowercasing the whole
// wire form is safe.
void append_lowered(std::string& out, dns::NameView owner) {
  for (uint8_t c : owner.wire()) out.push_back(static_cast<char>(dns::to_lower_octet(c)));
}

// Lowercased owner wire, type and, for RRSIG, the covered type: apply_diff's
// unit of TTL and presence.
void make_key(std::string& key, dns::NameView owner, dns::RRType type, std::span<const uint8_t> rdata) {
  key.clear();
  append_lowered(key, owner);
  const uint16_t t = dns::code(type);
  key.push_back(static_cast<char>(t >> 8));
  key.push_back(static_cast<char>(t & 0xff));
  if (type == dns::RRType::RRSIG && rdata.size() >= 2) {
    key.push_back(static_cast<char>(rdata[0]));
    key.push_back(static_cast<char>(rdata[1]));
  }
}

// The RRsets any diff touches, with their content as the replay goes.
class TouchedSets {
 public:
  explicit TouchedSets(std::string_view what) : what_(what) {}

  void note(const dns::RRset& set) {
    owners_.insert(lowered(set.owner()));
    for (const auto& rd : set.rdatas()) {
      make_key(key_, set.owner(), set.type(), rd);
      sets_.try_emplace(key_);
    }
  }
  bool empty() const noexcept { return sets_.empty(); }

  // Whether a diff touches any RRset at `owner`. A snapshot has millions of
  // RRs and a journal a few hundred owners: one lookup per owner (RRsets
  // of one owner come together), not a key per RR.
  bool touches_owner(dns::NameView owner) {
    const auto wire = owner.wire();
    if (!(wire.size() == last_owner_.size() && std::equal(wire.begin(), wire.end(), last_owner_.begin()))) {
      last_owner_.assign(wire.begin(), wire.end());
      last_touched_ = owners_.contains(lowered(owner));
    }
    return last_touched_;
  }

  // A snapshot RR: held aside when a diff touches it. Returns whether it was.
  bool take(const DecodedRRset& set, std::span<const uint8_t> rd) {
    make_key(key_, set.owner, set.type, rd);
    auto it = sets_.find(key_);
    if (it == sets_.end()) return false;
    if (!it->second) it->second.emplace(dns::Name(set.owner), set.type, set.rclass, set.ttl);
    it->second->add(rd);
    return true;
  }

  Result<void> apply(const dns::ZoneDiff& diff, size_t index) {
    for (const auto& set : diff.removed) {
      for (const auto& rd : set.rdatas()) {
        auto& slot = slot_for(set, rd);
        if (!slot || !slot->remove(rd)) return inconsistent(index, set, "removes an RR that is not present");
      }
    }
    for (const auto& set : diff.added) {
      for (const auto& rd : set.rdatas()) {
        auto& slot = slot_for(set, rd);
        if (!slot) slot.emplace(set.owner(), set.type(), set.rclass(), set.ttl());
        slot->set_ttl(set.ttl());  // apply_diff: an added RRset's TTL is the RRset's
        if (!slot->add(rd)) return inconsistent(index, set, "adds an RR that is already present");
      }
    }
    return base::ok();
  }

  Result<void> emit(dns::ZoneBuilder& builder) const {
    for (const auto& [key, set] : sets_) {
      if (set && !set->empty()) {
        if (auto r = builder.add(*set); !r) {
          return make_error(Errc::malformed, std::string(what_) + ": after the journal: " + r.error().detail);
        }
      }
    }
    return base::ok();
  }

 private:
  std::optional<dns::RRset>& slot_for(const dns::RRset& set, std::span<const uint8_t> rd) {
    make_key(key_, set.owner(), set.type(), rd);
    return sets_[key_];
  }

  base::Error inconsistent(size_t index, const dns::RRset& set, const char* problem) const {
    return make_error(Errc::malformed, std::string(what_) + ": journal diff " + std::to_string(index + 1) +
                                           " " + problem + ": " + set.owner().to_text() + " " +
                                           dns::to_text(set.type()));
  }

  static std::string lowered(dns::NameView owner) {
    std::string out;
    append_lowered(out, owner);
    return out;
  }

  std::string_view what_;
  std::string key_;
  std::unordered_map<std::string, std::optional<dns::RRset>> sets_;
  std::unordered_set<std::string> owners_;
  std::vector<uint8_t> last_owner_;
  bool last_touched_ = false;
};

Result<void> check_chain(std::string_view what, uint32_t base_serial,
                         std::span<const dns::ZoneDiff* const> diffs, uint32_t expected) {
  uint32_t serial = base_serial;
  for (size_t i = 0; i < diffs.size(); ++i) {
    if (diffs[i]->from != serial) {
      return make_error(Errc::malformed, std::string(what) + ": journal diff " + std::to_string(i + 1) +
                                             " starts at serial " + std::to_string(diffs[i]->from) +
                                             ", expected " + std::to_string(serial));
    }
    serial = diffs[i]->to;
  }
  if (serial != expected) {
    return make_error(Errc::malformed, std::string(what) + ": snapshot and journal end at serial " +
                                           std::to_string(serial) + ", the zone state says " +
                                           std::to_string(expected));
  }
  return base::ok();
}

}  // namespace

Result<std::shared_ptr<const dns::ZoneVersion>> replay_version(std::string_view what,
                                                               const ChunkSource& snapshot,
                                                               std::span<const dns::ZoneDiff* const> diffs,
                                                               uint32_t expected_serial) {
  TouchedSets touched(what);
  for (const dns::ZoneDiff* d : diffs) {
    for (const auto& set : d->removed) touched.note(set);
    for (const auto& set : d->added) touched.note(set);
  }
  std::optional<dns::ZoneBuilder> builder;
  auto wrap = [&](const base::Error& e) {
    return make_error(Errc::malformed, std::string(what) + ": " + e.detail);
  };
  auto decoded = decode_version(
      what, snapshot,
      [&](const VersionHeader& h) -> Result<void> {
        SIGNERD_TRY(check_chain(what, h.serial, diffs, expected_serial));
        builder.emplace(h.origin, h.rclass);
        return base::ok();
      },
      [&](const DecodedRRset& set) -> Result<void> {
        const bool held = !touched.empty() && touched.touches_owner(set.owner);
        for (const auto& rd : set.rdatas) {
          if (held && touched.take(set, rd)) continue;
          if (auto r = builder->add(set.owner, set.type, set.rclass, set.ttl, rd); !r) return wrap(r.error());
        }
        return base::ok();
      });
  SIGNERD_TRY(decoded);
  for (size_t i = 0; i < diffs.size(); ++i) SIGNERD_TRY(touched.apply(*diffs[i], i));
  SIGNERD_TRY(touched.emit(*builder));
  auto version = std::move(*builder).finish();
  if (!version) return wrap(version.error());
  if ((*version)->serial() != expected_serial) {
    return make_error(Errc::malformed, std::string(what) + ": rebuilt version has SOA serial " +
                                           std::to_string((*version)->serial()) + ", expected " +
                                           std::to_string(expected_serial));
  }
  return version;
}

}  // namespace signerd::store
