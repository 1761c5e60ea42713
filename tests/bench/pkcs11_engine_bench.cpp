// pkcs11_engine_bench PIN_FILE [SECONDS]: ECDSAP256SHA256 signing rate
// through SoftHSM2 by two paths, 1 and 2 threads each:
//   engine  OpenSSL's PKCS#11 engine (libengine-pkcs11-openssl, libp11):
//           EVP_DigestSign on an EVP_PKEY the engine loads by pkcs11: URI
//   direct  signerd's hot path (hsm/pkcs11_signer.cpp): SHA-256 in-process,
//           C_Sign(CKM_ECDSA) on the digest, one session per worker
// The token is SoftHSM2's "signerd" (SOFTHSM2_CONF); a key is generated.
#include <openssl/engine.h>
#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "hsm/pkcs11_key_store.hpp"
#include "hsm/secret_string.hpp"

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // the ENGINE API is what is measured

namespace {

using namespace signerd;
using Clock = std::chrono::steady_clock;

// Signatures per second: `threads` threads each calling make_signer()'s
// function until `seconds` pass.
double rate(unsigned threads, double seconds, const std::function<std::function<bool()>()>& make_signer) {
  std::atomic<bool> stop{false};
  std::atomic<long> count{0};
  std::vector<std::function<bool()>> signers;
  for (unsigned t = 0; t < threads; ++t) signers.push_back(make_signer());
  std::vector<std::thread> pool;
  const auto start = Clock::now();
  for (auto& sign : signers) {
    pool.emplace_back([&, sign] {
      long n = 0;
      while (!stop.load(std::memory_order_relaxed) && sign()) ++n;
      count += n;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : pool) t.join();
  return static_cast<double>(count.load()) / std::chrono::duration<double>(Clock::now() - start).count();
}

ENGINE* load_engine(const hsm::SecretString& pin) {
  ENGINE_load_dynamic();
  ENGINE* e = ENGINE_by_id("dynamic");
  if (e == nullptr) return nullptr;
  if (!ENGINE_ctrl_cmd_string(e, "SO_PATH", "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so", 0) ||
      !ENGINE_ctrl_cmd_string(e, "ID", "pkcs11", 0) || !ENGINE_ctrl_cmd_string(e, "LIST_ADD", "1", 0) ||
      !ENGINE_ctrl_cmd_string(e, "LOAD", nullptr, 0) ||
      !ENGINE_ctrl_cmd_string(e, "MODULE_PATH", "/usr/lib/softhsm/libsofthsm2.so", 0)) {
    return nullptr;
  }
  // The PIN as a C string that is wiped with the SecretString.
  auto c_pin = hsm::SecretString::zeroed(pin.view().size() + 1);
  std::copy(pin.view().begin(), pin.view().end(), c_pin.mutable_data());
  if (!ENGINE_ctrl_cmd_string(e, "PIN", c_pin.data(), 0) || !ENGINE_init(e)) return nullptr;
  return e;
}

int fail(const std::string& why) {
  std::fprintf(stderr, "pkcs11_engine_bench: %s\n", why.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: pkcs11_engine_bench PIN_FILE [SECONDS]\n", stderr);
    return 2;
  }
  const double seconds = argc > 2 ? std::atof(argv[2]) : 5.0;
  hsm::Pkcs11Options options;
  options.pin_file = argv[1];
  auto store = hsm::Pkcs11KeyStore::create(options);
  if (!store) return fail(store.error().to_string());
  auto key = (*store)->generate(hsm::KeySpec{hsm::Algorithm::ecdsap256sha256, 0, {}, "engine bench"});
  if (!key) return fail(key.error().to_string());
  const std::vector<uint8_t> data(200, 0x5a);  // about one RRset's signing input

  auto direct = [&] {
    auto session = (*store)->open_for_worker();
    auto pk = session ? (*session)->open(key->uri)
                      : base::Result<std::shared_ptr<hsm::PrivateKey>>(session.error());
    std::shared_ptr<hsm::KeySession> owner(session ? std::move(*session) : nullptr);
    std::shared_ptr<hsm::PrivateKey> k = pk ? *pk : nullptr;
    return std::function<bool()>([owner, k, &data] { return k && k->sign(data).has_value(); });
  };

  auto pin = hsm::read_secret_file(argv[1]);
  if (!pin) return fail(pin.error().to_string());
  ENGINE* engine = load_engine(*pin);
  if (engine == nullptr) return fail("cannot load the OpenSSL pkcs11 engine");
  EVP_PKEY* pkey = ENGINE_load_private_key(engine, key->uri.c_str(), nullptr, nullptr);
  if (pkey == nullptr) return fail("the engine cannot load the key");
  auto via_engine = [&] {
    return std::function<bool()>([pkey, &data] {
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      unsigned char sig[80];
      size_t len = sizeof sig;
      bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
                EVP_DigestSign(ctx, sig, &len, data.data(), data.size()) == 1;
      EVP_MD_CTX_free(ctx);
      return ok;
    });
  };

  for (unsigned threads : {1u, 2u}) {
    std::printf("direct C_Sign     %u thread(s): %8.0f sig/s\n", threads, rate(threads, seconds, direct));
    std::printf("engine DigestSign %u thread(s): %8.0f sig/s\n", threads, rate(threads, seconds, via_engine));
  }
  EVP_PKEY_free(pkey);
  ENGINE_finish(engine);
  ENGINE_free(engine);
  (void)(*store)->remove(key->uri);
  return 0;
}
