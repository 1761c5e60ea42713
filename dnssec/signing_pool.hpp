// dnssec/signing_pool.hpp — the signing step of sign_zone (zone_signer.hpp),
// on one thread or several.
//
// Owns: SignJob (one RRset to sign, as views into a zone or a denial
// chain), WorkerKeys (one worker's KeySession and its opened keys), the
// RRSIG fields of a job (validity window with per-RRset jitter) and
// sign_jobs(), which splits the jobs into contiguous chunks, one thread per
// chunk, and merges the RRSIGs in job order. Does not own: which RRsets are
// signed (signing_rules.hpp) or the zone that results (zone_signer.cpp).
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
  size_t job;  // index into the jobs
  dns::Rdata rrsig;
};

// Signs every job with each key whose role covers it (DNSKEY: signs_dnskey,
// the rest: signs_zone), one thread per element of `workers` (at least
// one), each on a contiguous chunk. The result is in job order, then key
// order. Errors: the first failing signature's, naming owner and type.
Result<std::vector<SignedRecord>> sign_jobs(std::span<const SignJob> jobs, const SignContext& ctx,
                                            std::vector<WorkerKeys> workers);

}  // namespace signerd::dnssec::detail
