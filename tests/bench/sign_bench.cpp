// sign_bench: signs a master file with signerd's engine and prints what it
// took. Run by sign_zone.sh beside the peers; peak memory is measured from
// outside (/usr/bin/time).
//
// usage: sign_bench FILE ORIGIN OUT {pkcs11 PIN_FILE | pem KEY_DIR} WORKERS [nsec3]
// pkcs11 uses the token "signerd" of the SoftHSM2 named by SOFTHSM2_CONF.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "base/clock.hpp"
#include "dns/zone_file.hpp"
#include "dnssec/zone_signer.hpp"
#include "hsm/pem_key_store.hpp"
#include "hsm/pkcs11_key_store.hpp"

namespace {

using namespace signerd;
using Seconds = std::chrono::duration<double>;

int fail(const std::string& what) {
  std::fprintf(stderr, "sign_bench: %s\n", what.c_str());
  return 1;
}

base::Result<std::unique_ptr<hsm::KeyStore>> open_store(const std::string& backend, const std::string& arg) {
  if (backend == "pkcs11") {
    hsm::Pkcs11Options o;
    o.pin_file = arg;
    auto s = hsm::Pkcs11KeyStore::create(o);
    if (!s) return std::move(s).error();
    return std::unique_ptr<hsm::KeyStore>(std::move(*s));
  }
  auto s = hsm::PemKeyStore::create(arg);
  if (!s) return std::move(s).error();
  return std::unique_ptr<hsm::KeyStore>(std::move(*s));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fputs("usage: sign_bench FILE ORIGIN OUT {pkcs11 PIN_FILE|pem KEY_DIR} WORKERS [nsec3]\n", stderr);
    return 2;
  }
  auto origin = dns::Name::from_text(argv[2]);
  if (!origin) return fail(origin.error().detail);
  const unsigned workers = static_cast<unsigned>(std::atoi(argv[6]));
  const bool nsec3 = argc > 7 && std::string(argv[7]) == "nsec3";

  auto t0 = std::chrono::steady_clock::now();
  dns::ZoneFileOptions options;
  options.origin = *origin;
  auto read = dns::read_zone_file(argv[1], options);
  if (!read.zone) return fail(read.errors.empty() ? "read failed" : read.errors.front().to_string());
  auto t1 = std::chrono::steady_clock::now();

  auto store = open_store(argv[4], argv[5]);
  if (!store) return fail(store.error().to_string());
  hsm::KeySpec spec;
  spec.label = std::string(argv[2]) + " csk";
  auto key = (*store)->generate(spec);
  if (!key) return fail(key.error().to_string());

  dnssec::ZoneKeys keys{
      store->get(),
      {dnssec::SigningKey{
          .ref = key->uri, .algorithm = {}, .flags = 257, .publish = true, .ksk = true, .zsk = true}}};
  dnssec::SigningParams params;
  if (nsec3) params.denial = dnssec::Nsec3Params{};
  auto t2 = std::chrono::steady_clock::now();
  auto signed_zone = dnssec::sign_zone(*read.zone, keys, params, base::SystemClock().now(), workers);
  if (!signed_zone) return fail(signed_zone.error().to_string());
  auto t3 = std::chrono::steady_clock::now();
  if (auto w = dns::write_zone_file(**signed_zone, argv[3]); !w) return fail(w.error().to_string());
  auto t4 = std::chrono::steady_clock::now();

  size_t signatures = 0;
  (*signed_zone)->for_each_rrset([&](const dns::NodeView&, const dns::RRsetView& set) {
    if (set.type() == dns::RRType::RRSIG) signatures += set.size();
  });
  const double sign_s = Seconds(t3 - t2).count();
  std::printf("read %.2f s, sign %.2f s, write %.2f s, signatures %zu, %.0f sig/s (signing phase)\n",
              Seconds(t1 - t0).count(), sign_s, Seconds(t4 - t3).count(), signatures,
              static_cast<double>(signatures) / sign_s);
  return 0;
}
