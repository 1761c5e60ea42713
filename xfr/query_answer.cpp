#include "xfr/query_answer.hpp"

#include <algorithm>
#include <utility>

#include "dns/message_builder.hpp"
#include "xfr/ixfr_parser.hpp"
#include "xfr/serial.hpp"

namespace signerd::xfr {
namespace {

using dns::RRType;
using dns::Section;

constexpr uint8_t kOpQuery = 0;
constexpr uint8_t kOpNotify = 4;
constexpr uint16_t kNoError = 0;
constexpr uint16_t kFormErr = 1;
constexpr uint16_t kNotImp = 4;
constexpr uint16_t kRefused = 5;
constexpr uint16_t kNotAuth = 9;
constexpr uint16_t kBadVers = 16;  // RFC 6891 section 6.1.3

// A UDP request needs few records; a long count is hostile or broken.
constexpr dns::ParseLimits kUdpLimits{.max_questions = 1, .max_records = 64};
constexpr dns::ParseLimits kTcpLimits{.max_questions = 1, .max_records = 1024};

using SectionRecord = std::pair<Section, dns::Record>;

struct Request {
  ZoneCatalog& catalog;
  const QueryRequest& in;
  const dns::Message& msg;
  const TsigRequestCheck& check;
  base::TimePoint now;
};

dns::Header reply_header(const dns::Header& q, uint16_t rcode, bool aa) {
  dns::Header h;
  h.id = q.id;
  h.qr = true;
  h.opcode = q.opcode;
  h.aa = aa;
  h.rd = q.rd;
  h.cd = q.cd;
  h.rcode = static_cast<uint8_t>(rcode & 0x0F);
  return h;
}

// RFC 6891 section 6.2.5: the requester's size, at least 512, at most ours.
size_t size_limit(const Request& r) {
  if (r.in.transport == Transport::tcp) return dns::kMaxTcpMessage;
  if (!r.msg.edns) return dns::kMaxUdpMessage;
  const size_t theirs = std::max<size_t>(r.msg.edns->udp_size, dns::kMaxUdpMessage);
  return std::min<size_t>(theirs, std::max<size_t>(r.in.max_udp_payload, dns::kMaxUdpMessage));
}

// Our OPT when the request had one (RFC 6891 section 7: no OPT otherwise).
std::optional<dns::Edns> reply_edns(const Request& r, uint16_t rcode) {
  if (!r.msg.edns) return std::nullopt;
  dns::Edns e;
  e.udp_size = r.in.max_udp_payload;
  e.dnssec_ok = r.msg.edns->dnssec_ok;
  e.extended_rcode = static_cast<uint8_t>(rcode >> 4);
  return e;
}

// One message; when the records do not fit, TC and none of them (RFC 2181
// section 9). Signed when the request's TSIG verified.
std::vector<uint8_t> build_single(const Request& r, uint16_t rcode, bool aa,
                                  const std::vector<SectionRecord>& records) {
  std::optional<TsigResponder> signer;
  if (r.check.outcome == TsigRequestCheck::Outcome::verified && r.check.key != nullptr) {
    signer.emplace(*r.check.key, r.check);
  }
  for (bool truncated : {false, true}) {
    dns::Header h = reply_header(r.msg.header, rcode, aa);
    h.tc = truncated;
    dns::MessageBuilder b(h, size_limit(r));
    if (auto e = reply_edns(r, rcode)) (void)b.set_edns(*e);
    if (signer) (void)b.reserve(signer->tsig_size());
    for (const auto& q : r.msg.questions) (void)b.add_question(q);
    bool fits = true;
    if (!truncated) {
      for (const auto& [section, rec] : records) {
        if (b.add_record(section, rec) != dns::AddResult::added) {
          fits = false;
          break;
        }
      }
    }
    if (!fits) continue;
    auto wire = std::move(b).finish();
    if (signer && !signer->sign(wire, r.now)) return {};
    return wire;
  }
  return {};
}

Response single(const Request& r, RequestKind kind, uint16_t rcode, bool aa,
                const std::vector<SectionRecord>& records = {});

// FORMERR for bytes that did not parse: the header's ID and opcode only.
std::vector<uint8_t> raw_formerr(std::span<const uint8_t> wire) {
  dns::Header h;
  h.id = static_cast<uint16_t>((wire[0] << 8) | wire[1]);
  h.qr = true;
  h.opcode = static_cast<uint8_t>((wire[2] >> 3) & 0x0F);
  h.rd = (wire[2] & 0x01) != 0;
  h.rcode = static_cast<uint8_t>(kFormErr);
  return dns::MessageBuilder(h).finish();
}

void add_rrset(std::vector<SectionRecord>& out, Section s, const dns::ZoneVersion& z, dns::NodeView node,
               RRType type, bool with_sigs) {
  if (auto set = node.find(type)) {
    for (size_t i = 0; i < set->size(); ++i) {
      auto rd = set->rdata(i);
      out.push_back(
          {s, {dns::Name(node.owner()), type, z.rclass(), set->ttl(), dns::Rdata(rd.begin(), rd.end())}});
    }
  }
  if (!with_sigs) return;
  // RRSIGs are grouped by the type they cover (dns/zone_version.hpp); the
  // covered-type check keeps a mixed group from leaking other signatures.
  auto sigs = node.find_rrsig(type);
  if (!sigs) return;
  for (size_t i = 0; i < sigs->size(); ++i) {
    auto rd = sigs->rdata(i);
    if (rd.size() < 2 || ((rd[0] << 8) | rd[1]) != dns::code(type)) continue;
    out.push_back({s,
                   {dns::Name(node.owner()), RRType::RRSIG, z.rclass(), sigs->ttl(),
                    dns::Rdata(rd.begin(), rd.end())}});
  }
}

bool answerable_type(RRType t) {
  return t == RRType::SOA || t == RRType::DNSKEY || t == RRType::NS || t == RRType::CDS ||
         t == RRType::CDNSKEY;
}

Response answer_data(const Request& r, const dns::Question& q) {
  auto served = r.catalog.find(q.qname);
  if (!served || !served->signed_version || !answerable_type(q.qtype) ||
      q.qclass != served->signed_version->rclass()) {
    return single(r, RequestKind::query, kRefused, false);
  }
  const dns::ZoneVersion& z = *served->signed_version;
  const bool dnssec = r.msg.edns && r.msg.edns->dnssec_ok;
  std::vector<SectionRecord> records;
  dns::NodeView apex = z.apex();
  if (apex.find(q.qtype)) {
    add_rrset(records, Section::answer, z, apex, q.qtype, dnssec);
  } else {
    // NODATA (RFC 2308 section 2.2), with the apex NSEC as proof under DO.
    add_rrset(records, Section::authority, z, apex, RRType::SOA, dnssec);
    if (dnssec) add_rrset(records, Section::authority, z, apex, RRType::NSEC, true);
  }
  return single(r, RequestKind::query, kNoError, true, records);
}

}  // namespace

struct ResponseAccess {
  static Response single(RequestKind kind, uint16_t rcode, bool tsig_failed, std::vector<uint8_t> wire) {
    Response resp;
    resp.kind_ = kind;
    resp.rcode_ = rcode;
    resp.tsig_failed_ = tsig_failed;
    if (!wire.empty()) resp.single_ = std::move(wire);
    return resp;
  }

