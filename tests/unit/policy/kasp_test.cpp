#include "policy/kasp.hpp"

#include <gtest/gtest.h>

#include "policy/serial_policy.hpp"

namespace signerd::policy {
namespace {

bool has_problem(const Kasp& kasp, const std::string& field) {
  for (const auto& p : check(kasp)) {
    if (p.field == field) return true;
  }
  return false;
}

Kasp ksk_zsk() {
  Kasp k;
  k.name = "two";
  k.keys = {{Role::ksk, std::nullopt, 13, 0}, {Role::zsk, 24h * 90, 13, 0}};
  return k;
}

TEST(Kasp, DefaultsAreBind918s) {
  Kasp k;
  EXPECT_EQ(k.dnskey_ttl, 1h);
  EXPECT_EQ(k.signatures_validity, 24h * 14);
  EXPECT_EQ(k.signatures_validity_dnskey, 24h * 14);
  EXPECT_EQ(k.signatures_refresh, 24h * 5);
  EXPECT_EQ(k.publish_safety, 1h);
  EXPECT_EQ(k.retire_safety, 1h);
  EXPECT_EQ(k.purge_keys, 24h * 90);
  EXPECT_EQ(k.zone_propagation_delay, 5min);
  EXPECT_EQ(k.parent_ds_ttl, 24h);
  EXPECT_EQ(k.parent_propagation_delay, 1h);
  EXPECT_EQ(k.max_zone_ttl, 24h);
  EXPECT_FALSE(k.nsec3);
}

TEST(Kasp, BuiltinDefaultIsOneUnlimitedEcdsaCskWithNsec) {
  auto k = builtin_policy("default");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->name, "default");
  ASSERT_EQ(k->keys.size(), 1u);
  EXPECT_EQ(k->keys[0].role, Role::csk);
  EXPECT_EQ(k->keys[0].algorithm, 13);
  EXPECT_FALSE(k->keys[0].lifetime);
  EXPECT_FALSE(k->nsec3);
  EXPECT_TRUE(validate(*k));
}

TEST(Kasp, BuiltinDefaultNsec3FollowsRfc9276) {
  auto k = builtin_policy("default-nsec3");
  ASSERT_TRUE(k);
  ASSERT_TRUE(k->nsec3);
  EXPECT_EQ(*k->nsec3, (Nsec3Policy{0, false, 0}));
  EXPECT_EQ(k->keys, builtin_policy("default")->keys);
  EXPECT_TRUE(validate(*k));
  EXPECT_FALSE(builtin_policy("none"));
  EXPECT_FALSE(builtin_policy("Default"));
}

TEST(Kasp, BuiltinInsecureHasNoKeysAndTheDefaultTimings) {
  auto k = builtin_policy("insecure");
  ASSERT_TRUE(k);
  EXPECT_TRUE(k->keys.empty());  // evaluate() reads an empty key list as going insecure
  Kasp expected = *builtin_policy("default");
  expected.name = "insecure";
  expected.keys.clear();
  expected.insecure = true;
  EXPECT_EQ(*k, expected);
  EXPECT_TRUE(validate(*k));
  Kasp forgot = *k;
  forgot.insecure = false;  // no keys by omission
  EXPECT_FALSE(validate(forgot));
}

TEST(Kasp, AlgorithmsByMnemonicInAnyCaseOrNumber) {
  EXPECT_EQ(algorithm_from_text("ecdsap256sha256"), 13);
  EXPECT_EQ(algorithm_from_text("ECDSAP256SHA256"), 13);
  EXPECT_EQ(algorithm_from_text("13"), 13);
  EXPECT_EQ(algorithm_from_text("rsasha256"), 8);
  EXPECT_EQ(algorithm_from_text("Ed25519"), 15);
  EXPECT_EQ(algorithm_from_text("16"), 16);
  EXPECT_FALSE(algorithm_from_text("5"));  // RSASHA1: not signed with
  EXPECT_FALSE(algorithm_from_text("rsasha1"));
  EXPECT_FALSE(algorithm_from_text("foo"));
  EXPECT_FALSE(algorithm_from_text(""));
  EXPECT_FALSE(algorithm_from_text("269"));
  EXPECT_EQ(algorithm_name(14), "ECDSAP384SHA384");
  EXPECT_EQ(algorithm_name(99), "ALG99");
}

TEST(Kasp, KskPlusZskIsValid) { EXPECT_TRUE(validate(ksk_zsk())) << validate(ksk_zsk()).error().detail; }

TEST(Kasp, EachAlgorithmNeedsADnskeySignerAndAZoneSigner) {
  Kasp only_zsk = ksk_zsk();
  only_zsk.keys.erase(only_zsk.keys.begin());
  EXPECT_TRUE(has_problem(only_zsk, "keys"));
  Kasp mixed = ksk_zsk();
  mixed.keys[1].algorithm = 8;  // KSK alg 13, ZSK alg 8: neither algorithm complete
  auto problems = check(mixed);
  EXPECT_EQ(problems.size(), 2u);
  Kasp none = ksk_zsk();
  none.keys.clear();
  EXPECT_TRUE(has_problem(none, "keys"));
}

TEST(Kasp, RefreshMustBeShorterThanValidity) {
  Kasp k = ksk_zsk();
  k.signatures_refresh = k.signatures_validity;
  EXPECT_TRUE(has_problem(k, "signatures-refresh"));
  k = ksk_zsk();
  k.signatures_validity_dnskey = 24h * 4;
  EXPECT_TRUE(has_problem(k, "signatures-refresh"));
  k = ksk_zsk();
  k.signatures_jitter = 24h * 9;
  EXPECT_TRUE(has_problem(k, "signatures-jitter"));
  auto r = validate(k);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail.rfind("policy 'two': signatures-jitter: ", 0), 0u) << r.error().detail;
}

