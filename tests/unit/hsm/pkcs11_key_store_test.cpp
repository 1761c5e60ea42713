#include "hsm/pkcs11_key_store.hpp"

#include <gtest/gtest.h>

#include "hsm/public_key.hpp"
#include "hsm_test_util.hpp"

namespace signerd::hsm {
namespace {

using test::TempToken;

class Pkcs11KeyStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Pkcs11KeyStore> open_store() {
    auto store = Pkcs11KeyStore::create({test::kSoftHsm, "signerd", token_.pin_file()});
    EXPECT_TRUE(store) << store.error().to_string();
    return store ? std::move(*store) : nullptr;
  }
  static KeySpec spec(Algorithm alg, uint8_t id) {
    return KeySpec{alg, 2048, Bytes{0x5a, id}, "example.com. " + std::string(name(alg))};
  }

  TempToken token_;
};

// Each algorithm the token supports: generate, sign, verify with OpenSSL from
// the DNSKEY field alone.
TEST_F(Pkcs11KeyStoreTest, EveryAlgorithmSignsAndVerifiesFromDnskeyBytes) {
  auto store = open_store();
  ASSERT_TRUE(store);
  const Bytes message = test::to_bytes("RRSIG RDATA followed by the canonical RRset");
  int tested = 0;
  for (const auto& row : all_algorithms()) {
    if (!store->supports(row.algorithm)) {
      std::cout << "token lacks " << row.name << "\n";
      continue;
    }
    SCOPED_TRACE(std::string(row.name));
    auto info = store->generate(spec(row.algorithm, number(row.algorithm)));
    ASSERT_TRUE(info) << info.error().to_string();
    EXPECT_EQ(info->algorithm, row.algorithm);
    if (row.family != KeyFamily::rsa) {
      EXPECT_EQ(info->public_key.size(),
                row.family == KeyFamily::ecdsa ? 2 * row.field_size : row.field_size);
    }
    auto key = store->open(info->uri);
    ASSERT_TRUE(key) << key.error().to_string();
    auto sig = (*key)->sign(message);
    ASSERT_TRUE(sig) << sig.error().to_string();
    EXPECT_EQ(sig->size(), row.family == KeyFamily::rsa ? 256u : row.signature_size);
    EXPECT_TRUE(test::openssl_verify(row.algorithm, info->public_key, message, *sig));
    EXPECT_TRUE(verify(row.algorithm, info->public_key, message, *sig));
    Bytes tampered = message;
    tampered[0] ^= 1;
    EXPECT_FALSE(test::openssl_verify(row.algorithm, info->public_key, tampered, *sig));
    ++tested;
  }
  EXPECT_GE(tested, 5);  // SoftHSM 2.6 with OpenSSL 3: all but possibly ED448
}

TEST_F(Pkcs11KeyStoreTest, PrivateKeyIsSensitiveAndNotExtractable) {
  auto store = open_store();
  ASSERT_TRUE(store);
  auto info = store->generate(spec(Algorithm::ecdsap256sha256, 1));
  ASSERT_TRUE(info) << info.error().to_string();
  // A session of our own: login state is per application, so it sees the key.
  auto session = Pkcs11Session::open(store->token().module, store->token().slot);
  ASSERT_TRUE(session);
  auto objects = find_key_objects(*session, KeySelector{info->id, std::nullopt}, "test");
  ASSERT_TRUE(objects) << objects.error().to_string();
  EXPECT_EQ(session->bool_attribute(objects->private_key, CKA_SENSITIVE).value(), true);
  EXPECT_EQ(session->bool_attribute(objects->private_key, CKA_EXTRACTABLE).value(), false);
  EXPECT_EQ(session->bool_attribute(objects->private_key, CKA_TOKEN).value(), true);
  EXPECT_EQ(session->bool_attribute(objects->private_key, CKA_PRIVATE).value(), true);
  auto value = session->attribute(objects->private_key, CKA_VALUE);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().code, base::Errc::unsupported) << value.error().to_string();
  auto label = session->attribute(objects->private_key, CKA_LABEL);
  ASSERT_TRUE(label);
  EXPECT_EQ(std::string(label->begin(), label->end()), "example.com. ECDSAP256SHA256");
}

TEST_F(Pkcs11KeyStoreTest, SecondOpenByUriFindsTheSameKey) {
  auto store = open_store();
  ASSERT_TRUE(store);
  auto info = store->generate(spec(Algorithm::ed25519, 2));
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->uri, "pkcs11:token=signerd;id=%5A%02;object=example.com.%20ED25519;type=private");
  auto worker = store->open_for_worker();
  ASSERT_TRUE(worker);
  auto by_uri = (*worker)->open(info->uri);
  auto by_id = (*worker)->open("5a02", Algorithm::ed25519);
  ASSERT_TRUE(by_uri) << by_uri.error().to_string();
  ASSERT_TRUE(by_id) << by_id.error().to_string();
  EXPECT_EQ((*by_uri)->public_key(), info->public_key);
  EXPECT_EQ((*by_id)->public_key(), info->public_key);
  EXPECT_EQ((*worker)->open(info->uri)->get(), by_uri->get());  // cached handle
  // Ed25519 is deterministic (RFC 8032 section 5.1.6).
  Bytes data = test::to_bytes("determinism");
  EXPECT_EQ((*by_uri)->sign(data).value(), (*by_id)->sign(data).value());
  auto found = store->find("pkcs11:object=example.com.%20ED25519");
  ASSERT_TRUE(found) << found.error().to_string();
  EXPECT_EQ(found->public_key, info->public_key);
  auto wrong = (*worker)->open("5a02", Algorithm::ecdsap256sha256);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, base::Errc::conflict);
}