  static Response transfer(const Request& r, const dns::Question& q, std::shared_ptr<const ServedZone> served,
                           RequestKind kind, bool incremental_from_start, size_t start) {
    Response resp;
    resp.kind_ = kind;
    resp.rcode_ = kNoError;
    resp.zone_ = std::move(served);
    const dns::ZoneVersion& z = *resp.zone_->signed_version;
    if (incremental_from_start) {
      resp.source_ = make_ixfr_source(z, std::span(resp.zone_->journal).subspan(start));
    } else {
      resp.source_ = make_axfr_source(z);
    }
    resp.header_ = reply_header(r.msg.header, kNoError, true);
    resp.question_ = q;
    resp.edns_ = reply_edns(r, kNoError);
    if (r.check.outcome == TsigRequestCheck::Outcome::verified && r.check.key != nullptr) {
      resp.signer_.emplace(*r.check.key, r.check);
    }
    return resp;
  }
};

namespace {

Response single(const Request& r, RequestKind kind, uint16_t rcode, bool aa,
                const std::vector<SectionRecord>& records) {
  return ResponseAccess::single(kind, rcode, false, build_single(r, rcode, aa, records));
}

Response answer_transfer(const Request& r, const dns::Question& q) {
  auto served = r.catalog.find(q.qname);
  if (!served || !served->signed_version || q.qclass != served->signed_version->rclass()) {
    return single(r, RequestKind::query, kRefused, false);
  }
  const bool axfr = q.qtype == RRType::AXFR;
  // RFC 5936 section 4.2: AXFR only over TCP.
  if (axfr && r.in.transport == Transport::udp) return single(r, RequestKind::query, kRefused, false);
  if (!r.catalog.allow_transfer(q.qname, r.in.peer, r.check.key)) {
    return single(r, RequestKind::query, kRefused, false);
  }
  const dns::ZoneVersion& z = *served->signed_version;
  if (axfr) return ResponseAccess::transfer(r, q, std::move(served), RequestKind::axfr, false, 0);

  // RFC 1995 section 3: the client's serial is the SOA in the authority section.
  std::optional<uint32_t> client;
  for (const auto& rec : r.msg.authority) {
    if (rec.type == RRType::SOA && rec.owner == q.qname) client = soa_serial(rec.rdata);
  }
  if (!client) return single(r, RequestKind::query, kFormErr, false);
  std::vector<SectionRecord> soa_only;
  add_rrset(soa_only, Section::answer, z, z.apex(), RRType::SOA, false);
  // Up to date, or over UDP (RFC 1995 section 2: the SOA tells it to use TCP).
  if (!serial_lt(*client, z.serial()) || r.in.transport == Transport::udp) {
    return single(r, RequestKind::ixfr, kNoError, true, soa_only);
  }
  if (auto start = find_ixfr_start(served->journal, *client, z.serial())) {
    return ResponseAccess::transfer(r, q, std::move(served), RequestKind::ixfr, true, *start);
  }
  return ResponseAccess::transfer(r, q, std::move(served), RequestKind::axfr, false, 0);
}

Response answer_notify(const Request& r, const dns::Question& q) {
  // RFC 1996 section 3.7: the SOA in the answer section is a hint.
  std::optional<uint32_t> serial;
  for (const auto& rec : r.msg.answer) {
    if (rec.type == RRType::SOA && rec.owner == q.qname) serial = soa_serial(rec.rdata);
  }
  switch (r.catalog.on_notify(q.qname, r.in.peer, r.check.key, serial)) {
    case NotifyVerdict::accepted: return single(r, RequestKind::notify, kNoError, true);
    case NotifyVerdict::refused: return single(r, RequestKind::notify, kRefused, false);
    case NotifyVerdict::not_auth: break;
  }
  return single(r, RequestKind::notify, kNotAuth, false);
}

// RFC 8945 section 5.2: NOTAUTH with the TSIG error, unsigned but for BADTIME.
Response tsig_refusal(const Request& r) {
  dns::Header h = reply_header(r.msg.header, kNotAuth, false);
  dns::MessageBuilder b(h, size_limit(r));
  for (const auto& q : r.msg.questions) (void)b.add_question(q);
  auto wire = std::move(b).finish();
  if (!append_error_tsig(wire, r.check, r.now)) wire.clear();
  return ResponseAccess::single(RequestKind::other, kNotAuth, true, std::move(wire));
}

}  // namespace

Response::Response() = default;
Response::Response(Response&&) noexcept = default;
Response& Response::operator=(Response&&) noexcept = default;
Response::~Response() = default;

std::optional<std::vector<uint8_t>> Response::next(base::TimePoint now) {
  if (single_) {
    auto out = std::move(*single_);
    single_.reset();
    return out;
  }
  if (!source_) return std::nullopt;
  dns::MessageBuilder b(header_, dns::kMaxTcpMessage);
  // RFC 5936 section 2.2: the question (and OPT) in the first message.
  if (first_message_) {
    if (edns_) (void)b.set_edns(*edns_);
    if (question_) (void)b.add_question(*question_);
  }
  if (signer_) (void)b.reserve(signer_->tsig_size());
  while (true) {
    if (!held_) held_ = source_->next();
    if (!held_) {
      source_.reset();
      break;
    }
    if (b.add_record(Section::answer, *held_) != dns::AddResult::added) {
      if (b.record_count() == 0) {  // a record that fits no message: give up
        source_.reset();
        held_.reset();
        return std::nullopt;
      }
      break;
    }
    held_.reset();
  }
  first_message_ = false;
  auto wire = std::move(b).finish();
  if (signer_ && !signer_->sign(wire, now)) {
    source_.reset();
    return std::nullopt;
  }
  return wire;
}

Response answer_query(ZoneCatalog& catalog, const TsigKeyring& keyring, const QueryRequest& request,
                      base::TimePoint now) {
  const auto wire = request.wire;
  // No header, or a response: never answer (no reflection loops).
  if (wire.size() < dns::kHeaderSize || (wire[2] & 0x80) != 0) return Response();
  auto parsed = dns::Message::parse(wire, request.transport == Transport::udp ? kUdpLimits : kTcpLimits);
  if (!parsed) return ResponseAccess::single(RequestKind::other, kFormErr, false, raw_formerr(wire));
  const dns::Message& msg = *parsed;
  const TsigRequestCheck check = verify_request(keyring, msg, wire, now);
  Request r{catalog, request, msg, check, now};
  switch (check.outcome) {
    case TsigRequestCheck::Outcome::malformed: return single(r, RequestKind::other, kFormErr, false);
    case TsigRequestCheck::Outcome::refused: return tsig_refusal(r);
    case TsigRequestCheck::Outcome::unsigned_request:
    case TsigRequestCheck::Outcome::verified: break;
  }
  if (msg.edns && msg.edns->version > 0) return single(r, RequestKind::other, kBadVers, false);
  if (msg.header.opcode != kOpQuery && msg.header.opcode != kOpNotify) {
    return single(r, RequestKind::other, kNotImp, false);
  }
  if (msg.questions.size() != 1) return single(r, RequestKind::other, kFormErr, false);
  const dns::Question& q = msg.questions.front();
  if (msg.header.opcode == kOpNotify) return answer_notify(r, q);
  if (q.qtype == RRType::AXFR || q.qtype == RRType::IXFR) return answer_transfer(r, q);
  return answer_data(r, q);
}

std::vector<std::vector<uint8_t>> answer_all(ZoneCatalog& catalog, const TsigKeyring& keyring,
                                             const QueryRequest& request, base::TimePoint now) {
  std::vector<std::vector<uint8_t>> out;
  Response resp = answer_query(catalog, keyring, request, now);
  while (auto m = resp.next(now)) out.push_back(std::move(*m));
  return out;
}

}  // namespace signerd::xfr
