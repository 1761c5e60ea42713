#include "hsm/public_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>

#include <array>
#include <string>

namespace signerd::hsm {

using base::Errc;
using base::make_error;

namespace {

std::string_view curve_name(Algorithm alg) {
  return alg == Algorithm::ecdsap256sha256 ? "prime256v1" : "secp384r1";
}

int eddsa_type(Algorithm alg) { return alg == Algorithm::ed25519 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448; }

// BIGNUM to big-endian bytes, left-padded to `size` (0: minimal length).
Bytes bn_bytes(const BIGNUM* bn, size_t size) {
  size_t n = static_cast<size_t>(BN_num_bytes(bn));
  Bytes out(size > n ? size : n);
  BN_bn2binpad(bn, out.data(), static_cast<int>(out.size()));
  return out;
}

base::Result<Bytes> ec_field(Algorithm alg, const EVP_PKEY* key) {
  char group[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
      !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) ||
      std::string_view(group, len) != curve_name(alg)) {
    return make_error(Errc::conflict, "key is not on the curve of " + std::string(name(alg)));
  }
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  bool got = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) &&
             EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
  Bn bx(x), by(y);
  if (!got) return make_error(Errc::internal, "cannot read the EC public point");
  size_t size = info(alg).field_size;
  Bytes out = bn_bytes(bx.get(), size);
  Bytes ys = bn_bytes(by.get(), size);
  out.insert(out.end(), ys.begin(), ys.end());
  return out;
}

base::Result<EvpPkey> rsa_from_field(std::span<const uint8_t> f) {
  // RFC 3110 section 2.
  size_t exp_len = 0;
  size_t off = 0;
  if (!f.empty() && f[0] != 0) {
    exp_len = f[0];
    off = 1;
  } else if (f.size() >= 3) {
    exp_len = static_cast<size_t>(f[1]) << 8 | f[2];
    off = 3;
  }
  if (exp_len == 0 || off + exp_len >= f.size()) return make_error(Errc::malformed, "RSA public key field");
  Bn e(BN_bin2bn(f.data() + off, static_cast<int>(exp_len), nullptr));
  Bn n(BN_bin2bn(f.data() + off + exp_len, static_cast<int>(f.size() - off - exp_len), nullptr));
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!e || !n || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get())) {
    return make_error(Errc::internal, "OpenSSL: RSA parameters");
  }
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return make_error(Errc::malformed, "RSA public key field rejected by OpenSSL");
  }
  return EvpPkey(key);
}

base::Result<EvpPkey> ec_from_field(Algorithm alg, std::span<const uint8_t> f) {
  if (f.size() != 2 * info(alg).field_size) return make_error(Errc::malformed, "ECDSA public key size");
  Bytes point{0x04};  // SEC 1 uncompressed point: 04 || X || Y
  point.insert(point.end(), f.begin(), f.end());
  std::string group(curve_name(alg));
  std::array<OSSL_PARAM, 3> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.data()) <= 0) {
    return make_error(Errc::malformed, "ECDSA public key is not a point on the curve");
  }
  return EvpPkey(key);
}

}  // namespace

base::Result<Bytes> rsa_public_key_field(std::span<const uint8_t> exponent,
                                         std::span<const uint8_t> modulus) {
  while (!exponent.empty() && exponent.front() == 0) exponent = exponent.subspan(1);
  while (!modulus.empty() && modulus.front() == 0) modulus = modulus.subspan(1);
  if (exponent.empty() || modulus.empty() || exponent.size() > 0xffff) {
    return make_error(Errc::invalid_argument, "RSA exponent or modulus empty or too long");
  }
  Bytes out;
  if (exponent.size() <= 255) {
    out.push_back(static_cast<uint8_t>(exponent.size()));
  } else {
    out = {0, static_cast<uint8_t>(exponent.size() >> 8), static_cast<uint8_t>(exponent.size() & 0xff)};
  }
  out.insert(out.end(), exponent.begin(), exponent.end());
  out.insert(out.end(), modulus.begin(), modulus.end());
  return out;
}

base::Result<Bytes> public_key_field(Algorithm alg, const EVP_PKEY* key) {
  switch (info(alg).family) {
    case KeyFamily::rsa: {
      if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return make_error(Errc::conflict, "key is not RSA");
      BIGNUM* n = nullptr;
      BIGNUM* e = nullptr;
      bool got = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) &&
                 EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
      Bn bn(n), be(e);
      if (!got) return make_error(Errc::internal, "cannot read the RSA public key");
      return rsa_public_key_field(bn_bytes(be.get(), 0), bn_bytes(bn.get(), 0));
    }
    case KeyFamily::ecdsa: return ec_field(alg, key);
    case KeyFamily::eddsa: {
      if (EVP_PKEY_get_base_id(key) != eddsa_type(alg)) {
        return make_error(Errc::conflict, "key is not " + std::string(name(alg)));
      }
      Bytes out(info(alg).field_size);
      size_t len = out.size();
      if (!EVP_PKEY_get_raw_public_key(key, out.data(), &len) || len != out.size()) {
        return make_error(Errc::internal, "cannot read the EdDSA public key");
      }
      return out;
    }
  }
  return make_error(Errc::internal, "unknown key family");
}

