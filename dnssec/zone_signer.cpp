#include "dnssec/zone_signer.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "dnssec/dnskey.hpp"
#include "dnssec/key_tag.hpp"
#include "dnssec/nsec3_chain.hpp"
#include "dnssec/nsec_chain.hpp"
#include "dnssec/signing_pool.hpp"
#include "dnssec/signing_rules.hpp"

namespace signerd::dnssec {
namespace detail {

using base::Errc;
using base::make_error;
using dns::RRType;

KeySetInfo describe_keys(std::span<const SigningKey> keys, const WorkerKeys& opened) {
  KeySetInfo info;
  for (size_t k = 0; k < keys.size(); ++k) {
    const hsm::PrivateKey& key = *opened.keys[k];
    info.dnskeys.push_back(make_dnskey_rdata(keys[k].flags, hsm::number(key.algorithm()), key.public_key()));
    info.key_tags.push_back(key_tag(info.dnskeys.back()));
    if (keys[k].publish) info.published.push_back(info.dnskeys.back());
  }
  return info;
}

// RFC 4035 section 2.2: every RRset is signed with each algorithm in the
// DNSKEY RRset, so each algorithm needs a key for the DNSKEY RRset and one
// for the rest.
Result<void> check_roles(std::span<const SigningKey> keys, const WorkerKeys& opened) {
  if (std::none_of(keys.begin(), keys.end(), [](const SigningKey& k) { return k.signs(); }))
    return make_error(Errc::invalid_argument, "sign_zone: no keys");
  std::set<uint8_t> algorithms, dnskey_signers, zone_signers;
  for (size_t k = 0; k < keys.size(); ++k) {
    const uint8_t alg = hsm::number(opened.keys[k]->algorithm());
    if (keys[k].publish) algorithms.insert(alg);
    if (keys[k].signs_dnskey()) dnskey_signers.insert(alg);
    if (keys[k].signs_zone()) zone_signers.insert(alg);
  }
  for (uint8_t alg : algorithms) {
    if (!dnskey_signers.contains(alg) || !zone_signers.contains(alg)) {
      return make_error(Errc::invalid_argument,
                        "sign_zone: algorithm " + std::to_string(alg) + " lacks a key for the " +
                            (dnskey_signers.contains(alg) ? "zone data" : "DNSKEY RRset"));
    }
  }
  return base::ok();
}

// The apex additions are in the base zone, so the chain's bitmaps list
// them by themselves.
Result<std::shared_ptr<const dns::ZoneVersion>> base_zone(const dns::ZoneVersion& zone,
                                                          const KeySetInfo& keys,
                                                          const SigningParams& params) {
  dns::ZoneBuilder builder(zone.origin(), zone.rclass());
  Result<void> status;
  zone.for_each_rrset([&](dns::NodeView node, dns::RRsetView rrset) {
    if (!status || dns::is_signer_owned_type(rrset.type()) || is_apex_zonemd(node, rrset.type())) return;
    for (size_t i = 0; i < rrset.size() && status; ++i) {
      status = builder.add(node.owner(), rrset.type(), zone.rclass(), rrset.ttl(), rrset.rdata(i));
    }
  });
  if (!status) return std::move(status).error();
  SIGNERD_TRY(add_zonemd_placeholders(zone, builder));
  for (const auto& rd : keys.published) {
    SIGNERD_TRY(builder.add(zone.origin(), RRType::DNSKEY, zone.rclass(), params.dnskey_ttl, rd));
  }
  if (const auto* nsec3 = std::get_if<Nsec3Params>(&params.denial)) {
    SIGNERD_TRY(builder.add(zone.origin(), RRType::NSEC3PARAM, zone.rclass(), params.nsec3param_ttl,
                            make_nsec3param_rdata(*nsec3)));
  }
  return std::move(builder).finish();
}

Result<DenialChain> denial_chain(const dns::ZoneVersion& base, const SigningParams& params) {
  if (const auto* nsec3 = std::get_if<Nsec3Params>(&params.denial))
    return build_nsec3_chain(base, *nsec3, {});
  return build_nsec_chain(base, {});
}

std::vector<SignJob> sign_jobs_of(const dns::ZoneVersion& base, const DenialChain& chain) {
  std::vector<SignJob> jobs;
  jobs.reserve(base.rrset_count() + chain.records.size());
  base.for_each_rrset([&](dns::NodeView node, dns::RRsetView rrset) {
    if (is_signed(node, rrset.type()) && !is_apex_zonemd(node, rrset.type()))
      jobs.push_back({node.owner(), rrset.type(), rrset.ttl(), rrset, {}});
  });
  for (const auto& r : chain.records) jobs.push_back({r.owner, chain.type, chain.ttl, std::nullopt, r.rdata});
  return jobs;
}

// RRSIGs take the TTL of the RRset they cover (RFC 4034 section 3); the
// ZoneVersion keeps one RRSIG group per covered type, each with its TTL.
Result<std::shared_ptr<const dns::ZoneVersion>> assemble(const dns::ZoneVersion& base,
                                                         const DenialChain& chain,
                                                         std::span<const SignJob> jobs,
                                                         std::span<const SignedRecord> rrsigs) {
  dns::ZoneBuilder builder(base.origin(), base.rclass());
  Result<void> status;
  base.for_each_rrset([&](dns::NodeView node, dns::RRsetView rrset) {
    for (size_t i = 0; i < rrset.size() && status; ++i) {
      status = builder.add(node.owner(), rrset.type(), base.rclass(), rrset.ttl(), rrset.rdata(i));
    }
  });
  if (!status) return std::move(status).error();
  for (const auto& r : chain.records)
    SIGNERD_TRY(builder.add(r.owner, chain.type, base.rclass(), chain.ttl, r.rdata));
  for (const SignedRecord& r : rrsigs) {
    const SignJob& job = jobs[r.job];
    SIGNERD_TRY(builder.add(job.owner, RRType::RRSIG, base.rclass(), job.ttl, r.bytes()));
  }
  return std::move(builder).finish();
}

Result<std::vector<WorkerKeys>> open_workers(hsm::KeyStore& store, std::span<const SigningKey> keys,
                                             unsigned count) {
  std::vector<WorkerKeys> workers;
  for (unsigned w = 0; w < std::max(count, 1u); ++w) {
    auto worker = open_worker_keys(store, keys);
    if (!worker) return std::move(worker).error();
    workers.push_back(std::move(*worker));
  }
  return workers;
}

}  // namespace detail

using base::Errc;
using base::make_error;

Result<std::shared_ptr<const dns::ZoneVersion>> sign_zone(const dns::ZoneVersion& unsigned_zone,
                                                          const ZoneKeys& keys, const SigningParams& params,
                                                          base::TimePoint now, unsigned workers) {
  if (keys.store == nullptr) return make_error(Errc::invalid_argument, "sign_zone: no key store");
  auto opened = detail::open_workers(*keys.store, keys.keys, workers);
  if (!opened) return std::move(opened).error();
  SIGNERD_TRY(detail::check_roles(keys.keys, opened->front()));
  const detail::KeySetInfo key_set = detail::describe_keys(keys.keys, opened->front());

  auto base = detail::base_zone(unsigned_zone, key_set, params);
  if (!base) return std::move(base).error();
  auto chain = detail::denial_chain(**base, params);
  if (!chain) return std::move(chain).error();
  const std::vector<detail::SignJob> jobs = detail::sign_jobs_of(**base, *chain);

  const detail::SignContext ctx{unsigned_zone.origin(), unsigned_zone.rclass(), &params, now, keys.keys,
                                key_set.key_tags};
  auto rrsigs = detail::sign_jobs(jobs, ctx, std::move(*opened));
  if (!rrsigs) return std::move(rrsigs).error();
  auto assembled = detail::assemble(**base, *chain, jobs, *rrsigs);
  if (!assembled) return std::move(assembled).error();
  size_t zonemd_signatures = 0;
  return detail::publish_zonemd(std::move(*assembled), ctx, *keys.store, zonemd_signatures);
}

}  // namespace signerd::dnssec
