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

namespace {

Result<DsDigest> cds_digest(uint8_t type) {
  switch (type) {
    case 2: return DsDigest::sha256;  // RFC 4509
    case 4: return DsDigest::sha384;  // RFC 6605
    default:
      return make_error(Errc::unsupported, "CDS digest type " + std::to_string(type) +
                                               ": only 2 (SHA-256) and 4 (SHA-384) are produced");
  }
}

// RDATA in canonical order (RFC 4034 section 6.3: octet by octet, a prefix
// first), as the RRset keeps it; sign_change compares these with the base.
void sort_unique(std::vector<dns::Rdata>& rdatas) {
  std::sort(rdatas.begin(), rdatas.end());
  rdatas.erase(std::unique(rdatas.begin(), rdatas.end()), rdatas.end());
}

// One key's CDS (per digest) and CDNSKEY: RFC 7344 sections 3.1 and 3.2,
// computed from its DNSKEY RDATA as the parent computes the DS.
Result<void> add_key_cds(KeySetInfo& key_set, size_t k, const SigningKey& key,
                         std::span<const DsDigest> digests, const SigningParams& params,
                         dns::NameView origin) {
  // RFC 7344 section 4.1: no CDS for a key outside the DNSKEY RRset.
  if (!key.publish) {
    return make_error(Errc::invalid_argument,
                      "CDS: key " + key.ref + " is not in the DNSKEY RRset (RFC 7344 section 4.1)");
  }
  for (DsDigest digest : digests) {
    auto cds = make_cds_rdata(origin, key_set.dnskeys[k], digest);
    if (!cds) {
      base::Error e = std::move(cds).error();
      e.detail = "CDS: key " + key.ref + ": " + e.detail;
      return e;
    }
    key_set.cds.push_back(std::move(*cds));
  }
  if (params.cdnskey) key_set.cdnskey.push_back(make_cdnskey_rdata(key_set.dnskeys[k]));
  return base::ok();
}

}  // namespace

// RFC 7344 section 4 and RFC 8078 section 4, what the apex carries:
//   cds_delete  keys with cds  CDS                       CDNSKEY (params.cdnskey)
//   no          none           none                      none
//   no          some           one per key, digest type  one per key: its DNSKEY RDATA
//   yes         none           "0 0 0 00" alone          "0 3 0 AA==" alone
//   yes         some           invalid_argument: a DELETE request lists no key
Result<void> add_cds_records(KeySetInfo& key_set, std::span<const SigningKey> keys,
                             const SigningParams& params, dns::NameView origin) {
  const auto with_cds = std::find_if(keys.begin(), keys.end(), [](const SigningKey& k) { return k.cds; });
  if (params.cds_delete) {
    if (with_cds != keys.end()) {
      return make_error(Errc::invalid_argument, "CDS: key " + with_cds->ref +
                                                    " has cds while cds_delete asks the parent to remove "
                                                    "every DS (RFC 8078 section 4)");
    }
    key_set.cds = {cds_delete_rdata()};
    if (params.cdnskey) key_set.cdnskey = {cdnskey_delete_rdata()};
    return base::ok();
  }
  if (with_cds == keys.end()) return base::ok();
  std::vector<DsDigest> digests;
  for (uint8_t type : params.cds_digest_types) {
    auto digest = cds_digest(type);
    if (!digest) return std::move(digest).error();
    digests.push_back(*digest);
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    if (keys[k].cds) SIGNERD_TRY(add_key_cds(key_set, k, keys[k], digests, params, origin));
  }
  sort_unique(key_set.cds);
  sort_unique(key_set.cdnskey);
  return base::ok();
}

Result<KeySetInfo> key_set_of(std::span<const SigningKey> keys, const WorkerKeys& opened,
                              const SigningParams& params, dns::NameView origin) {
  SIGNERD_TRY(check_roles(keys, opened));
  KeySetInfo key_set = describe_keys(keys, opened);
  SIGNERD_TRY(add_cds_records(key_set, keys, params, origin));
  return key_set;
}

std::vector<RRType> apex_added_types(const KeySetInfo& key_set, const SigningParams& params) {
  std::vector<RRType> types;
  if (!key_set.published.empty()) types.push_back(RRType::DNSKEY);
  if (std::holds_alternative<Nsec3Params>(params.denial)) types.push_back(RRType::NSEC3PARAM);
  if (!key_set.cds.empty()) types.push_back(RRType::CDS);
  if (!key_set.cdnskey.empty()) types.push_back(RRType::CDNSKEY);
  return types;
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
  // BIND gives CDS and CDNSKEY the DNSKEY TTL: they describe the same keys.
  for (const auto& rd : keys.cds)
    SIGNERD_TRY(builder.add(zone.origin(), RRType::CDS, zone.rclass(), params.dnskey_ttl, rd));
  for (const auto& rd : keys.cdnskey)
    SIGNERD_TRY(builder.add(zone.origin(), RRType::CDNSKEY, zone.rclass(), params.dnskey_ttl, rd));
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
  auto key_set = detail::key_set_of(keys.keys, opened->front(), params, unsigned_zone.origin());
  if (!key_set) return std::move(key_set).error();

  auto base = detail::base_zone(unsigned_zone, *key_set, params);
  if (!base) return std::move(base).error();
  auto chain = detail::denial_chain(**base, params);
  if (!chain) return std::move(chain).error();
  const std::vector<detail::SignJob> jobs = detail::sign_jobs_of(**base, *chain);

  const detail::SignContext ctx{unsigned_zone.origin(), unsigned_zone.rclass(), &params, now, keys.keys,
                                key_set->key_tags};
  auto rrsigs = detail::sign_jobs(jobs, ctx, std::move(*opened));
  if (!rrsigs) return std::move(rrsigs).error();
  auto assembled = detail::assemble(**base, *chain, jobs, *rrsigs);
  if (!assembled) return std::move(assembled).error();
  size_t zonemd_signatures = 0;
  return detail::publish_zonemd(std::move(*assembled), ctx, *keys.store, zonemd_signatures);
}

}  // namespace signerd::dnssec
