// verify_bench FILE ORIGIN [THREADS...]: reads a signed master file and
// times dnssec::verify_zone on it once per thread count (0: one per core;
// default: 1 then 0). Run by verify_zone.sh beside dnssec-verify and
// ldns-verify-zone; the read is not timed.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "dns/zone_file.hpp"
#include "dnssec/verify_zone.hpp"

int main(int argc, char** argv) {
  using namespace signerd;
  if (argc < 3) {
    std::fputs("usage: verify_bench FILE ORIGIN [THREADS...]\n", stderr);
    return 2;
  }
  auto origin = dns::Name::from_text(argv[2]);
  if (!origin) {
    std::fprintf(stderr, "bad origin: %s\n", origin.error().detail.c_str());
    return 2;
  }
  std::vector<size_t> counts;
  for (int i = 3; i < argc; ++i) counts.push_back(static_cast<size_t>(std::atoi(argv[i])));
  if (counts.empty()) counts = {1, 0};

  dns::ZoneFileOptions options;
  options.origin = *origin;
  auto read = dns::read_zone_file(argv[1], options);
  for (const auto& e : read.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  if (!read.zone) return 1;
  const base::TimePoint now = base::SystemClock().now();
  for (size_t threads : counts) {
    dnssec::VerifyOptions verify;
    verify.threads = threads;
    const auto start = std::chrono::steady_clock::now();
    auto report = dnssec::verify_zone(*read.zone, now, verify);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (!report) {
      std::fprintf(stderr, "verify_bench: %s\n", report.error().to_string().c_str());
      return 1;
    }
    std::printf("threads %zu seconds %.3f signatures %zu rrsets %zu denial %zu rate %.0f\n", report->threads,
                took.count(), report->signatures, report->rrsets, report->denial_records,
                static_cast<double>(report->signatures) / took.count());
  }
  return 0;
}