TEST(Kasp, KeySizesAndAlgorithmsAreChecked) {
  Kasp k = ksk_zsk();
  k.keys[0].bits = 1024;  // ECDSA P-256 is 256 bits
  EXPECT_TRUE(has_problem(k, "keys[0].bits"));
  k = ksk_zsk();
  k.keys[0].algorithm = k.keys[1].algorithm = 8;
  k.keys[0].bits = 512;
  EXPECT_TRUE(has_problem(k, "keys[0].bits"));
  k.keys[0].bits = 4096;
  EXPECT_TRUE(validate(k));
  k.keys[1].algorithm = 7;
  EXPECT_TRUE(has_problem(k, "keys[1].algorithm"));
}

TEST(Kasp, Nsec3IterationsAreCappedAt100) {
  Kasp k = ksk_zsk();
  k.nsec3 = Nsec3Policy{100, true, 8};
  EXPECT_TRUE(validate(k));
  k.nsec3->iterations = 101;
  EXPECT_TRUE(has_problem(k, "nsec3param.iterations"));
}

TEST(Kasp, TtlsAreAtMost31Bits) {
  Kasp k = ksk_zsk();
  k.dnskey_ttl = Seconds(0x80000000LL);
  EXPECT_TRUE(has_problem(k, "dnskey-ttl"));
}

TEST(Kasp, RolesAndSerialPoliciesByName) {
  EXPECT_EQ(role_from_text("KSK"), Role::ksk);
  EXPECT_EQ(role_from_text("csk"), Role::csk);
  EXPECT_FALSE(role_from_text("sk"));
  EXPECT_EQ(serial_policy_from_text("unixtime"), SerialPolicy::unixtime);
  EXPECT_EQ(serial_policy_from_text("date"), SerialPolicy::date);
  EXPECT_FALSE(serial_policy_from_text("Keep"));
  EXPECT_EQ(serial_policy_name(SerialPolicy::increment), "increment");
}

}  // namespace
}  // namespace signerd::policy
