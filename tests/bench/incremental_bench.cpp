// incremental_bench: Google Benchmark of the per-change path at 100,000 and
// 1,000,000 names: apply_diff of a one-record change to the unsigned zone,
// and sign_change (apply, sign the touched RRsets with an ECDSA P-256 file
// key, apply to the signed zone). Each iteration changes the zone it made in
// the last one, as the daemon does; the zones are synthetic (one A per name
// under the origin). The whole-zone sign_diff is measured at 100,000 names
// for comparison.
//
// usage: incremental_bench [--benchmark_filter=...]
// With INCREMENTAL_BENCH_PIN_FILE set, the key lives in the SoftHSM2 token
// "signerd" of SOFTHSM2_CONF (deploy/hsm-init.sh makes one) instead of a file.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/sign_change.hpp"
#include "dnssec/sign_diff.hpp"
#include "dnssec/zone_signer.hpp"
#include "hsm/pem_key_store.hpp"
#include "hsm/pkcs11_key_store.hpp"

namespace {

using namespace signerd;

dns::Name name(const std::string& text) { return *dns::Name::from_text(text); }

dns::Rdata soa(uint32_t serial) {
  dns::Rdata rd;
  for (const char* n : {"\x02ns\x07"
                        "example\x00",
                        "\x04host\x07"
                        "example\x00"}) {
    const size_t len = std::char_traits<char>::length(n) + 1;  // the root octet
    rd.insert(rd.end(), n, n + len);
  }
  for (uint32_t v : {serial, 3600u, 600u, 86400u, 300u}) {
    for (int s = 24; s >= 0; s -= 8) rd.push_back(static_cast<uint8_t>(v >> s));
  }
  return rd;
}

std::shared_ptr<const dns::ZoneVersion> make_zone(size_t names) {
  dns::ZoneBuilder b(name("example."));
  (void)b.add(name("example."), dns::RRType::SOA, dns::RRClass::IN, 3600, soa(1));
  const dns::Rdata ns = {2, 'n', 's', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
  (void)b.add(name("example."), dns::RRType::NS, dns::RRClass::IN, 3600, ns);
  for (size_t i = 0; i < names; ++i) {
    const dns::Rdata a = {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                          static_cast<uint8_t>(i)};
    (void)b.add(name("host" + std::to_string(i) + ".example."), dns::RRType::A, dns::RRClass::IN, 3600, a);
  }
  return *std::move(b).finish();
}

// The serial bump plus one new name per step.
dns::ZoneDiff one_change(uint32_t serial, size_t step) {
  dns::ZoneDiff d{serial, serial + 1, {}, {}};
  dns::RRset old_soa(name("example."), dns::RRType::SOA, dns::RRClass::IN, 3600);
  old_soa.add(soa(serial));
  dns::RRset new_soa(name("example."), dns::RRType::SOA, dns::RRClass::IN, 3600);
  new_soa.add(soa(serial + 1));
  dns::RRset fresh(name("new" + std::to_string(step) + ".example."), dns::RRType::A, dns::RRClass::IN, 3600);
  fresh.add(dns::Rdata{192, 0, 2, 1});
  d.removed.push_back(std::move(old_soa));
  d.added.push_back(std::move(new_soa));
  d.added.push_back(std::move(fresh));
  return d;
}

std::shared_ptr<const dns::ZoneVersion> zone_of(size_t names) {
  static std::map<size_t, std::shared_ptr<const dns::ZoneVersion>> cache;
  auto& z = cache[names];
  if (!z) z = make_zone(names);
  return z;
}

void BM_ApplyDiff(benchmark::State& state) {
  auto current = zone_of(static_cast<size_t>(state.range(0)));
  size_t step = 0;
  for (auto _ : state) {
    auto next = dns::apply_diff(*current, one_change(current->serial(), step++));
    if (!next) state.SkipWithError(next.error().detail.c_str());
    current = *next;
  }
}
BENCHMARK(BM_ApplyDiff)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

struct Signer {
  std::unique_ptr<hsm::KeyStore> store;
  dnssec::ZoneKeys keys;
  dnssec::SigningParams params;
  std::shared_ptr<const dns::ZoneVersion> signed_zone;
};

Signer& signer_of(size_t names) {
  static std::map<size_t, Signer> cache;
  Signer& s = cache[names];
  if (s.store) return s;
  const auto dir =
      std::filesystem::temp_directory_path() / ("incremental_bench_" + std::to_string(::getpid()));
  if (const char* pin = std::getenv("INCREMENTAL_BENCH_PIN_FILE")) {
    hsm::Pkcs11Options o;
    o.pin_file = pin;
    s.store = *hsm::Pkcs11KeyStore::create(o);
  } else {
    s.store = *hsm::PemKeyStore::create(dir.string());
  }
  auto info = s.store->generate(hsm::KeySpec{hsm::Algorithm::ecdsap256sha256, 2048, {}, "bench csk"});
  s.keys.store = s.store.get();
  s.keys.keys.push_back(dnssec::SigningKey{
      .ref = info->uri, .algorithm = {}, .flags = 257, .publish = true, .ksk = true, .zsk = true});
  s.signed_zone = *dnssec::sign_zone(*zone_of(names), s.keys, s.params, base::SystemClock().now(), 2);
  return s;
}

template <bool kWholeZone>
void BM_SignOneChange(benchmark::State& state) {
  const auto names = static_cast<size_t>(state.range(0));
  Signer& s = signer_of(names);
  auto unsigned_zone = zone_of(names);
  auto signed_zone = s.signed_zone;
  auto session = dnssec::SigningSession::open(s.keys);  // kept, as the daemon keeps it
  size_t step = 0;
  for (auto _ : state) {
    const auto change = one_change(unsigned_zone->serial(), step++);
    const auto now = base::SystemClock().now();
    dnssec::SignedUpdate update;
    if constexpr (kWholeZone) {
      auto r = dnssec::sign_diff(*unsigned_zone, *signed_zone, change, s.keys, s.params, now, 1);
      if (!r) state.SkipWithError(r.error().detail.c_str());
      update = std::move(*r);
    } else {
      auto r = dnssec::sign_change(*unsigned_zone, *signed_zone, change, s.keys, s.params, now, &*session);
      if (!r || !*r) state.SkipWithError(r ? "fell back to the whole zone" : r.error().detail.c_str());
      update = std::move(**r);
    }
    unsigned_zone = update.unsigned_next;
    signed_zone = update.signed_next;
  }
}
// The zones one change after another, as the daemon holds them, with the
// HSM session kept between changes as the daemon keeps it.
struct ChangeChain {
  explicit ChangeChain(size_t names, size_t first_step)
      : s(signer_of(names)),
        unsigned_zone(zone_of(names)),
        signed_zone(s.signed_zone),
        session(*dnssec::SigningSession::open(s.keys)),
        step(first_step) {}
  dns::ZoneDiff next_change() { return one_change(unsigned_zone->serial(), step++); }
  // Signs `change` and moves on to its result; false (and the benchmark
  // skipped) on an error or a fallback to the whole zone.
  bool sign(benchmark::State& state, const dns::ZoneDiff& change, base::TimePoint now) {
    auto r = dnssec::sign_change(*unsigned_zone, *signed_zone, change, s.keys, s.params, now, &session);
    if (!r || !*r) {
      state.SkipWithError(r ? "fell back to the whole zone" : r.error().detail.c_str());
      return false;
    }
    unsigned_zone = (*r)->unsigned_next;
    signed_zone = (*r)->signed_next;
    return true;
  }

  Signer& s;
  std::shared_ptr<const dns::ZoneVersion> unsigned_zone;
  std::shared_ptr<const dns::ZoneVersion> signed_zone;
  dnssec::SigningSession session;
  size_t step;
};

// The daemon's case: a change after some idle time (caches cold). Opening
// the kept session is BM_OpenSigningSession.
void BM_SignChangeAfterIdle(benchmark::State& state) {
  ChangeChain chain(static_cast<size_t>(state.range(0)), 1'000'000);
  for (auto _ : state) {
    state.PauseTiming();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto change = chain.next_change();
    const auto now = base::SystemClock().now();
    state.ResumeTiming();
    if (!chain.sign(state, change, now)) break;
  }
}
BENCHMARK(BM_SignChangeAfterIdle)->Arg(1'000'000)->Iterations(20)->Unit(benchmark::kMillisecond);

// The daemon's case in the middle-box benchmark: between two changes the
// primary reloads the whole zone, which leaves signerd's caches and TLB cold.
// Here 1 GiB is written before each change; "faults" counts the page faults
// of the change itself.
void BM_SignChangeCold(benchmark::State& state) {
  ChangeChain chain(static_cast<size_t>(state.range(0)), 2'000'000);
  std::vector<uint8_t> churn(size_t{1} << 30);
  long faults = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (size_t i = 0; i < churn.size(); i += 64) churn[i] = static_cast<uint8_t>(chain.step + i);
    benchmark::ClobberMemory();
    const auto change = chain.next_change();
    const auto now = base::SystemClock().now();
    rusage before{};
    ::getrusage(RUSAGE_THREAD, &before);
    state.ResumeTiming();
    if (!chain.sign(state, change, now)) break;
    state.PauseTiming();
    rusage after{};
    ::getrusage(RUSAGE_THREAD, &after);
    faults += after.ru_minflt - before.ru_minflt + after.ru_majflt - before.ru_majflt;
    state.ResumeTiming();
  }
  state.counters["faults"] =
      benchmark::Counter(static_cast<double>(faults), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_SignChangeCold)->Arg(1'000'000)->Iterations(20)->Unit(benchmark::kMillisecond);

void BM_OpenSigningSession(benchmark::State& state) {
  Signer& s = signer_of(100'000);
  for (auto _ : state) {
    auto session = s.store->open_for_worker();
    if (!session) state.SkipWithError(session.error().detail.c_str());
    auto key = (*session)->open(s.keys.keys[0].ref, std::nullopt);
    if (!key) state.SkipWithError(key.error().detail.c_str());
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_OpenSigningSession)->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_SignOneChange<false>)
    ->Name("BM_SignChange")
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SignOneChange<true>)->Name("BM_SignDiffWholeZone")->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // The daemon signs on a thread of its zone pool, whose allocations come
  // from one of malloc's thread arenas, not the main one.
  std::thread([] { benchmark::RunSpecifiedBenchmarks(); }).join();
  benchmark::Shutdown();
  // The file keys made for the run.
  std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                              ("incremental_bench_" + std::to_string(::getpid())));
  return 0;
}
