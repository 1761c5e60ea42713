// dnssec/zone_signer.hpp — signing a whole zone in one pass.
//
// Owns: SigningParams (validity window, jitter, denial kind, DNSKEY TTL,
// CDS/CDNSKEY choices), SigningKey (a key reference and its role),
// signed_by_ksk() (which RRsets the DNSKEY signers sign) and sign_zone(),
// which turns an unsigned ZoneVersion into a signed one: the unsigned data,
// the apex DNSKEY RRset, NSEC3PARAM, CDS and CDNSKEY (RFC 7344 section 4,
// RFC 8078 section 4), the NSEC or NSEC3 chain and an RRSIG per key over
// every RRset that signing_rules.hpp says is signed. Pure: `now` is a
// parameter (STYLE section 2). Does not own: the keys (hsm/), which keys a
// zone uses and when, and when the parent is asked for a DS (policy/),
// incremental re-signing of diffs (sign_diff.hpp, sign_change.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/nsec3_hash.hpp"
#include "hsm/algorithm.hpp"
#include "hsm/key_store.hpp"

namespace signerd::dnssec {

using base::Result;

// NSEC (RFC 4034 section 4) or NSEC3 with its parameters (RFC 5155).
struct UseNsec {};
using DenialKind = std::variant<UseNsec, Nsec3Params>;

struct SigningParams {
  // Inception = now - inception_offset, to allow for validators whose
  // clocks run behind (RFC 4035 section 5.3.1 checks both ends).
  std::chrono::seconds inception_offset = std::chrono::hours(1);
  // Expiration = now + validity - j, where j in [0, jitter] is fixed per
  // RRset by a hash of its owner and type, so that a zone's signatures do
  // not all expire (and need re-signing) in the same second.
  std::chrono::seconds validity = std::chrono::days(14);
  std::chrono::seconds jitter = std::chrono::hours(12);
  // sign_diff re-signs an RRset whose signatures expire within this much
  // of `now` (BIND's signatures-refresh); 0: only changed RRsets.
  std::chrono::seconds refresh{0};
  DenialKind denial = UseNsec{};
  uint32_t dnskey_ttl = 3600;
  // RFC 5155 section 4 leaves the NSEC3PARAM TTL open; the record is for
  // authoritative servers, not resolvers, so 0 as BIND's signer writes it.
  uint32_t nsec3param_ttl = 0;
  // The parent's DS as the zone asks for it (RFC 7344 section 4): one CDS
  // per key with `cds` and per digest type here, 2 (SHA-256, RFC 4509) or
  // 4 (SHA-384, RFC 6605); any other is Errc::unsupported when some key
  // has `cds`. Empty: no CDS, only CDNSKEY.
  std::vector<uint8_t> cds_digest_types = {2};
  // Also a CDNSKEY (its DNSKEY RDATA) per key with `cds`.
  bool cdnskey = true;
  // RFC 8078 section 4: ask the parent to remove every DS (the zone goes
  // insecure) with CDS "0 0 0 00" and, if `cdnskey`, CDNSKEY "0 3 0 AA==",
  // each alone in its RRset; then no key may have `cds`.
  bool cds_delete = false;
};

// RFC 7344 section 4.1 and KASP.md (KRRSIG): the DNSKEY, CDS and CDNSKEY
// RRsets are signed by the keys that sign the DNSKEY RRset (`ksk`), every
// other RRset by the zone-signing keys (`zsk`). The one rule that signing
// and the carrying over of RRSIGs (resign_rules.hpp) both apply.
constexpr bool signed_by_ksk(dns::RRType type) noexcept {
  return type == dns::RRType::DNSKEY || type == dns::RRType::CDS || type == dns::RRType::CDNSKEY;
}

// What the zone does with a key, as OpenDNSSEC's signconf says it
// (<Publish/>, <KSK/>, <ZSK/>): its DNSKEY in the apex DNSKEY RRset; its
// RRSIGs over the DNSKEY RRset (and CDS, CDNSKEY); its RRSIGs over every
// other RRset. RFC 4035 section 2.2 and RFC 6781 section 3.1: a KSK signs
// the DNSKEY RRset, a ZSK the rest, a CSK both. The three are separate
// because a rollover needs every mix: a successor published before it
// signs, a KSK that signs the DNSKEY RRset only, a key of the conservative
// algorithm roll that signs before its DNSKEY is published (RFC 6781
// section 4.1.4).
struct SigningKey {
  // As hsm::KeySession::open accepts: KeyInfo::uri or the CKA_ID in hex.
  std::string ref;
  std::optional<hsm::Algorithm> algorithm;  // only where the key cannot tell
  uint16_t flags = 256;                     // DNSKEY flags: 256 ZSK, 257 KSK/CSK
  bool publish = true;                      // in the DNSKEY RRset
  bool ksk = false;                         // signs DNSKEY, CDS, CDNSKEY
  bool zsk = true;                          // signs everything else
  // CDS (one per params.cds_digest_types) and, with params.cdnskey, a
  // CDNSKEY for this key at the apex: the zone asks the parent for its DS
  // (RFC 7344 section 4, RFC 8078). Only for a key with `publish`: no CDS
  // for a key outside the DNSKEY RRset (RFC 7344 section 4.1).
  bool cds = false;

  bool signs_dnskey() const noexcept { return ksk; }
  bool signs_zone() const noexcept { return zsk; }
  bool signs() const noexcept { return ksk || zsk; }
  // Whether this key makes RRSIGs over an RRset of `type` (signed_by_ksk).
  bool signs_rrset(dns::RRType type) const noexcept { return signed_by_ksk(type) ? ksk : zsk; }
};

// The keys of a zone and where they live. `store` must outlive the call.
struct ZoneKeys {
  hsm::KeyStore* store = nullptr;
  std::vector<SigningKey> keys;
};

// Signs `unsigned_zone` and returns the signed version (same serial).
// DNSSEC records the input carries (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY,
// CDS, CDNSKEY) are dropped: the signer owns them. The DNSKEY RRset holds
// the public keys of `keys` with their flags and params.dnskey_ttl; the
// CDS and CDNSKEY RRsets (SigningParams, SigningKey::cds) have the same
// TTL, as BIND gives them. Each RRSIG has the covered RRset's TTL as
// original TTL (RFC 4034 3.1.4).
//
// With workers > 1 the RRsets to sign are split into contiguous chunks, one
// thread and one hsm::KeySession per chunk (STYLE section 5: a session per
// worker, never one behind a lock); results are merged in order, so the
// content is the same for any worker count (ECDSA signatures aside, which
// are randomised).
//
// Errors: invalid_argument (no store; an algorithm of the keys without a
// key that signs the DNSKEY RRset or one that signs the rest, since RFC 4035
// section 2.2 wants every RRset signed with every algorithm in the DNSKEY
// RRset; a key with `cds` that is not published; cds_delete with a key
// that has `cds`); unsupported (a CDS digest type other than 2 and 4); the
// key store's (not_found, io…); the chain builders'
// (conflict on an NSEC3 hash collision); ZoneBuilder's. Thread-safety:
// reads `unsigned_zone` only; calls store->open_for_worker() from the
// calling thread.
Result<std::shared_ptr<const dns::ZoneVersion>> sign_zone(const dns::ZoneVersion& unsigned_zone,
                                                          const ZoneKeys& keys, const SigningParams& params,
                                                          base::TimePoint now, unsigned workers = 1);

}  // namespace signerd::dnssec
