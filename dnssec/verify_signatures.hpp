// dnssec/verify_signatures.hpp — the RRSIG half of verify_zone.hpp, on
// one thread per core.
//
// Owns: the zone keys as verify_zone reads them (KeySet), the per-node
// RRSIG checks (every RRSIG covers an RRset here that must be signed, with
// its TTL; every such RRset has a valid RRSIG per algorithm; the field and
// time rules of RFC 4035 section 5.3.1) and the worker pool that runs them
// over the nodes. Does not own: the DNSKEY RRset's own rules and the
// denial chain (verify_zone.cpp, verify_chain.hpp), the OpenSSL calls
// (verify_crypto.hpp). Internal to dnssec/: callers use verify_zone().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/verify_zone.hpp"
#include "hsm/algorithm.hpp"

namespace signerd::dnssec::verify_detail {

struct ZoneKey {
  uint16_t tag;
  uint16_t flags;
  hsm::Algorithm algorithm;
  std::span<const uint8_t> public_key;  // into the zone
};

struct KeySet {
  std::vector<ZoneKey> keys;
  std::vector<uint8_t> algorithms;  // of the keys that sign data: zone flag, not revoked
};

struct SignatureTotals {
  size_t rrsets = 0;      // RRsets that must be signed, all checked
  size_t signatures = 0;  // RRSIGs that verified
  size_t threads = 0;     // workers that ran
};

// The worker count for `requested` threads (0: one per core) and
// `node_count` nodes: at least one, no more than there are blocks of
// nodes to hand out.
size_t verify_threads(size_t requested, size_t node_count) noexcept;

// Checks the RRSIGs of every node of `zone` at RRSIG wire time `now`.
// The nodes are handed out in canonical order, in contiguous blocks, to
// verify_threads(options.threads, ...) workers (the calling thread is one
// of them), each with its own SignatureChecker. Every worker stops at the
// first failure it finds, or once it would pass a failure another worker
// found at an earlier node. The error returned is the one of the first
// failing node in canonical order, with the detail the single-threaded
// walk gives, whatever the thread count; an exception thrown for that node
// (allocation failure) is rethrown here.
// Errors: those of verify_zone() for RRSIGs.
// Thread-safety: reads `zone` and `keys` only.
base::Result<SignatureTotals> verify_signatures(const dns::ZoneVersion& zone, const KeySet& keys,
                                                uint32_t now, const VerifyOptions& options);

}  // namespace signerd::dnssec::verify_detail
