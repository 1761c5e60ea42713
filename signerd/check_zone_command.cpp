// signerctl check-zone: read a master file as signerd would and print it in
// canonical order (like named-checkzone -D), or its errors as FILE:LINE.
#include <cstdio>
#include <string>

#include "dns/zone_file.hpp"
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

struct Args {
  std::string zone;
  std::string in;
  bool generic = false;
};

// Accepts "--opt VALUE" and "--opt=VALUE"; returns "" or what is wrong.
std::string parse_args(std::span<const std::string_view> args, Args& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "--generic") {
      out.generic = true;
      continue;
    }
    std::string_view value;
    bool has_value = false;
    if (size_t eq = a.find('='); a.starts_with("--") && eq != std::string_view::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_value = true;
    }
    std::string* target = a == "--zone" ? &out.zone : a == "--in" ? &out.in : nullptr;
    if (!target) return "unknown option '" + std::string(args[i]) + "'";
    if (!has_value) {
      if (i + 1 >= args.size()) return std::string(a) + " needs a value";
      value = args[++i];
    }
    *target = std::string(value);
  }
  if (out.zone.empty()) return "--zone is required";
  if (out.in.empty()) return "--in is required";
  return "";
}

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
  for (auto a : args) {
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  Args parsed;
  if (std::string why = parse_args(args, parsed); !why.empty()) return usage_error(why);
  std::string zone_text = parsed.zone;
  if (zone_text.back() != '.') zone_text.push_back('.');
  auto origin = dns::Name::from_text(zone_text);
  if (!origin) return usage_error("bad zone name '" + parsed.zone + "': " + origin.error().detail);

  dns::ZoneFileOptions options;
  options.origin = *origin;
  dns::ZoneFileResult result = dns::read_zone_file(parsed.in, options);
  for (const auto& w : result.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  if (!result.errors.empty()) {
    for (const auto& e : result.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  }

  std::string out;
  if (parsed.generic) {
    write_generic(*result.zone, out);
  } else {
    dns::write_zone(*result.zone, out);
  }
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    std::perror("signerctl check-zone: writing to stdout");
    return 1;
  }
  return 0;
}

}  // namespace signerd::cli
