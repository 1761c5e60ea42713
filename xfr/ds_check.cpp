#include "xfr/ds_check.hpp"

#include <algorithm>

#include "dns/wire.hpp"
#include "xfr/transfer_in.hpp"

namespace signerd::xfr {
namespace {

using base::Errc;
using base::make_error;

// DS RDATA (RFC 4034 section 5.1): key tag (2), algorithm (1), digest type (1), digest.
constexpr size_t kDsFixed = 4;

uint16_t ds_tag(const dns::Rdata& rd) { return dns::get_u16(rd.data()); }

DsVerdict verdict(DsPresence presence, std::string reason, std::optional<uint32_t> ttl = std::nullopt) {
  return DsVerdict{presence, std::move(reason), ttl};
}

// Why the message is not an authoritative answer to our question, or
// nullopt when it is one.
std::optional<std::string> not_an_answer(const DsExpectation& expected, const dns::Message& m) {
  if (!m.header.qr) return "sent a message without the QR bit";
  if (m.header.opcode != 0) return "answered with opcode " + std::to_string(m.header.opcode);
  if (m.questions.size() != 1) return "answered without the question";
  const dns::Question& q = m.questions.front();
  if (q.qname != expected.zone() || q.qtype != dns::RRType::DS || q.qclass != dns::RRClass::IN) {
    return "answered another question (" + q.qname.to_text() + " " + dns::to_text(q.qtype) + ")";
  }
  const uint16_t rcode = m.rcode();
  if (rcode != 0 && rcode != 3) return "answered " + rcode_name(rcode);
  if (m.header.tc) return "sent a truncated answer";
  // RFC 1035 section 4.1.1: only an authority for the parent's zone speaks
  // for its DS; a cache or a referral does not.
  if (!m.header.aa) return "answer not authoritative (AA clear)";
  return std::nullopt;
}

bool is_zone_record(const DsExpectation& expected, const dns::Record& r, dns::RRType type) {
  return r.type == type && r.rclass == dns::RRClass::IN && r.owner == expected.zone();
}

// The DS RRset's TTL: the largest original TTL of the RRSIGs over it, or
// the largest answer TTL when none came back.
std::optional<uint32_t> ds_ttl(const DsExpectation& expected, const dns::Message& m) {
  std::optional<uint32_t> answer_ttl;
  std::optional<uint32_t> original_ttl;
  for (const dns::Record& r : m.answer) {
    if (is_zone_record(expected, r, dns::RRType::DS)) answer_ttl = std::max(answer_ttl.value_or(0), r.ttl);
    // RRSIG RDATA: type covered (2), algorithm (1), labels (1), original TTL (4)…
    if (is_zone_record(expected, r, dns::RRType::RRSIG) && r.rdata.size() >= 8 &&
        dns::get_u16(r.rdata.data()) == static_cast<uint16_t>(dns::RRType::DS)) {
      original_ttl = std::max(original_ttl.value_or(0), dns::get_u32(r.rdata.data() + 4));
    }
  }
  if (!answer_ttl) return std::nullopt;
  return original_ttl ? original_ttl : answer_ttl;
}

bool computed_digest_type(const DsExpectation& expected, uint8_t digest_type) {
  return std::any_of(expected.expected().begin(), expected.expected().end(),
                     [&](const dns::Rdata& e) { return e[3] == digest_type; });
}

// HAS or LACKS from the DS RRset in the answer.
DsVerdict judge_ds_rrset(const DsExpectation& expected, const dns::Message& m, size_t ds_count) {
  const auto ttl = ds_ttl(expected, m);
  if (m.rcode() != 0) return verdict(DsPresence::unknown, "answered NXDOMAIN with a DS RRset");
  std::optional<uint8_t> undecidable;
  for (const dns::Record& r : m.answer) {
    if (!is_zone_record(expected, r, dns::RRType::DS) || r.rdata.size() < kDsFixed) continue;
    const auto& want = expected.expected();
    if (std::find(want.begin(), want.end(), r.rdata) != want.end()) {
      return verdict(DsPresence::has, "has it", ttl);
    }
    // Same tag and algorithm with a digest we did not compute: it may be
    // this key's DS, so its absence is not proven.
    if (ds_tag(r.rdata) == expected.key_tag() && r.rdata[2] == expected.algorithm() &&
        !computed_digest_type(expected, r.rdata[3])) {
      undecidable = r.rdata[3];
    }
  }
  if (undecidable) {
    return verdict(DsPresence::unknown,
                   "has a DS with key tag " + std::to_string(expected.key_tag()) + " and digest type " +
                       std::to_string(*undecidable) + ", which was not computed for this key",
                   ttl);
  }
  return verdict(DsPresence::lacks, "lacks it (" + std::to_string(ds_count) + " other DS)", ttl);
}

// LACKS from an authoritative NODATA or NXDOMAIN, when the SOA in the
// authority section is the parent's (RFC 2308 section 2).
DsVerdict judge_denial(const DsExpectation& expected, const dns::Message& m) {
  const char* what = m.rcode() == 3 ? "NXDOMAIN" : "NODATA";
  for (const dns::Record& r : m.authority) {
    if (r.type != dns::RRType::SOA) continue;
    if (r.owner == expected.zone()) {
      // RFC 4035 section 3.1.4.1: a server for the child only answers a DS
      // query from the child's apex; it says nothing about the parent.
      return verdict(DsPresence::unknown, std::string("answered ") + what +
                                              " from the child zone's apex (not a server of the parent)");
    }
    if (expected.zone().is_subdomain_of(r.owner))
      return verdict(DsPresence::lacks, std::string("lacks it (") + what + ")");
  }
  return verdict(DsPresence::unknown, std::string("answered ") + what + " without the parent's SOA");
}

}  // namespace

Result<DsExpectation> DsExpectation::create(dns::Name zone, std::vector<dns::Rdata> expected_ds) {
  const std::string where = "zone " + zone.to_text() + ": DS check: ";
  if (expected_ds.empty()) return make_error(Errc::invalid_argument, where + "no expected DS");
  for (const dns::Rdata& rd : expected_ds) {
    if (rd.size() <= kDsFixed) return make_error(Errc::invalid_argument, where + "expected DS too short");
    if (ds_tag(rd) != ds_tag(expected_ds.front()) || rd[2] != expected_ds.front()[2]) {
      return make_error(Errc::invalid_argument, where + "expected DS of more than one key (key tags " +
                                                    std::to_string(ds_tag(expected_ds.front())) + " and " +
                                                    std::to_string(ds_tag(rd)) + ")");
    }
  }
  const uint16_t tag = ds_tag(expected_ds.front());
  const uint8_t algorithm = expected_ds.front()[2];
  return DsExpectation(std::move(zone), std::move(expected_ds), tag, algorithm);
}

DsVerdict ds_verdict(const DsExpectation& expected, const dns::Message& answer, const DsTsigCheck& tsig,
                     bool accept_unauthenticated) {
  // Nothing in a message whose TSIG failed can be trusted, its RCODE included.
  if (tsig.outcome == DsTsigCheck::Outcome::failed) return ds_unknown("failed TSIG: " + tsig.detail);
  if (tsig.outcome == DsTsigCheck::Outcome::no_key && !accept_unauthenticated) {
    return ds_unknown(kDsNotAuthenticated);
  }
  if (auto why = not_an_answer(expected, answer)) return ds_unknown(std::move(*why));
  size_t ds_count = 0;
  size_t others = 0;
  for (const dns::Record& r : answer.answer) {
    if (is_zone_record(expected, r, dns::RRType::DS)) {
      ++ds_count;
    } else if (!is_zone_record(expected, r, dns::RRType::RRSIG)) {
      ++others;
    }
  }
  if (ds_count > 0) return judge_ds_rrset(expected, answer, ds_count);
  if (others > 0) {
    return ds_unknown("answered with " + std::to_string(others) + " records but no DS RRset for the zone");
  }
  return judge_denial(expected, answer);
}

DsVerdict ds_verdict_from_wire(const DsExpectation& expected, std::span<const uint8_t> wire,
                               const DsTsigCheck& tsig, bool accept_unauthenticated) {
  auto m = dns::Message::parse(wire);
  if (!m) return ds_unknown("sent an unparseable answer: " + m.error().detail);
  return ds_verdict(expected, *m, tsig, accept_unauthenticated);
}

DsVerdict ds_unknown(std::string reason) { return verdict(DsPresence::unknown, std::move(reason)); }

}  // namespace signerd::xfr
