// Shared pieces of the hsm/ unit tests: a throw-away SoftHSM2 token per test
// and an OpenSSL verifier that sees only the DNSKEY public key field.
#pragma once

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "hsm/algorithm.hpp"
#include "hsm/key_store.hpp"

namespace signerd::hsm::test {

inline const std::string kInitScript = std::string(SIGNERD_TEST_DATA) + "/../../deploy/hsm-init.sh";
inline const std::string kSoftHsm = "/usr/lib/softhsm/libsofthsm2.so";

// A fresh directory with a token made by deploy/hsm-init.sh; SOFTHSM2_CONF
// points at it for this process (SoftHSM reads it at C_Initialize).
class TempToken {
 public:
  explicit TempToken(const std::string& label = "signerd") {
    std::string templ = (std::filesystem::temp_directory_path() / "signerd-hsm-XXXXXX").string();
    dir_ = ::mkdtemp(templ.data());
    std::string cmd = "bash '" + kInitScript + "' '" + dir_ + "' '" + label + "' >/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    ::setenv("SOFTHSM2_CONF", (dir_ + "/softhsm2.conf").c_str(), 1);
  }
  ~TempToken() { std::filesystem::remove_all(dir_); }
  TempToken(const TempToken&) = delete;
  TempToken& operator=(const TempToken&) = delete;

  const std::string& dir() const { return dir_; }
  std::string pin_file() const { return dir_ + "/pin"; }

  // A PIN file with the given content and mode, beside the real one.
  std::string write_file(const std::string& name, const std::string& content, mode_t mode) const {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }

 private:
  std::string dir_;
};

inline Bytes base64_decode(const std::string& text) {
  Bytes out(text.size());
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  EXPECT_GE(n, 0);
  size_t size = static_cast<size_t>(n);
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --size;  // EVP_DecodeBlock counts padding
  out.resize(size);
  return out;
}

// Rebuilds an OpenSSL public key from the DNSKEY field alone (RFC 3110,
// RFC 6605, RFC 8080) and verifies; ECDSA r||s is turned into DER first.
// Written apart from hsm/public_key.cpp so that the two check each other.
inline bool openssl_verify(Algorithm alg, const Bytes& field, const Bytes& data, const Bytes& sig) {
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  const auto& row = info(alg);
  if (row.family == KeyFamily::eddsa) {
    key = EVP_PKEY_new_raw_public_key(alg == Algorithm::ed25519 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448, nullptr,
                                      field.data(), field.size());
  } else {
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    Bytes point{0x04};
    if (row.family == KeyFamily::rsa) {
      size_t elen = field[0];
      size_t off = 1;
      if (elen == 0) {
        elen = size_t{field[1]} << 8 | field[2];
        off = 3;
      }
      e = BN_bin2bn(field.data() + off, static_cast<int>(elen), nullptr);
      n = BN_bin2bn(field.data() + off + elen, static_cast<int>(field.size() - off - elen), nullptr);
      OSSL_PARAM_BLD_push_BN(bld, "n", n);
      OSSL_PARAM_BLD_push_BN(bld, "e", e);
    } else {
      point.insert(point.end(), field.begin(), field.end());
      OSSL_PARAM_BLD_push_utf8_string(bld, "group", alg == Algorithm::ecdsap256sha256 ? "P-256" : "P-384", 0);
      OSSL_PARAM_BLD_push_octet_string(bld, "pub", point.data(), point.size());
    }
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(nullptr, row.family == KeyFamily::rsa ? "RSA" : "EC", nullptr);
    EVP_PKEY_fromdata_init(ctx);
    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
  }
  if (key == nullptr) return false;
  Bytes signature = sig;
  if (row.family == KeyFamily::ecdsa) {
    size_t half = sig.size() / 2;
    ECDSA_SIG* s = ECDSA_SIG_new();
    ECDSA_SIG_set0(s, BN_bin2bn(sig.data(), static_cast<int>(half), nullptr),
                   BN_bin2bn(sig.data() + half, static_cast<int>(half), nullptr));
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(s, &der);
    signature.assign(der, der + len);
    OPENSSL_free(der);
    ECDSA_SIG_free(s);
  }
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  std::string digest(row.digest);
  bool ok = EVP_DigestVerifyInit_ex(md, nullptr, digest.empty() ? nullptr : digest.c_str(), nullptr, nullptr,
                                    key, nullptr) == 1 &&
            EVP_DigestVerify(md, signature.data(), signature.size(), data.data(), data.size()) == 1;
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  return ok;
}

inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace signerd::hsm::test
