#include "dnssec/sign_diff.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "dnssec/resign_rules.hpp"
#include "dnssec/signing_pool.hpp"

namespace signerd::dnssec {
namespace {

using base::Errc;
using base::make_error;
using detail::ExpectedKeys;
using detail::KeyId;
using detail::SignedRecord;
using detail::SignJob;

// The RRSIGs of signed_base that still cover `job`, appended to `kept` as
// job `index`; false (and nothing appended) when `job` needs new ones: its
// data or keys changed, or a signature expires before `refresh_by` (RFC
// 4034 3.1.5 serial arithmetic on the 32-bit times).
bool keep_rrsigs(const std::optional<dns::NodeView>& node, const SignJob& job, size_t index,
                 const std::vector<KeyId>& expected, uint32_t refresh_by, std::vector<SignedRecord>& kept) {
  if (!node) return false;
  auto old = node->find(job.type);
  auto rrsigs = node->find_rrsig(job.type);
  if (!old || !rrsigs || !detail::same_rrset(job, *old)) return false;
  auto reused = detail::reusable_rrsigs(*rrsigs, job.ttl, expected, refresh_by);
  if (!reused) return false;
  // Borrowed, not copied: signed_base outlives the assembly of the next zone.
  for (auto rd : *reused) kept.push_back({index, {}, rd});
  return true;
}

// Splits the jobs into those whose RRSIGs carry over (into `kept`) and
// those to sign (the result, as indices into `jobs`).
std::vector<size_t> plan(const dns::ZoneVersion& signed_base, std::span<const SignJob> jobs,
                         const ExpectedKeys& expected, uint32_t refresh_by, std::vector<SignedRecord>& kept) {
  std::vector<size_t> to_sign;
  // Jobs of one owner come together: look its node up once.
  std::optional<dns::NodeView> node;
  for (size_t j = 0; j < jobs.size(); ++j) {
    if (!node || !(node->owner() == jobs[j].owner)) node = signed_base.find(jobs[j].owner);
    if (!keep_rrsigs(node, jobs[j], j, expected.of(jobs[j].type), refresh_by, kept)) to_sign.push_back(j);
  }
  return to_sign;
}

// Signs the jobs of `to_sign` and appends their RRSIGs to `rrsigs` with
// the jobs' indices. Returns how many were made.
Result<size_t> sign_selected(std::span<const SignJob> jobs, const std::vector<size_t>& to_sign,
                             const detail::SignContext& ctx, std::vector<detail::WorkerKeys> workers,
                             std::vector<SignedRecord>& rrsigs) {
  std::vector<SignJob> selected;
  selected.reserve(to_sign.size());
  for (size_t j : to_sign) selected.push_back(jobs[j]);
  auto fresh = detail::sign_jobs(selected, ctx, std::move(workers));
  if (!fresh) return std::move(fresh).error();
  for (auto& r : *fresh) rrsigs.push_back({to_sign[r.job], std::move(r.rrsig), {}});
  return fresh->size();
}

}  // namespace

Result<SignedUpdate> sign_diff(const dns::ZoneVersion& unsigned_base, const dns::ZoneVersion& signed_base,
                               const dns::ZoneDiff& change, const ZoneKeys& keys, const SigningParams& params,
                               base::TimePoint now, unsigned workers) {
  if (keys.store == nullptr) return make_error(Errc::invalid_argument, "sign_diff: no key store");
  SIGNERD_TRY(detail::check_bases(unsigned_base, signed_base, "sign_diff"));
  auto unsigned_next = dns::apply_diff(unsigned_base, change);
  if (!unsigned_next) return std::move(unsigned_next).error();

  auto opened = detail::open_workers(*keys.store, keys.keys, workers);
  if (!opened) return std::move(opened).error();
  auto key_set = detail::key_set_of(keys.keys, opened->front(), params, signed_base.origin());
  if (!key_set) return std::move(key_set).error();

  // The next zone as sign_zone would build it, chain included: cheap next
  // to signing, and it makes "what changed" a plain comparison. Its apex
  // DNSKEY, NSEC3PARAM, CDS and CDNSKEY come from the keys and params, so a
  // change of those is re-signed like any changed RRset.
  auto base = detail::base_zone(**unsigned_next, *key_set, params);
  if (!base) return std::move(base).error();
  auto chain = detail::denial_chain(**base, params);
  if (!chain) return std::move(chain).error();
  const std::vector<SignJob> jobs = detail::sign_jobs_of(**base, *chain);

  std::vector<SignedRecord> rrsigs;
  const std::vector<size_t> to_sign =
      plan(signed_base, jobs, detail::expected_keys(keys.keys, *key_set),
           static_cast<uint32_t>((now + params.refresh).time_since_epoch().count()), rrsigs);
  const detail::SignContext ctx{signed_base.origin(), signed_base.rclass(), &params, now, keys.keys,
                                key_set->key_tags};
  auto made = sign_selected(jobs, to_sign, ctx, std::move(*opened), rrsigs);
  if (!made) return std::move(made).error();

  auto assembled = detail::assemble(**base, *chain, jobs, rrsigs);
  if (!assembled) return std::move(assembled).error();
  // The digest covers every RRSIG, so ZONEMD is recomputed and re-signed
  // on every diff (RFC 8976 section 3).
  size_t zonemd_signatures = 0;
  auto signed_next = detail::publish_zonemd(std::move(*assembled), ctx, *keys.store, zonemd_signatures);
  if (!signed_next) return std::move(signed_next).error();
  SignedUpdate out;
  out.signed_diff = dns::diff_versions(signed_base, **signed_next);
  out.unsigned_next = std::move(*unsigned_next);
  out.signed_next = std::move(*signed_next);
  out.rrsets_signed = to_sign.size() + (zonemd_signatures > 0 ? 1 : 0);
  out.signatures_made = *made + zonemd_signatures;
  return out;
}

}  // namespace signerd::dnssec
