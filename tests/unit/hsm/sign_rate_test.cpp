// A measurement, not a test: signatures per second through SoftHSM2.
// Run: hsm_unit_tests --gtest_also_run_disabled_tests --gtest_filter='SignRate.*'
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "hsm/pkcs11_key_store.hpp"
#include "hsm_test_util.hpp"

namespace signerd::hsm {
namespace {

// Each thread signs `count` messages with its own KeySession (own PKCS#11 session).
double rate(KeyStore& store, const std::string& uri, int threads, int count) {
  std::vector<std::unique_ptr<KeySession>> sessions;
  std::vector<std::shared_ptr<PrivateKey>> keys;
  for (int t = 0; t < threads; ++t) {
    sessions.push_back(std::move(store.open_for_worker().value()));
    keys.push_back(sessions.back()->open(uri).value());
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      Bytes data(200, static_cast<uint8_t>(t));
      for (int i = 0; i < count; ++i) {
        data[0] = static_cast<uint8_t>(i);
        EXPECT_TRUE(keys[static_cast<size_t>(t)]->sign(data));
      }
    });
  }
  for (auto& th : pool) th.join();
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return threads * count / took.count();
}

TEST(SignRate, DISABLED_SoftHsm) {
  test::TempToken token;
  auto store = Pkcs11KeyStore::create({test::kSoftHsm, "signerd", token.pin_file()}).value();
  auto in_token =
      Pkcs11KeyStore::create({test::kSoftHsm, "signerd", token.pin_file(), RsaSigning::hash_in_token})
          .value();
  for (Algorithm alg : {Algorithm::ecdsap256sha256, Algorithm::ed25519, Algorithm::rsasha256}) {
    auto info = store->generate({alg, 2048, {number(alg)}, "bench"}).value();
    int n = alg == Algorithm::rsasha256 ? 500 : 4000;
    std::printf("%-16s 1 thread: %8.0f sig/s   2 threads: %8.0f sig/s\n", std::string(name(alg)).c_str(),
                rate(*store, info.uri, 1, n), rate(*store, info.uri, 2, n));
    if (alg == Algorithm::rsasha256) {
      std::printf(
          "%-16s 1 thread: %8.0f sig/s   2 threads: %8.0f sig/s  (CKM_SHA256_RSA_PKCS, hash in token)\n",
          "RSASHA256", rate(*in_token, info.uri, 1, n), rate(*in_token, info.uri, 2, n));
    }
  }
}

}  // namespace
}  // namespace signerd::hsm
