// xfr/client_query.hpp — what SOA queries and transfers-in share: building
// the query (with TSIG) and checking that an answer belongs to it.
//
// Owns: random query IDs, the request wire form, and the header/question
// checks of RFC 5936 section 2.2.1 / RFC 1035 section 7.3. Does not own:
// sockets or the answer's records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/message.hpp"
#include "dns/rrset.hpp"
#include "xfr/tsig.hpp"

namespace signerd::xfr {

// Unpredictable (RFC 5452 section 9.2): from std::random_device.
uint16_t random_query_id();

struct QuerySpec {
  dns::Question question;
  uint16_t id = 0;
  const dns::RRset* authority = nullptr;  // IXFR: the client's SOA (RFC 1995 section 3)
  bool edns = false;                      // UDP: advertise 1232 octets (RFC 6891)
  bool dnssec_ok = false;                 // with edns: the DO bit, RRSIGs wanted (RFC 3225)
};

// The request's wire form; signed when `tsig` is set. Errors: those of
// TsigClient::sign_request.
Result<std::vector<uint8_t>> build_query(const QuerySpec& spec, TsigClient* tsig, base::TimePoint now);

// Checks QR, opcode, the ID and, when present (or `require_question`), the
// question. Errors: malformed with what differs. RCODE is the caller's.
Result<void> check_answer_header(const dns::Message& answer, const QuerySpec& spec, bool require_question);

}  // namespace signerd::xfr
