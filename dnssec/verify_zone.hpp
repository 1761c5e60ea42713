// dnssec/verify_zone.hpp — an independent check of a signed zone.
//
// Owns: verify_zone(), which judges a signed ZoneVersion as a validator
// would, with no help from the signer: the apex DNSKEY RRset, an RRSIG per
// algorithm on every RRset that must be signed (RFC 4035 sections 2.2 and
// 5.3, RFC 6840 section 5.11), no RRSIG where none belongs, every RRSIG's
// TTL and original TTL equal to the covered RRset's (RFC 4034 3), the NSEC
// (RFC 4034 section 4, RFC 4035 section 2.3) or NSEC3 (RFC 5155 sections 7.1
// and 8) chain, walked record by record. Does not own: signing, the chain
// builders (their code is not reused here, so one bug cannot hide itself),
// DS at the parent, or the trust anchor.
#pragma once

#include <cstddef>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dnssec {

using base::Result;

struct VerifyOptions {
  // The rule for the DNSKEY RRset. By default every algorithm of the zone
  // keys must sign it with some zone key of that algorithm, as for any
  // RRset: RFC 4034 section 2.1.1 says the SEP flag MUST NOT matter to
  // validation, and a CSK carries it anyway. When true, each algorithm's
  // signature must also come from a key with the SEP flag (dnssec-verify's
  // default, without -z), which catches a ZSK-only DNSKEY signature.
  bool require_sep_for_dnskey = false;
  // When true every RRSIG in the zone must be valid; when false an RRSIG
  // that fails is ignored if another of its algorithm is valid (a validator's
  // view, RFC 4035 section 5.3.3). Our signer never leaves a bad one.
  bool strict_signatures = true;
  // Workers that check the RRSIGs, each with its own OpenSSL state; 0: one
  // per core (std::thread::hardware_concurrency()). Never more than the
  // zone has blocks of 256 nodes. The result does not depend on it.
  size_t threads = 0;
};

// What was checked, for logs and tests.
struct VerifyReport {
  dns::RRType denial = dns::RRType::NSEC;  // NSEC or NSEC3
  size_t zone_keys = 0;                    // DNSKEYs with the zone flag, not revoked
  size_t algorithms = 0;                   // distinct algorithms among them
  size_t rrsets = 0;                       // RRsets that must be signed, all checked
  size_t signatures = 0;                   // RRSIGs that verified
  size_t denial_records = 0;               // NSEC or NSEC3 records checked
  size_t threads = 0;                      // workers that checked the RRSIGs
};

// Checks `signed_zone` at time `now` (the RRSIG validity windows, compared
// with RFC 1982 serial arithmetic as RFC 4034 section 3.1.5 requires).
// Order: the DNSKEY RRset (and the apex CDS and CDNSKEY, each of which
// must match a DNSKEY there, or be the RFC 8078 DELETE form alone: RFC 7344
// section 4.1), then the denial chain, then every RRSIG in
// canonical order; the error names the first failure found, with zone,
// owner, type and where it applies key tag and algorithm, e.g.
// "zone example.: mail.example. A: RRSIG key tag 4711 algorithm 13:
// signature expired (expiration 20260101000000)".
// Errors: Errc::not_found for something missing (DNSKEY RRset, an RRSIG
// per algorithm, an NSEC or NSEC3, a chain); Errc::malformed for RDATA
// that does not parse; Errc::unsupported for a key algorithm or NSEC3 hash
// we cannot check; Errc::conflict for everything else that is wrong.
// The RRSIGs are checked on VerifyOptions::threads workers; the error is
// still the first in the order above, with the same detail as on one.
// Thread-safety: reads `signed_zone` only; safe to call concurrently.
Result<VerifyReport> verify_zone(const dns::ZoneVersion& signed_zone, base::TimePoint now,
                                 const VerifyOptions& options = {});

}  // namespace signerd::dnssec
