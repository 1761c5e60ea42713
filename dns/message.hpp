// dns/message.hpp — DNS messages as values, and their parsing.
//
// Owns: Message (header, questions, the three record sections with names
// decompressed, EDNS0 and TSIG taken out of the additional section) and
// Message::parse, the one place a hostile message is turned into values
// (RFC 1035 section 4.1, RFC 6891 section 6, RFC 8945 section 5.1).
// Does not own: building messages (dns/message_builder), TSIG digests or
// verification (xfr/), or deciding which RCODE to answer with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "dns/rrtype.hpp"

namespace signerd::dns {

inline constexpr size_t kHeaderSize = 12;  // RFC 1035 section 4.1.1

// RFC 1035 section 4.1.1 with RFC 2535's AD and CD (RFC 4035 section 3.2).
// The Z bit is not kept: senders must set it to zero, receivers ignore it.
struct Header {
  uint16_t id = 0;
  bool qr = false;
  uint8_t opcode = 0;  // 4 bits: 0 QUERY, 4 NOTIFY, 5 UPDATE
  bool aa = false;
  bool tc = false;
  bool rd = false;
  bool ra = false;
  bool ad = false;
  bool cd = false;
  uint8_t rcode = 0;  // low 4 bits; the high 8 bits live in Edns (RFC 6891 6.1.3)

  friend bool operator==(const Header&, const Header&) = default;
};

struct Question {
  Name qname;
  RRType qtype = RRType::A;
  RRClass qclass = RRClass::IN;

  friend bool operator==(const Question&, const Question&) = default;
};

// One resource record; `rdata` is uncompressed wire RDATA (RFC 3597 section 4).
struct Record {
  Name owner;
  RRType type = RRType::A;
  RRClass rclass = RRClass::IN;
  uint32_t ttl = 0;
  Rdata rdata;

  friend bool operator==(const Record&, const Record&) = default;
};

struct EdnsOption {
  uint16_t code = 0;
  std::vector<uint8_t> data;

  friend bool operator==(const EdnsOption&, const EdnsOption&) = default;
};

// The OPT pseudo-record (RFC 6891 section 6.1.2-6.1.3). The Z bits other
// than DO are not kept (must be zero on send, ignored on receipt).
struct Edns {
  uint16_t udp_size = 1232;    // RFC 6891 6.2.5; 1232 is the DNS Flag Day 2020 value
  uint8_t extended_rcode = 0;  // upper 8 bits of the 12-bit RCODE
  uint8_t version = 0;
  bool dnssec_ok = false;           // DO bit, RFC 3225
  std::vector<EdnsOption> options;  // in message order, duplicates kept

  friend bool operator==(const Edns&, const Edns&) = default;
};

enum class Section : uint8_t { answer, authority, additional };

struct ParseLimits {
  // RFC 9619: more than one question is a FORMERR for QUERY, NOTIFY and
  // UPDATE alike; raise it only to accept other (unused) opcodes.
  size_t max_questions = 1;
  // Records in the three sections together, OPT and TSIG included. The
  // default is above what a 64 KiB message can hold (11 octets per record);
  // callers facing untrusted peers on UDP may lower it.
  size_t max_records = 8192;
};

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<Record> answer;
  std::vector<Record> authority;
  std::vector<Record> additional;  // without OPT and TSIG
  std::optional<Edns> edns;
  std::optional<Record> tsig;
  // Where the TSIG record starts in the parsed bytes: RFC 8945 section 4.3.3
  // digests the message before it (with ARCOUNT decremented and the
  // original ID restored). Zero when there is no TSIG or the message was not
  // parsed; not part of equality, being a property of the bytes.
  size_t tsig_offset = 0;

  // Parses a whole message; never reads outside `wire`. Errors are
  // Errc::malformed (all FORMERR-worthy) or Errc::out_of_range (a limit), with
  // a detail naming the section, the record and the problem, e.g.
  // "answer record 2: MX RDATA: truncated". Rejected: a short header;
  // truncated questions or records; counts that claim more than is present;
  // trailing octets; bad names (compression loops, forward pointers, labels
  // over 63, names over 255); RDLENGTH past the end; RDATA invalid for its
  // type or over 65535 octets once decompressed; OPT outside the additional
  // section, not at the root, or more than once (RFC 6891 6.1.1); TSIG not
  // the last record of the additional section (RFC 8945 5.1).
  static Result<Message> parse(std::span<const uint8_t> wire, const ParseLimits& limits = {});

  std::vector<Record>& section(Section s) noexcept;
  const std::vector<Record>& section(Section s) const noexcept;

  // The 12-bit RCODE: EDNS's upper 8 bits joined to the header's 4.
  uint16_t rcode() const noexcept;

  // Content equality: everything except tsig_offset. Owner and question
  // names compare case-insensitively (as Name does), RDATA octet by octet.
  friend bool operator==(const Message& a, const Message& b);
};

}  // namespace signerd::dns
