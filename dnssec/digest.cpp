#include "dnssec/digest.hpp"

#include <openssl/evp.h>

namespace signerd::dnssec {
namespace {

const EVP_MD* evp_md(DigestAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case DigestAlgorithm::sha1: return EVP_sha1();
    case DigestAlgorithm::sha256: return EVP_sha256();
    case DigestAlgorithm::sha384: return EVP_sha384();
    case DigestAlgorithm::sha512: return EVP_sha512();
  }
  return nullptr;
}

base::Error openssl_error(const char* what) {
  return base::make_error(base::Errc::internal, std::string("OpenSSL digest: ") + what + " failed");
}

}  // namespace

size_t digest_size(DigestAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case DigestAlgorithm::sha1: return 20;
    case DigestAlgorithm::sha256: return 32;
    case DigestAlgorithm::sha384: return 48;
    case DigestAlgorithm::sha512: return 64;
  }
  return 0;
}

void Hasher::CtxFree::operator()(evp_md_ctx_st* p) const noexcept { EVP_MD_CTX_free(p); }

Result<Hasher> Hasher::create(DigestAlgorithm algorithm) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return openssl_error("EVP_MD_CTX_new");
  Hasher h(algorithm, ctx);
  SIGNERD_TRY(h.reset());
  return h;
}

Result<void> Hasher::reset() {
  if (EVP_DigestInit_ex(ctx_.get(), evp_md(algorithm_), nullptr) != 1)
    return openssl_error("EVP_DigestInit_ex");
  return base::ok();
}

Result<void> Hasher::update(std::span<const uint8_t> data) {
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) return openssl_error("EVP_DigestUpdate");
  return base::ok();
}

Result<void> Hasher::finish(std::span<uint8_t> out) {
  if (out.size() < digest_size(algorithm_)) {
    return base::make_error(base::Errc::invalid_argument, "digest output buffer too small");
  }
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &n) != 1) return openssl_error("EVP_DigestFinal_ex");
  return base::ok();
}

Result<std::vector<uint8_t>> digest(DigestAlgorithm algorithm,
                                    std::initializer_list<std::span<const uint8_t>> parts) {
  auto h = Hasher::create(algorithm);
  if (!h) return std::move(h).error();
  for (auto part : parts) SIGNERD_TRY(h->update(part));
  std::vector<uint8_t> out(digest_size(algorithm));
  SIGNERD_TRY(h->finish(out));
  return out;
}

}  // namespace signerd::dnssec
