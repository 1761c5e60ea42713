#include "store/keys.hpp"

#include <gtest/gtest.h>

#include "store_test_util.hpp"

namespace signerd::store {
namespace {

using base::Errc;
using std::chrono::seconds;

const base::TimePoint kT0{seconds(1'700'000'000)};

dns::Name zone_name(const char* text) { return *dns::Name::from_text(text); }

class KeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(tmp_.file("s.db"));
    ASSERT_TRUE(db) << db.error().to_string();
    db_.emplace(std::move(*db));
    ASSERT_TRUE(ensure_zone(*db_, zone_, kT0));
  }

  KeyRecord key(const std::string& ref, uint16_t tag = 1000) const {
    KeyRecord k;
    k.zone = zone_;
    k.backend = KeyBackend::pkcs11;
    k.ref = ref;
    k.algorithm = 13;
    k.role = policy::Role::zsk;
    k.flags = 256;
    k.key_tag = tag;
    k.public_key = {0xde, 0xad, 0xbe, 0xef};
    k.created = kT0;
    return k;
  }

  test::TempDir tmp_;
  std::optional<Database> db_;
  dns::Name zone_ = zone_name("example.com.");
};

TEST_F(KeysTest, EnsureZoneIsIdempotentAndCaseInsensitive) {
  auto a = ensure_zone(*db_, zone_name("Example.COM."), kT0 + seconds(5));
  auto b = ensure_zone(*db_, zone_, kT0);
  auto c = ensure_zone(*db_, zone_name("example.net."), kT0);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
}

TEST_F(KeysTest, AddedKeyReadsBackFieldForField) {
  KeyRecord k = key("pkcs11:token=signerd;object=zsk1;type=private");
  k.life.planned.publish = kT0 + seconds(10);
  k.life.planned.active = kT0 + seconds(20);
  k.life.set(policy::Record::dnskey, policy::RecordState::omnipresent, kT0 + seconds(10));
  k.life.set(policy::Record::zrrsig, policy::RecordState::rumoured, kT0 + seconds(20));
  k.life.lifetime = seconds(86400 * 30);
  k.life.successor = 42;
  k.bits = 256;
  auto id = add_key(*db_, k);
  ASSERT_TRUE(id) << id.error().to_string();
  k.id = *id;
  auto keys = list_keys(*db_, zone_name("EXAMPLE.com."));
  ASSERT_TRUE(keys) << keys.error().to_string();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0], k);
  auto found = find_key(*db_, zone_, k.ref);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, k);
}

TEST_F(KeysTest, ListIsInIdOrderAndPerZone) {
  ASSERT_TRUE(ensure_zone(*db_, zone_name("example.net."), kT0));
  KeyRecord other = key("pkcs11:object=net");
  other.zone = zone_name("example.net.");
  ASSERT_TRUE(add_key(*db_, key("pkcs11:object=b")));
  ASSERT_TRUE(add_key(*db_, other));
  ASSERT_TRUE(add_key(*db_, key("pkcs11:object=a")));
  auto keys = list_keys(*db_, zone_);
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].ref, "pkcs11:object=b");
  EXPECT_EQ((*keys)[1].ref, "pkcs11:object=a");
  EXPECT_TRUE(list_keys(*db_, zone_name("unknown.example."))->empty());
}

TEST_F(KeysTest, UnknownZoneIsNotFound) {
  KeyRecord k = key("pkcs11:object=x");
  k.zone = zone_name("never-ensured.example.");
  auto id = add_key(*db_, k);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, Errc::not_found);
}

