#include "dnssec/zonemd.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "dns/rdata_schema.hpp"
#include "dns/wire.hpp"
#include "dnssec/digest.hpp"
#include "dnssec/signing_pool.hpp"

namespace signerd::dnssec {
namespace {

using base::Errc;
using base::make_error;
using dns::RRType;

// ZONEMD RDATA (RFC 8976 2.2): serial (4), scheme (1), hash algorithm (1), digest.
constexpr size_t kSchemeOffset = 4;
constexpr size_t kHashOffset = 5;
constexpr size_t kDigestOffset = 6;
// Records are batched into one digest update per this many octets.
constexpr size_t kFlushSize = 64 * 1024;

// RFC 8976 3.3.1.1: the apex ZONEMD RRset and the apex RRSIGs over it are
// the only records left out; everything else, glue and occluded data and
// non-apex ZONEMD included, is digested.
bool excluded(dns::NodeView node, RRType type, std::span<const uint8_t> rdata) noexcept {
  if (!node.is_apex()) return false;
  if (type == RRType::ZONEMD) return true;
  return type == RRType::RRSIG && rdata.size() >= 2 &&
         dns::get_u16(rdata.data()) == dns::code(RRType::ZONEMD);
}

// One RR in RFC 4034 section 6.2 canonical form: owner lowercased, type,
// class, TTL, RDLENGTH, RDATA with the names its schema lowercases.
void append_rr(std::vector<uint8_t>& out, dns::NameView owner, RRType type, dns::RRClass rclass, uint32_t ttl,
               std::span<const uint8_t> rdata) {
  for (uint8_t b : owner.wire()) out.push_back(dns::to_lower_octet(b));
  dns::put_u16(out, dns::code(type));
  dns::put_u16(out, dns::code(rclass));
  dns::put_u32(out, ttl);
  const size_t length_at = out.size();
  dns::put_u16(out, 0);
  dns::append_canonical_rdata(type, rdata, out);
  const auto length = static_cast<uint16_t>(out.size() - length_at - 2);
  out[length_at] = static_cast<uint8_t>(length >> 8);
  out[length_at + 1] = static_cast<uint8_t>(length & 0xff);
}

// The SIMPLE digest (RFC 8976 3.3). ZoneVersion already holds the RRs in
// canonical order (owner, then type, then RDATA) without duplicates, as
// 3.3.1.2 and 3.3.1.3 want. Each RRSIG group has its own TTL, so adding
// the ZONEMD RRSIGs after the digest changes no digested TTL.
Result<std::vector<uint8_t>> simple_digest(const dns::ZoneVersion& zone, uint8_t hash_algorithm) {
  auto hasher =
      Hasher::create(hash_algorithm == kZonemdSha384 ? DigestAlgorithm::sha384 : DigestAlgorithm::sha512);
  if (!hasher) return std::move(hasher).error();
  std::vector<uint8_t> buffer;
  Result<void> ok;
  auto flush = [&] {
    if (ok) ok = hasher->update(buffer);
    buffer.clear();
  };
  zone.for_each_rrset([&](dns::NodeView node, dns::RRsetView rrset) {
    for (size_t i = 0; i < rrset.size(); ++i) {
      if (excluded(node, rrset.type(), rrset.rdata(i))) continue;
      append_rr(buffer, node.owner(), rrset.type(), zone.rclass(), rrset.ttl(), rrset.rdata(i));
      if (buffer.size() >= kFlushSize) flush();
    }
  });
  flush();
  SIGNERD_TRY(std::move(ok));
  std::vector<uint8_t> out(digest_size(hasher->algorithm()));
  SIGNERD_TRY(hasher->finish(out));
  return out;
}

dns::Rdata make_rdata(uint32_t serial, uint8_t scheme, uint8_t hash_algorithm,
                      std::span<const uint8_t> digest) {
  dns::Rdata rd;
  dns::put_u32(rd, serial);
  rd.push_back(scheme);
  rd.push_back(hash_algorithm);
  rd.insert(rd.end(), digest.begin(), digest.end());
  return rd;
}

Result<dns::Rdata> compute(const dns::ZoneVersion& zone, uint8_t scheme, uint8_t hash_algorithm) {
  if (!zonemd_supported(scheme, hash_algorithm)) {
    return make_error(Errc::unsupported, "zonemd: scheme " + std::to_string(scheme) + " hash algorithm " +
                                             std::to_string(hash_algorithm));
  }
  auto digest = simple_digest(zone, hash_algorithm);
  if (!digest) return std::move(digest).error();
  return make_rdata(zone.serial(), scheme, hash_algorithm, *digest);
}

}  // namespace

bool zonemd_supported(uint8_t scheme, uint8_t hash_algorithm) noexcept {
  return scheme == kZonemdSchemeSimple && zonemd_digest_size(hash_algorithm) != 0;
}

size_t zonemd_digest_size(uint8_t hash_algorithm) noexcept {
  switch (hash_algorithm) {
    case kZonemdSha384: return 48;
    case kZonemdSha512: return 64;
    default: return 0;
  }
}

Result<dns::Rdata> zonemd_rdata(const dns::ZoneVersion& zone, uint8_t scheme, uint8_t hash_algorithm) {
  return compute(zone, scheme, hash_algorithm);
}

namespace detail {
namespace {

// The published ZONEMD records (digests computed over `zone`, whose apex
// ZONEMD RRset holds the placeholders) and their RRSIGs.
struct ZonemdRecords {
  uint32_t ttl = 0;
  std::vector<dns::Rdata> records;
  std::vector<dns::Rdata> rrsigs;
};

// Signs the ZONEMD RRset in a zone of its own (with the apex SOA and NS,
// which ZoneBuilder requires): the RRSIGs need an RRsetView of the final records.
Result<std::vector<dns::Rdata>> sign_zonemd(const dns::ZoneVersion& zone, const ZonemdRecords& z,
                                            const SignContext& ctx, hsm::KeyStore& store) {
  dns::ZoneBuilder builder(zone.origin(), zone.rclass());
  for (RRType type : {RRType::SOA, RRType::NS}) {
    const auto apex_set = zone.apex().find(type);
    if (apex_set) SIGNERD_TRY(builder.add(apex_set->to_rrset(zone.origin(), zone.rclass())));
  }
  for (const auto& rd : z.records)
    SIGNERD_TRY(builder.add(zone.origin(), RRType::ZONEMD, zone.rclass(), z.ttl, rd));
  auto own = std::move(builder).finish();
  if (!own) return std::move(own).error();
  const SignJob job{(*own)->apex().owner(), RRType::ZONEMD, z.ttl, (*own)->apex().find(RRType::ZONEMD), {}};
  auto worker = open_worker_keys(store, ctx.keys);
  if (!worker) return std::move(worker).error();
  std::vector<WorkerKeys> workers;
  workers.push_back(std::move(*worker));
  auto signed_records = sign_jobs(std::span<const SignJob>(&job, 1), ctx, std::move(workers));
  if (!signed_records) return std::move(signed_records).error();
  std::vector<dns::Rdata> out;
  for (auto& r : *signed_records) out.push_back(std::move(r.rrsig));
  return out;
}

// `zone` with its apex ZONEMD RRset replaced and the RRSIGs over it added,
// with the ZONEMD RRset's TTL (RFC 4034 section 3).
Result<std::shared_ptr<const dns::ZoneVersion>> rebuild(const dns::ZoneVersion& zone,
                                                        const ZonemdRecords& z) {
  dns::ZoneBuilder builder(zone.origin(), zone.rclass());
  Result<void> status;
  zone.for_each_rrset([&](dns::NodeView node, dns::RRsetView rrset) {
    if (node.is_apex() && (rrset.type() == RRType::ZONEMD || rrset.covered() == RRType::ZONEMD)) return;
    for (size_t i = 0; i < rrset.size() && status; ++i) {
      status = builder.add(node.owner(), rrset.type(), zone.rclass(), rrset.ttl(), rrset.rdata(i));
    }
  });
  if (!status) return std::move(status).error();
  for (const auto& rd : z.records)
    SIGNERD_TRY(builder.add(zone.origin(), RRType::ZONEMD, zone.rclass(), z.ttl, rd));
  for (const auto& rd : z.rrsigs)
    SIGNERD_TRY(builder.add(zone.origin(), RRType::RRSIG, zone.rclass(), z.ttl, rd));
  return std::move(builder).finish();
}

}  // namespace

bool is_apex_zonemd(dns::NodeView node, dns::RRType type) noexcept {
  return node.is_apex() && type == RRType::ZONEMD;
}

Result<void> add_zonemd_placeholders(const dns::ZoneVersion& unsigned_zone, dns::ZoneBuilder& builder) {
  const auto upstream = unsigned_zone.apex().find(RRType::ZONEMD);
  if (!upstream) return base::ok();
  // One record per supported (scheme, hash algorithm): RFC 8976 section 4
  // fails verification on two of the same pair, and verifiers ignore
  // unsupported pairs, so those are dropped rather than published stale.
  std::set<std::pair<uint8_t, uint8_t>> pairs;
  for (size_t i = 0; i < upstream->size(); ++i) {
    const auto rd = upstream->rdata(i);
    if (rd.size() > kHashOffset && zonemd_supported(rd[kSchemeOffset], rd[kHashOffset]))
      pairs.emplace(rd[kSchemeOffset], rd[kHashOffset]);
  }
  for (const auto& [scheme, hash] : pairs) {
    // RFC 8976 3.1: the digest is zeros until computed over the signed zone.
    const std::vector<uint8_t> zeros(zonemd_digest_size(hash), 0);
    SIGNERD_TRY(builder.add(unsigned_zone.origin(), RRType::ZONEMD, unsigned_zone.rclass(), upstream->ttl(),
                            make_rdata(unsigned_zone.serial(), scheme, hash, zeros)));
  }
  return base::ok();
}

Result<std::shared_ptr<const dns::ZoneVersion>> publish_zonemd(std::shared_ptr<const dns::ZoneVersion> zone,
                                                               const SignContext& ctx, hsm::KeyStore& store,
                                                               size_t& signatures_made) {
  const auto placeholders = zone->apex().find(RRType::ZONEMD);
  if (!placeholders) return zone;
  ZonemdRecords z;
  z.ttl = placeholders->ttl();
  for (size_t i = 0; i < placeholders->size(); ++i) {
    const auto rd = placeholders->rdata(i);
    if (rd.size() < kDigestOffset) return make_error(Errc::internal, "zonemd: short placeholder");
    auto computed = compute(*zone, rd[kSchemeOffset], rd[kHashOffset]);
    if (!computed) return std::move(computed).error();
    z.records.push_back(std::move(*computed));
  }
  // RFC 8976 section 3: sign the ZONEMD RRset after its digest is final.
  auto rrsigs = sign_zonemd(*zone, z, ctx, store);
  if (!rrsigs) return std::move(rrsigs).error();
  z.rrsigs = std::move(*rrsigs);
  signatures_made += z.rrsigs.size();
  return rebuild(*zone, z);
}

}  // namespace detail
}  // namespace signerd::dnssec
