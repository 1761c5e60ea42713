// signerctl check-zone: read a master file as signerd would and print it in
// canonical order (like named-checkzone -D), or its errors as FILE:LINE.
#include <cstdio>
#include <string>

#include "dns/zone_file.hpp"
#include "signerd/cli_support.hpp"
#include "signerd/commands.hpp"

namespace signerd::cli {
namespace {

constexpr const char* kUsage =
    "usage: signerctl check-zone --zone NAME --in FILE [--generic]\n"
    "  Reads FILE as the master file of zone NAME. Prints the zone in\n"
    "  canonical order to stdout (exit 0), or each error as FILE:LINE: message\n"
    "  to stderr (exit 1). Warnings go to stderr either way.\n"
    "  --generic  print every record in RFC 3597 form (TYPEnnn \\# LEN HEX),\n"
    "             the exact octets, as ldns-read-zone -U does\n";

int usage_error(const std::string& why) {
  if (!why.empty()) std::fprintf(stderr, "signerctl check-zone: %s\n", why.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

constexpr OptionSpec kOptions[] = {{"--zone", true, true}, {"--in", true, true}, {"--generic", false, false}};

// RFC 3597 section 5 form of every record: what the tests compare octet
// for octet with ldns-read-zone -U.
void write_generic(const dns::ZoneVersion& zone, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  zone.for_each_rrset([&](dns::NodeView node, dns::RRsetView set) {
    for (size_t k = 0; k < set.size(); ++k) {
      auto rdata = set.rdata(k);
      node.owner().append_text(out);
      out += ' ' + std::to_string(set.ttl()) + ' ' + dns::to_text(zone.rclass()) + " TYPE" +
             std::to_string(dns::code(set.type())) + " \\# " + std::to_string(rdata.size());
      if (!rdata.empty()) out += ' ';
      for (uint8_t b : rdata) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
      }
      out += '\n';
    }
  });
}

}  // namespace

int check_zone(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  auto options = Options::parse(args, kOptions);
  if (!options) return usage_error(options.error().detail);
  auto origin = parse_zone_name(*options->get("--zone"));
  if (!origin) return usage_error(origin.error().detail);
  auto zone = read_zone_reporting(*options->get("--in"), *origin);
  if (!zone) return 1;

  std::string out;
  if (options->has("--generic")) {
    write_generic(*zone, out);
  } else {
    dns::write_zone(*zone, out);
  }
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    std::perror("signerctl check-zone: writing to stdout");
    return 1;
  }
  return 0;
}

}  // namespace signerd::cli