TEST_F(KeysTest, DuplicateReferenceInAZoneIsAConflict) {
  ASSERT_TRUE(add_key(*db_, key("pkcs11:object=x")));
  auto again = add_key(*db_, key("pkcs11:object=x"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::conflict);
}

TEST_F(KeysTest, SecretsAreRefusedAndNotEchoed) {
  const std::string pin = "pkcs11:object=x?pin-value=123456";
  auto with_pin = add_key(*db_, key(pin));
  ASSERT_FALSE(with_pin);
  EXPECT_EQ(with_pin.error().code, Errc::invalid_argument);
  EXPECT_EQ(with_pin.error().detail.find("123456"), std::string::npos);

  KeyRecord pem = key("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n");
  pem.backend = KeyBackend::pem;
  auto with_pem = add_key(*db_, pem);
  ASSERT_FALSE(with_pem);
  EXPECT_EQ(with_pem.error().detail.find("MC4C"), std::string::npos);

  EXPECT_FALSE(add_key(*db_, key("")));
  EXPECT_FALSE(add_key(*db_, key("/not/a/uri")));  // pkcs11 backend needs a pkcs11: URI
  EXPECT_TRUE(list_keys(*db_, zone_)->empty());
}

TEST_F(KeysTest, HostileTextIsStoredAsData) {
  KeyRecord k = key("k1'); DROP TABLE keys; --");
  k.backend = KeyBackend::pem;
  ASSERT_TRUE(add_key(*db_, k));
  auto found = find_key(*db_, zone_, k.ref);
  ASSERT_TRUE(found) << found.error().to_string();
  EXPECT_EQ(found->ref, k.ref);
}

TEST_F(KeysTest, FindByTagReturnsEveryCollision) {
  ASSERT_TRUE(add_key(*db_, key("pkcs11:object=a", 4711)));
  ASSERT_TRUE(add_key(*db_, key("pkcs11:object=b", 42)));
  ASSERT_TRUE(add_key(*db_, key("pkcs11:object=c", 4711)));
  auto found = find_keys_by_tag(*db_, zone_, 4711);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].ref, "pkcs11:object=a");
  EXPECT_EQ((*found)[1].ref, "pkcs11:object=c");
  EXPECT_TRUE(find_keys_by_tag(*db_, zone_, 1)->empty());
  auto missing = find_key(*db_, zone_, "pkcs11:object=zzz");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(KeysTest, LifecycleIsStoredWhole) {
  auto id = add_key(*db_, key("pkcs11:object=a"));
  ASSERT_TRUE(id);
  policy::KeyLifecycle life;
  life.goal = policy::Goal::hidden;
  life.set(policy::Record::dnskey, policy::RecordState::unretentive, kT0 + seconds(1));
  life.set(policy::Record::krrsig, policy::RecordState::omnipresent, kT0 + seconds(2));
  life.set(policy::Record::zrrsig, policy::RecordState::hidden, kT0 + seconds(3));
  life.set(policy::Record::ds, policy::RecordState::rumoured, kT0 + seconds(4));
  life.predecessor = 7;
  life.successor = 9;
  life.lifetime = seconds(3600);
  life.planned = {kT0 + seconds(5), kT0 + seconds(6), kT0 + seconds(7),
                  kT0 + seconds(8), kT0 + seconds(9), kT0 + seconds(10)};
  life.ds = {kT0 + seconds(11), kT0 + seconds(12), seconds(86400)};
  life.signatures = {kT0 + seconds(13), kT0 + seconds(14)};
  ASSERT_TRUE(set_key_lifecycle(*db_, *id, life));
  auto k = find_key(*db_, zone_, "pkcs11:object=a");
  ASSERT_TRUE(k) << k.error().to_string();
  EXPECT_EQ(k->life, life);
  EXPECT_EQ(set_key_lifecycle(*db_, *id + 100, life).error().code, Errc::not_found);
}

TEST_F(KeysTest, RemovedKeyIsGoneAndItsIdNeverReused) {
  auto first = add_key(*db_, key("pkcs11:object=a"));
  ASSERT_TRUE(first);
  ASSERT_TRUE(remove_key(*db_, *first));
  EXPECT_TRUE(list_keys(*db_, zone_)->empty());
  EXPECT_EQ(remove_key(*db_, *first).error().code, Errc::not_found);
  auto second = add_key(*db_, key("pkcs11:object=a"));
  ASSERT_TRUE(second);
  EXPECT_GT(*second, *first);
}

TEST(KeyEnums, NamesRoundTrip) {
  EXPECT_EQ(*key_backend_from_string("pem"), KeyBackend::pem);
  EXPECT_EQ(key_backend_from_string("PEM").error().code, Errc::malformed);
}

}  // namespace
}  // namespace signerd::store
