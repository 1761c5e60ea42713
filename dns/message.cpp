#include "dns/message.hpp"

#include <array>
#include <string>
#include <utility>

#include "dns/rdata_schema.hpp"
#include "dns/wire.hpp"

namespace signerd::dns {
namespace {

using base::Errc;
using base::Error;
using base::make_error;

constexpr size_t kMaxRdata = 65535;  // RDLENGTH is 16 bits (RFC 1035 4.1.3)

Error prefixed(const std::string& where, Error e) {
  e.detail = where + ": " + e.detail;
  return e;
}

Header decode_header(std::span<const uint8_t> w) {
  const uint16_t flags = get_u16(&w[2]);
  Header h;
  h.id = get_u16(&w[0]);
  h.qr = (flags & 0x8000) != 0;
  h.opcode = static_cast<uint8_t>((flags >> 11) & 0x0F);
  h.aa = (flags & 0x0400) != 0;
  h.tc = (flags & 0x0200) != 0;
  h.rd = (flags & 0x0100) != 0;
  h.ra = (flags & 0x0080) != 0;
  h.ad = (flags & 0x0020) != 0;
  h.cd = (flags & 0x0010) != 0;
  h.rcode = static_cast<uint8_t>(flags & 0x000F);
  return h;
}

Result<Question> read_question(WireReader& r) {
  auto name = r.name();
  if (!name) return std::move(name).error();
  auto fixed = r.bytes(4);  // QTYPE, QCLASS (RFC 1035 4.1.2)
  if (!fixed) return std::move(fixed).error();
  const uint8_t* f = fixed->data();
  return Question{std::move(*name), static_cast<RRType>(get_u16(f)), static_cast<RRClass>(get_u16(f + 2))};
}

Result<Record> read_record(WireReader& r) {
  auto owner = r.name();
  if (!owner) return std::move(owner).error();
  auto fixed = r.bytes(10);  // TYPE, CLASS, TTL, RDLENGTH (RFC 1035 4.1.3)
  if (!fixed) return std::move(fixed).error();
  const uint8_t* f = fixed->data();
  Record rec{std::move(*owner),
             static_cast<RRType>(get_u16(f)),
             static_cast<RRClass>(get_u16(f + 2)),
             get_u32(f + 4),
             {}};
  const uint16_t rdlength = get_u16(f + 8);
  SIGNERD_TRY(read_rdata(r, rec.type, rdlength, rec.rdata));
  // Decompressing names (e.g. an RRSIG signer sent compressed) can grow
  // RDATA past what any message could carry again.
  if (rec.rdata.size() > kMaxRdata) {
    return make_error(Errc::malformed,
                      to_text(rec.type) + " RDATA: longer than 65535 octets once decompressed");
  }
  return rec;
}

// RFC 6891 section 6.1.2: owner root, CLASS the UDP size, TTL the extended
// RCODE, version and flags, RDATA a list of {code, length, data}.
Result<Edns> decode_opt(const Record& rec) {
  if (!rec.owner.is_root()) {
    return make_error(Errc::malformed, "OPT owner is " + rec.owner.to_text() + ", not the root");
  }
  Edns e;
  e.udp_size = code(rec.rclass);
  e.extended_rcode = static_cast<uint8_t>(rec.ttl >> 24);
  e.version = static_cast<uint8_t>(rec.ttl >> 16);
  e.dnssec_ok = (rec.ttl & 0x8000) != 0;
  WireReader r(rec.rdata);
  while (!r.at_end()) {
    if (r.remaining() < 4) return make_error(Errc::malformed, "OPT RDATA: option header truncated");
    const uint16_t opt_code = *r.u16();
    const uint16_t len = *r.u16();
    auto data = r.bytes(len);
    if (!data) {
      return make_error(Errc::malformed, "OPT RDATA: option " + std::to_string(opt_code) + " length " +
                                             std::to_string(len) + " runs past the end of the RDATA");
    }
    e.options.push_back({opt_code, {data->begin(), data->end()}});
  }
  return e;
}

constexpr std::array<const char*, 3> kSectionNames = {"answer", "authority", "additional"};
constexpr std::array<const char*, 3> kCountNames = {"ANCOUNT", "NSCOUNT", "ARCOUNT"};

// Parses the questions, then the three sections, taking OPT and TSIG out.
class Parser {
 public:
  Parser(std::span<const uint8_t> wire, Message& m) : r_(wire, kHeaderSize), m_(m) {}

