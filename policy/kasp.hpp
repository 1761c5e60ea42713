// policy/kasp.hpp — the KASP model: a dnssec-policy as a plain value.
//
// Owns: Kasp, KeyPolicy, Nsec3Policy with BIND 9.18's names and defaults, the
// built-in policies, the algorithm names a policy may use, and the checks that
// make a policy usable. Does not own: reading policies from a file (signerd/
// config), key state and rollovers (the key state machine), the keys
// themselves (hsm/).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "policy/duration.hpp"
#include "policy/key_state.hpp"

namespace signerd::policy {

using namespace std::chrono_literals;

struct KeyPolicy {
  Role role = Role::csk;
  std::optional<Seconds> lifetime;  // nullopt: unlimited, the key never rolls
  uint8_t algorithm = 13;           // DNSSEC algorithm number (ECDSAP256SHA256)
  uint16_t bits = 0;                // RSA modulus size; 0: the default, kDefaultRsaBits

  bool signs_dnskey() const noexcept { return policy::signs_dnskey(role); }
  bool signs_zone() const noexcept { return policy::signs_zone(role); }
  friend bool operator==(const KeyPolicy&, const KeyPolicy&) = default;
};

inline constexpr uint16_t kDefaultRsaBits = 2048;

// RFC 5155 NSEC3 parameters. RFC 9276 section 3.1: no extra iterations, no
// salt; opt-out only for large delegation-heavy zones.
struct Nsec3Policy {
  uint16_t iterations = 0;
  bool optout = false;
  uint8_t salt_length = 0;
  friend bool operator==(const Nsec3Policy&, const Nsec3Policy&) = default;
};

// The order of an algorithm rollover (KASP.md 1.8). conservative (RFC 6781
// section 4.1.4, Knot): the new algorithm's signatures are everywhere before
// its DNSKEY is published, and the old DNSKEY goes before its signatures;
// survives validators that want a path per algorithm in the DS set.
// liberal (BIND): DNSKEY and signatures together, one max-zone-ttl faster.
enum class AlgorithmRollover : uint8_t { conservative, liberal };

// Defaults are BIND 9.18's (lib/dns/include/dns/kasp.h, DNS_KASP_*) so that a
// policy moved from named.conf behaves the same. signatures-jitter is not a
// 9.18 option: 12h is BIND 9.20's default.
struct Kasp {
  std::string name;
  Seconds dnskey_ttl = 1h;
  Seconds signatures_validity = 24h * 14;
  Seconds signatures_validity_dnskey = 24h * 14;
  Seconds signatures_refresh = 24h * 5;
  Seconds signatures_jitter = 12h;
  Seconds publish_safety = 1h;
  Seconds retire_safety = 1h;
  Seconds purge_keys = 24h * 90;
  Seconds zone_propagation_delay = 5min;
  Seconds parent_ds_ttl = 24h;
  Seconds parent_propagation_delay = 1h;
  Seconds max_zone_ttl = 24h;
  std::vector<KeyPolicy> keys;  // empty: going insecure (BIND's "insecure")
  // The key list is empty on purpose: `keys: []` in the config, or the
  // built-in "insecure". A policy that names no keys by omission is refused.
  bool insecure = false;
  std::optional<Nsec3Policy> nsec3;  // nullopt: NSEC
  // Parent automation (BIND names and defaults): CDNSKEY beside CDS, the CDS
  // digest types (RFC 4509 SHA-256), and how often to ask the parental
  // agents again while a DS is awaited (signerd; BIND polls each rekey).
  bool cdnskey = true;
  std::vector<uint8_t> cds_digest_types = {2};
  Seconds checkds_interval = 1h;
  // BIND 9.20.13 manual-mode: transitions that change the zone and rollover
  // starts wait for an operator's step.
  bool manual_mode = false;
  AlgorithmRollover algorithm_rollover = AlgorithmRollover::conservative;

  friend bool operator==(const Kasp&, const Kasp&) = default;
};

// "default": one CSK, ECDSAP256SHA256, unlimited lifetime, NSEC (BIND's
// built-in). "default-nsec3": the same with NSEC3 per RFC 9276 (0 iterations,
// no opt-out, empty salt). "insecure": no keys, BIND's way back to an
// unsigned zone: the key state machine withdraws the DS first (CDS and
// CDNSKEY DELETE, RFC 8078 section 4, until the parental agents no longer
// hold it), then the DNSKEY RRset and the signatures; the zone is then
// served unsigned. nullopt for any other name ("none", BIND's immediate
// unsigning, is not offered: it breaks validation while a DS remains).
std::optional<Kasp> builtin_policy(std::string_view name);
std::vector<std::string_view> builtin_policy_names();

// Algorithms a policy may name: the ones signerd signs with (8, 10, 13, 14,
// 15, 16). Accepts BIND's mnemonic in any case or the decimal number;
// nullopt otherwise (including known but unsupported ones, e.g. 5 RSASHA1).
std::optional<uint8_t> algorithm_from_text(std::string_view text) noexcept;
// "ECDSAP256SHA256"; "ALG<n>" for a number not in the table.
std::string algorithm_name(uint8_t algorithm);

// One reason a policy is unusable. `field` is the config option it concerns,
// relative to the policy: "signatures-refresh", "keys[1].bits",
// "nsec3param.iterations", or "keys" for the key set as a whole.
struct PolicyProblem {
  std::string field;
  std::string message;
};

// Every problem found, in field order; empty when the policy is usable.
// Besides the field checks, the timing rules of ../shared/KASP.md 3.2: a
// key lifetime longer than the rollover it needs (Ipub; Iret KSK for a
// KSK, Iret ZSK for a ZSK, both for a CSK), signatures-refresh below 90 %
// of the validities, known CDS digest types, a checkds-interval.
std::vector<PolicyProblem> check(const Kasp& kasp);

// What is usable but unwise (BIND warns): lifetimes under 30 days, two
// entries with the same role and algorithm, SHA-1 CDS digests, a ZSK or
// CSK lifetime under Ipub + Iret ZSK (its rollovers start late); and
// signatures-refresh under max-zone-ttl + zone-propagation-delay.
std::vector<PolicyProblem> warnings(const Kasp& kasp);

// check() as a Result: Errc::invalid_argument with one line per problem,
// "policy 'NAME': FIELD: MESSAGE".
Result<void> validate(const Kasp& kasp);

}  // namespace signerd::policy
