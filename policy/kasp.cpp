#include "policy/kasp.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "base/text.hpp"
#include "hsm/algorithm.hpp"
#include "policy/key_timing.hpp"

namespace signerd::policy {
namespace {

// Key size an algorithm fixes (0 for RSA, whose size the policy chooses):
// RFC 6605 ECDSA public keys are two coordinates, RFC 8080 EdDSA keys one.
uint16_t fixed_bits(hsm::Algorithm alg) {
  const auto& row = hsm::info(alg);
  switch (row.family) {
    case hsm::KeyFamily::rsa: return 0;
    case hsm::KeyFamily::ecdsa: return static_cast<uint16_t>(row.field_size * 4);
    case hsm::KeyFamily::eddsa:
      return alg == hsm::Algorithm::ed448 ? 456 : static_cast<uint16_t>(row.field_size * 8);
  }
  return 0;
}

// BIND's limits for RSA keys in dnssec-policy.
constexpr uint16_t kMinRsaBits = 1024;
constexpr uint16_t kMaxRsaBits = 4096;
// RFC 9276 section 3.2: validators may treat more iterations as insecure.
constexpr uint16_t kMaxIterations = 100;
// RFC 2181 section 8: a TTL is 31 bits.
constexpr Seconds kMaxTtl{0x7fffffff};

Kasp default_policy(std::string name) {
  Kasp kasp;
  kasp.name = std::move(name);
  kasp.keys.push_back(KeyPolicy{Role::csk, std::nullopt, 13, 0});
  return kasp;
}

void check_timing(const Kasp& k, std::vector<PolicyProblem>& out) {
  for (auto [field, ttl] : {std::pair{"dnskey-ttl", k.dnskey_ttl},
                            {"parent-ds-ttl", k.parent_ds_ttl},
                            {"max-zone-ttl", k.max_zone_ttl}}) {
    if (ttl > kMaxTtl) out.push_back({field, "a TTL is at most 2147483647 seconds (RFC 2181 section 8)"});
  }
  if (k.signatures_validity.count() <= 0) out.push_back({"signatures-validity", "must be longer than 0"});
  if (k.signatures_validity_dnskey.count() <= 0) {
    out.push_back({"signatures-validity-dnskey", "must be longer than 0"});
  }
  Seconds shortest = std::min(k.signatures_validity, k.signatures_validity_dnskey);
  if (k.signatures_refresh >= shortest) {
    // Otherwise a signature is already due for refresh when it is made.
    out.push_back({"signatures-refresh", format_duration(k.signatures_refresh) +
                                             " must be shorter than signatures-validity and "
                                             "signatures-validity-dnskey (" +
                                             format_duration(shortest) + ")"});
  } else if (k.signatures_refresh >= shortest * 9 / 10) {
    // BIND kaspconf.c: too little of the validity is left between refreshes.
    out.push_back({"signatures-refresh", format_duration(k.signatures_refresh) +
                                             " must be shorter than 90% of the signature validity (" +
                                             format_duration(shortest) + ")"});
  } else if (k.signatures_refresh + k.signatures_jitter >= shortest) {
    out.push_back({"signatures-jitter", "signatures-refresh + signatures-jitter (" +
                                            format_duration(k.signatures_refresh + k.signatures_jitter) +
                                            ") must be shorter than the signature validity (" +
                                            format_duration(shortest) + ")"});
  }
}

// KASP.md 3.2 (signerd beyond BIND): a cached RRset must not outlive its
// signature, so re-signing starts at least max-zone-ttl + zpd before expiry.
// KASP.md asks for an error; it is a warning until the short test policies
// of tests/system (refresh 90 s, zpd 300 s) set their propagation delay.
void warn_refresh_margin(const Kasp& k, std::vector<PolicyProblem>& out) {
  const Seconds needed = signature_ttl(k) + k.zone_propagation_delay;
  if (k.signatures_refresh < needed) {
    out.push_back({"signatures-refresh", format_duration(k.signatures_refresh) +
                                             " is shorter than max-zone-ttl + zone-propagation-delay (" +
                                             format_duration(needed) +
                                             "): a cached RRset could outlive its signature"});
  }
}

// BIND kaspconf.c: a key must live longer than the rollover that replaces
// it takes (KASP.md 3.2): Ipub for every role, and Iret of each role it has.
void check_lifetime(const Kasp& k, const KeyPolicy& key, size_t index, std::vector<PolicyProblem>& out) {
  if (!key.lifetime || key.lifetime->count() <= 0) return;
  Seconds needed = publication_interval(k);
  std::string how = "dnskey-ttl + publish-safety + zone-propagation-delay";
  if (key.signs_dnskey() && ksk_retire_interval(k) > needed) {
    needed = ksk_retire_interval(k);
    how = "parent-ds-ttl + retire-safety + parent-propagation-delay";
  }
  if (key.signs_zone() && zsk_retire_interval(k) > needed) {
    needed = zsk_retire_interval(k);
    how = "signatures-validity - signatures-refresh + max-zone-ttl + retire-safety + zone-propagation-delay";
  }
  if (*key.lifetime <= needed) {
    out.push_back({"keys[" + std::to_string(index) + "].lifetime",
                   "key lifetime " + format_duration(*key.lifetime) +
                       " is shorter than the time it takes to do a rollover (" + format_duration(needed) +
                       " = " + how + ")"});
  }
}

void check_parent_automation(const Kasp& k, std::vector<PolicyProblem>& out) {
  if (k.checkds_interval.count() <= 0) out.push_back({"checkds-interval", "must be longer than 0"});
  for (uint8_t digest : k.cds_digest_types) {
    // RFC 4509 (2) and RFC 6605 (4). SHA-1 (1) is not offered: RFC 8624
    // section 3.3 says a DS MUST NOT be made with it; GOST (3) neither.
    if (digest == 1) {
      out.push_back({"cds-digest-types", "SHA-1 (1) is not offered: RFC 8624 forbids new SHA-1 DS records"});
    } else if (digest != 2 && digest != 4) {
      out.push_back({"cds-digest-types", "unsupported digest type " + std::to_string(digest)});
    }
  }
}

void check_key(const KeyPolicy& key, size_t index, std::vector<PolicyProblem>& out) {
  std::string prefix = "keys[" + std::to_string(index) + "].";
  const auto alg = hsm::algorithm_from_number(key.algorithm);
  if (!alg) {
    out.push_back({prefix + "algorithm", "unsupported algorithm " + std::to_string(key.algorithm)});
    return;
  }
  const std::string name(hsm::name(*alg));
  const uint16_t fixed = fixed_bits(*alg);
  if (fixed == 0 && key.bits != 0 && (key.bits < kMinRsaBits || key.bits > kMaxRsaBits)) {
    out.push_back({prefix + "bits", name + " keys have 1024 to 4096 bits, not " + std::to_string(key.bits)});
  }
  if (fixed != 0 && key.bits != 0 && key.bits != fixed) {
    out.push_back({prefix + "bits",
                   name + " keys have " + std::to_string(fixed) + " bits, not " + std::to_string(key.bits)});
  }
  if (key.lifetime && key.lifetime->count() <= 0) {
    out.push_back({prefix + "lifetime", "must be longer than 0 (or unlimited)"});
  }
}

// RFC 4035 section 2.2: every algorithm in the DNSKEY RRset signs the whole
// zone, so each one needs a key for the DNSKEY RRset and a key for the rest.
void check_coverage(const Kasp& k, std::vector<PolicyProblem>& out) {
  if (k.keys.empty()) {
    if (!k.insecure)
      out.push_back({"keys",
                     "at least one key is needed: a csk, or a ksk and a zsk (keys: [] takes the zone "
                     "back to unsigned, as the built-in policy insecure does)"});
    return;
  }
  if (k.insecure) out.push_back({"keys", "insecure takes an empty key list"});
  std::vector<uint8_t> algorithms;
  for (const auto& key : k.keys) {
    if (hsm::algorithm_from_number(key.algorithm) &&
        std::find(algorithms.begin(), algorithms.end(), key.algorithm) == algorithms.end()) {
      algorithms.push_back(key.algorithm);
    }
  }
  for (uint8_t alg : algorithms) {
    auto same = [alg](const KeyPolicy& key) { return key.algorithm == alg; };
    auto of_alg = [&](auto pred) {
      return std::any_of(k.keys.begin(), k.keys.end(),
                         [&](const KeyPolicy& key) { return same(key) && pred(key); });
    };
    if (!of_alg([](const KeyPolicy& key) { return key.signs_dnskey(); })) {
      out.push_back(
          {"keys", algorithm_name(alg) + " has no key that signs the DNSKEY RRset (add a ksk or csk)"});
    }
    if (!of_alg([](const KeyPolicy& key) { return key.signs_zone(); })) {
      out.push_back({"keys", algorithm_name(alg) + " has no key that signs the zone (add a zsk or csk)"});
    }
  }
}

}  // namespace

std::optional<Kasp> builtin_policy(std::string_view name) {
  if (name == "default") return default_policy("default");
  if (name == "default-nsec3") {
    Kasp kasp = default_policy("default-nsec3");
    kasp.nsec3 = Nsec3Policy{};
    return kasp;
  }
  if (name == "insecure") {
    Kasp kasp = default_policy("insecure");
    kasp.keys.clear();
    kasp.insecure = true;
    return kasp;
  }
  return std::nullopt;
}

std::vector<std::string_view> builtin_policy_names() { return {"default", "default-nsec3", "insecure"}; }

std::optional<uint8_t> algorithm_from_text(std::string_view text) noexcept {
  auto alg = hsm::algorithm_from_name(text);
  if (!alg) return std::nullopt;
  return hsm::number(*alg);
}

std::string algorithm_name(uint8_t algorithm) {
  auto alg = hsm::algorithm_from_number(algorithm);
  return alg ? std::string(hsm::name(*alg)) : "ALG" + std::to_string(algorithm);
}

std::vector<PolicyProblem> check(const Kasp& kasp) {
  std::vector<PolicyProblem> out;
  if (kasp.name.empty()) out.push_back({"name", "must not be empty"});
  check_timing(kasp, out);
  check_parent_automation(kasp, out);
  for (size_t i = 0; i < kasp.keys.size(); ++i) {
    check_key(kasp.keys[i], i, out);
    check_lifetime(kasp, kasp.keys[i], i, out);
  }
  check_coverage(kasp, out);
  if (kasp.nsec3 && kasp.nsec3->iterations > kMaxIterations) {
    out.push_back({"nsec3param.iterations", std::to_string(kasp.nsec3->iterations) +
                                                " is more than 100; RFC 9276 section 3.1 asks for 0"});
  }
  return out;
}

std::vector<PolicyProblem> warnings(const Kasp& kasp) {
  std::vector<PolicyProblem> out;
  warn_refresh_margin(kasp, out);
  for (size_t i = 0; i < kasp.keys.size(); ++i) {
    const KeyPolicy& key = kasp.keys[i];
    const std::string field = "keys[" + std::to_string(i) + "]";
    if (key.lifetime && *key.lifetime < std::chrono::hours(24 * 30)) {
      out.push_back({field + ".lifetime", format_duration(*key.lifetime) + " is shorter than 30 days"});
    }
    // A ZSK is rolled only once its own signatures are omnipresent, which
    // takes Ipub + Iret ZSK from its publication (evaluate.cpp).
    const Seconds whole_roll = publication_interval(kasp) + zsk_retire_interval(kasp);
    if (key.lifetime && key.signs_zone() && *key.lifetime < whole_roll) {
      out.push_back({field + ".lifetime",
                     format_duration(*key.lifetime) + " is shorter than a whole rollover (" +
                         format_duration(whole_roll) + " = Ipub + Iret): each rollover will start late"});
    }
    for (size_t j = 0; j < i; ++j) {
      if (kasp.keys[j].role == key.role && kasp.keys[j].algorithm == key.algorithm) {
        out.push_back({field, "same role and algorithm as keys[" + std::to_string(j) + "]"});
      }
    }
  }
  return out;
}

Result<void> validate(const Kasp& kasp) {
  auto problems = check(kasp);
  if (problems.empty()) return base::ok();
  std::string detail;
  for (const auto& p : problems) {
    if (!detail.empty()) detail += '\n';
    detail += "policy '" + kasp.name + "': " + p.field + ": " + p.message;
  }
  return base::make_error(base::Errc::invalid_argument, std::move(detail));
}

}  // namespace signerd::policy
