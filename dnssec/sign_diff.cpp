#include "dnssec/sign_diff.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "dns/wire.hpp"
#include "dnssec/signing_pool.hpp"

namespace signerd::dnssec {
namespace {

using base::Errc;
using base::make_error;
using detail::SignedRecord;
using detail::SignJob;
using dns::RRType;

// (algorithm, key tag): which key made an RRSIG, as far as the RRSIG says.
using KeyId = std::pair<uint8_t, uint16_t>;

// The keys that sign the DNSKEY RRset and those that sign the rest, sorted.
struct ExpectedKeys {
  std::vector<KeyId> dnskey;
  std::vector<KeyId> zone;

  const std::vector<KeyId>& of(RRType type) const noexcept { return type == RRType::DNSKEY ? dnskey : zone; }
};

ExpectedKeys expected_keys(std::span<const SigningKey> keys, const detail::KeySetInfo& key_set) {
  ExpectedKeys out;
  for (size_t k = 0; k < keys.size(); ++k) {
    // DNSKEY RDATA: flags (2), protocol (1), algorithm (1) (RFC 4034 2.1).
    const KeyId id{key_set.dnskeys[k][3], key_set.key_tags[k]};
    if (keys[k].signs_dnskey()) out.dnskey.push_back(id);
    if (keys[k].signs_zone()) out.zone.push_back(id);
  }
  std::sort(out.dnskey.begin(), out.dnskey.end());
  std::sort(out.zone.begin(), out.zone.end());
  return out;
}

bool same_bytes(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

// True when `old` holds exactly what `job` signs: TTL (it is in the RRSIG,
// RFC 4034 3.1.4) and RDATA, both sides in canonical order.
bool same_rrset(const SignJob& job, dns::RRsetView old) noexcept {
  if (old.ttl() != job.ttl) return false;
  if (!job.rrset) return old.size() == 1 && same_bytes(old.rdata(0), job.rdata);
  if (old.size() != job.rrset->size()) return false;
  for (size_t i = 0; i < old.size(); ++i) {
    if (!same_bytes(old.rdata(i), job.rrset->rdata(i))) return false;
  }
  return true;
}

// RRSIG RDATA offsets (RFC 4034 3.1): type covered 0, algorithm 2,
// original TTL 4, key tag 16, signer name from 18.
constexpr size_t kRrsigSignerOffset = 18;

// The RRSIGs of signed_base that still cover `job`, appended to `kept` as
// job `index`; false (and nothing appended) when `job` needs new ones: its
// data or keys changed, or a signature expires before `refresh_by` (RFC
// 4034 3.1.5 serial arithmetic on the 32-bit times).
bool keep_rrsigs(const std::optional<dns::NodeView>& node, const SignJob& job, size_t index,
                 const std::vector<KeyId>& expected, uint32_t refresh_by, std::vector<SignedRecord>& kept) {
  if (!node) return false;
  auto old = node->find(job.type);
  auto rrsigs = node->find_rrsig(job.type);
  if (!old || !rrsigs || !same_rrset(job, *old)) return false;
  std::vector<KeyId> found;
  std::vector<size_t> which;
  for (size_t i = 0; i < rrsigs->size(); ++i) {
    auto rd = rrsigs->rdata(i);
    if (rd.size() <= kRrsigSignerOffset) continue;
    if (dns::get_u32(rd.data() + 4) != job.ttl) return false;
    const uint32_t expiration = dns::get_u32(rd.data() + 8);
    if (static_cast<int32_t>(expiration - refresh_by) < 0) return false;
    found.emplace_back(rd[2], dns::get_u16(rd.data() + 16));
    which.push_back(i);
  }
  std::sort(found.begin(), found.end());
  if (found != expected) return false;
  // Borrowed, not copied: signed_base outlives the assembly of the next zone.
  for (size_t i : which) kept.push_back({index, {}, rrsigs->rdata(i)});
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

Result<void> check_bases(const dns::ZoneVersion& unsigned_base, const dns::ZoneVersion& signed_base) {
  if (unsigned_base.origin() != signed_base.origin() || unsigned_base.serial() != signed_base.serial()) {
    return make_error(Errc::conflict, "sign_diff: signed base " + signed_base.origin().to_text() +
                                          " serial " + std::to_string(signed_base.serial()) +
                                          " is not the signed form of " + unsigned_base.origin().to_text() +
                                          " serial " + std::to_string(unsigned_base.serial()));
  }
  return base::ok();
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
  SIGNERD_TRY(check_bases(unsigned_base, signed_base));
  auto unsigned_next = dns::apply_diff(unsigned_base, change);
  if (!unsigned_next) return std::move(unsigned_next).error();

  auto opened = detail::open_workers(*keys.store, keys.keys, workers);
  if (!opened) return std::move(opened).error();
  SIGNERD_TRY(detail::check_roles(keys.keys, opened->front()));
  const detail::KeySetInfo key_set = detail::describe_keys(keys.keys, opened->front());

  // The next zone as sign_zone would build it, chain included: cheap next
  // to signing, and it makes "what changed" a plain comparison.
  auto base = detail::base_zone(**unsigned_next, key_set, params);
  if (!base) return std::move(base).error();
  auto chain = detail::denial_chain(**base, params);
  if (!chain) return std::move(chain).error();
  const std::vector<SignJob> jobs = detail::sign_jobs_of(**base, *chain);

  std::vector<SignedRecord> rrsigs;
  const std::vector<size_t> to_sign =
      plan(signed_base, jobs, expected_keys(keys.keys, key_set),
           static_cast<uint32_t>((now + params.refresh).time_since_epoch().count()), rrsigs);
  const detail::SignContext ctx{signed_base.origin(), signed_base.rclass(), &params, now, keys.keys,
                                key_set.key_tags};
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
