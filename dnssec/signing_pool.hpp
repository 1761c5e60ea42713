// dnssec/signing_pool.hpp — the signing step of sign_zone (zone_signer.hpp)
// and sign_diff (sign_diff.hpp), on one thread or several, and the steps of
// sign_zone that sign_diff reuses so that both build the same zone.
//
// Owns: SignJob (one RRset to sign, as views into a zone or a denial
// chain), WorkerKeys (one worker's KeySession and its opened keys), the
// RRSIG fields of a job (validity window with per-RRset jitter) and
// sign_jobs(), which splits the jobs into contiguous chunks, one thread per
// chunk, and merges the RRSIGs in job order. Declares (zone_signer.cpp
// defines) the zone steps: key set, base zone, chain, jobs, assembly; and
// (zonemd.cpp defines) the ZONEMD steps of RFC 8976 section 3.
// Does not own: which RRsets are signed (signing_rules.hpp).
// Internal to dnssec/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/denial.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec/zone_signer.hpp"
#include "hsm/key_store.hpp"

namespace signerd::dnssec::detail {

// One RRset to sign. Views stay valid while the zone or chain they point
// into lives. A denial record is an RRset of its own (`rdata`, no `rrset`).
struct SignJob {
  dns::NameView owner;
  dns::RRType type = dns::RRType::A;
  uint32_t ttl = 0;
  std::optional<dns::RRsetView> rrset;
  std::span<const uint8_t> rdata;
};

// One worker's session and the zone's keys opened in it, in the order of
// the SigningKeys. Moved into the worker's thread; used by it alone.
struct WorkerKeys {
  std::unique_ptr<hsm::KeySession> session;
  std::vector<std::shared_ptr<hsm::PrivateKey>> keys;
};

// Opens a session with store.open_for_worker() and every key in it.
// Errors: the store's, with the key's ref in the detail.
Result<WorkerKeys> open_worker_keys(hsm::KeyStore& store, std::span<const SigningKey> keys);

// What every RRSIG of the run shares.
struct SignContext {
  dns::NameView signer;  // the zone apex
  dns::RRClass rclass = dns::RRClass::IN;
  const SigningParams* params = nullptr;
  base::TimePoint now;
  std::span<const SigningKey> keys;
  std::span<const uint16_t> key_tags;  // of each key's DNSKEY RDATA
};

// The RRSIG fields for `job` signed by the key with `key_tag`/`algorithm`:
// inception now - offset, expiration now + validity - jitter(owner, type),
// both modulo 2^32 (RFC 4034 section 3.1.5).
RrsigFields rrsig_fields(const SignJob& job, const SignContext& ctx, uint8_t algorithm, uint16_t key_tag);

struct SignedRecord {
  size_t job;                     // index into the jobs
  dns::Rdata rrsig;               // a signature made now, or
  std::span<const uint8_t> kept;  // one carried over from a signed base that outlives the record
  std::span<const uint8_t> bytes() const noexcept {
    return kept.empty() ? std::span<const uint8_t>(rrsig) : kept;
  }
};

// Signs every job with each key whose role covers it (signs_rrset in
// zone_signer.hpp: DNSKEY, CDS and CDNSKEY by `ksk`, the rest by `zsk`),
// one thread per element of `workers` (at least one), each on a contiguous
// chunk. The result is in job order, then key order. Errors: the first
// failing signature's, naming owner and type.
Result<std::vector<SignedRecord>> sign_jobs(std::span<const SignJob> jobs, const SignContext& ctx,
                                            std::vector<WorkerKeys> workers);
// The same with workers the caller keeps (sign_change's SigningSession).
Result<std::vector<SignedRecord>> sign_jobs(std::span<const SignJob> jobs, const SignContext& ctx,
                                            std::span<WorkerKeys> workers);

// `count` (at least one) workers, each with every key opened.
Result<std::vector<WorkerKeys>> open_workers(hsm::KeyStore& store, std::span<const SigningKey> keys,
                                             unsigned count);

// The apex DNSKEY RRset (RFC 4034 section 2) from the keys as opened, and
// the CDS and CDNSKEY RRsets that go with it (RFC 7344 section 4).
struct KeySetInfo {
  std::vector<dns::Rdata> dnskeys;  // one per SigningKey, same order
  std::vector<uint16_t> key_tags;
  std::vector<dns::Rdata> published;  // the DNSKEY RRset: the keys with `publish`
  std::vector<dns::Rdata> cds;        // the CDS RRset, sorted, no duplicates; empty: none
  std::vector<dns::Rdata> cdnskey;    // the CDNSKEY RRset, likewise
};
// DNSKEYs, key tags and published; no CDS or CDNSKEY.
KeySetInfo describe_keys(std::span<const SigningKey> keys, const WorkerKeys& opened);

// Fills key_set.cds and key_set.cdnskey from the keys' `cds` flags and the
// params (zone_signer.hpp), `origin` being the owner of the DNSKEYs.
// Errors: Errc::invalid_argument for a key with `cds` but not `publish`
// (RFC 7344 section 4.1), or with cds_delete; Errc::unsupported for a
// digest type other than 2 and 4; make_cds_rdata's. Each names the key.
Result<void> add_cds_records(KeySetInfo& key_set, std::span<const SigningKey> keys,
                             const SigningParams& params, dns::NameView origin);

// What every signing path starts with: check_roles, describe_keys and
// add_cds_records. Errors: theirs.
Result<KeySetInfo> key_set_of(std::span<const SigningKey> keys, const WorkerKeys& opened,
                              const SigningParams& params, dns::NameView origin);

// The types base_zone adds at the apex for `key_set` and `params`: DNSKEY,
// NSEC3PARAM (NSEC3), CDS and CDNSKEY, as present; for sign_change, whose
// chain bitmaps must list what base_zone's chain lists.
std::vector<dns::RRType> apex_added_types(const KeySetInfo& key_set, const SigningParams& params);

// Errc::invalid_argument when some algorithm of the published keys lacks a
// key that signs the DNSKEY RRset or one that signs the rest (RFC 4035
// section 2.2), or no key signs.
Result<void> check_roles(std::span<const SigningKey> keys, const WorkerKeys& opened);

// The unsigned data without the signer's types, plus DNSKEY, (NSEC3)
// NSEC3PARAM, CDS and CDNSKEY (as `keys` holds them, params.dnskey_ttl) at
// the apex: what the chain is built from, so that its apex bitmap lists
// them, and what is signed.
Result<std::shared_ptr<const dns::ZoneVersion>> base_zone(const dns::ZoneVersion& zone,
                                                          const KeySetInfo& keys,
                                                          const SigningParams& params);

// The NSEC or NSEC3 chain of a base zone, as params.denial says.
Result<DenialChain> denial_chain(const dns::ZoneVersion& base, const SigningParams& params);

// Every RRset that gets RRSIGs: the base zone's signed RRsets in canonical
// order, then the chain's records (each an RRset of one). Views into both.
std::vector<SignJob> sign_jobs_of(const dns::ZoneVersion& base, const DenialChain& chain);

// The signed zone: base, chain and `rrsigs` (any order; `job` indexes
// `jobs`). Each RRSIG has the TTL of the RRset it covers (RFC 4034
// section 3), so that no RRSIG outlives what it covers in a cache.
Result<std::shared_ptr<const dns::ZoneVersion>> assemble(const dns::ZoneVersion& base,
                                                         const DenialChain& chain,
                                                         std::span<const SignJob> jobs,
                                                         std::span<const SignedRecord> rrsigs);

// True for the apex ZONEMD RRset, which sign_jobs_of leaves to
// publish_zonemd: its RRSIGs can only be made once the digest is final.
bool is_apex_zonemd(dns::NodeView node, dns::RRType type) noexcept;

// When `unsigned_zone` has an apex ZONEMD RRset, adds to `builder` one
// placeholder (zero digest, the zone's serial, the upstream TTL) per
// supported (scheme, hash algorithm) among its records; upstream digests
// are never copied, unsupported pairs are dropped. Errors: the builder's.
Result<void> add_zonemd_placeholders(const dns::ZoneVersion& unsigned_zone, dns::ZoneBuilder& builder);

// RFC 8976 section 3: for an assembled zone with ZONEMD placeholders,
// computes each digest over the signed zone, signs the ZONEMD RRset with
// a session of its own from `store`, adds the RRSIGs' count to
// `signatures_made` and returns the final zone; `zone` itself when it has
// no apex ZONEMD. Errors: zonemd_rdata's, the store's, sign_jobs'.
Result<std::shared_ptr<const dns::ZoneVersion>> publish_zonemd(std::shared_ptr<const dns::ZoneVersion> zone,
                                                               const SignContext& ctx, hsm::KeyStore& store,
                                                               size_t& signatures_made);

}  // namespace signerd::dnssec::detail
