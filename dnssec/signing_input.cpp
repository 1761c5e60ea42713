#include "dnssec/signing_input.hpp"

#include <algorithm>

#include "dns/rdata_schema.hpp"
#include "dns/wire.hpp"

namespace signerd::dnssec {
namespace {

base::Error invalid(dns::NameView owner, const RrsigFields& f, const std::string& why) {
  return base::make_error(base::Errc::invalid_argument,
                          owner.to_text() + " " + dns::to_text(f.type_covered) + ": " + why);
}

// The owner as it appears in the signed data: lowercased, and for a
// wildcard expansion "*." + the rightmost `labels` labels (RFC 4035 5.3.2).
Result<dns::Name> signed_owner(dns::NameView owner, const RrsigFields& f) {
  size_t count = owner.label_count();
  if (f.labels > count)
    return invalid(owner, f, "RRSIG labels " + std::to_string(f.labels) + " exceed the owner's");
  dns::Name lower = dns::Name(owner).lowercased();
  if (f.labels == count || (size_t{f.labels} + 1 == count && owner.is_wildcard())) return lower;
  static constexpr uint8_t kStar[] = {'*'};
  return dns::Name(lower.view().strip_left(count - f.labels)).prepend_label(kStar);
}

}  // namespace

Result<std::vector<uint8_t>> signing_input(const RrsigFields& f, dns::NameView owner, dns::RRClass rclass,
                                           std::span<const std::span<const uint8_t>> rdatas) {
  if (rdatas.empty()) return invalid(owner, f, "empty RRset");
  auto name = signed_owner(owner, f);
  if (!name) return std::move(name).error();

  // RFC 4034 6.3: order by canonical RDATA as left-justified octet strings,
  // which is lexicographic order of the canonical bytes; equal ones once.
  std::vector<std::vector<uint8_t>> canonical(rdatas.size());
  for (size_t i = 0; i < rdatas.size(); ++i) {
    if (auto v = dns::validate_rdata(f.type_covered, rdatas[i]); !v) {
      return base::make_error(base::Errc::malformed,
                              owner.to_text() + " " + dns::to_text(f.type_covered) + ": " + v.error().detail);
    }
    dns::append_canonical_rdata(f.type_covered, rdatas[i], canonical[i]);
  }
  std::sort(canonical.begin(), canonical.end());
  canonical.erase(std::unique(canonical.begin(), canonical.end()), canonical.end());

  std::vector<uint8_t> out;
  append_rrsig_header(f, out);
  for (const auto& rd : canonical) {
    dns::put_bytes(out, name->wire());
    dns::put_u16(out, dns::code(f.type_covered));
    dns::put_u16(out, dns::code(rclass));
    dns::put_u32(out, f.original_ttl);
    dns::put_u16(out, static_cast<uint16_t>(rd.size()));
    dns::put_bytes(out, rd);
  }
  return out;
}

Result<std::vector<uint8_t>> signing_input(const RrsigFields& f, const dns::RRset& rrset) {
  if (rrset.type() != f.type_covered)
    return invalid(rrset.owner(), f, "RRset type differs from type covered");
  std::vector<std::span<const uint8_t>> rdatas(rrset.rdatas().begin(), rrset.rdatas().end());
  return signing_input(f, rrset.owner(), rrset.rclass(), rdatas);
}

Result<std::vector<uint8_t>> signing_input(const RrsigFields& f, dns::NameView owner, dns::RRClass rclass,
                                           dns::RRsetView rrset) {
  if (rrset.type() != f.type_covered) return invalid(owner, f, "RRset type differs from type covered");
  std::vector<std::span<const uint8_t>> rdatas(rrset.size());
  for (size_t i = 0; i < rrset.size(); ++i) rdatas[i] = rrset.rdata(i);
  return signing_input(f, owner, rclass, rdatas);
}

}  // namespace signerd::dnssec
