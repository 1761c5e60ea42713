#include "hsm/pem_key_store.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include "hsm/public_key.hpp"
#include "hsm_test_util.hpp"

namespace signerd::hsm {
namespace {

class PemKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "signerd-pem-XXXXXX").string();
    dir_ = ::mkdtemp(templ.data());
    auto store = PemKeyStore::create(dir_ + "/keys");
    ASSERT_TRUE(store) << store.error().to_string();
    store_ = std::move(*store);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::unique_ptr<PemKeyStore> store_;
};

// RFC 8080 section 6.1: the Ed25519 example key (key tag 3613) signing
// "example.com. 3600 IN MX 10 mail.example.com.". The signature printed in
// the RFC is wrong; errata ID 4935 gives the one below.
TEST_F(PemKeyStoreTest, Rfc8080Section6_1Ed25519KnownAnswer) {
  Bytes seed = test::base64_decode("ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=");
  ASSERT_EQ(seed.size(), 32u);
  EVP_PKEY* raw = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
  ASSERT_NE(raw, nullptr);
  BIO* mem = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(mem, raw, nullptr, nullptr, 0, nullptr, nullptr);
  char* pem = nullptr;
  long pem_size = BIO_get_mem_data(mem, &pem);
  auto info = store_->import_pem({Algorithm::ed25519, 0, {0x0e, 0x1d}, "example.com. ksk"},
                                 SecretString(std::string_view(pem, static_cast<size_t>(pem_size))));
  BIO_free(mem);
  EVP_PKEY_free(raw);
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->public_key, test::base64_decode("l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="));

  const Bytes signed_data = {
      0x00, 0x0f, 0x0f, 0x02,  // type covered MX, algorithm 15, labels 2
      0x00, 0x00, 0x0e, 0x10,  // original TTL 3600
      0x55, 0xd4, 0xfc, 0x60,  // expiration 1440021600
      0x55, 0xb9, 0x4c, 0xe0,  // inception 1438207200
      0x0e, 0x1d,              // key tag 3613
      7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',  3,    'c',  'o', 'm', 0,  // signer
      7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',  3,    'c',  'o', 'm', 0,  // owner
      0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x14,               // MX IN 3600, rdlength 20
      0x00, 0x0a, 4,    'm',  'a',  'i',  'l',  7,    'e',  'x',  'a', 'm', 'p',
      'l',  'e',  3,    'c',  'o',  'm',  0};
  auto key = store_->open("0e1d");
  ASSERT_TRUE(key) << key.error().to_string();
  auto sig = (*key)->sign(signed_data);
  ASSERT_TRUE(sig) << sig.error().to_string();
  EXPECT_EQ(*sig,
            test::base64_decode(
                "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg=="));
  EXPECT_TRUE(verify(Algorithm::ed25519, info->public_key, signed_data, *sig));
}

TEST_F(PemKeyStoreTest, EveryAlgorithmSignsAndVerifies) {
  const Bytes message = test::to_bytes("cross-check");
  for (const auto& row : all_algorithms()) {
    SCOPED_TRACE(std::string(row.name));
    auto info = store_->generate({row.algorithm, 2048, {number(row.algorithm)}, "example.net."});
    ASSERT_TRUE(info) << info.error().to_string();
    struct stat st {};
    ASSERT_EQ(::stat(info->uri.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto worker = store_->open_for_worker();
    auto key = (*worker)->open(info->uri);
    ASSERT_TRUE(key) << key.error().to_string();
    EXPECT_EQ((*key)->public_key(), info->public_key);
    auto sig = (*key)->sign(message);
    ASSERT_TRUE(sig);
    if (row.signature_size != 0) {
      EXPECT_EQ(sig->size(), row.signature_size);
    }
    EXPECT_TRUE(test::openssl_verify(row.algorithm, info->public_key, message, *sig));
    EXPECT_TRUE(verify(row.algorithm, info->public_key, message, *sig));
  }
  EXPECT_EQ(store_->list()->size(), all_algorithms().size());
  ASSERT_TRUE(store_->remove("0d"));
  EXPECT_EQ(store_->find("0d").error().code, base::Errc::not_found);
  EXPECT_EQ(store_->list()->size(), all_algorithms().size() - 1);
}

TEST_F(PemKeyStoreTest, ImportRefusesAKeyOfAnotherAlgorithm) {
  auto info = store_->generate({Algorithm::ecdsap256sha256, 0, {1}, "a"});
  ASSERT_TRUE(info);
  auto text = read_secret_file(info->uri);
  ASSERT_TRUE(text);
  auto wrong = store_->import_pem({Algorithm::ecdsap384sha384, 0, {2}, "b"}, *text);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, base::Errc::conflict);
  auto dup = store_->import_pem({Algorithm::ecdsap256sha256, 0, {1}, "c"}, *text);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, base::Errc::conflict);
}

TEST_F(PemKeyStoreTest, LooseKeyFileIsRefused) {
  auto info = store_->generate({Algorithm::ed25519, 0, {1}, "a"});
  ASSERT_TRUE(info);
  ::chmod(info->uri.c_str(), 0640);
  auto key = store_->open_for_worker().value()->open("01");
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().detail.find("mode 0640"), std::string::npos) << key.error().detail;
}

}  // namespace
}  // namespace signerd::hsm