base::Result<EvpPkey> public_key_from_field(Algorithm alg, std::span<const uint8_t> field) {
  switch (info(alg).family) {
    case KeyFamily::rsa: return rsa_from_field(field);
    case KeyFamily::ecdsa: return ec_from_field(alg, field);
    case KeyFamily::eddsa: {
      if (field.size() != info(alg).field_size) return make_error(Errc::malformed, "EdDSA public key size");
      EvpPkey key(EVP_PKEY_new_raw_public_key(eddsa_type(alg), nullptr, field.data(), field.size()));
      if (!key) return make_error(Errc::malformed, "EdDSA public key rejected by OpenSSL");
      return key;
    }
  }
  return make_error(Errc::internal, "unknown key family");
}

base::Result<void> verify(Algorithm alg, std::span<const uint8_t> public_key, std::span<const uint8_t> data,
                          std::span<const uint8_t> signature) {
  auto key = public_key_from_field(alg, public_key);
  if (!key) return std::move(key).error();
  Bytes der;
  if (info(alg).family == KeyFamily::ecdsa) {
    if (signature.size() != info(alg).signature_size)
      return make_error(Errc::malformed, "ECDSA signature size");
    auto converted = ecdsa_raw_to_der(signature);
    if (!converted) return std::move(converted).error();
    der = std::move(*converted);
    signature = der;
  }
  std::string md(info(alg).digest);
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, md.empty() ? nullptr : md.c_str(), nullptr, nullptr,
                                      key->get(), nullptr) != 1) {
    return make_error(Errc::internal, "OpenSSL: cannot set up verification");
  }
  if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size()) != 1) {
    return make_error(Errc::conflict, std::string(name(alg)) + " signature does not verify");
  }
  return base::ok();
}

base::Result<Bytes> digest(Algorithm alg, std::span<const uint8_t> data) {
  // Fetched once: an implicit fetch per call costs a lock and a lookup on the
  // signing path (OpenSSL 3 "Performance" notes in migration_guide(7)).
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static EVP_MD* const kSha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  static EVP_MD* const kSha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  std::string_view md_name = info(alg).digest;
  const EVP_MD* md = md_name == "SHA256"   ? kSha256
                     : md_name == "SHA384" ? kSha384
                     : md_name == "SHA512" ? kSha512
                                           : nullptr;
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  if (md == nullptr || EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) {
    return make_error(Errc::internal, "OpenSSL: digest for " + std::string(name(alg)));
  }
  out.resize(len);
  return out;
}

std::span<const uint8_t> digest_info_prefix(Algorithm alg) {
  // DER of DigestInfo{AlgorithmIdentifier{id-sha256|id-sha512, NULL}, OCTET STRING header}.
  static constexpr uint8_t kSha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                        0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  static constexpr uint8_t kSha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                        0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};
  if (alg == Algorithm::rsasha512) return kSha512;
  return kSha256;
}

base::Result<Bytes> ecdsa_der_to_raw(std::span<const uint8_t> der, size_t field_size) {
  const unsigned char* p = der.data();
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) return make_error(Errc::malformed, "ECDSA signature is not DER");
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  if (static_cast<size_t>(BN_num_bytes(r)) > field_size ||
      static_cast<size_t>(BN_num_bytes(s)) > field_size) {
    return make_error(Errc::malformed, "ECDSA signature values too large for the curve");
  }
  Bytes out = bn_bytes(r, field_size);
  Bytes tail = bn_bytes(s, field_size);
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

base::Result<Bytes> ecdsa_raw_to_der(std::span<const uint8_t> raw) {
  if (raw.empty() || raw.size() % 2 != 0) return make_error(Errc::malformed, "ECDSA r||s has odd size");
  int half = static_cast<int>(raw.size() / 2);
  Bn r(BN_bin2bn(raw.data(), half, nullptr));
  Bn s(BN_bin2bn(raw.data() + half, half, nullptr));
  EcdsaSig sig(ECDSA_SIG_new());
  if (!r || !s || !sig || !ECDSA_SIG_set0(sig.get(), r.get(), s.get())) {
    return make_error(Errc::internal, "OpenSSL: ECDSA_SIG");
  }
  (void)r.release();  // owned by sig now
  (void)s.release();
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return make_error(Errc::internal, "OpenSSL: ECDSA_SIG encoding");
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  return out;
}

}  // namespace signerd::hsm