  Result<void> questions(uint16_t count) {
    for (size_t i = 0; i < count; ++i) {
      if (r_.at_end()) return lying_count("QDCOUNT", count, "questions", i);
      auto q = read_question(r_);
      if (!q) return prefixed("question " + std::to_string(i + 1), std::move(q).error());
      m_.questions.push_back(std::move(*q));
    }
    return base::ok();
  }

  Result<void> section(Section s, uint16_t count) {
    const auto idx = static_cast<size_t>(s);
    for (size_t i = 0; i < count; ++i) {
      if (r_.at_end()) return lying_count(kCountNames[idx], count, "records", i);
      const std::string where = std::string(kSectionNames[idx]) + " record " + std::to_string(i + 1);
      const size_t start = r_.position();
      auto rec = read_record(r_);
      if (!rec) return prefixed(where, std::move(rec).error());
      auto placed = place(s, std::move(*rec), start, i + 1 == count);
      if (!placed) return prefixed(where, std::move(placed).error());
    }
    return base::ok();
  }

  Result<void> no_trailing_octets() {
    if (r_.at_end()) return base::ok();
    return make_error(Errc::malformed, std::to_string(r_.remaining()) +
                                           " octets of trailing garbage after the last record (offset " +
                                           std::to_string(r_.position()) + ")");
  }

 private:
  static Error lying_count(const char* field, size_t count, const char* what, size_t got) {
    return make_error(Errc::malformed, std::string(field) + " claims " + std::to_string(count) +
                                           " but the message ends after " + std::to_string(got) + " " + what);
  }

  Result<void> place(Section s, Record rec, size_t start, bool last) {
    if (rec.type == RRType::OPT) {
      // RFC 6891 6.1.1: only in the additional section, at most once.
      if (s != Section::additional) return make_error(Errc::malformed, "OPT outside the additional section");
      if (m_.edns) return make_error(Errc::malformed, "more than one OPT record");
      auto e = decode_opt(rec);
      if (!e) return std::move(e).error();
      m_.edns = std::move(*e);
      return base::ok();
    }
    if (rec.type == RRType::TSIG) {
      // RFC 8945 5.1: the last record of the additional section, or FORMERR.
      if (s != Section::additional || !last) {
        return make_error(Errc::malformed, "TSIG is not the last record of the additional section");
      }
      m_.tsig = std::move(rec);
      m_.tsig_offset = start;
      return base::ok();
    }
    m_.section(s).push_back(std::move(rec));
    return base::ok();
  }

  WireReader r_;
  Message& m_;
};

}  // namespace

Result<Message> Message::parse(std::span<const uint8_t> wire, const ParseLimits& limits) {
  if (wire.size() < kHeaderSize) {
    return make_error(Errc::malformed, "truncated header: message has " + std::to_string(wire.size()) +
                                           " octets, a header needs 12");
  }
  Message m;
  m.header = decode_header(wire);
  const uint16_t qd = get_u16(&wire[4]);
  const std::array<uint16_t, 3> counts = {get_u16(&wire[6]), get_u16(&wire[8]), get_u16(&wire[10])};
  if (qd > limits.max_questions) {
    return make_error(Errc::out_of_range, "QDCOUNT " + std::to_string(qd) + " is over the limit of " +
                                              std::to_string(limits.max_questions) + " questions");
  }
  const size_t records = size_t{counts[0]} + counts[1] + counts[2];
  if (records > limits.max_records) {
    return make_error(Errc::out_of_range, "message claims " + std::to_string(records) +
                                              " records, over the record count limit of " +
                                              std::to_string(limits.max_records));
  }
  Parser p(wire, m);
  SIGNERD_TRY(p.questions(qd));
  for (Section s : {Section::answer, Section::authority, Section::additional}) {
    SIGNERD_TRY(p.section(s, counts[static_cast<size_t>(s)]));
  }
  SIGNERD_TRY(p.no_trailing_octets());
  return m;
}

std::vector<Record>& Message::section(Section s) noexcept {
  switch (s) {
    case Section::answer: return answer;
    case Section::authority: return authority;
    case Section::additional: break;
  }
  return additional;
}

const std::vector<Record>& Message::section(Section s) const noexcept {
  switch (s) {
    case Section::answer: return answer;
    case Section::authority: return authority;
    case Section::additional: break;
  }
  return additional;
}

uint16_t Message::rcode() const noexcept {
  const uint16_t high = edns ? edns->extended_rcode : 0;
  return static_cast<uint16_t>((high << 4) | (header.rcode & 0x0F));
}

bool operator==(const Message& a, const Message& b) {
  return a.header == b.header && a.questions == b.questions && a.answer == b.answer &&
         a.authority == b.authority && a.additional == b.additional && a.edns == b.edns && a.tsig == b.tsig;
}

}  // namespace signerd::dns
