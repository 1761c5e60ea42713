#include <gtest/gtest.h>

#include "hsm/algorithm.hpp"
#include "hsm/pkcs11_uri.hpp"
#include "hsm/public_key.hpp"
#include "hsm/secret_string.hpp"
#include "hsm_test_util.hpp"

namespace signerd::hsm {
namespace {

TEST(Algorithm, NamesAndNumbers) {
  EXPECT_EQ(algorithm_from_name("ecdsap256sha256"), Algorithm::ecdsap256sha256);
  EXPECT_EQ(algorithm_from_name("ED448"), Algorithm::ed448);
  EXPECT_EQ(algorithm_from_name("8"), Algorithm::rsasha256);
  EXPECT_EQ(algorithm_from_name("5"), std::nullopt);  // RSASHA1: not for signing
  EXPECT_EQ(algorithm_from_number(14), Algorithm::ecdsap384sha384);
  EXPECT_EQ(name(Algorithm::rsasha512), "RSASHA512");
}

TEST(Pkcs11Uri, Rfc7512RoundTrip) {
  auto uri =
      Pkcs11Uri::parse("pkcs11:token=signerd;id=%01%ff;object=example.com.%20zsk;type=private?pin-source=x");
  ASSERT_TRUE(uri) << uri.error().to_string();
  EXPECT_EQ(uri->token, "signerd");
  EXPECT_EQ(uri->id, (Bytes{0x01, 0xff}));
  EXPECT_EQ(uri->object, "example.com. zsk");
  EXPECT_EQ(uri->to_string(), "pkcs11:token=signerd;id=%01%FF;object=example.com.%20zsk;type=private");
  EXPECT_TRUE(Pkcs11Uri::parse("pkcs11:serial=1234;id=%01"));
  EXPECT_EQ(Pkcs11Uri::parse("pkcs11:id=%0").error().code, base::Errc::malformed);
  EXPECT_EQ(Pkcs11Uri::parse("pkcs11:id=%01;id=%02").error().code, base::Errc::malformed);
  EXPECT_EQ(Pkcs11Uri::parse("pkcs11:colour=blue").error().code, base::Errc::unsupported);
  EXPECT_EQ(Pkcs11Uri::parse("file:/x").error().code, base::Errc::malformed);
}

TEST(PublicKey, Rfc3110ExponentLengthEncoding) {
  Bytes small = rsa_public_key_field(Bytes{0x00, 0x01, 0x00, 0x01}, Bytes{0x00, 0xc1, 0x02}).value();
  EXPECT_EQ(small, (Bytes{3, 0x01, 0x00, 0x01, 0xc1, 0x02}));  // leading zeros dropped
  Bytes big_exponent(256, 0x01);
  Bytes big = rsa_public_key_field(big_exponent, Bytes{0xc1}).value();
  EXPECT_EQ(big[0], 0);
  EXPECT_EQ(big[1], 1);
  EXPECT_EQ(big[2], 0);
  EXPECT_EQ(big.size(), 3u + 256u + 1u);
}

TEST(PublicKey, EcdsaRawDerRoundTripKeepsFixedSize) {
  Bytes raw(64, 0);
  raw[31] = 1;     // r = 1: DER drops the leading zeros
  raw[32] = 0x80;  // s high bit set: DER adds a zero
  auto der = ecdsa_raw_to_der(raw);
  ASSERT_TRUE(der);
  EXPECT_EQ(ecdsa_der_to_raw(*der, 32).value(), raw);
  EXPECT_FALSE(ecdsa_der_to_raw(*der, 16));  // s does not fit
}

TEST(PublicKey, VerifyRejectsMalformedKeys) {
  EXPECT_EQ(verify(Algorithm::ecdsap256sha256, Bytes(64, 0), Bytes{1}, Bytes(64, 1)).error().code,
            base::Errc::malformed);
  EXPECT_EQ(verify(Algorithm::ed25519, Bytes(31, 0), Bytes{1}, Bytes(64, 1)).error().code,
            base::Errc::malformed);
}

TEST(SecretFile, ModeAndNewlineRules) {
  std::string templ = (std::filesystem::temp_directory_path() / "signerd-secret-XXXXXX").string();
  std::string dir = ::mkdtemp(templ.data());
  auto write = [&](const std::string& name, const std::string& content, mode_t mode) {
    std::string path = dir + "/" + name;
    std::ofstream(path) << content;
    ::chmod(path.c_str(), mode);
    return path;
  };
  auto pin = read_secret_file(write("a", "1234\n", 0600), {.max_size = 64, .strip_newline = true});
  ASSERT_TRUE(pin);
  EXPECT_EQ(pin->view(), "1234");
  EXPECT_EQ(read_secret_file(write("b", "1234", 0400)).value().view(), "1234");
  auto loose = read_secret_file(write("c", "1234", 0604));
  ASSERT_FALSE(loose);
  EXPECT_NE(loose.error().detail.find("mode 0604"), std::string::npos);
  EXPECT_EQ(read_secret_file(write("d", "", 0600)).error().code, base::Errc::invalid_argument);
  EXPECT_EQ(read_secret_file(write("e", "12345", 0600), {.max_size = 4}).error().code,
            base::Errc::out_of_range);
  EXPECT_EQ(read_secret_file(dir + "/missing").error().code, base::Errc::io);
  std::filesystem::remove_all(dir);

  SecretString moved(std::move(*pin));
  EXPECT_EQ(moved.view(), "1234");
  EXPECT_TRUE(pin->empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
}

}  // namespace
}  // namespace signerd::hsm