TEST_F(Pkcs11KeyStoreTest, ListAndRemoveDeleteBothObjects) {
  auto store = open_store();
  ASSERT_TRUE(store);
  auto a = store->generate(spec(Algorithm::ecdsap256sha256, 3));
  auto b = store->generate(spec(Algorithm::rsasha512, 4));
  ASSERT_TRUE(a && b);
  auto keys = store->list();
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 2u);
  bool saw_rsa = false;
  for (const auto& k : *keys) saw_rsa |= k.algorithm == Algorithm::rsasha512;  // from CKA_ALLOWED_MECHANISMS
  EXPECT_TRUE(saw_rsa);

  ASSERT_TRUE(store->remove(a->uri));
  auto session = Pkcs11Session::open(store->token().module, store->token().slot);
  ASSERT_TRUE(session);
  std::vector<CK_ATTRIBUTE> by_id = {attr_bytes(CKA_ID, a->id.data(), a->id.size())};
  EXPECT_TRUE(session->find(by_id)->empty());  // private and public key gone
  EXPECT_EQ(store->list()->size(), 1u);
  auto again = store->remove(a->uri);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, base::Errc::not_found);
}

TEST_F(Pkcs11KeyStoreTest, DuplicateIdIsRefusedAndLeavesNothing) {
  auto store = open_store();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->generate(spec(Algorithm::ecdsap256sha256, 5)));
  auto dup = store->generate(spec(Algorithm::ecdsap384sha384, 5));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, base::Errc::conflict);
  // A failing generation (bad RSA size is caught early; an EC key with a
  // bad label too) leaves the token as it was.
  EXPECT_FALSE(store->generate(KeySpec{Algorithm::rsasha256, 512, {9}, "x"}));
  EXPECT_EQ(store->list()->size(), 1u);
}

TEST_F(Pkcs11KeyStoreTest, WrongPinIsAClearError) {
  std::string pin = token_.write_file("wrong-pin", "0000000000", 0600);
  auto store = Pkcs11KeyStore::create({test::kSoftHsm, "signerd", pin});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, base::Errc::invalid_argument);
  EXPECT_NE(store.error().detail.find("wrong PIN"), std::string::npos) << store.error().detail;
  EXPECT_NE(store.error().detail.find(pin), std::string::npos);
  EXPECT_EQ(store.error().detail.find("0000000000"), std::string::npos);  // the PIN itself never appears
}

TEST_F(Pkcs11KeyStoreTest, WorldReadablePinFileIsRefused) {
  std::string pin = token_.write_file("loose-pin", "whatever", 0644);
  auto store = Pkcs11KeyStore::create({test::kSoftHsm, "signerd", pin});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, base::Errc::invalid_argument);
  EXPECT_NE(store.error().detail.find(pin + ": mode 0644"), std::string::npos) << store.error().detail;
}

TEST_F(Pkcs11KeyStoreTest, MissingTokenLabelIsAClearError) {
  auto store = Pkcs11KeyStore::create({test::kSoftHsm, "no-such-token", token_.pin_file()});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, base::Errc::not_found);
  EXPECT_NE(store.error().detail.find("'no-such-token'"), std::string::npos) << store.error().detail;
  EXPECT_NE(store.error().detail.find("'signerd'"), std::string::npos);  // what is there
}

TEST_F(Pkcs11KeyStoreTest, UriForAnotherTokenIsNotFound) {
  auto store = open_store();
  ASSERT_TRUE(store);
  auto r = store->find("pkcs11:token=other;id=%01");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::not_found);
}

TEST_F(Pkcs11KeyStoreTest, RsaDigestInfoPathMatchesHashInToken) {
  auto store = open_store();
  ASSERT_TRUE(store);
  auto info = store->generate(spec(Algorithm::rsasha256, 6));
  ASSERT_TRUE(info) << info.error().to_string();
  Bytes data = test::to_bytes("PKCS#1 v1.5 is deterministic");
  auto in_token = store->open(info->uri);
  ASSERT_TRUE(in_token);
  // A second store on the same token shares the login (see Pkcs11Login).
  auto other =
      Pkcs11KeyStore::create({test::kSoftHsm, "signerd", token_.pin_file(), RsaSigning::hash_in_token});
  ASSERT_TRUE(other) << other.error().to_string();
  auto prehashed = (*other)->open(info->uri);
  ASSERT_TRUE(prehashed) << prehashed.error().to_string();
  EXPECT_EQ((*in_token)->sign(data).value(), (*prehashed)->sign(data).value());
}

}  // namespace
}  // namespace signerd::hsm
