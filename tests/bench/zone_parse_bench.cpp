// zone_parse_bench FILE ORIGIN: reads a master file into a ZoneVersion as
// signerd does (libzscanner, ZoneBuilder) and prints what it took.
// Peak memory is measured from outside (zone_parse.sh runs /usr/bin/time).
#include <chrono>
#include <cstdio>
#include <string>

#include "dns/zone_file.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fputs("usage: zone_parse_bench FILE ORIGIN\n", stderr);
    return 2;
  }
  auto origin = signerd::dns::Name::from_text(argv[2]);
  if (!origin) {
    std::fprintf(stderr, "bad origin: %s\n", origin.error().detail.c_str());
    return 2;
  }
  signerd::dns::ZoneFileOptions options;
  options.origin = *origin;
  options.max_errors = 10;
  const auto start = std::chrono::steady_clock::now();
  auto result = signerd::dns::read_zone_file(argv[1], options);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  for (const auto& e : result.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  if (!result.zone) return 1;
  const auto& z = *result.zone;
  std::printf("seconds %.3f records %zu rrsets %zu nodes %zu memory_bytes %zu\n", took.count(),
              z.record_count(), z.rrset_count(), z.node_count(), z.memory_bytes());
  return 0;
}
