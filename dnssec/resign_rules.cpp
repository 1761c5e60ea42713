#include "dnssec/resign_rules.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "dns/wire.hpp"
#include "dnssec/rrsig.hpp"

namespace signerd::dnssec::detail {

using base::Errc;
using base::make_error;

// RRSIG RDATA offsets (RFC 4034 3.1): type covered 0, algorithm 2,
// original TTL 4, expiration 8, key tag 16, signer name from 18.
constexpr size_t kRrsigSignerOffset = 18;

ExpectedKeys expected_keys(std::span<const SigningKey> keys, const KeySetInfo& key_set) {
  ExpectedKeys out;
  for (size_t k = 0; k < keys.size(); ++k) {
    // DNSKEY RDATA: flags (2), protocol (1), algorithm (1) (RFC 4034 2.1).
    const KeyId id{key_set.dnskeys[k][3], key_set.key_tags[k]};
    if (keys[k].signs_dnskey()) out.dnskey.push_back(id);
    if (keys[k].signs_zone()) out.zone.push_back(id);
  }
  std::sort(out.dnskey.begin(), out.dnskey.end());
  std::sort(out.zone.begin(), out.zone.end());
  return out;
}

bool same_bytes(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

bool same_rrset(const SignJob& job, dns::RRsetView old) noexcept {
  if (old.ttl() != job.ttl) return false;
  if (!job.rrset) return old.size() == 1 && same_bytes(old.rdata(0), job.rdata);
  if (old.size() != job.rrset->size()) return false;
  for (size_t i = 0; i < old.size(); ++i) {
    if (!same_bytes(old.rdata(i), job.rrset->rdata(i))) return false;
  }
  return true;
}

std::optional<std::vector<std::span<const uint8_t>>> reusable_rrsigs(dns::RRsetView rrsigs, uint32_t ttl,
                                                                     const std::vector<KeyId>& expected,
                                                                     std::optional<uint32_t> refresh_by) {
  std::vector<KeyId> found;
  std::vector<std::span<const uint8_t>> out;
  for (size_t i = 0; i < rrsigs.size(); ++i) {
    auto rd = rrsigs.rdata(i);
    if (rd.size() <= kRrsigSignerOffset) continue;
    if (dns::get_u32(rd.data() + 4) != ttl) return std::nullopt;
    if (refresh_by && rrsig_expires_before(rd, *refresh_by)) return std::nullopt;
    found.emplace_back(rd[2], dns::get_u16(rd.data() + 16));
    out.push_back(rd);
  }
  std::sort(found.begin(), found.end());
  if (found != expected) return std::nullopt;
  return out;
}

Result<void> check_bases(const dns::ZoneVersion& unsigned_base, const dns::ZoneVersion& signed_base,
                         std::string_view who) {
  if (unsigned_base.origin() != signed_base.origin() || unsigned_base.serial() != signed_base.serial()) {
    return make_error(Errc::conflict, std::string(who) + ": signed base " + signed_base.origin().to_text() +
                                          " serial " + std::to_string(signed_base.serial()) +
                                          " is not the signed form of " + unsigned_base.origin().to_text() +
                                          " serial " + std::to_string(unsigned_base.serial()));
  }
  return base::ok();
}

}  // namespace signerd::dnssec::detail
