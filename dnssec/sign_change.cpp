#include "dnssec/sign_change.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dnssec/denial.hpp"
#include "dnssec/nsec3_chain.hpp"
#include "dnssec/resign_rules.hpp"
#include "dnssec/sign_change_scope.hpp"
#include "dnssec/signing_pool.hpp"
#include "dnssec/signing_rules.hpp"
#include "dnssec/type_bitmap.hpp"

namespace signerd::dnssec {
namespace {

using base::Errc;
using base::make_error;
using detail::Membership;
using detail::SignJob;
using dns::RRType;

// One RRset of the next signed zone at an owner the change reaches: base
// data (a view into unsigned_next, or the signed base's own DNSKEY,
// NSEC3PARAM, CDS and CDNSKEY, which equal the keys' and params'), or one
// NSEC/NSEC3.
struct Wanted {
  RRType type = RRType::A;
  uint32_t ttl = 0;
  std::optional<dns::RRsetView> view;
  dns::Rdata denial;
  bool is_signed = false;
};

// The owners whose records are rebuilt, canonical order (hashed NSEC3
// owners among them); an empty list removes what the signed base holds.
using Plan = std::map<dns::Name, std::vector<Wanted>>;

struct Inputs {
  const dns::ZoneVersion& before;  // unsigned_base
  const dns::ZoneVersion& after;   // unsigned_next
  const dns::ZoneVersion& signed_base;
  const dns::ZoneVersion& key_apex;  // key_apex_of()
  uint32_t denial_ttl = 0;
  std::vector<RRType> apex_added;  // detail::apex_added_types
};

// True when the apex RRset of `type` holds exactly `rdatas` with `ttl`;
// no RDATA: no such RRset.
bool same_apex_rrset(dns::NodeView apex, RRType type, const std::vector<dns::Rdata>& rdatas, uint32_t ttl) {
  auto set = apex.find(type);
  if (!set) return rdatas.empty();
  if (set->ttl() != ttl) return false;
  dns::RRset wanted(dns::Name(apex.owner()), type, dns::RRClass::IN, ttl);
  for (const auto& rd : rdatas) wanted.add(rd);
  if (wanted.size() != set->size()) return false;
  for (size_t i = 0; i < set->size(); ++i) {
    if (!wanted.contains(set->rdata(i))) return false;
  }
  return true;
}

// The apex RRsets base_zone makes from the keys and params (DNSKEY, CDS,
// CDNSKEY: RFC 7344 section 4) are the signed base's. When they are not,
// sign_diff rebuilds them; add_base_sets copies them when they are.
bool same_key_rrsets(dns::NodeView apex, const detail::KeySetInfo& key_set, const SigningParams& params) {
  return same_apex_rrset(apex, RRType::DNSKEY, key_set.published, params.dnskey_ttl) &&
         same_apex_rrset(apex, RRType::CDS, key_set.cds, params.dnskey_ttl) &&
         same_apex_rrset(apex, RRType::CDNSKEY, key_set.cdnskey, params.dnskey_ttl);
}

// The apex RRsets the signer makes from the keys and params (DNSKEY, CDS,
// CDNSKEY, NSEC3PARAM), as base_zone() makes them, in a zone of their own: a plan views
// them as it views the unsigned data. The signed base's SOA and NS come
// along: ZoneBuilder makes no zone without them.
Result<std::shared_ptr<const dns::ZoneVersion>> key_apex_of(const dns::ZoneVersion& signed_base,
                                                            const detail::KeySetInfo& key_set,
                                                            const SigningParams& params) {
  const dns::NameView origin = signed_base.origin();
  const dns::RRClass rclass = signed_base.rclass();
  dns::ZoneBuilder builder(dns::Name(origin), rclass);
  for (RRType t : {RRType::SOA, RRType::NS}) {
    if (auto set = signed_base.apex().find(t)) {
      for (size_t i = 0; i < set->size(); ++i)
        SIGNERD_TRY(builder.add(origin, t, rclass, set->ttl(), set->rdata(i)));
    }
  }
  for (const auto& rd : key_set.published)
    SIGNERD_TRY(builder.add(origin, RRType::DNSKEY, rclass, params.dnskey_ttl, rd));
  for (const auto& rd : key_set.cds)
    SIGNERD_TRY(builder.add(origin, RRType::CDS, rclass, params.dnskey_ttl, rd));
  for (const auto& rd : key_set.cdnskey)
    SIGNERD_TRY(builder.add(origin, RRType::CDNSKEY, rclass, params.dnskey_ttl, rd));
  if (const auto* nsec3 = std::get_if<Nsec3Params>(&params.denial))
    SIGNERD_TRY(builder.add(origin, RRType::NSEC3PARAM, rclass, params.nsec3param_ttl,
                            make_nsec3param_rdata(*nsec3)));
  return std::move(builder).finish();
}

// The algorithms of the RRSIGs over the apex SOA, or of the keys
// expected to sign the zone: sorted, once each.
std::vector<uint8_t> soa_signer_algorithms(dns::NodeView apex) {
  std::vector<uint8_t> out;
  if (auto rrsigs = apex.find_rrsig(RRType::SOA)) {
    for (size_t i = 0; i < rrsigs->size(); ++i)
      if (rrsigs->rdata(i).size() > 2) out.push_back(rrsigs->rdata(i)[2]);  // RFC 4034 3.1: algorithm
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}
std::vector<uint8_t> algorithms_of(const std::vector<detail::KeyId>& keys) {
  std::vector<uint8_t> out;
  for (const auto& [algorithm, tag] : keys) out.push_back(algorithm);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool same_denial_kind(dns::NodeView apex, const SigningParams& params) {
  auto param = apex.find(RRType::NSEC3PARAM);
  const auto* nsec3 = std::get_if<Nsec3Params>(&params.denial);
  if (nsec3 == nullptr) return !param && apex.find(RRType::NSEC);
  return param && param->ttl() == params.nsec3param_ttl && param->size() == 1 &&
         detail::same_bytes(param->rdata(0), make_nsec3param_rdata(*nsec3));
}

// True when the apex RRSIGs over `type` are by exactly `expected`: the
// keys' roles (not only their DNSKEY records) are those that signed the
// base, so untouched RRsets keep RRSIGs sign_diff would keep too.
bool signed_by(dns::NodeView apex, RRType type, const std::vector<detail::KeyId>& expected) {
  auto set = apex.find(type);
  auto rrsigs = apex.find_rrsig(type);
  return set && rrsigs && detail::reusable_rrsigs(*rrsigs, set->ttl(), expected, std::nullopt).has_value();
}

// True when the change needs the whole zone re-signed (sign_change.hpp).
Result<bool> needs_whole_zone(const Inputs& in, const detail::KeySetInfo& key_set,
                              const detail::ExpectedKeys& expected, const SigningParams& params,
                              KeyChange key_change) {
  const dns::NodeView signed_apex = in.signed_base.apex();
  if (!same_denial_kind(signed_apex, params)) return true;
  if (key_change == KeyChange::gradual) {
    if (soa_signer_algorithms(signed_apex) != algorithms_of(expected.zone)) return true;
  } else if (!same_key_rrsets(signed_apex, key_set, params) ||
             !signed_by(signed_apex, RRType::DNSKEY, expected.dnskey) ||
             !signed_by(signed_apex, RRType::SOA, expected.zone)) {
    return true;
  }
  // RFC 8976: the digest covers every record.
  if (in.after.apex().find(RRType::ZONEMD)) return true;
  // An apex DNAME occludes the whole zone (RFC 6672 2.3).
  if (in.after.apex().find(RRType::DNAME).has_value() != in.before.apex().find(RRType::DNAME).has_value())
    return true;
  auto before_ttl = denial_ttl(in.before);
  if (!before_ttl) return std::move(before_ttl).error();
  return *before_ttl != in.denial_ttl;
}

std::optional<size_t> index_of(const dns::ZoneVersion& zone, dns::NameView name) {
  const size_t i = zone.lower_bound(name);
  if (i < zone.node_count() && zone.node(i).owner() == name) return i;
  return std::nullopt;
}

// The owner's base RRsets in unsigned_next (as base_zone() keeps them),
// once: the entry for a name with none stays empty.
std::vector<Wanted>& add_base_sets(Plan& plan, const Inputs& in, dns::NameView owner) {
  auto [it, inserted] = plan.try_emplace(dns::Name(owner));
  if (!inserted) return it->second;
  auto node = in.after.find(owner);
  if (!node || !detail::has_base_data(*node)) return it->second;
  const NodeRole role = role_of(*node);
  for (size_t i = 0; i < node->rrset_count(); ++i) {
    const dns::RRsetView set = node->rrset(i);
    if (dns::is_signer_owned_type(set.type())) continue;
    it->second.push_back({set.type(), set.ttl(), set, {}, is_signed(role, set.type())});
  }
  if (node->is_apex()) {
    for (RRType t : {RRType::DNSKEY, RRType::NSEC3PARAM, RRType::CDS, RRType::CDNSKEY}) {
      if (auto set = in.key_apex.apex().find(t)) it->second.push_back({t, set->ttl(), set, {}, true});
    }
  }
  return it->second;
}

// NSEC: the touched names that own one, and the chain predecessor of
// every touched name, whose next name may change. False: a walk too long.
bool plan_nsec(Plan& plan, const Inputs& in, const std::set<dns::Name>& touched) {
  std::set<size_t> owners;
  for (const dns::Name& t : touched) {
    add_base_sets(plan, in, t);
    const auto i = index_of(in.after, t);
    if (i && detail::in_nsec_chain(in.after.node(*i))) owners.insert(*i);
    if (t == in.after.origin()) continue;
    const auto previous = detail::nsec_previous(in.after, t);
    if (!previous) return false;
    owners.insert(*previous);
  }
  for (size_t i : owners) {
    const dns::NodeView node = in.after.node(i);
    const auto next = detail::nsec_next(in.after, i);
    if (!next) return false;
    Wanted nsec{RRType::NSEC, in.denial_ttl, std::nullopt, {}, true};
    nsec.denial.assign(next->wire().begin(), next->wire().end());
    append_type_bitmap(detail::chain_types(node, in.apex_added, RRType::NSEC), nsec.denial);
    add_base_sets(plan, in, node.owner()).push_back(std::move(nsec));
  }
  return true;
}

// A touched name in NSEC3 terms.
struct HashedName {
  Nsec3Hash hash;
  dns::Name hashed_owner;
  std::optional<size_t> node;  // in unsigned_next
  Membership after = Membership::out;
  bool before = false;  // the signed base has its NSEC3
};

std::optional<dns::RRsetView> nsec3_at(const dns::ZoneVersion& zone, dns::NameView owner) {
  auto node = zone.find(owner);
  return node ? node->find(RRType::NSEC3) : std::nullopt;
}

Result<std::vector<HashedName>> hash_touched(const Inputs& in, const std::set<dns::Name>& touched,
                                             const Nsec3Params& params) {
  auto hasher = Nsec3Hasher::create(params);
  if (!hasher) return std::move(hasher).error();
  std::vector<HashedName> out;
  for (const dns::Name& t : touched) {
    auto hash = hasher->hash(t);
    if (!hash) return std::move(hash).error();
    auto owner = nsec3_owner(*hash, in.after.origin());
    if (!owner) return std::move(owner).error();
    HashedName h{*hash, std::move(*owner), index_of(in.after, t), Membership::out, false};
    if (h.node) h.after = detail::in_nsec3_chain(in.after, *h.node, params.opt_out);
    h.before = nsec3_at(in.signed_base, h.hashed_owner).has_value();
    out.push_back(std::move(h));
  }
  return out;
}

// An empty non-terminal whose membership a bounded walk could not settle.
// Any name below it whose own membership changed is touched, so: it is in
// when a touched name below it is; otherwise it keeps the signed base's
// status unless a touched name below it left the chain, which only a walk
// could weigh. Deepest first, so that nested ones are settled before
// their ancestors. False: give up.
bool settle_unknown(std::vector<HashedName>& names, const std::set<dns::Name>& touched) {
  const std::vector<const dns::Name*> order = [&] {
    std::vector<const dns::Name*> v;
    for (const dns::Name& t : touched) v.push_back(&t);
    return v;
  }();
  for (size_t k = names.size(); k-- > 0;) {
    if (names[k].after != Membership::unknown) continue;
    bool below_in = false, below_left = false;
    for (size_t j = k + 1; j < names.size() && order[j]->is_subdomain_of(*order[k]); ++j) {
      below_in |= names[j].after == Membership::in;
      below_left |= names[j].before && names[j].after != Membership::in;
    }
    if (!below_in && below_left) return false;
    names[k].after = below_in || names[k].before ? Membership::in : Membership::out;
  }
  return true;
}

// NSEC3: the records of touched names (new, changed or gone) and, for
// every hash that enters or leaves the chain, its predecessor's, whose
// next hashed owner changes. False: a walk too long or a signed base of
// another opt-out setting.
Result<bool> plan_nsec3(Plan& plan, const Inputs& in, const std::set<dns::Name>& touched,
                        const Nsec3Params& params) {
  auto names = hash_touched(in, touched, params);
  if (!names) return std::move(names).error();
  if (!settle_unknown(*names, touched)) return false;
  std::set<Nsec3Hash> entering, leaving;
  for (const HashedName& h : *names) {
    const bool now_in = h.after == Membership::in;
    if (now_in && !h.before) entering.insert(h.hash);
    if (!now_in && h.before) leaving.insert(h.hash);
  }
  // The apex is always in: its record tells the signed base's opt-out.
  auto apex_nsec3 = nsec3_at(in.signed_base, names->front().hashed_owner);
  if (!apex_nsec3 || apex_nsec3->rdata(0).size() < 2 ||
      apex_nsec3->rdata(0)[1] != (params.opt_out ? kNsec3FlagOptOut : 0))
    return false;
  const detail::HashRing ring(in.signed_base, entering, leaving);
  for (const HashedName& h : *names) {
    auto& sets = plan[h.hashed_owner];
    if (h.after != Membership::in) continue;
    auto next = ring.next(h.hash);
    if (!next) return false;
    const auto types = detail::chain_types(in.after.node(*h.node), in.apex_added, RRType::NSEC3);
    sets = {{RRType::NSEC3, in.denial_ttl, std::nullopt, nsec3_rdata(params, *next, types), true}};
  }
  std::set<Nsec3Hash> moved = entering;
  moved.insert(leaving.begin(), leaving.end());
  for (const Nsec3Hash& hash : moved) {
    auto previous = ring.previous(hash);
    if (!previous) return false;
    auto owner = nsec3_owner(*previous, in.after.origin());
    if (!owner) return std::move(owner).error();
    if (plan.contains(*owner)) continue;
    auto old = nsec3_at(in.signed_base, *owner);
    auto next = ring.next(*previous);
    if (!old || !next) return false;
    auto rdata = detail::with_next_hash(old->rdata(0), *next);
    if (!rdata) return false;
    plan[*owner] = {{RRType::NSEC3, in.denial_ttl, std::nullopt, std::move(*rdata), true}};
  }
  return true;
}

// The signing work of a plan: one job per signed RRset, and for each job
// the RRSIGs it keeps from the signed base (empty: signed anew).
struct Jobs {
  std::vector<SignJob> all;
  std::vector<std::vector<std::span<const uint8_t>>> kept;
  std::vector<size_t> to_sign;
};

// RRSIGs carry over as in sign_diff (resign_rules.hpp): those expiring
// before `refresh_by` do not.
Jobs make_jobs(const Plan& plan, const dns::ZoneVersion& signed_base, const detail::ExpectedKeys& expected,
               uint32_t refresh_by) {
  Jobs jobs;
  for (const auto& [owner, sets] : plan) {
    auto old_node = signed_base.find(owner);
    for (const Wanted& w : sets) {
      if (!w.is_signed) continue;
      const SignJob job{owner, w.type, w.ttl, w.view, w.denial};
      std::optional<std::vector<std::span<const uint8_t>>> kept;
      auto old = old_node ? old_node->find(w.type) : std::nullopt;
      auto rrsigs = old_node ? old_node->find_rrsig(w.type) : std::nullopt;
      if (old && rrsigs && detail::same_rrset(job, *old))
        kept = detail::reusable_rrsigs(*rrsigs, w.ttl, expected.of(w.type), refresh_by);
      if (!kept) jobs.to_sign.push_back(jobs.all.size());
      jobs.all.push_back(job);
      jobs.kept.push_back(kept ? std::move(*kept) : std::vector<std::span<const uint8_t>>{});
    }
  }
  return jobs;
}

// (type, covered type): the order of a node's RRsets and RRSIG groups.
using GroupKey = uint32_t;
GroupKey key_of(RRType type, RRType covered) noexcept {
  return uint32_t{dns::code(type)} << 16 | dns::code(covered);
}

// Appends what turns `old` into `wanted` (both sorted by key).
void diff_owner(std::optional<dns::NodeView> old, const std::vector<std::pair<GroupKey, dns::RRset>>& wanted,
                dns::RRClass rclass, dns::ZoneDiff& out) {
  size_t i = 0, j = 0;
  const size_t n_old = old ? old->rrset_count() : 0;
  while (i < n_old || j < wanted.size()) {
    const uint64_t a = i < n_old ? key_of(old->rrset(i).type(), old->rrset(i).covered()) : uint64_t{1} << 32;
    const uint64_t b = j < wanted.size() ? wanted[j].first : uint64_t{1} << 32;
    std::optional<dns::RRsetView> gone = a <= b ? std::optional(old->rrset(i++)) : std::nullopt;
    const dns::RRset* fresh = b <= a ? &wanted[j++].second : nullptr;
    const dns::NameView owner = old ? old->owner() : fresh->owner().view();
    dns::diff_rrset(owner, rclass, gone ? &*gone : nullptr, fresh, out);
  }
}

// The signed diff: each planned owner's records and RRSIGs against the
// signed base's. `rrsigs[j]` holds job j's RRSIGs, kept or new.
dns::ZoneDiff signed_diff(const Plan& plan, const Inputs& in,
                          const std::vector<std::vector<std::span<const uint8_t>>>& rrsigs) {
  dns::ZoneDiff out{in.signed_base.serial(), in.after.serial(), {}, {}};
  const dns::RRClass rclass = in.signed_base.rclass();
  size_t job = 0;
  for (const auto& [owner, sets] : plan) {
    std::vector<std::pair<GroupKey, dns::RRset>> wanted;
    for (const Wanted& w : sets) {
      dns::RRset set(owner, w.type, rclass, w.ttl);
      if (w.view) {
        for (size_t i = 0; i < w.view->size(); ++i) set.add(w.view->rdata(i));
      } else {
        set.add(w.denial);
      }
      wanted.emplace_back(key_of(w.type, RRType{}), std::move(set));
      if (!w.is_signed) continue;
      dns::RRset sigs(owner, RRType::RRSIG, rclass, w.ttl);
      for (auto rd : rrsigs[job++]) sigs.add(rd);
      wanted.emplace_back(key_of(RRType::RRSIG, w.type), std::move(sigs));
    }
    std::sort(wanted.begin(), wanted.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    diff_owner(in.signed_base.find(owner), wanted, rclass, out);
  }
  return out;
}

}  // namespace

struct SigningSession::Opened {
  std::vector<detail::WorkerKeys> workers;  // one
};

SigningSession::SigningSession(std::unique_ptr<Opened> opened) : opened_(std::move(opened)) {}
SigningSession::SigningSession(SigningSession&&) noexcept = default;
SigningSession& SigningSession::operator=(SigningSession&&) noexcept = default;
SigningSession::~SigningSession() = default;

SigningSession::Opened& opened_of(SigningSession& s) noexcept { return *s.opened_; }

Result<SigningSession> SigningSession::open(const ZoneKeys& keys, unsigned workers_wanted) {
  if (keys.store == nullptr) return make_error(Errc::invalid_argument, "signing session: no key store");
  auto workers = detail::open_workers(*keys.store, keys.keys, std::max(workers_wanted, 1u));
  if (!workers) return std::move(workers).error();
  return SigningSession(std::make_unique<Opened>(Opened{std::move(*workers)}));
}

Result<std::optional<SignedUpdate>> sign_change(const dns::ZoneVersion& unsigned_base,
                                                const dns::ZoneVersion& signed_base,
                                                const dns::ZoneDiff& change, const ZoneKeys& keys,
                                                const SigningParams& params, base::TimePoint now,
                                                SigningSession* session, std::span<const dns::Name> refresh,
                                                KeyChange key_change) {
  if (keys.store == nullptr) return make_error(Errc::invalid_argument, "sign_change: no key store");
  SIGNERD_TRY(detail::check_bases(unsigned_base, signed_base, "sign_change"));
  auto unsigned_next = dns::apply_diff(unsigned_base, change);
  if (!unsigned_next) return std::move(unsigned_next).error();
  std::optional<SigningSession> own;
  if (session == nullptr) {
    auto opened = SigningSession::open(keys);
    if (!opened) return std::move(opened).error();
    own = std::move(*opened);
    session = &*own;
  }
  std::span<detail::WorkerKeys> workers(opened_of(*session).workers);
  auto key_set = detail::key_set_of(keys.keys, workers.front(), params, signed_base.origin());
  if (!key_set) return std::move(key_set).error();

  auto ttl = denial_ttl(**unsigned_next);
  if (!ttl) return std::move(ttl).error();
  auto key_apex = key_apex_of(signed_base, *key_set, params);
  if (!key_apex) return std::move(key_apex).error();
  const Inputs in{unsigned_base, **unsigned_next,
                  signed_base,   **key_apex,
                  *ttl,          detail::apex_added_types(*key_set, params)};
  const detail::ExpectedKeys expected = detail::expected_keys(keys.keys, *key_set);
  auto whole = needs_whole_zone(in, *key_set, expected, params, key_change);
  if (!whole) return std::move(whole).error();
  if (*whole) return std::optional<SignedUpdate>{};

  Plan plan;
  std::set<dns::Name> touched = detail::touched_names(unsigned_base, in.after, change);
  touched.insert(refresh.begin(), refresh.end());
  if (const auto* nsec3 = std::get_if<Nsec3Params>(&params.denial)) {
    for (const dns::Name& t : touched) add_base_sets(plan, in, t);
    auto planned = plan_nsec3(plan, in, touched, *nsec3);
    if (!planned) return std::move(planned).error();
    if (!*planned) return std::optional<SignedUpdate>{};
  } else if (!plan_nsec(plan, in, touched)) {
    return std::optional<SignedUpdate>{};
  }

  Jobs jobs = make_jobs(plan, signed_base, expected,
                        static_cast<uint32_t>((now + params.refresh).time_since_epoch().count()));
  std::vector<SignJob> selected;
  for (size_t j : jobs.to_sign) selected.push_back(jobs.all[j]);
  const detail::SignContext ctx{signed_base.origin(), signed_base.rclass(), &params, now, keys.keys,
                                key_set->key_tags};
  auto fresh = detail::sign_jobs(selected, ctx, workers);
  if (!fresh) return std::move(fresh).error();
  std::vector<std::vector<std::span<const uint8_t>>> rrsigs = std::move(jobs.kept);
  for (const auto& r : *fresh) rrsigs[jobs.to_sign[r.job]].push_back(r.rrsig);

  SignedUpdate out;
  out.signed_diff = signed_diff(plan, in, rrsigs);
  auto signed_next = dns::apply_diff(signed_base, out.signed_diff);
  if (!signed_next) return std::move(signed_next).error();
  out.unsigned_next = std::move(*unsigned_next);
  out.signed_next = std::move(*signed_next);
  out.rrsets_signed = selected.size();
  out.signatures_made = fresh->size();
  return std::optional<SignedUpdate>(std::move(out));
}

}  // namespace signerd::dnssec
