#include "dnssec/verify_crypto.hpp"

#include <openssl/rsa.h>

#include <array>
#include <cstring>
#include <string>

#include "hsm/public_key.hpp"

namespace signerd::dnssec::verify_detail {
namespace {

// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 section
// 2.2.3) in DER, built from r||s without BIGNUMs. P-384 at most: two
// INTEGERs of 2 + 49 octets, so every length fits one octet.
struct DerSignature {
  std::array<uint8_t, 2 + 2 * (2 + 1 + 48)> bytes{};
  size_t size = 0;

  // DER INTEGER: minimal, non-negative (a 0x00 before a high bit).
  void put_integer(std::span<const uint8_t> value) {
    while (value.size() > 1 && value.front() == 0) value = value.subspan(1);
    const bool pad = (value.front() & 0x80) != 0;
    bytes[size++] = 0x02;
    bytes[size++] = static_cast<uint8_t>(value.size() + (pad ? 1 : 0));
    if (pad) bytes[size++] = 0;
    std::memcpy(bytes.data() + size, value.data(), value.size());
    size += value.size();
  }
};

// `raw` is r||s, each half at most 48 octets and not empty.
DerSignature ecdsa_der(std::span<const uint8_t> raw) {
  DerSignature der;
  der.size = 2;
  const size_t half = raw.size() / 2;
  der.put_integer(raw.first(half));
  der.put_integer(raw.subspan(half));
  der.bytes[0] = 0x30;
  der.bytes[1] = static_cast<uint8_t>(der.size - 2);
  return der;
}

}  // namespace

void VerifyKeys::add(hsm::Algorithm algorithm, std::span<const uint8_t> field) {
  Key key{algorithm, nullptr, nullptr};
  if (auto pkey = hsm::public_key_from_field(algorithm, field)) key.pkey = std::move(*pkey);
  // Fetched once: an implicit fetch per signature takes a lock that the
  // workers would share (OpenSSL 3 migration_guide(7), "Performance").
  const std::string md(hsm::info(algorithm).digest);
  if (!md.empty()) {
    key.md.reset(EVP_MD_fetch(nullptr, md.c_str(), nullptr));
    if (!key.md) key.pkey.reset();
  }
  keys_.push_back(std::move(key));
}

SignatureChecker::SignatureChecker(const VerifyKeys& keys)
    : keys_(keys), digest_(EVP_MD_CTX_new()), eddsa_(EVP_MD_CTX_new()), slots_(keys.size()) {}

EVP_PKEY_CTX* SignatureChecker::prepared(size_t index) {
  Slot& slot = slots_[index];
  if (slot.tried) return slot.ctx.get();
  slot.tried = true;
  const VerifyKeys::Key& key = keys_.key(index);
  hsm::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) return nullptr;
  // RFC 3110 section 3 and RFC 5702 section 3: PKCS #1 v1.5 over a
  // DigestInfo, which OpenSSL builds from the signature digest.
  if (hsm::info(key.algorithm).family == hsm::KeyFamily::rsa &&
      (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
       EVP_PKEY_CTX_set_signature_md(ctx.get(), key.md.get()) != 1)) {
    return nullptr;
  }
  slot.ctx = std::move(ctx);
  return slot.ctx.get();
}

bool SignatureChecker::verify_eddsa(const VerifyKeys::Key& key, std::span<const uint8_t> data,
                                    std::span<const uint8_t> signature) {
  if (!eddsa_ || EVP_MD_CTX_reset(eddsa_.get()) != 1 ||
      EVP_DigestVerifyInit_ex(eddsa_.get(), nullptr, nullptr, nullptr, nullptr, key.pkey.get(), nullptr) !=
          1) {
    return false;
  }
  return EVP_DigestVerify(eddsa_.get(), signature.data(), signature.size(), data.data(), data.size()) == 1;
}

bool SignatureChecker::verify(size_t index, std::span<const uint8_t> data,
                              std::span<const uint8_t> signature) {
  const VerifyKeys::Key& key = keys_.key(index);
  if (!key.pkey) return false;
  const hsm::AlgorithmInfo& alg = hsm::info(key.algorithm);
  if (alg.family == hsm::KeyFamily::eddsa) return verify_eddsa(key, data, signature);
  if (alg.family == hsm::KeyFamily::ecdsa && signature.size() != alg.signature_size) return false;
  EVP_PKEY_CTX* ctx = prepared(index);
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned digest_size = 0;
  if (ctx == nullptr || !digest_ || EVP_DigestInit_ex(digest_.get(), key.md.get(), nullptr) != 1 ||
      EVP_DigestUpdate(digest_.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(digest_.get(), digest, &digest_size) != 1) {
    return false;
  }
  if (alg.family == hsm::KeyFamily::ecdsa) {
    const DerSignature der = ecdsa_der(signature);
    return EVP_PKEY_verify(ctx, der.bytes.data(), der.size, digest, digest_size) == 1;
  }
  return EVP_PKEY_verify(ctx, signature.data(), signature.size(), digest, digest_size) == 1;
}

}  // namespace signerd::dnssec::verify_detail
