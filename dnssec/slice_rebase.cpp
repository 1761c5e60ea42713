#include "dnssec/slice_rebase.hpp"

#include <utility>
#include <vector>

namespace signerd::dnssec {

Result<SignedUpdate> rebase_slice(const dns::ZoneDiff& slice_diff, const std::set<dns::Name>& touched,
                                  const dns::ZoneVersion& unsigned_current,
                                  const dns::ZoneVersion& signed_current, const dns::ZoneDiff& bump,
                                  const ZoneKeys& keys, const SigningParams& params, base::TimePoint now,
                                  SigningSession* session) {
  const dns::Name apex(signed_current.origin());
  auto holds = [&](const dns::RRset& r) { return r.owner() != apex && !touched.contains(r.owner()); };
  dns::ZoneDiff kept{signed_current.serial(), signed_current.serial(), {}, {}};
  for (const auto& r : slice_diff.removed)
    if (holds(r)) kept.removed.push_back(r);
  for (const auto& r : slice_diff.added)
    if (holds(r)) kept.added.push_back(r);
  auto with_slice = dns::apply_diff(signed_current, kept);
  if (!with_slice) return std::move(with_slice).error();
  auto bumped = sign_change(unsigned_current, **with_slice, bump, keys, params, now, session);
  if (!bumped) return std::move(bumped).error();
  if (!*bumped)
    return base::make_error(base::Errc::conflict, "rebase_slice: the SOA bump needs the whole zone");
  SignedUpdate out = std::move(**bumped);
  // The net change, owner by owner (merge_diffs would fold a node's RRSIG
  // groups, each with its covered type's TTL, into one RRset).
  std::set<dns::Name> owners;
  for (const auto* d : {&kept, &out.signed_diff}) {
    for (const auto& r : d->removed) owners.insert(r.owner());
    for (const auto& r : d->added) owners.insert(r.owner());
  }
  out.signed_diff = dns::diff_owners(signed_current, *out.signed_next, owners);
  return out;
}

}  // namespace signerd::dnssec
